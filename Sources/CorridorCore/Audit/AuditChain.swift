import Crypto
import Foundation

/// What can be recorded in the audit trail.
public enum AuditAction: String, Sendable, CaseIterable, Codable {
    case login
    case logout
    case loginFailed = "login_failed"
    case accountLocked = "account_locked"
    case create
    case update
    case delete
    case export
    case readProtected = "read_protected"
    case passwordChanged = "password_changed"
    case passwordReset = "password_reset"
    case tokenCreated = "token_created"
    case tokenRevoked = "token_revoked"
    case twoFactorEnabled = "two_factor_enabled"
    case twoFactorReset = "two_factor_reset"
    case recoveryCodesRenewed = "recovery_codes_renewed"
    case backupCreated = "backup_created"
    case backupRestored = "backup_restored"
    case anonymised
    case erased
    case retentionRun = "retention_run"
    case attachmentRead = "attachment_read"
}

/// One entry of the audit trail, as it is hashed. `sequence` starts at 1 and has no gaps;
/// `previousHash` is the hash of the entry before (empty for the first).
public struct AuditRecord: Sendable, Equatable {
    public var sequence: Int64
    public var occurredAtMilliseconds: Int64
    public var actorID: String?
    public var actorLabel: String
    public var action: AuditAction
    public var entityType: String
    public var entityID: String?
    public var changedFields: [String]
    public var detail: String
    public var address: String?
    /// The digest of a personal detail kept beside the entry, outside what is hashed
    /// (`AuditPersonalDetail`): erasure removes the detail, the chain still verifies. Nil for
    /// an entry without one, and for every entry written before the field existed.
    public var personalDigest: String?
    public var previousHash: String
    public var hash: String

