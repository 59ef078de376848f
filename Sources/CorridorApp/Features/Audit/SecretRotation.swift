import CorridorCore
import Fluent
import Foundation
import Vapor

/// Replaces the one secret (`secret.key`, or `CORRIDOR_SECRET_KEY`) by a new one, with the
/// server stopped: the audit trail is first verified whole under the old key, then everything
/// sealed with the old key is sealed with the new one in one transaction (the authenticator keys,
/// the head of the audit trail, which records the rotation), the old checkpoints are archived (they
/// stay readable with the retired key) and a first checkpoint is written under the new key. The
/// chain of hashes up to that checkpoint is what the new key vouches for.
///
/// The new key is written as `secret.key.new` before the transaction and takes the place of
/// `secret.key` after it, the old one kept as `secret.key.retired-<time>` (it opens the backups
/// taken before the rotation: store it with them, away from the server). A rotation interrupted
/// after its transaction is completed by running the command again.
struct SecretRotation {
    let app: Application

    struct Outcome: Sendable {
        var entriesVerified: Int64
        var authenticatorKeys: Int
        /// Where the old key went; nil when the secret comes from the environment.
        var retiredKeyFile: String?
        var archivedCheckpoints: String?
        /// The new secret, base64, when the operator must set it themselves (`CORRIDOR_SECRET_KEY`).
        var newSecretForEnvironment: String?
        var resumed: Bool
    }

    enum Failure: Error, CustomStringConvertible {
        case trailBroken(String)
        case badNewKey
        case unreadableSealedKey(String)
        case cannotWrite(String)

        var description: String {
            switch self {
            case .trailBroken(let reason): return "the audit trail does not verify under the current key (\(reason)): nothing was rotated"
            case .badNewKey: return "the new key must hold at least 32 random bytes, base64-encoded (openssl rand -base64 32)"
            case .unreadableSealedKey(let owner): return "the sealed key of \(owner) does not open with the current key: nothing was rotated"
            case .cannotWrite(let path): return "cannot write \(path): nothing was rotated"
            }
        }
    }

    var configuration: CorridorConfiguration { app.corridor.configuration }
    var keyFile: String { (configuration.dataDirectory as NSString).appendingPathComponent("secret.key") }
    var pendingKeyFile: String { keyFile + ".new" }

    func rotate(newKey: String? = nil, at now: Date) async throws -> Outcome {
        let fromEnvironment = configuration.secretKey != nil
        // A rotation whose transaction committed but whose files were not swapped yet.
        if !fromEnvironment, let pending = try? String(contentsOfFile: pendingKeyFile, encoding: .utf8),
           let bytes = Data(base64Encoded: pending.trimmingCharacters(in: .whitespacesAndNewlines)), let secret = CorridorSecret(bytes: bytes) {
            if try await headIsSealed(by: secret) {
                let verification = try await AuditVerification.verify(on: app.db, anchor: anchor(secret, checkpoints: nil))
                if let failure = verification.failure { throw Failure.trailBroken(failure.description) }
                let verified = verification.count
                let files = try finishFiles(secret: secret, now: now)
                _ = await AuditCheckpointer.checkpoint(app, unless: -1)
                return Outcome(entriesVerified: verified, authenticatorKeys: 0, retiredKeyFile: files.retired, archivedCheckpoints: files.archived,
                               newSecretForEnvironment: nil, resumed: true)
            }
            // Never deleted: a key is the one thing that cannot be made again.
            try? FileManager.default.moveItem(atPath: pendingKeyFile, toPath: pendingKeyFile.replacingOccurrences(of: ".new", with: ".abandoned-\(Self.stamp(now))"))
        }

        let old = app.corridor.secret
        let verification = try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor)
        if let failure = verification.failure { throw Failure.trailBroken(failure.description) }

