import Foundation
import Vapor

/// The pulls `serve` makes itself every `CORRIDOR_FIELD_PULL_EVERY_MINUTES` minutes, of every
/// source marked for it, one after another (the first a minute after start). A failure is in
/// the source's log, and the next round tries again.
struct FieldPullScheduler: LifecycleHandler {
    final class Loop: @unchecked Sendable {
        var task: Task<Void, Never>?
    }
    let loop = Loop()

    func didBootAsync(_ application: Application) async throws {
        let minutes = application.corridor.configuration.fieldPullEveryMinutes
        guard minutes > 0 else { return }
        loop.task = Task {
            var wait = min(60, minutes * 60)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(wait))
                wait = minutes * 60
                if Task.isCancelled { break }
                let ids: [UUID]
                do {
                    ids = try await FieldSourceQueries(database: application.db).scheduledIDs()
                } catch {
                    application.logger.error("scheduled field pulls: the sources could not be read: \(String(describing: error))")
                    continue
                }
                // One source failing (its log says why) never stops the others.
                for id in ids {
                    if Task.isCancelled { break }
                    do {
                        let context = application.serviceContext(actor: .commandLine("scheduled field pull"))
                        let outcome = try await FieldSourceService(context, application: application).pull(id)
                        application.logger.notice("field pull \(id): \(outcome.outcome), \(outcome.received) received, \(outcome.held) held")
                    } catch {
                        application.logger.error("scheduled field pull of \(id) failed: \(String(describing: error))")
                    }
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        loop.task?.cancel()
    }
}