    public init(
        sequence: Int64, occurredAtMilliseconds: Int64, actorID: String?, actorLabel: String,
        action: AuditAction, entityType: String, entityID: String?, changedFields: [String],
        detail: String, address: String?, personalDigest: String? = nil, previousHash: String, hash: String = ""
    ) {
        self.personalDigest = personalDigest
        self.sequence = sequence
        self.occurredAtMilliseconds = occurredAtMilliseconds
        self.actorID = actorID
        self.actorLabel = actorLabel
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.changedFields = changedFields
        self.detail = detail
        self.address = address
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The hash this entry must carry: SHA-256 over every field and the previous hash.
    public var computedHash: String {
        // Each field is length-prefixed so that no two different entries share a text.
        var fields: [String] = [
            String(sequence), String(occurredAtMilliseconds), actorID ?? "", actorLabel,
            action.rawValue, entityType, entityID ?? "", changedFields.joined(separator: ","),
            detail, address ?? "",
        ]
        // Only where there is one: entries written before keep the hash they were given.
        if let personalDigest { fields.append("personal:" + personalDigest) }
        fields.append(previousHash)
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// This entry with its hash filled in.
    public func sealed() -> AuditRecord {
        var copy = self
        copy.hash = computedHash
        return copy
    }
}

/// Checks a chain of audit records, in sequence order, a page at a time.
public struct AuditChainVerifier: Sendable {
    public enum Failure: Sendable, Equatable, CustomStringConvertible {
        /// The entry with this sequence number is missing (deleted).
        case missing(sequence: Int64)
        /// The entry's content does not match its hash (edited).
        case altered(sequence: Int64)
        /// The entry does not point at the hash of the one before it.
        case unlinked(sequence: Int64)
        /// The chain ends before the recorded head: the last entries were deleted.
        case truncated(expectedLast: Int64, foundLast: Int64)
        /// Entries follow the recorded head: they were added outside Corridor.
        case unrecorded(sequence: Int64)
        /// The head's MAC is not the one the key gives: the head was rewritten (to hide a
        /// shortened trail), or the key was replaced.
        case headNotSealed(sequence: Int64)
        /// A checkpoint of the append-only file does not carry the key's MAC: the file was
        /// edited, or the key was replaced.
        case forgedCheckpoint(sequence: Int64)

        public var sequence: Int64 {
            switch self {
            case .missing(let s), .altered(let s), .unlinked(let s), .unrecorded(let s), .headNotSealed(let s), .forgedCheckpoint(let s): return s
            case .truncated(_, let found): return found + 1
            }
        }

        public var description: String {
            switch self {
            case .missing(let s): return "entry \(s) is missing"
            case .altered(let s): return "entry \(s) was altered: its content does not match its hash"
            case .unlinked(let s): return "entry \(s) does not follow the entry before it"
            case .unrecorded(let s): return "entry \(s) was added after the recorded end of the trail"
            case .truncated(let expected, let found): return "the trail ends at entry \(found) but entry \(expected) was recorded: entries \(found + 1) to \(expected) are missing"
            case .headNotSealed(let s): return "the head of the trail (entry \(s)) does not carry the key's seal: it was rewritten, or the key was replaced"
            case .forgedCheckpoint(let s): return "the checkpoint of entry \(s) does not carry the key's seal: the checkpoint file was edited, or the key was replaced"
            }
        }
    }

    /// Sequences whose hash is kept while reading, to compare with checkpoints.
    public var keep: Set<Int64> = []
    public private(set) var kept: [Int64: String] = [:]

    public private(set) var lastSequence: Int64 = 0
    public private(set) var lastHash: String = ""
    public private(set) var failure: Failure?

    public init() {}

    /// Feeds the next records (ascending sequence). Stops at the first failure.
    public mutating func consume<S: Sequence>(_ records: S) where S.Element == AuditRecord {
        for record in records {
            guard failure == nil else { return }
            if record.sequence != lastSequence + 1 {
                failure = .missing(sequence: lastSequence + 1)
            } else if record.computedHash != record.hash {
                failure = .altered(sequence: record.sequence)
            } else if record.previousHash != lastHash {
                failure = .unlinked(sequence: record.sequence)
            } else {
                lastSequence = record.sequence
                lastHash = record.hash
                if keep.contains(record.sequence) { kept[record.sequence] = record.hash }
            }
        }
    }

    /// Compares the end of the chain with the recorded head (last sequence and hash).
    public mutating func finish(headSequence: Int64, headHash: String) {
        guard failure == nil else { return }
        if headSequence > lastSequence {
            failure = .truncated(expectedLast: headSequence, foundLast: lastSequence)
        } else if headSequence < lastSequence {
            failure = .unrecorded(sequence: headSequence + 1)
        } else if headHash != lastHash {
            failure = .altered(sequence: lastSequence)
        }
    }

    /// Checks the sealed head and the checkpoints: the head's MAC must be the key's, every
    /// checkpoint must be authentic, within the chain, and name the hash the chain has there.
    public mutating func finish(headSequence: Int64, headHash: String, headMAC: String, seal: AuditSeal, checkpoints: [AuditCheckpoint]) {
        finish(headSequence: headSequence, headHash: headHash)
        guard failure == nil else { return }
        if headSequence > 0, headMAC != seal.headMAC(sequence: headSequence, hash: headHash) {
            failure = .headNotSealed(sequence: headSequence)
            return
        }
        for checkpoint in checkpoints {
            guard checkpoint.authentic else { failure = .forgedCheckpoint(sequence: checkpoint.sequence); return }
            if checkpoint.sequence > lastSequence {
                failure = .truncated(expectedLast: checkpoint.sequence, foundLast: lastSequence)
                return
            }
            if checkpoint.sequence > 0, kept[checkpoint.sequence] != checkpoint.hash {
                failure = .altered(sequence: checkpoint.sequence)
                return
            }
        }
    }
}

/// A personal detail an audit entry must keep (the name of an imported file, which may be a
/// person's; a request's reference) is stored beside the entry, not in it: the entry's hash
/// covers a salted digest of it, so that erasure can delete the detail (and its salt) and the
/// trail still verifies, while a detail edited in place no longer matches. The salt is random
/// per entry: without it, the digest of a short name could be found by trying names.
public enum AuditPersonalDetail {
    /// What is stored (`<salt hex>:<text>`) and the digest the entry's hash covers.
    public static func seal(_ text: String, salt: [UInt8]) -> (stored: String, digest: String) {
        let saltHex = salt.map { String(format: "%02x", $0) }.joined()
        return (saltHex + ":" + text, digest(saltHex: saltHex, text: text))
    }

    /// The detail as people read it.
    public static func text(of stored: String) -> String {
        guard let colon = stored.firstIndex(of: ":") else { return stored }
        return String(stored[stored.index(after: colon)...])
    }

    /// Whether a stored detail is the one whose digest the entry carries.
    public static func matches(stored: String, digest expected: String) -> Bool {
        guard let colon = stored.firstIndex(of: ":") else { return false }
        return digest(saltHex: String(stored[..<colon]), text: String(stored[stored.index(after: colon)...])) == expected
    }

    static func digest(saltHex: String, text: String) -> String {
        SHA256.hash(data: Data((saltHex + "|" + text).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
