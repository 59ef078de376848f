import CorridorCore
import Crypto
import Foundation

/// What a backup says about itself, written in clear before its payload: enough to refuse a
/// wrong restore (a newer schema, a damaged file, another key) before anything is written.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// 2: the payload may carry the case attachments after the database copy.
    public static let currentFormat = 2

    /// One attachment file carried after the database copy, in the payload's order.
    public struct Attachment: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
        public var sha256: String
    }

    public var format: Int
    /// When the copy was taken (ISO 8601, UTC).
    public var createdAt: String
    /// `sqlite` or `postgresql`: a backup restores into the same kind of database.
    public var database: String
    /// The migrations applied to the copy, in order: its schema version.
    public var migrations: [String]
    /// Rows of each table in the copy.
    public var rowCounts: [String: Int]
    /// Bytes and SHA-256 of the payload as stored (sealed, when encrypted).
    public var payloadBytes: Int
    public var payloadSHA256: String
    public var encrypted: Bool
    /// A checkpoint of the copy's audit head, sealed with the audit key: after a restore the trail
    /// must reach it, and its seal says the backup was made under this secret.
    public var auditCheckpoint: String?
    /// A random name of this backup, in every sealed chunk's authenticated data: chunks of two
    /// backups cannot be spliced together.
    public var archiveID: String = UUID().uuidString
    /// HMAC-SHA256 of the rest of the manifest under the backup-manifest key: a backup not made
    /// under this secret (forged, or altered) is refused before anything is written.
    public var mac: String?
    /// Bytes of the payload (opened) that are the database copy; the attachments follow. Nil in
    /// a backup of format 1 (the payload is the copy alone).
    public var databaseBytes: Int?
    /// The attachment files after the copy, and the rows of the copy whose file was already
    /// gone when it was read (deleted while the backup ran).
    public var attachments: [Attachment]?
    public var attachmentsMissing: Int?

    public init(createdAt: String, database: String, migrations: [String], rowCounts: [String: Int], payloadBytes: Int = 0,
                payloadSHA256: String = "", encrypted: Bool, auditCheckpoint: String?) {
        format = Self.currentFormat
        self.createdAt = createdAt
        self.database = database
        self.migrations = migrations
        self.rowCounts = rowCounts
        self.payloadBytes = payloadBytes
        self.payloadSHA256 = payloadSHA256
        self.encrypted = encrypted
        self.auditCheckpoint = auditCheckpoint
    }

    /// Migrations of the backup this program does not know: a newer schema, refused.
    public func unknownMigrations(known: [String]) -> [String] {
        let names = Set(known)
        return migrations.filter { !names.contains($0) }
    }
}

/// The backup file: a first line naming the format, the manifest as one line of JSON, then the
/// payload (the database copy), sealed or not. Sealed payloads are a run of chunks, each
/// AES-GCM under the backup key with its index and whether it is the last as authenticated
/// data, so that a chunk moved, dropped or cut off is refused, not restored.
public enum BackupArchive {
    public static let magic = "CORRIDOR-BACKUP 1\n"
    static let chunkSize = 1 << 20

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notABackup
        case damaged(String)
        case wrongKey
        case cannotWrite(String)

