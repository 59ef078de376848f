import Crypto
import Foundation

/// The one secret Corridor keeps outside its database, and the keys derived from it for each
/// use (HKDF-SHA256, one `info` per purpose), so that no use can stand in for another and the
/// one secret is all there is to back up or rotate.
public struct CorridorSecret: Sendable {
    private let master: SymmetricKey

    /// A secret of 32 bytes or more.
    public init?(bytes: Data) {
        guard bytes.count >= 32 else { return nil }
        master = SymmetricKey(data: bytes)
    }

    /// A fresh random secret.
    public static func generate() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// The key of one purpose: `audit-head`, `audit-checkpoint`, `backup`, …
    public func key(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master, salt: Data("corridor".utf8), info: Data(purpose.utf8), outputByteCount: 32)
    }
}

/// Anchors the audit chain outside the rows an attacker with database access can rewrite: the
/// head (last sequence and hash) carries a MAC under a key kept outside the database, and
/// checkpoints of the head, each with its own MAC, go to an append-only file. Deleting the
/// tail and moving the head back, rewriting the head, or replacing the key is then seen by
/// `audit verify`.
public struct AuditSeal: Sendable {
    private let headKey: SymmetricKey
    private let checkpointKey: SymmetricKey

    public init(secret: CorridorSecret) {
        headKey = secret.key(for: "audit-head")
        checkpointKey = secret.key(for: "audit-checkpoint")
    }

    static func hex(_ mac: some Sequence<UInt8>) -> String { mac.map { String(format: "%02x", $0) }.joined() }

    /// The MAC the head must carry.
    public func headMAC(sequence: Int64, hash: String) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data("head|\(sequence)|\(hash)".utf8), using: headKey))
    }

    /// One line of the checkpoint file: sequence, hash, time (ms), MAC.
    public func checkpointLine(sequence: Int64, hash: String, atMilliseconds time: Int64) -> String {
        let body = "\(sequence) \(hash) \(time)"
        return body + " " + Self.hex(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: checkpointKey))
    }

    /// A checkpoint read back; `authentic` is false when its MAC is not this key's.
    public func checkpoint(_ line: Substring) -> AuditCheckpoint? {
        let parts = line.split(separator: " ")
        guard parts.count == 4, let sequence = Int64(parts[0]), let time = Int64(parts[2]) else { return nil }
        let expected = checkpointLine(sequence: sequence, hash: String(parts[1]), atMilliseconds: time)
        return AuditCheckpoint(sequence: sequence, hash: String(parts[1]), atMilliseconds: time,
                               authentic: expected.utf8.elementsEqual(line.utf8))
    }
}

public struct AuditCheckpoint: Sendable, Equatable {
    public var sequence: Int64
    public var hash: String
    public var atMilliseconds: Int64
    public var authentic: Bool

    public init(sequence: Int64, hash: String, atMilliseconds: Int64, authentic: Bool) {
        self.sequence = sequence
        self.hash = hash
        self.atMilliseconds = atMilliseconds
        self.authentic = authentic
    }
}
