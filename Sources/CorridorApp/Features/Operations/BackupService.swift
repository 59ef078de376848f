import Crypto
import CorridorCore
import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// `corridor backup` and `corridor restore`. A backup is a consistent copy taken while the server
/// runs (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump` in custom format, in a snapshot the row
/// counts are read in), with a manifest (time, migrations, row counts, checksum) and a checkpoint
/// of the copy's audit head sealed with the audit key; optionally sealed (AES-GCM, the backup key
/// derived from the one secret). A restore goes into an empty database only, refuses a newer
/// schema, checks the rows against the manifest, starts the checkpoint file again from the
/// backup's checkpoint (an earlier state is legitimate), verifies the trail up to it and records
/// the restore in the trail.
struct BackupService {
    let app: Application

    enum Failure: Error, CustomStringConvertible {
        case wrongDatabase(backup: String, here: String)
        case newerSchema([String])
        case notEmpty
        case rowsDiffer(String)
        case trailBroken(String)
        case tool(String)

        var description: String {
            switch self {
            case .wrongDatabase(let backup, let here): return "this is a \(backup) backup; the configured database is \(here)"
            case .newerSchema(let names): return "the backup was made by a newer Corridor (unknown migrations: \(names.prefix(3).joined(separator: ", "))): nothing was restored"
            case .notEmpty: return "the database (or the data directory's attachments folder) is not empty: a backup restores into an empty data directory or database only"
            case .rowsDiffer(let table): return "the restored table \(table) does not hold the rows the manifest counts: the database was left as restored, check it before use"
            case .trailBroken(let why): return "the restored audit trail does not verify against the backup's checkpoint (\(why))"
            case .tool(let message): return message
            }
        }
    }

    var configuration: CorridorConfiguration { app.corridor.configuration }
    var kind: String { configuration.databaseKind.rawValue }
    var backupKey: SymmetricKey { app.corridor.secret.key(for: "backup") }
    var manifestKey: SymmetricKey { app.corridor.secret.key(for: "backup-manifest") }
    var sql: any SQLDatabase {
        get throws {
            guard let sql = app.db as? any SQLDatabase else { throw Failure.tool("the database does not speak SQL") }
            return sql
        }
    }

    // MARK: Backup

    func backup(to destination: URL, encrypt: Bool, actor: AuditActor) async throws -> BackupManifest {
        do {
            let manifest = try await takeBackup(to: destination, encrypt: encrypt, actor: actor)
            Observability.count("backups", [("outcome", "written")])
            return manifest
        } catch {
            Observability.count("backups", [("outcome", "failed")])
            throw error
        }
    }

    private func takeBackup(to destination: URL, encrypt: Bool, actor: AuditActor) async throws -> BackupManifest {
        let scratch = try Self.scratchFolder(configuration).appendingPathComponent("backup-\(UUID().uuidString).tmp")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let now = app.corridor.timeSource.now()
        var manifest: BackupManifest
        switch configuration.databaseKind {
        case .sqlite:
            try await sql.raw("VACUUM INTO \(bind: scratch.path)").run()
            manifest = try await describeCopy(at: scratch, now: now)
        case .postgresql:
            manifest = try await dumpPostgres(to: scratch, now: now)
        }
        try appendAttachments(to: scratch, manifest: &manifest)
        manifest = try BackupArchive.write(manifest: manifest, payload: scratch, to: destination, key: encrypt ? backupKey : nil, macKey: manifestKey)
        let rows = manifest.rowCounts.values.reduce(0, +)
        try await AuditLog.record(
            AuditEvent(action: .backupCreated, entityType: "database",
                       detail: "\(kind) backup, \(manifest.rowCounts.count) tables, \(rows) rows, \(manifest.attachments?.count ?? 0) attachments\(encrypt ? ", encrypted" : "")"),
            app.serviceContext(actor: actor))
        return manifest
    }

