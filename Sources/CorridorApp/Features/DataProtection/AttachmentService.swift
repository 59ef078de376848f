import CorridorCore
import Crypto
import Fluent
import Foundation
import SQLKit

/// Files attached to a case: signed consent forms, scans of identity and travel documents.
/// Each is checked by its first bytes (PDF, JPEG, PNG) and its size, stored under a random name
/// in the data directory's `attachments/` folder (outside the web root, readable by Corridor's
/// user only), described by a row of `case_attachments`, and written, read and deleted with an
/// audit entry that names the case, the member and the kind, never the file's name (it may
/// carry a person's). Anonymisation (retention, erasure) deletes a person's attachments; the
/// backup carries them.
struct AttachmentService: Sendable {
    let context: ServiceContext
    var files: any FileStore { context.attachments }

    static func folder(_ configuration: CorridorConfiguration) -> URL {
        URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("attachments", isDirectory: true)
    }

    /// How old a stored file without a row must be before the sweep deletes it: a file is
    /// written a moment before its row is committed.
    static let orphanGrace: TimeInterval = 3_600

    struct Upload: Sendable {
        var kind: AttachmentKind?
        /// The member the paper is about; nil for the whole household.
        var member: Int?
        var isProtected: Bool
        var fileName: String
        var data: Data
    }

    /// Checks and stores an attachment; returns its id.
    @discardableResult
    func add(number: String, _ upload: Upload, limitBytes: Int) async throws -> UUID {
        let checked = AttachmentRules.check(kind: upload.kind, size: upload.data.count, head: upload.data.prefix(8), limitBytes: limitBytes)
        let type = checked.type
        var issues = checked.issues
        if upload.isProtected, !Policy.allows(context.principal, .handleProtectedAttachments) {
            issues.append(FieldIssue("protected", "attachment.error.protected_not_allowed"))
        }
        let db = context.database
        let record = try await CaseService.find(number, on: db)
        let caseID = try record.requireID()
        var memberID: UUID?
        if let memberNumber = upload.member {
            guard let member = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID)
                .filter(\.$memberNumber == memberNumber).first() else { throw CaseError.notFound }
            if member.anonymisedOn != nil { issues.append(FieldIssue("member", "case.error.anonymised")) }
            memberID = member.id
        } else if record.anonymisedOn != nil {
            issues.append(FieldIssue("member", "case.error.anonymised"))
        }
        guard issues.isEmpty, let type, let kind = upload.kind else { throw CaseError.invalid(issues) }
        let ownerID = memberID