        public var description: String {
            switch self {
            case .notABackup: return "this file is not a Corridor backup"
            case .damaged(let why): return "the backup is damaged (\(why)): nothing was restored"
            case .wrongKey: return "the backup does not carry this secret key's seal: it was made under another secret.key (install that one) or it was altered; nothing was restored"
            case .cannotWrite(let path): return "cannot write \(path)"
            }
        }
    }

    /// Writes the backup of the payload file `payload` to `destination`; `key` seals it.
    public static func write(manifest: BackupManifest, payload: URL, to destination: URL, key: SymmetricKey?, macKey: SymmetricKey) throws -> BackupManifest {
        var manifest = manifest
        manifest.encrypted = key != nil
        let stored: URL
        if let key {
            stored = destination.appendingPathExtension("sealing")
            try seal(payload, to: stored, key: key, archiveID: manifest.archiveID)
        } else {
            stored = payload
        }
        defer { if key != nil { try? FileManager.default.removeItem(at: stored) } }
        let (bytes, digest) = try sha256(of: stored)
        manifest.payloadBytes = bytes
        manifest.payloadSHA256 = digest
        manifest = try signed(manifest, key: macKey)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var head = Data(magic.utf8)
        head.append(try encoder.encode(manifest))
        head.append(UInt8(ascii: "\n"))
        let partial = destination.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: head, attributes: [.posixPermissions: 0o600]),
              let output = try? FileHandle(forWritingTo: partial) else { throw Failure.cannotWrite(destination.path) }
        try output.seekToEnd()
        let input = try FileHandle(forReadingFrom: stored)
        while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        try input.close()
        try output.synchronize()
        try output.close()
        // The backup appears whole or not at all.
        if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
        try FileManager.default.moveItem(at: partial, to: destination)
        return manifest
    }

    /// The manifest with its MAC (over its canonical JSON without one).
    public static func signed(_ manifest: BackupManifest, key: SymmetricKey) throws -> BackupManifest {
        var copy = manifest
        copy.mac = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        copy.mac = hex(HMAC<SHA256>.authenticationCode(for: try encoder.encode(copy), using: key))
        return copy
    }

    /// Whether the manifest carries the MAC of this key.
    public static func isAuthentic(_ manifest: BackupManifest, key: SymmetricKey) -> Bool {
        guard let mac = manifest.mac, let expected = try? signed(manifest, key: key).mac else { return false }
        return ConstantTime.equal(mac, expected)
    }

    /// The manifest of a backup and where its payload starts.
    public static func manifest(of file: URL) throws -> (manifest: BackupManifest, payloadOffset: UInt64) {
        guard let handle = try? FileHandle(forReadingFrom: file) else { throw Failure.notABackup }
        defer { try? handle.close() }
        // The manifest is small: a megabyte is far more than it takes.
        let head = try handle.read(upToCount: 1 << 20) ?? Data()
        guard head.starts(with: Data(magic.utf8)) else { throw Failure.notABackup }
        let afterMagic = head.index(head.startIndex, offsetBy: magic.utf8.count)
        guard let end = head[afterMagic...].firstIndex(of: UInt8(ascii: "\n")) else { throw Failure.damaged("no manifest") }
        guard let manifest = try? JSONDecoder().decode(BackupManifest.self, from: head[afterMagic..<end]) else { throw Failure.damaged("unreadable manifest") }
        guard manifest.format <= BackupManifest.currentFormat else { throw Failure.damaged("format \(manifest.format) is newer than this program") }
        return (manifest, UInt64(head.distance(from: head.startIndex, to: end) + 1))
    }

    /// Checks the payload against the manifest and writes it, opened, to `destination`.
    public static func extractPayload(of file: URL, to destination: URL, key: SymmetricKey?, macKey: SymmetricKey) throws -> BackupManifest {
        let (manifest, offset) = try manifest(of: file)
        guard isAuthentic(manifest, key: macKey) else { throw Failure.wrongKey }
        let input = try FileHandle(forReadingFrom: file)
        defer { try? input.close() }
        try input.seek(toOffset: offset)
        // The checksum first, over the bytes as stored: a damaged file is refused before it is used.
        var hasher = SHA256()
        var count = 0
        while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty {
            hasher.update(data: chunk)
            count += chunk.count
        }
        guard count == manifest.payloadBytes, hex(hasher.finalize()) == manifest.payloadSHA256 else { throw Failure.damaged("checksum") }
        try input.seek(toOffset: offset)
        guard FileManager.default.createFile(atPath: destination.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = try? FileHandle(forWritingTo: destination) else { throw Failure.cannotWrite(destination.path) }
        defer { try? output.close() }
        if manifest.encrypted {
            guard let key else { throw Failure.wrongKey }
            try open(input, into: output, key: key, archiveID: manifest.archiveID)
        } else {
            while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        }
        try output.synchronize()
        return manifest
    }

    static func authenticatedData(_ archiveID: String, index: Int, last: Bool) -> Data { Data("corridor-backup|\(archiveID)|\(index)|\(last ? 1 : 0)".utf8) }

    static func seal(_ plain: URL, to sealed: URL, key: SymmetricKey, archiveID: String) throws {
        guard FileManager.default.createFile(atPath: sealed.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = try? FileHandle(forWritingTo: sealed) else { throw Failure.cannotWrite(sealed.path) }
        defer { try? output.close() }
        let input = try FileHandle(forReadingFrom: plain)
        defer { try? input.close() }
        var index = 0
        var current = try input.read(upToCount: chunkSize) ?? Data()
        repeat {
            let next = try input.read(upToCount: chunkSize) ?? Data()
            let last = next.isEmpty
            guard let box = try AES.GCM.seal(current, using: key, authenticating: authenticatedData(archiveID, index: index, last: last)).combined else {
                throw Failure.cannotWrite(sealed.path)
            }
            var length = UInt32(box.count).bigEndian
            try output.write(contentsOf: Data(bytes: &length, count: 4))
            try output.write(contentsOf: box)
            index += 1
            current = next
            if last { break }
        } while true
    }

    static func open(_ input: FileHandle, into output: FileHandle, key: SymmetricKey, archiveID: String) throws {
        var index = 0
        var sawLast = false
        while let prefix = try input.read(upToCount: 4), !prefix.isEmpty {
            guard !sawLast else { throw Failure.damaged("data after the last chunk") }
            guard prefix.count == 4 else { throw Failure.damaged("cut off") }
            let length = prefix.reduce(0) { $0 << 8 | Int($1) }
            guard length >= 28, length <= chunkSize + 28, let body = try input.read(upToCount: length), body.count == length,
                  let box = try? AES.GCM.SealedBox(combined: body) else { throw Failure.damaged("cut off") }
            if let plain = try? AES.GCM.open(box, using: key, authenticating: authenticatedData(archiveID, index: index, last: false)) {
                try output.write(contentsOf: plain)
            } else if let plain = try? AES.GCM.open(box, using: key, authenticating: authenticatedData(archiveID, index: index, last: true)) {
                try output.write(contentsOf: plain)
                sawLast = true
            } else {
                throw index == 0 ? Failure.wrongKey : Failure.damaged("chunk \(index) does not open")
            }
            index += 1
        }
        guard sawLast else { throw Failure.damaged("cut off before its last chunk") }
    }

    static func sha256(of file: URL) throws -> (Int, String) {
        let input = try FileHandle(forReadingFrom: file)
        defer { try? input.close() }
        var hasher = SHA256()
        var count = 0
        while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty {
            hasher.update(data: chunk)
            count += chunk.count
        }
        return (count, hex(hasher.finalize()))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
