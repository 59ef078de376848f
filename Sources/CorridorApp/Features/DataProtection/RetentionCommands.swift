import CorridorCore
import Foundation
import Vapor

/// `corridor retention run [--commit]`: prints what the retention policy removes today, and
/// removes it with `--commit`.
struct RetentionCommandGroup: AsyncCommandGroup {
    var help: String { "Applies the retention policy (CORRIDOR_RETENTION_* settings)." }
    var commands: [String: any AnyAsyncCommand] { ["run": Run()] }

    struct Run: AsyncCommand {
        struct Signature: CommandSignature {
            @Flag(name: "commit", help: "Anonymise and delete; without it the run only counts what it would do.") var commit: Bool
        }
        var help: String { "Anonymises the people of cases finished longer ago than the policy keeps them and deletes expired uploads, sessions, sign-in attempts and revoked tokens (a dry run unless --commit)." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let service = RetentionService(context: app.serviceContext(actor: .commandLine("retention run")),
                                           policy: app.corridor.configuration.retention)
            let report = try await service.run(commit: signature.commit)
            context.console.print(Self.describe(report, policy: app.corridor.configuration.retention))
        }

        static func describe(_ report: RetentionService.Report, policy: RetentionPolicy) -> String {
            var lines: [String] = []
            let verb = report.committed ? "" : "would be "
            if let cutoff = report.finishedOnOrBefore {
                lines.append("cases completed or closed on or before \(cutoff) (\(policy.finishedCaseYears) years): \(report.casesDue.count) \(verb)anonymised, \(report.membersAnonymised) people")
                for number in report.casesDue.prefix(20) { lines.append("  \(number)") }
                if report.casesDue.count > 20 { lines.append("  … and \(report.casesDue.count - 20) more") }
            } else {
                lines.append("finished cases are kept (CORRIDOR_RETENTION_FINISHED_CASE_YEARS=0)")
            }
            lines.append("uploads older than \(policy.uploadHours) h: \(report.uploadsDeleted) \(verb)deleted")
            if report.committed { lines.append("attachment files no record describes: \(report.orphanFilesDeleted) deleted") }
            lines.append("expired sessions: \(report.sessionsDeleted) \(verb)deleted")
            lines.append("sign-in attempts older than \(policy.signInAttemptDays) days: \(report.signInAttemptsDeleted) \(verb)deleted")
            lines.append("tokens revoked more than \(policy.revokedTokenDays) days ago: \(report.tokensDeleted) \(verb)deleted")
            lines.append("contact messages older than \(policy.contactMessageDays) days: \(report.contactMessagesDeleted) \(verb)deleted")
            if !report.failed.isEmpty { lines.append("not anonymised (refused, see the log): \(report.failed.joined(separator: " "))") }
            if !report.committed { lines.append("dry run: nothing changed; run again with --commit to apply") }
            return lines.joined(separator: "\n")
        }
    }
}

/// The retention run `serve` makes itself every `CORRIDOR_RETENTION_EVERY_HOURS` hours (the
/// first an hour after start), and the sweep of expired uploads at start.
struct RetentionScheduler: LifecycleHandler {
    final class Loop: @unchecked Sendable {
        var task: Task<Void, Never>?
    }
    let loop = Loop()

    func didBootAsync(_ application: Application) async throws {
        let swept = application.corridor.uploads.removeExpired()
        if swept > 0 { application.logger.notice("deleted \(swept) expired uploads at start") }
        if let orphans = try? await AttachmentService.sweepOrphans(files: application.corridor.attachmentFiles, on: application.db,
                                                                   now: application.corridor.timeSource.now()), orphans > 0 {
            application.logger.notice("deleted \(orphans) attachment files no record describes at start")
        }
        let policy = application.corridor.configuration.retention
        guard policy.everyHours > 0 else { return }
        let interval = TimeInterval(policy.everyHours * 3_600)
        loop.task = Task {
            var wait = min(3_600, interval)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(wait))
                wait = interval
                if Task.isCancelled { break }
                do {
                    let report = try await RetentionService(context: application.serviceContext(actor: .commandLine("scheduled retention")),
                                                            policy: policy).run(commit: true)
                    application.logger.notice("retention run: \(report.auditDetail)")
                } catch {
                    application.logger.error("scheduled retention run failed: \(String(describing: error))")
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        loop.task?.cancel()
    }
}
