import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct SecretRotationTests {
    func anchor(_ secret: CorridorSecret, _ app: Application) -> AuditAnchor {
        AuditAnchor(seal: AuditSeal(secret: secret), checkpointFile: app.corridor.auditAnchor.checkpointFile)
    }

    @Test func aRotatedSecretVouchesForTheWholeTrailAndOpensEverySealedKey() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let admin = try await corridor.makeUser(.admin)
            let browser = TestBrowser(app: app)
            try await browser.signIn(admin.email)
            let key = try await browser.enrolAuthenticator(at: corridor.clock.now()).key
            _ = await AuditCheckpointer.checkpoint(app, unless: -1)
            let keyFile = app.corridor.configuration.dataDirectory + "/secret.key"
            let before = try String(contentsOfFile: keyFile, encoding: .utf8)
            let old = app.corridor.secret

            let outcome = try await SecretRotation(app: app).rotate(at: corridor.clock.now())
            #expect(outcome.authenticatorKeys == 1 && !outcome.resumed)
            let after = try String(contentsOfFile: keyFile, encoding: .utf8)
            #expect(after != before)
            let retired = try #require(outcome.retiredKeyFile)
            #expect(try String(contentsOfFile: retired, encoding: .utf8) == before, "the old key is kept for the backups taken under it")
            let permissions = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
            #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))

            // What a server started afterwards sees: the new key from the file.
            let reloaded = try SecretKeyFile.load(configuration: app.corridor.configuration)
            let verified = try await AuditVerification.verify(on: app.db, anchor: anchor(reloaded, app))
            #expect(verified.failure == nil)
            let checkpoints = try anchor(reloaded, app).checkpoints()
            #expect(checkpoints.count == 1 && checkpoints.allSatisfy(\.authentic) && checkpoints.last?.sequence == verified.count)
            #expect(try await AuditVerification.verify(on: app.db, anchor: anchor(old, app)).failure != nil, "the old key no longer seals the head")
            let archived = try #require(outcome.archivedCheckpoints)
            #expect(FileManager.default.fileExists(atPath: archived))
            let entry = try await AuditEntryModel.query(on: app.db).filter(\.$entityType == "secret_key").first()
            #expect(entry?.detail.contains("1 authenticator key(s) sealed again") == true)

            // The authenticator enrolled before still signs in.
            try await browser.post("/logout")
            corridor.clock.advance(by: 30)
            try await browser.signIn(admin.email)
            #expect(try await browser.post("/login/two-factor", ["code": TOTP(key: key).code(at: corridor.clock.now())]).location == "/")
        }
    }

    @Test func aRotationInterruptedAfterItsTransactionIsCompletedAndABrokenTrailIsNotRotated() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            _ = try await corridor.makeUser(.caseworker)
            let keyFile = app.corridor.configuration.dataDirectory + "/secret.key"
            // The transaction committed (the head is sealed by the new key), the files were not swapped.
            let newBytes = CorridorSecret.generate()
            let new = try #require(CorridorSecret(bytes: newBytes))
            let head = try #require(try await AuditHeadModel.find(1, on: app.db))
            head.mac = AuditSeal(secret: new).headMAC(sequence: head.lastSequence, hash: head.lastHash)
            try await head.update(on: app.db)
            try Data((newBytes.base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: keyFile + ".new"))
            let resumed = try await SecretRotation(app: app).rotate(at: corridor.clock.now())
            #expect(resumed.resumed)
            #expect(try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == newBytes.base64EncodedString())
            #expect(try await AuditVerification.verify(on: app.db, anchor: anchor(new, app)).failure == nil)

            // An edited entry: the trail does not verify, and nothing is rotated.
            let entry = try #require(try await AuditEntryModel.query(on: app.db).sort(\.$id).first())
            entry.detail = "rewritten"
            try await entry.update(on: app.db)
            let before = try String(contentsOfFile: keyFile, encoding: .utf8)
            await #expect(throws: SecretRotation.Failure.self) { try await SecretRotation(app: app).rotate(at: corridor.clock.now()) }
            #expect(try String(contentsOfFile: keyFile, encoding: .utf8) == before)
            #expect(!FileManager.default.fileExists(atPath: keyFile + ".new"))
        }
    }
}
