import CorridorCore
import Foundation
import Vapor

/// The backups `serve` takes itself (`CORRIDOR_BACKUP_EVERY_HOURS`): encrypted, into the backup
/// folder, the newest `CORRIDOR_BACKUPS_KEPT` kept. A failed backup is logged and tried again at
/// the next interval; it never stops the server.
struct BackupScheduler: LifecycleHandler {
    final class Loop: @unchecked Sendable {
        var task: Task<Void, Never>?
    }
    let loop = Loop()

    static func folder(_ configuration: CorridorConfiguration) -> URL {
        URL(fileURLWithPath: configuration.backupDirectory ?? (configuration.dataDirectory as NSString).appendingPathComponent("backups"), isDirectory: true)
    }

    func didBootAsync(_ application: Application) async throws {
        let hours = application.corridor.configuration.backupEveryHours
        guard hours > 0 else { return }
        let interval = TimeInterval(hours * 3_600)
        // The first wait counts from the newest backup there is: a server restarted often still
        // takes its backups.
        let newest = Self.newestBackup(in: Self.folder(application.corridor.configuration))
        var wait = max(60, interval - (newest.map { Date().timeIntervalSince($0) } ?? interval))
        loop.task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(wait))
                wait = interval
                if Task.isCancelled { break }
                do {
                    let file = try await Self.runOnce(application)
                    application.logger.notice("backup written to \(file.path)")
                } catch {
                    application.logger.error("scheduled backup failed: \(String(describing: error))")
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        loop.task?.cancel()
    }

    static func newestBackup(in folder: URL) -> Date? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("corridor-") && $0.hasSuffix(".backup") }
        return names.compactMap { (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($0).path))?[.modificationDate] as? Date }.max()
    }

    /// One scheduled backup, then the oldest beyond the number kept are deleted.
    @discardableResult
    static func runOnce(_ application: Application) async throws -> URL {
        let configuration = application.corridor.configuration
        let folder = folder(configuration)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = SecretRotation.stamp(application.corridor.timeSource.now())
        let file = folder.appendingPathComponent("corridor-\(stamp).backup")
        _ = try await BackupService(app: application).backup(to: file, encrypt: true, actor: .commandLine("scheduled backup"))
        let ours = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("corridor-") && $0.hasSuffix(".backup") }.sorted()
        for old in ours.dropLast(configuration.backupsKept) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(old))
        }
        return file
    }
}