        let newBytes: Data
        if let newKey {
            guard let bytes = Data(base64Encoded: newKey.trimmingCharacters(in: .whitespacesAndNewlines)), CorridorSecret(bytes: bytes) != nil else { throw Failure.badNewKey }
            newBytes = bytes
        } else {
            newBytes = CorridorSecret.generate()
        }
        guard let new = CorridorSecret(bytes: newBytes) else { throw Failure.badNewKey }
        if !fromEnvironment {
            guard FileManager.default.createFile(atPath: pendingKeyFile, contents: Data((newBytes.base64EncodedString() + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else { throw Failure.cannotWrite(pendingKeyFile) }
        }

        let oldBox = SecretBox(secret: old, purpose: "totp-key"), newBox = SecretBox(secret: new, purpose: "totp-key")
        let newAnchor = anchor(new, checkpoints: nil)
        let actor = AuditActor(id: nil, label: "command line: secret rotate", address: nil, anchor: newAnchor)
        let verified = verification.count
        let resealed: Int
        do {
            resealed = try await app.db.writeTransaction { db in
                var count = 0
                for user in try await UserModel.query(on: db).filter(\.$totpKey != nil).all() {
                    guard let sealed = user.totpKey, let plain = oldBox.open(sealed) else { throw Failure.unreadableSealedKey(user.email) }
                    user.totpKey = try newBox.seal(plain)
                    try await user.update(on: db)
                    count += 1
                }
                // Field sources' server tokens, sealed under the same secret.
                let oldTokens = FieldSourceService.tokenBox(old), newTokens = FieldSourceService.tokenBox(new)
                for source in try await FieldSourceModel.query(on: db).all() {
                    guard let plain = oldTokens.open(source.tokenSealed) else { throw Failure.unreadableSealedKey("field source \(source.name)") }
                    source.tokenSealed = try newTokens.seal(plain)
                    try await source.update(on: db)
                }
                try await AuditLog.append(
                    AuditEvent(action: .update, entityType: "secret_key", changedFields: count > 0 ? ["totp_key", "mac"] : ["mac"],
                               detail: "secret key rotated: trail verified to entry \(verified) under the old key, \(count) authenticator key(s) sealed again"),
                    by: actor, at: now, on: db)
                return count
            }
        } catch {
            // The transaction was undone: the new key seals nothing, and goes.
            try? FileManager.default.removeItem(atPath: pendingKeyFile)
            throw error
        }
        let files = try finishFiles(secret: new, now: now, environment: fromEnvironment)
        // The first checkpoint under the new key: it vouches for the whole chain up to here.
        _ = await AuditCheckpointer.checkpoint(app, unless: -1)
        return Outcome(entriesVerified: verified, authenticatorKeys: resealed, retiredKeyFile: files.retired, archivedCheckpoints: files.archived,
                       newSecretForEnvironment: fromEnvironment ? newBytes.base64EncodedString() : nil, resumed: false)
    }

    /// Archives the old checkpoints, writes the first one under the new key, swaps the key files
    /// and makes the running process use the new secret.
    private func finishFiles(secret: CorridorSecret, now: Date, environment: Bool = false) throws -> (retired: String?, archived: String?) {
        let stamp = Self.stamp(now)
        let checkpoints = app.corridor.auditAnchor.checkpointFile
        var archived: String?
        if FileManager.default.fileExists(atPath: checkpoints) {
            let target = checkpoints.replacingOccurrences(of: ".log", with: "") + ".retired-\(stamp).log"
            try FileManager.default.moveItem(atPath: checkpoints, toPath: target)
            archived = target
        }
        var retired: String?
        if !environment {
            // The old key is copied aside first, then the new one replaces it in one rename: at no
            // moment is there no secret.key (a server started then would make a new, wrong one).
            let target = keyFile + ".retired-\(stamp)"
            if FileManager.default.fileExists(atPath: keyFile) {
                try FileManager.default.copyItem(atPath: keyFile, toPath: target)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
                retired = target
            }
            guard rename(pendingKeyFile, keyFile) == 0 else { throw Failure.cannotWrite(keyFile) }
            let folder = open((keyFile as NSString).deletingLastPathComponent, O_RDONLY)
            if folder >= 0 { fsync(folder); close(folder) }
        }
        app.corridor.secret = secret
        app.corridor.auditAnchor = anchor(secret, checkpoints: checkpoints)
        return (retired, archived)
    }

    private func anchor(_ secret: CorridorSecret, checkpoints: String?) -> AuditAnchor {
        AuditAnchor(seal: AuditSeal(secret: secret), checkpointFile: checkpoints ?? app.corridor.auditAnchor.checkpointFile)
    }

    private func headIsSealed(by secret: CorridorSecret) async throws -> Bool {
        guard let head = try await AuditHeadModel.find(1, on: app.db) else { return false }
        return AuditSeal(secret: secret).headMAC(sequence: head.lastSequence, hash: head.lastHash) == head.mac
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