        let id = UUID()
        let storageName = id.uuidString.lowercased()
        let actor = context.actor, now = context.now
        try files.write(upload.data, name: storageName, at: now)
        do {
            try await db.writeTransaction { db in
                // Checked again where it is written: an erasure committed since the checks above
                // leaves no attachment of the person behind.
                guard let current = try await ReturnCaseModel.find(caseID, on: db) else { throw CaseError.notFound }
                if let ownerID {
                    guard let member = try await CaseMemberModel.find(ownerID, on: db) else { throw CaseError.notFound }
                    if member.anonymisedOn != nil { throw CaseError.invalid([FieldIssue("member", "case.error.anonymised")]) }
                } else if current.anonymisedOn != nil {
                    throw CaseError.invalid([FieldIssue("member", "case.error.anonymised")])
                }
                let row = CaseAttachmentModel()
                row.id = id
                row.caseID = caseID
                row.memberID = ownerID
                row.kind = kind.rawValue
                row.isProtected = upload.isProtected ? 1 : 0
                row.fileName = AttachmentRules.downloadName(upload.fileName, type: type)
                row.mediaType = type.mediaType
                row.byteCount = upload.data.count
                row.sha256 = SHA256.hash(data: upload.data).map { String(format: "%02x", $0) }.joined()
                row.storageName = storageName
                row.uploadedBy = actor.label
                row.uploadedAt = now
                try await row.create(on: db)
                try await AuditLog.append(
                    AuditEvent(action: .create, entityType: "case_attachment", entityID: "\(record.caseNumber)/\(storageName)",
                               detail: Self.describe(kind: kind, member: upload.member, type: type, bytes: upload.data.count, isProtected: upload.isProtected)),
                    by: actor, at: now, on: db)
            }
        } catch {
            files.remove(storageName)
            throw error
        }
        return id
    }

    /// An attachment's row and bytes, for a reader the caller has checked may see it; the read
    /// is audited before a byte is served.
    func open(_ attachment: AttachmentQueries.Row, caseNumber: String) async throws -> Data? {
        guard let data = try files.read(attachment.storageName) else { return nil }
        try await AuditLog.record(
            AuditEvent(action: .attachmentRead, entityType: "case_attachment", entityID: "\(caseNumber)/\(attachment.storageName)",
                       detail: Self.describe(kind: attachment.kind, member: attachment.memberNumber, type: nil, bytes: data.count,
                                             isProtected: attachment.isProtected)),
            context)
        return data
    }

    func delete(_ attachment: AttachmentQueries.Row, caseNumber: String) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let row = try await CaseAttachmentModel.find(attachment.id, on: db) else { throw CaseError.notFound }
            try await row.delete(on: db)
            try await AuditLog.append(
                AuditEvent(action: .delete, entityType: "case_attachment", entityID: "\(caseNumber)/\(attachment.storageName)",
                           detail: Self.describe(kind: attachment.kind, member: attachment.memberNumber, type: nil, bytes: attachment.byteCount,
                                                 isProtected: attachment.isProtected)),
                by: actor, at: now, on: db)
        }
        files.remove(attachment.storageName)
    }

    static func describe(kind: AttachmentKind?, member: Int?, type: AttachmentType?, bytes: Int, isProtected: Bool) -> String {
        var parts = [kind?.rawValue ?? "unknown", member.map { "member \($0)" } ?? "household"]
        if let type { parts.append(type.rawValue) }
        parts.append("\(bytes) bytes")
        if isProtected { parts.append("protected") }
        return parts.joined(separator: ", ")
    }

    /// Deletes stored files no row describes any more (a crash between a deletion's commit and
    /// the file's removal, or between a file's write and its row), once they are older than
    /// `orphanGrace`; returns how many went.
    @discardableResult
    static func sweepOrphans(files: any FileStore, on db: any Database, now: Date) async throws -> Int {
        let stored = files.list().filter { now.timeIntervalSince($0.written) > orphanGrace }
        guard !stored.isEmpty else { return 0 }
        let known = Set(try await CaseAttachmentModel.query(on: db).all(\.$storageName))
        var removed = 0
        for file in stored where !known.contains(file.name) {
            files.remove(file.name)
            removed += 1
        }
        return removed
    }
}

/// The attachments of a case, for its page and its routes.
struct AttachmentQueries: Sendable {
    let database: any Database

    struct Row: Sendable, Equatable {
        var id: UUID
        var kind: AttachmentKind?
        var memberNumber: Int?
        var isProtected: Bool
        var fileName: String
        var mediaType: String
        var byteCount: Int
        var storageName: String
        var uploadedBy: String
        var uploadedAt: Date
    }

    /// Every attachment of the case, newest first.
    func list(caseNumber: String) async throws -> [Row] {
        guard let record = try await ReturnCaseModel.query(on: database).filter(\.$caseNumber == caseNumber.uppercased()).first(),
              let caseID = record.id else { return [] }
        let members = try await CaseMemberModel.query(on: database).filter(\.$returnCase.$id == caseID).all()
        let numbers = Dictionary(uniqueKeysWithValues: members.compactMap { member in member.id.map { ($0, member.memberNumber) } })
        return try await CaseAttachmentModel.query(on: database).filter(\.$caseID == caseID).sort(\.$uploadedAt, .descending).all().compactMap { model in
            guard let id = model.id else { return nil }
            return Row(id: id, kind: AttachmentKind(rawValue: model.kind), memberNumber: model.memberID.flatMap { numbers[$0] },
                       isProtected: model.isProtected == 1, fileName: model.fileName, mediaType: model.mediaType, byteCount: model.byteCount,
                       storageName: model.storageName, uploadedBy: model.uploadedBy, uploadedAt: model.uploadedAt)
        }
    }

    /// The storage names of the attachments of the given members, and, with `householdToo`, of
    /// the case's own (those of no member): what anonymising them deletes.
    static func storageNames(caseID: UUID, members: [UUID], householdToo: Bool, on db: any Database) async throws -> [String] {
        var names: [String] = []
        if !members.isEmpty {
            names += try await CaseAttachmentModel.query(on: db).filter(\.$caseID == caseID).filter(\.$memberID ~~ members).all(\.$storageName)
        }
        if householdToo {
            names += try await CaseAttachmentModel.query(on: db).filter(\.$caseID == caseID).filter(\.$memberID == nil).all(\.$storageName)
        }
        return names
    }
}
