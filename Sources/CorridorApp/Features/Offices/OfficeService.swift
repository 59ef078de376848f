import CorridorCore
import Fluent
import Foundation

/// The offices' writes (administrators and the communications role) and reads.
struct OfficeService: Sendable {
    let context: ServiceContext

    enum OfficeError: Error, Equatable {
        case invalid([FieldIssue])
        case conflict
        case notFound
    }

    /// Adds an office (`id` nil) or changes one nobody saved since `expectedVersion`.
    func save(id: UUID?, _ draft: OfficeDraft, expectedVersion: Int?) async throws -> UUID {
        let (issues, position) = OfficeRules.check(draft)
        guard issues.isEmpty else { throw OfficeError.invalid(issues) }
        let actor = context.actor, now = context.now
        let code = draft.code.uppercased()
        return try await context.database.writeTransaction { db in
            let office: OfficeModel
            if let id {
                guard let existing = try await OfficeModel.find(id, on: db) else { throw OfficeError.notFound }
                guard existing.version == expectedVersion else { throw OfficeError.conflict }
                // Cases and scopes name the office by its code: it is not changed once given.
                guard existing.code == code else { throw OfficeError.invalid([FieldIssue("code", "office.error.code_fixed")]) }
                office = existing
                office.version += 1
            } else {
                if try await OfficeModel.query(on: db).filter(\.$code == code).count() > 0 { throw OfficeError.invalid([FieldIssue("code", "office.error.code_taken")]) }
                office = OfficeModel()
                office.code = code
                office.version = 1
            }
            office.city = draft.city.trimmingCharacters(in: .whitespaces)
            office.address = draft.address.trimmingCharacters(in: .whitespacesAndNewlines)
            office.email = draft.email.trimmingCharacters(in: .whitespaces)
            office.phone = draft.phone.trimmingCharacters(in: .whitespaces)
            office.descriptionFR = draft.descriptions[.fr]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            office.descriptionEN = draft.descriptions[.en]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            office.latitude = position?.latitude
            office.longitude = position?.longitude
            office.isPublic = draft.isPublic
            office.updatedAt = now
            try await office.save(on: db)
            try await AuditLog.append(AuditEvent(action: id == nil ? .create : .update, entityType: "office", entityID: code,
                                                 changedFields: ["city", "address", "email", "phone", "description", "position", "is_public"]), by: actor, at: now, on: db)
            return try office.requireID()
        }
    }

    /// The offices a file's cases name that the table does not hold yet, added to be completed
    /// (not public): the table stays the one list of offices. In the caller's transaction.
    static func addMissing(_ codes: Set<String>, at now: Date, on db: any Database) async throws {
        let wanted = Set(codes.map { $0.uppercased() }.filter(Countries.isKnown))
        guard !wanted.isEmpty else { return }
        let known = Set(try await OfficeModel.query(on: db).filter(\.$code ~~ Array(wanted)).all().map(\.code))
        for code in wanted.subtracting(known).sorted() {
            let office = OfficeModel()
            office.code = code
            office.city = ""
            office.address = ""
            office.email = ""
            office.phone = ""
            office.descriptionFR = ""
            office.descriptionEN = ""
            office.isPublic = false
            office.version = 1
            office.updatedAt = now
            try await office.create(on: db)
        }
    }
}

/// The offices as pages and forms read them.
struct OfficeQueries: Sendable {
    let database: any Database

    func all() async throws -> [OfficeModel] {
        try await OfficeModel.query(on: database).sort(\.$code).all()
    }

    func find(_ id: UUID) async throws -> OfficeModel? { try await OfficeModel.find(id, on: database) }

    /// Those the public page shows.
    func published() async throws -> [OfficeModel] {
        try await OfficeModel.query(on: database).filter(\.$isPublic == true).sort(\.$code).all()
    }

    /// Whether `code` is one of the mission's offices.
    func exists(_ code: String) async throws -> Bool {
        try await OfficeModel.query(on: database).filter(\.$code == code.uppercased()).count() > 0
    }

    /// The choices of a case's office field and of the caseload's office filter: each office by
    /// its country and city (`Côte d'Ivoire — Abidjan`).
    func options(_ language: Language) async throws -> [(value: String, label: String)] {
        try await all().map { office in
            let country = Countries.named(office.code)?.name(language) ?? office.code
            return (office.code, office.city.isEmpty ? country : "\(country) — \(office.city)")
        }.sorted { $0.label.localizedStandardCompare($1.label) == .orderedAscending }
    }
}