    /// Reads the SQLite copy through a connection of its own: its tables, rows, migrations, head.
    private func describeCopy(at path: URL, now: Date) async throws -> BackupManifest {
        let id = DatabaseID(string: "backup-\(UUID().uuidString)")
        app.databases.use(.sqlite(.file(path.path)), as: id, isDefault: false)
        defer { app.databases.reinitialize(id) }
        guard let copy = app.db(id) as? any SQLDatabase else { throw Failure.tool("cannot open the copy") }
        return try await describe(copy, now: now)
    }

    private func describe(_ database: any SQLDatabase, now: Date) async throws -> BackupManifest {
        var counts: [String: Int] = [:]
        for table in try await tables(database) {
            let row = try await database.raw("SELECT count(*) AS n FROM \(ident: table)").first()
            counts[table] = try row?.decode(column: "n", as: Int.self) ?? 0
        }
        let migrations = try await database.raw("SELECT name FROM _fluent_migrations ORDER BY batch, created_at, name").all()
            .map { try $0.decode(column: "name", as: String.self) }
        var checkpoint: String?
        if let head = try await database.raw("SELECT last_sequence, last_hash FROM audit_head WHERE id = 1").first() {
            let sequence = try head.decode(column: "last_sequence", as: Int64.self)
            let hash = try head.decode(column: "last_hash", as: String.self)
            if sequence > 0 { checkpoint =  app.corridor.auditAnchor.seal.checkpointLine(sequence: sequence, hash: hash, atMilliseconds: Int64(now.timeIntervalSince1970 * 1000)) }
        }
        let formatter = ISO8601DateFormatter()
        var manifest = BackupManifest(createdAt: formatter.string(from: now), database: kind, migrations: migrations, rowCounts: counts,
                                      encrypted: false, auditCheckpoint: checkpoint)
        // The attachments the copy describes: their files are appended to it (a file is written
        // before its row and deleted after it, so each row of the copy has its file unless it
        // was deleted meanwhile).
        if counts["case_attachments"] != nil {
            manifest.attachments = try await database.raw("SELECT storage_name FROM case_attachments ORDER BY storage_name").all()
                .map { BackupManifest.Attachment(name: try $0.decode(column: "storage_name", as: String.self), bytes: 0, sha256: "") }
        }
        return manifest
    }

    /// Appends the attachment files the manifest names to the database copy `payload`, each with
    /// its size and checksum in the manifest.
    private func appendAttachments(to payload: URL, manifest: inout BackupManifest) throws {
        guard let wanted = manifest.attachments else { return }
        let output = try FileHandle(forWritingTo: payload)
        defer { try? output.close() }
        manifest.databaseBytes = Int(try output.seekToEnd())
        var carried: [BackupManifest.Attachment] = []
        var missing = 0
        for item in wanted {
            guard let data = try app.corridor.attachmentFiles.read(item.name) else { missing += 1; continue }
            try output.write(contentsOf: data)
            carried.append(.init(name: item.name, bytes: data.count, sha256: BackupArchive.hex(SHA256.hash(data: data))))
        }
        try output.synchronize()
        manifest.attachments = carried
        manifest.attachmentsMissing = missing
    }

    /// Takes the attachments off the end of a restored payload into the attachments folder, each
    /// checked against its checksum, and cuts the payload back to the database copy.
    private func extractAttachments(from payload: URL, manifest: BackupManifest) throws {
        guard let databaseBytes = manifest.databaseBytes, let attachments = manifest.attachments else { return }
        let input = try FileHandle(forUpdating: payload)
        defer { try? input.close() }
        try input.seek(toOffset: UInt64(databaseBytes))
        let store = app.corridor.attachmentFiles
        let now = app.corridor.timeSource.now()
        for item in attachments {
            // Attachments are stored under random identifiers, nothing else.
            guard UUID(uuidString: item.name) != nil, item.name == item.name.lowercased() else { throw BackupArchive.Failure.damaged("attachment name") }
            let data = try input.read(upToCount: item.bytes) ?? Data()
            guard data.count == item.bytes, BackupArchive.hex(SHA256.hash(data: data)) == item.sha256 else {
                throw BackupArchive.Failure.damaged("attachment \(item.name)")
            }
            try store.write(data, name: item.name, at: now)
        }
        try input.truncate(atOffset: UInt64(databaseBytes))
    }

