import CorridorCore
import Foundation
import Vapor

/// Where the audit trail is anchored outside the database: the seal (keys derived from the
/// secret) and the append-only checkpoint file beside the data.
struct AuditAnchor: Sendable {
    var seal: AuditSeal
    /// `<data directory>/audit-checkpoints.log`: one line per checkpoint, appended, never rewritten.
    var checkpointFile: String

    /// Appends a checkpoint of a head that is committed (never one read inside a transaction
    /// that could still roll back), and logs it: a copy outside the data directory.
    func writeCheckpoint(sequence: Int64, hash: String, at date: Date, logger: Logger) throws {
        let line = seal.checkpointLine(sequence: sequence, hash: hash, atMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down))) + "\n"
        let descriptor = open(checkpointFile, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw AuditAnchorError.cannotWrite(checkpointFile) }
        defer { close(descriptor) }
        let written = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        guard written == line.utf8.count else { throw AuditAnchorError.cannotWrite(checkpointFile) }
        logger.notice("audit checkpoint \(line.trimmingCharacters(in: .newlines))")
    }

    /// Every checkpoint of the file, in the order written.
    func checkpoints() throws -> [AuditCheckpoint] {
        guard FileManager.default.fileExists(atPath: checkpointFile) else { return [] }
        let text = try String(contentsOfFile: checkpointFile, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).map { line in
            seal.checkpoint(line) ?? AuditCheckpoint(sequence: 0, hash: "", atMilliseconds: 0, authentic: false)
        }
    }
}

enum AuditAnchorError: Error, CustomStringConvertible {
    case cannotWrite(String)
    case badSecret(String)
    case missingSecret(String, [String])
    var description: String {
        switch self {
        case .missingSecret(let path, let others):
            return "\(path) is missing but \(others.joined(separator: ", ")) exist: put the right key back as secret.key (or run corridor secret rotate again if a rotation was interrupted); no new secret was made"
        case .cannotWrite(let path): return "cannot append to \(path)"
        case .badSecret(let source): return "\(source) must hold at least 32 random bytes, base64-encoded"
        }
    }
}

/// The secret Corridor keeps outside its database: `CORRIDOR_SECRET_KEY` (base64), else the
/// file `secret.key` of the data directory, created at first start with permissions 0600.
enum SecretKeyFile {
    static func load(configuration: CorridorConfiguration) throws -> CorridorSecret {
        if let text = configuration.secretKey {
            guard let data = Data(base64Encoded: text), let secret = CorridorSecret(bytes: data) else { throw AuditAnchorError.badSecret("CORRIDOR_SECRET_KEY") }
            return secret
        }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("secret.key")
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), let secret = CorridorSecret(bytes: data) else {
                throw AuditAnchorError.badSecret(path)
            }
            return secret
        }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        // A new secret only for a new data directory: beside a rotation's files, a missing
        // secret.key is an accident to repair, not a first start.
        let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: configuration.dataDirectory)) ?? []).filter { $0.hasPrefix("secret.key.") }
        if !siblings.isEmpty { throw AuditAnchorError.missingSecret(path, siblings.sorted()) }
        let bytes = CorridorSecret.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data((bytes.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600]),
              let secret = CorridorSecret(bytes: bytes) else { throw AuditAnchorError.cannotWrite(path) }
        return secret
    }
}

/// Writes a checkpoint of the committed head every ten minutes while the server runs, and
/// once when it stops.
struct AuditCheckpointer: LifecycleHandler {
    static let interval: Duration = .seconds(600)

    final class Loop: @unchecked Sendable {
        var task: Task<Void, Never>?
    }
    let loop = Loop()

    func didBootAsync(_ application: Application) async throws {
        loop.task = Task {
            var last: Int64 = -1
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                if Task.isCancelled { break }
                last = await Self.checkpoint(application, unless: last)
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        loop.task?.cancel()
        _ = await Self.checkpoint(application, unless: -1)
    }

    /// Checkpoints the head when it moved since `previous`; returns the head's sequence.
    static func checkpoint(_ application: Application, unless previous: Int64) async -> Int64 {
        do {
            guard let head = try await AuditHeadModel.find(1, on: application.db), head.lastSequence != previous, head.lastSequence > 0 else { return previous }
            try application.corridor.auditAnchor.writeCheckpoint(sequence: head.lastSequence, hash: head.lastHash, at: application.corridor.timeSource.now(),
                                                                 logger: application.logger)
            return head.lastSequence
        } catch {
            application.logger.warning("audit checkpoint not written: \(String(describing: error))")
            return previous
        }
    }
}
