import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// Backups of a file database (SQLite; the PostgreSQL path runs pg_dump and is not exercised here).
@Suite struct BackupTests {
    /// A Corridor on an SQLite file in `folder`, as `corridor serve` runs it.
    static func onFile(_ folder: String, secret: String, _ body: (Application, ManualTimeSource) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        var settings = CorridorConfiguration()
        settings.dataDirectory = folder
        settings.secretKey = secret
        let clock = ManualTimeSource(TestCorridor.start)
        do {
            try await configure(app, configuration: settings, database: .sqliteFile(settings.sqlitePath), passwordCost: 4, timeSource: clock)
            try await body(app, clock)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func snapshot(_ sql: any SQLDatabase) async throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            .map { try $0.decode(column: "name", as: String.self) }
        for table in tables where table != "_fluent_migrations" {
            // Every row, as text, in a stable order: the restored database must hold the same.
            let rows = try await sql.raw("SELECT * FROM \(ident: table)").all()
            result[table] = try rows.map { row in
                try row.allColumns.map { column in
                    (try? row.decode(column: column, as: String?.self)).flatMap { $0 }
                        ?? (try? row.decode(column: column, as: Double?.self)).flatMap { $0.map { String($0) } } ?? "∅"
                }.joined(separator: "|")
            }.sorted()
        }
        return result
    }

    @Test func aBackupTakenUnderWritesRestoresTheSameRecordsAndTrail() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-backup-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let secret = CorridorSecret.generate().base64EncodedString()
        let file = URL(fileURLWithPath: root + "/backup.corridor")
        var expected: [String: [String]] = [:]
        var manifest: BackupManifest?
        try await Self.onFile(root + "/live", secret: secret) { app, clock in
            try await app.autoMigrate()
            let households = DemoCases.generate(households: 40, seed: 3, today: Day(clock.now()))
            let plan = CaseImportPlan(cases: households, issues: [], rowCount: households.reduce(0) { $0 + $1.members.count })
            _ = try await CaseService(app.serviceContext(actor: .commandLine("test"))).commit(plan, fileName: "demo")
            // Two attachments: the backup carries their files.
            let attachments = AttachmentService(context: app.serviceContext(actor: .commandLine("test")))
            for (index, household) in households.prefix(2).enumerated() {
                try await attachments.add(number: try #require(household.caseNumber?.description),
                                          .init(kind: .consentForm, member: 1, isProtected: false, fileName: "form-\(index).pdf",
                                                data: AttachmentTests.pdf + Data("\(index)".utf8)),
                                          limitBytes: app.corridor.configuration.attachmentMaxBytes)
            }
            // Writes go on while the copy is taken.
            let writer = Task {
                for index in 0..<30 {
                    try await AuditLog.record(AuditEvent(action: .export, entityType: "test", detail: "write \(index)"),
                                              app.serviceContext(actor: .commandLine("writer")))
                }
            }
            manifest = try await BackupService(app: app).backup(to: file, encrypt: true, actor: .commandLine("test"))
            try await writer.value
            let read = try BackupArchive.manifest(of: file).manifest
            #expect(read == manifest)
            // What the copy holds is what the manifest counts: read it back to compare below.
            let copy = URL(fileURLWithPath: root + "/copy.sqlite")
            _ = try BackupArchive.extractPayload(of: file, to: copy, key: app.corridor.secret.key(for: "backup"), macKey: app.corridor.secret.key(for: "backup-manifest"))
            // The attachment files follow the database copy.
            #expect(manifest?.attachments?.count == 2 && manifest?.attachmentsMissing == 0)
            let handle = try FileHandle(forUpdating: copy)
            try handle.truncate(atOffset: UInt64(try #require(manifest?.databaseBytes)))
            try handle.close()
            let id = DatabaseID(string: "copy")
            app.databases.use(.sqlite(.file(copy.path)), as: id, isDefault: false)
            let copied = try #require(app.db(id) as? any SQLDatabase)
            let cases = try await copied.raw("SELECT count(*) AS n FROM return_cases").first()?.decode(column: "n", as: Int.self)
            #expect(cases == 40 && manifest?.rowCounts["return_cases"] == 40)
            expected = try await Self.snapshot(copied)
            app.databases.reinitialize(id)
        }
        let taken = try #require(manifest)
        #expect(taken.encrypted && taken.auditCheckpoint != nil && taken.migrations.count == Migrations.all.count)
        let payload = try Data(contentsOf: file).dropFirst(Int(try BackupArchive.manifest(of: file).payloadOffset))
        #expect(payload.range(of: Data("CREATE TABLE".utf8)) == nil, "an encrypted copy shows nothing of the database")

        try await Self.onFile(root + "/restored", secret: secret) { app, _ in
            let restored = try await BackupService(app: app).restore(from: file, actor: .commandLine("test"))
            #expect(restored.manifest == taken)
            let verified = try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor)
            #expect(verified.failure == nil)
            let last = try await AuditEntryModel.query(on: app.db).sort(\.$id, .descending).first()
            #expect(last?.action == "backup_restored")
            // Every table holds what the copy held, row for row; the trail holds it and the restore.
            var snapshot = try await Self.snapshot(try #require(app.db as? any SQLDatabase))
            #expect(snapshot.keys.sorted() == expected.keys.sorted())
            #expect(snapshot["audit_entries"]?.count == (expected["audit_entries"]?.count ?? 0) + 1)
            for table in ["audit_entries", "audit_head"] { snapshot[table] = nil; expected[table] = nil }
            #expect(snapshot == expected)
            // Each attachment's file is back, byte for byte, under its name.
            let rows = try await CaseAttachmentModel.query(on: app.db).all()
            #expect(rows.count == 2)
            for row in rows {
                let data = try #require(try app.corridor.attachmentFiles.read(row.storageName))
                #expect(data.count == row.byteCount && data.starts(with: AttachmentTests.pdf))
            }
            await #expect(throws: BackupService.Failure.self, "a database that is not empty is never overwritten") {
                _ = try await BackupService(app: app).restore(from: file, actor: .commandLine("test"))
            }
        }
        #expect(expected["return_cases"]?.count == 40)

        // Another secret: the backup does not open, and nothing is written.
        try await Self.onFile(root + "/elsewhere", secret: CorridorSecret.generate().base64EncodedString()) { app, _ in
            await #expect(throws: BackupArchive.Failure.wrongKey) { _ = try await BackupService(app: app).restore(from: file, actor: .commandLine("test")) }
            let sql = try #require(app.db as? any SQLDatabase)
            #expect(try await sql.raw("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").first()?.decode(column: "n", as: Int.self) == 0)
        }
    }

    @Test func aDamagedOrNewerBackupIsRefusedBeforeAnythingIsWritten() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-backup-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let secret = CorridorSecret.generate().base64EncodedString()
        let file = URL(fileURLWithPath: root + "/backup.corridor")
        try await Self.onFile(root + "/live", secret: secret) { app, _ in
            try await app.autoMigrate()
            _ = try await BackupService(app: app).backup(to: file, encrypt: false, actor: .commandLine("test"))
        }
        var bytes = try Data(contentsOf: file)
        let (manifest, offset) = try BackupArchive.manifest(of: file)
        bytes[Int(offset) + 200] ^= 0xFF
        let damaged = URL(fileURLWithPath: root + "/damaged.corridor")
        try bytes.write(to: damaged)
        var newer = manifest
        newer.migrations.append("2099-01-01-01-from-the-future")
        // Made under this secret (the MAC is right), by a newer Corridor.
        let secretBytes = try #require(Data(base64Encoded: secret))
        let corridorSecret = try #require(CorridorSecret(bytes: secretBytes))
        newer = try BackupArchive.signed(newer, key: corridorSecret.key(for: "backup-manifest"))
        var forged = manifest
        forged.rowCounts["users"] = 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var future = Data(BackupArchive.magic.utf8)
        future.append(try encoder.encode(newer))
        future.append(try Data(contentsOf: file).dropFirst(Int(offset) - 1))
        let fromTheFuture = URL(fileURLWithPath: root + "/future.corridor")
        try future.write(to: fromTheFuture)
        var altered = Data(BackupArchive.magic.utf8)
        altered.append(try encoder.encode(forged))
        altered.append(try Data(contentsOf: file).dropFirst(Int(offset) - 1))
        let forgedFile = URL(fileURLWithPath: root + "/forged.corridor")
        try altered.write(to: forgedFile)
        try await Self.onFile(root + "/restored", secret: secret) { app, _ in
            await #expect(throws: BackupArchive.Failure.damaged("checksum")) { _ = try await BackupService(app: app).restore(from: damaged, actor: .commandLine("test")) }
            await #expect(throws: BackupArchive.Failure.wrongKey, "an altered manifest no longer carries the secret's seal") {
                _ = try await BackupService(app: app).restore(from: forgedFile, actor: .commandLine("test"))
            }
            do {
                _ = try await BackupService(app: app).restore(from: fromTheFuture, actor: .commandLine("test"))
                Issue.record("a newer schema was restored")
            } catch let failure as BackupService.Failure {
                #expect(failure.description.contains("newer Corridor"))
            }
            let sql = try #require(app.db as? any SQLDatabase)
            #expect(try await sql.raw("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").first()?.decode(column: "n", as: Int.self) == 0)
            #expect(throws: BackupArchive.Failure.notABackup) { _ = try BackupArchive.manifest(of: URL(fileURLWithPath: root + "/none")) }
        }
    }

    /// On PostgreSQL (the suite's second run): pg_dump of the test's schema, restored by
    /// pg_restore into a database of its own.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DATABASE_URL"] != nil))
    func aPostgreSQLBackupRestoresIntoAnEmptyDatabase() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-backup-\(UUID().uuidString).corridor")
        defer { try? FileManager.default.removeItem(at: file) }
        var taken: BackupManifest?
        var schema = ""
        var sourceURL: URL?
        var copied: [String: Int] = [:]
        var secret = ""
        try await TestCorridor.run { corridor in
            secret = try String(contentsOfFile: corridor.app.corridor.configuration.dataDirectory + "/secret.key", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let households = DemoCases.generate(households: 25, seed: 4, today: Day(corridor.clock.now()))
            let plan = CaseImportPlan(cases: households, issues: [], rowCount: households.reduce(0) { $0 + $1.members.count })
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test"))).commit(plan, fileName: "demo")
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            schema = try await sql.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self) ?? ""
            sourceURL = corridor.app.corridor.configuration.databaseURL
            taken = try await BackupService(app: corridor.app).backup(to: file, encrypt: true, actor: .commandLine("test"))
            copied = taken?.rowCounts ?? [:]
        }
        let manifest = try #require(taken)
        #expect(manifest.database == "postgresql" && manifest.rowCounts["return_cases"] == 25)
        let source = try #require(sourceURL)
        let name = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        var components = try #require(URLComponents(url: source, resolvingAgainstBaseURL: false))
        components.path = "/" + name
        let target = try #require(components.url)

        let admin = try await Application.make(.testing)
        var adminSettings = CorridorConfiguration()
        adminSettings.databaseURL = source
        adminSettings.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-admin-" + UUID().uuidString).path
        try await configure(admin, configuration: adminSettings, database: .postgres(source, schema: nil), passwordCost: 4, timeSource: ManualTimeSource(TestCorridor.start))
        let adminSQL = try #require(admin.db as? any SQLDatabase)
        try await adminSQL.raw("CREATE DATABASE \(ident: String(name))").run()
        do {
            let app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            var settings = CorridorConfiguration()
            settings.databaseURL = target
            settings.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-restore-" + UUID().uuidString).path
            // The secret the backup was sealed with, installed where it is restored.
            settings.secretKey = secret
            do {
                try await configure(app, configuration: settings, database: .postgres(target, schema: schema), passwordCost: 4, timeSource: ManualTimeSource(TestCorridor.start))
                let restored = try await BackupService(app: app).restore(from: file, actor: .commandLine("test"))
                #expect(restored.manifest == manifest)
                let sql = try #require(app.db as? any SQLDatabase)
                for table in ["return_cases", "case_members", "users"] where manifest.rowCounts[table] != nil {
                    let count = try await sql.raw("SELECT count(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self)
                    #expect(count == manifest.rowCounts[table], "\(table)")
                }
                #expect(try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor).failure == nil)
                #expect(try await AuditEntryModel.query(on: app.db).sort(\.$id, .descending).first()?.action == "backup_restored")
                await #expect(throws: BackupService.Failure.self, "not into a database that holds data") {
                    _ = try await BackupService(app: app).restore(from: file, actor: .commandLine("test"))
                }
            } catch {
                try? await app.asyncShutdown()
                try? await adminSQL.raw("DROP DATABASE IF EXISTS \(ident: String(name)) WITH (FORCE)").run()
                try? await admin.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
        try await adminSQL.raw("DROP DATABASE IF EXISTS \(ident: String(name)) WITH (FORCE)").run()
        try await admin.asyncShutdown()
        #expect(copied["return_cases"] == 25)
    }

    @Test func scheduledBackupsKeepTheNewestOnly() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-backup-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await Self.onFile(root + "/live", secret: CorridorSecret.generate().base64EncodedString()) { app, clock in
            try await app.autoMigrate()
            app.corridor.configuration.backupsKept = 2
            var written: [URL] = []
            for _ in 0..<3 {
                written.append(try await BackupScheduler.runOnce(app))
                clock.advance(by: 3_600)
            }
            let folder = BackupScheduler.folder(app.corridor.configuration)
            let kept = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(kept == written.suffix(2).map(\.lastPathComponent), "the two newest")
            #expect(try BackupArchive.manifest(of: written[2]).manifest.encrypted)
        }
    }
}
