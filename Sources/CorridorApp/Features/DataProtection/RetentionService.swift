import CorridorCore
import Fluent
import Foundation
import SQLKit

/// Applies the retention policy: anonymises the people of cases finished longer ago than the
/// policy keeps them, deletes uploads past their lifetime, expired sessions, old sign-in
/// attempts and long-revoked tokens. A dry run counts what a run would do and changes nothing.
/// Each anonymised case has its own audit entry; the run has one with its counts.
struct RetentionService: Sendable {
    let context: ServiceContext
    let policy: RetentionPolicy

    /// What a run did, or would do.
    struct Report: Sendable, Equatable, Codable {
        var committed: Bool
        /// Cases completed or closed on or before this day are due (nil: the policy keeps them).
        var finishedOnOrBefore: String?
        var casesDue: [String] = []
        var membersAnonymised = 0
        var uploadsDeleted = 0
        /// Attachment files no row describes (left by a crash), deleted.
        var orphanFilesDeleted = 0
        var sessionsDeleted = 0
        var signInAttemptsDeleted = 0
        var tokensDeleted = 0
        var contactMessagesDeleted = 0
        /// Cases that could not be anonymised (each refused whole; the others went on).
        var failed: [String] = []

        /// The counts as the audit entry keeps them (no case number: those have entries of their own).
        var auditDetail: String {
            "cases=\(casesDue.count) members=\(membersAnonymised) uploads=\(uploadsDeleted) orphan_files=\(orphanFilesDeleted) sessions=\(sessionsDeleted) sign_in_attempts=\(signInAttemptsDeleted) tokens=\(tokensDeleted) contact_messages=\(contactMessagesDeleted) failed=\(failed.count)"
        }
    }

    struct DueCase: Decodable {
        var id: UUID
        var caseNumber: String
        var registeredOn: String
        var finishedOn: String?
    }

    /// Finished cases still holding names whose last step is on or before `cutoff`, oldest first.
    static func casesDue(finishedOnOrBefore cutoff: Day, on db: any Database) async throws -> [DueCase] {
        let rows = try await db.sqlDatabase.raw("""
            SELECT c.id, c.case_number, c.registered_on,
                (SELECT MAX(t.occurred_on) FROM case_transitions t WHERE t.case_id = c.id AND t.to_status = c.status) AS finished_on
            FROM return_cases c
            WHERE c.status IN ('completed', 'closed') AND c.anonymised_on IS NULL
            """).all(decoding: DueCase.self, with: CaseDerivedData.decoder)
        return rows.filter { ($0.finishedOn ?? $0.registeredOn) <= cutoff.iso }
            .sorted { ($0.finishedOn ?? $0.registeredOn, $0.caseNumber) < ($1.finishedOn ?? $1.registeredOn, $1.caseNumber) }
    }

    func run(commit: Bool) async throws -> Report {
        let now = context.now, today = Day(now), actor = context.actor
        let db = context.database
        var report = Report(committed: commit, finishedOnOrBefore: policy.anonymiseFinishedOnOrBefore(today: today)?.iso)
        var due: [DueCase] = []
        if let cutoff = policy.anonymiseFinishedOnOrBefore(today: today) { due = try await Self.casesDue(finishedOnOrBefore: cutoff, on: db) }
        report.casesDue = due.map(\.caseNumber)
        let sessionCutoff = now
        let attemptCutoff = now.addingTimeInterval(-Double(policy.signInAttemptDays) * 86_400)
        let tokenCutoff = now.addingTimeInterval(-Double(policy.revokedTokenDays) * 86_400)
        let contactCutoff = now.addingTimeInterval(-Double(policy.contactMessageDays) * 86_400)
        let uploads = UploadStore(files: context.uploads.files, clock: context.clock, lifetime: policy.uploadLifetime)
        guard commit else {
            report.uploadsDeleted = uploads.expired().count
            report.sessionsDeleted = try await SessionModel.query(on: db).filter(\.$expiresAt < sessionCutoff).count()
            report.signInAttemptsDeleted = try await LoginAttemptModel.query(on: db).filter(\.$occurredAt < attemptCutoff).count()
            report.tokensDeleted = try await APITokenModel.query(on: db).filter(\.$revokedAt < tokenCutoff).count()
            report.contactMessagesDeleted = try await ContactMessages.receivedBefore(contactCutoff, on: db)
            for start in stride(from: 0, to: due.count, by: 500) {
                let ids = due[start..<min(start + 500, due.count)].map(\.id)
                report.membersAnonymised += try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id ~~ ids).filter(\.$anonymisedOn == nil).count()
            }
            return report
        }
        // A hundred cases per transaction: a long run never holds the database for long. A batch
        // that fails is done again case by case, so that one refused case (its figures would
        // move) stops only itself; it is named in the report and the log.
        let attachments = context.attachments
        let anonymise: @Sendable ([DueCase]) async throws -> Int = { batch in
            let outcome = try await db.writeTransaction { db in
                var outcome = Anonymiser.Outcome()
                for item in batch {
                    let done = try await Anonymiser.anonymise(caseID: item.id, caseNumber: item.caseNumber, on: today, now: now, on: db)
                    // Another run may have done it meanwhile: then there is nothing to record.
                    guard done.members > 0 else { continue }
                    outcome.members += done.members
                    outcome.files += done.files
                    try await AuditLog.append(
                        AuditEvent(action: .anonymised, entityType: "return_case", entityID: item.caseNumber,
                                   detail: "retention: finished \(item.finishedOn ?? item.registeredOn)"),
                        by: actor, at: now, on: db)
                }
                return outcome
            }
            for name in outcome.files { attachments.remove(name) }
            return outcome.members
        }
        for start in stride(from: 0, to: due.count, by: 100) {
            let batch = Array(due[start..<min(start + 100, due.count)])
            do {
                report.membersAnonymised += try await anonymise(batch)
            } catch {
                for item in batch {
                    do { report.membersAnonymised += try await anonymise([item]) } catch { report.failed.append(item.caseNumber) }
                }
            }
        }
        report.uploadsDeleted = uploads.removeExpired()
        report.orphanFilesDeleted = try await AttachmentService.sweepOrphans(files: attachments, on: db, now: now)
        let counts = try await db.writeTransaction { db in
            let sessions = try await SessionModel.query(on: db).filter(\.$expiresAt < sessionCutoff).count()
            try await SessionModel.query(on: db).filter(\.$expiresAt < sessionCutoff).delete()
            let attempts = try await LoginAttemptModel.query(on: db).filter(\.$occurredAt < attemptCutoff).count()
            try await LoginAttemptModel.query(on: db).filter(\.$occurredAt < attemptCutoff).delete()
            let tokens = try await APITokenModel.query(on: db).filter(\.$revokedAt < tokenCutoff).count()
            try await APITokenModel.query(on: db).filter(\.$revokedAt < tokenCutoff).delete()
            let messages = try await ContactMessages.deleteReceivedBefore(contactCutoff, on: db)
            return (sessions, attempts, tokens, messages)
        }
        (report.sessionsDeleted, report.signInAttemptsDeleted, report.tokensDeleted, report.contactMessagesDeleted) = counts
        try await AuditLog.record(AuditEvent(action: .retentionRun, entityType: "retention", detail: report.auditDetail), context)
        return report
    }

    /// The last run's audit entry: when, by whom, and its counts.
    static func lastRun(on db: any Database) async throws -> AuditEntryModel? {
        try await AuditEntryModel.query(on: db).filter(\.$action == AuditAction.retentionRun.rawValue).sort(\.$id, .descending).first()
    }
}