    private func tables(_ database: any SQLDatabase) async throws -> [String] {
        let rows: [any SQLRow]
        if database.dialect.name == "sqlite" {
            rows = try await database.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()
        } else {
            rows = try await database.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name").all()
        }
        return try rows.map { try $0.decode(column: "name", as: String.self) }
    }

    /// `pg_dump` of the snapshot a repeatable-read transaction holds while it counts the rows.
    private func dumpPostgres(to file: URL, now: Date) async throws -> BackupManifest {
        guard let url = configuration.databaseURL else { throw Failure.tool("no DATABASE_URL") }
        let dump = try Self.postgresTool("pg_dump")
        return try await app.db.transaction { db in
            guard let sql = db as? any SQLDatabase else { throw Failure.tool("the database does not speak SQL") }
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").run()
            let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS s").first()?.decode(column: "s", as: String.self) ?? ""
            let manifest = try await describe(sql, now: now)
            let schema = try await sql.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self) ?? "public"
            let (address, password) = Self.withoutPassword(url)
            try await Self.run(dump, ["--format=custom", "--no-owner", "--snapshot=\(snapshot)", "--schema=\(schema)", "--file=\(file.path)", "--dbname=\(address)"],
                               password: password)
            return manifest
        }
    }

    // MARK: Restore

    struct Restored: Sendable {
        var manifest: BackupManifest
        var entriesVerified: Int64
        var archivedCheckpoints: String?
    }

    func restore(from file: URL, actor: AuditActor) async throws -> Restored {
        let (manifest, _) = try BackupArchive.manifest(of: file)
        // Only a backup made under this secret is restored: a forged one (an administrator with a
        // known password and an empty trail, say) is refused before anything else is read.
        guard BackupArchive.isAuthentic(manifest, key: manifestKey) else { throw BackupArchive.Failure.wrongKey }
        guard manifest.database == kind else { throw Failure.wrongDatabase(backup: manifest.database, here: kind) }
        let unknown = manifest.unknownMigrations(known: Migrations.all.map(\.name))
        guard unknown.isEmpty else { throw Failure.newerSchema(unknown) }
        guard try await tables(sql).isEmpty, app.corridor.attachmentFiles.list().isEmpty else { throw Failure.notEmpty }
        let anchor = app.corridor.auditAnchor
        if let line = manifest.auditCheckpoint, anchor.seal.checkpoint(Substring(line))?.authentic != true {
            throw BackupArchive.Failure.wrongKey
        }
        let scratch = try Self.scratchFolder(configuration).appendingPathComponent("restore-\(UUID().uuidString).tmp")
        defer { try? FileManager.default.removeItem(at: scratch) }
        _ = try BackupArchive.extractPayload(of: file, to: scratch, key: backupKey, macKey: manifestKey)
        do {
            try extractAttachments(from: scratch, manifest: manifest)
            try await restoreDatabase(from: scratch)
        } catch {
            // Nothing half-restored stays behind: the folder is empty again for another try.
            for item in manifest.attachments ?? [] { app.corridor.attachmentFiles.remove(item.name) }
            throw error
        }
        for (table, expected) in manifest.rowCounts.sorted(by: { $0.key < $1.key }) {
            let found = try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self)
            guard found == expected else { throw Failure.rowsDiffer(table) }
        }
        // An older schema is brought forward.
        try await app.autoMigrate()

        // The checkpoints of the state the database had before belong to it: the trail is
        // checked from now on against the backup's own.
        var archived: String?
        if FileManager.default.fileExists(atPath: anchor.checkpointFile) {
            let target = anchor.checkpointFile.replacingOccurrences(of: ".log", with: "") + ".before-restore-\(SecretRotation.stamp(app.corridor.timeSource.now())).log"
            try FileManager.default.moveItem(atPath: anchor.checkpointFile, toPath: target)
            archived = target
        }
        if let line = manifest.auditCheckpoint {
            guard FileManager.default.createFile(atPath: anchor.checkpointFile, contents: Data((line + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw BackupArchive.Failure.cannotWrite(anchor.checkpointFile)
            }
        }
        let verified = try await AuditVerification.verify(on: app.db, anchor: anchor)
        if let failure = verified.failure { throw Failure.trailBroken(failure.description) }
        let rows = manifest.rowCounts.values.reduce(0, +)
        try await AuditLog.record(
            AuditEvent(action: .backupRestored, entityType: "database",
                       detail: "restored the \(manifest.database) backup of \(manifest.createdAt): \(manifest.rowCounts.count) tables, \(rows) rows, \(manifest.attachments?.count ?? 0) attachments; trail verified to entry \(verified.count)"),
            app.serviceContext(actor: actor))
        _ = await AuditCheckpointer.checkpoint(app, unless: -1)
        return Restored(manifest: manifest, entriesVerified: verified.count, archivedCheckpoints: archived)
    }

    /// The copy in place of the empty database.
    private func restoreDatabase(from scratch: URL) async throws {
        switch configuration.databaseKind {
        case .sqlite:
            // The empty file the server opened goes; the copy takes its place.
            app.databases.reinitialize(.sqlite)
            let target = configuration.sqlitePath
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            try FileManager.default.moveItem(atPath: scratch.path, toPath: target)
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        case .postgresql:
            guard let url = configuration.databaseURL else { throw Failure.tool("no DATABASE_URL") }
            let (address, password) = Self.withoutPassword(url)
            try await Self.run(try Self.postgresTool("pg_restore"), ["--no-owner", "--exit-on-error", "--single-transaction", "--dbname=\(address)", scratch.path],
                               password: password)
        }
    }

    /// `<data>/tmp`, readable by Corridor's user only: the plain copy a backup starts from, and
    /// the payload a restore opens, live there for the time of the command; left-overs of a
    /// crash are swept by the next backup or restore.
    static func scratchFolder(_ configuration: CorridorConfiguration) throws -> URL {
        let folder = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("tmp", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        let day: TimeInterval = 86_400
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasSuffix(".tmp") {
            let path = folder.appendingPathComponent(name).path
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, Date().timeIntervalSince(modified) > day {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return folder
    }

    // MARK: PostgreSQL tools

    /// `pg_dump` or `pg_restore` from Debian's versioned folders (the newest), else the PATH.
    static func postgresTool(_ name: String) throws -> String {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
        let versioned = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/\(name)" }
        // The server's own version first: Debian's /usr/bin wrappers pick a cluster's.
        guard let found = (versioned + paths).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure.tool("\(name) was not found (install postgresql-client)")
        }
        return found
    }

    /// The connection address without its password (which `ps` would show to anyone on the
    /// machine), and the password, passed in the child's environment instead.
    static func withoutPassword(_ url: URL) -> (String, String?) {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return (url.absoluteString, nil) }
        let password = components.password
        components.password = nil
        return (components.string ?? url.absoluteString, password)
    }

    static func run(_ tool: String, _ arguments: [String], password: String? = nil) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        process.environment = environment
        // Errors go to a file, read once the tool is done: a pipe could fill and hold it.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil, attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
                .split(separator: "\n").prefix(3).joined(separator: "; ")
            throw Failure.tool("\((tool as NSString).lastPathComponent) failed: \(message)")
        }
    }
}
