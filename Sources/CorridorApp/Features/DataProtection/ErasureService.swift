import CorridorCore
import Fluent
import Foundation
import Vapor

/// Erasure on request: a person's names, documents, phone, exact dates, protected details and
/// free-text answers are removed for good (`Anonymiser`), while what they count for in the
/// figures stays. The audit trail keeps that the erasure happened, why, and the request's
/// reference — never what was erased. A person is a case member until record linkage joins
/// their records into one identity.
struct ErasureService: Sendable {
    let context: ServiceContext

    struct Request: Sendable {
        var reason: ErasureReason?
        /// The request's own number in the office's register (not a name).
        var reference: String
    }

    static let referenceLimit = 64

    func erase(number: String, member memberNumber: Int, _ request: Request, expectedVersion: Int) async throws {
        let reference = request.reference.trimmedWhitespace
        var issues: [FieldIssue] = []
        if request.reason == nil { issues.append(FieldIssue("reason", "case.error.required")) }
        if reference.isEmpty { issues.append(FieldIssue("reference", "case.error.required")) }
        if reference.count > Self.referenceLimit { issues.append(FieldIssue("reference", "erasure.error.reference_too_long")) }
        guard issues.isEmpty, let reason = request.reason else { throw CaseError.invalid(issues) }
        let actor = context.actor, now = context.now
        let outcome = try await context.database.writeTransaction { db in
            let record = try await CaseService.find(number, on: db)
            guard record.version == expectedVersion else { throw CaseError.conflict(currentVersion: record.version) }
            let caseID = try record.requireID()
            guard let member = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID)
                .filter(\.$memberNumber == memberNumber).first() else { throw CaseError.notFound }
            guard member.anonymisedOn == nil else { throw CaseError.invalid([FieldIssue("member", "erasure.error.already_erased")]) }
            let outcome = try await Anonymiser.anonymise(caseID: caseID, caseNumber: record.caseNumber, members: [memberNumber], on: Day(now), now: now, on: db)
            try await AuditLog.append(
                AuditEvent(action: .erased, entityType: "case_member", entityID: "\(record.caseNumber)/\(memberNumber)",
                           detail: reason.rawValue, personalDetail: "reference \(reference)"),
                by: actor, at: now, on: db)
            return outcome
        }
        for name in outcome.files { context.attachments.remove(name) }
    }
}
