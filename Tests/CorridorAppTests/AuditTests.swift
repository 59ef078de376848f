import ConsoleKit
import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import CorridorApp

@Suite struct AuditTests {
    func makeActivity(_ corridor: TestCorridor) async throws {
        let institution = try await corridor.makeInstitution("MIAIE")
        _ = try await corridor.makeUser(.focalPoint, institution: institution.requireID())
        let user = try await corridor.makeUser(.caseworker)
        let browser = TestBrowser(app: corridor.app)
        try await browser.signIn(user.email, "wrong password!!")
        try await browser.signIn(user.email)
    }

    @Test func changesAndSignInsAreRecordedInAnIntactChain() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let actions = try await AuditEntryModel.query(on: corridor.app.db).sort(\.$id).all().map(\.action)
            #expect(actions.contains("create"))
            #expect(actions.contains("login_failed"))
            #expect(actions.contains("login"))
            let result = try await AuditVerification.verify(on: corridor.app.db, anchor: corridor.app.corridor.auditAnchor)
            #expect(result.failure == nil)
            #expect(result.count == Int64(actions.count))
        }
    }

    @Test func editingAnEntryInTheDatabaseIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.update("audit_entries").set("detail", to: "nothing happened").where("sequence", .equal, 3).run()
            let result = try await AuditVerification.verify(on: corridor.app.db, anchor: corridor.app.corridor.auditAnchor)
            #expect(result.failure == .altered(sequence: 3))
            await #expect(throws: CommandFailure.self) { try await runVerifyCommand(corridor.app) }
        }
    }

    @Test func aPersonalDetailIsKeptBesideItsEntryErasedWithoutBreakingTheChainAndNeverEditedUnseen() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let households = try await DataProtectionTests.importDemo(corridor, households: 10)
            let family = try #require(households.first { $0.members.count >= 2 })
            let number = try #require(family.caseNumber?.description)
            let context = app.serviceContext(actor: .commandLine("test"))
            try await AuditLog.record(AuditEvent(action: .export, entityType: "case_member", entityID: "\(number)/2", detail: "letter",
                                                 personalDetail: "courrier à \(family.members[1].givenNames).pdf"), context)
            let sql = try #require(app.db as? any SQLDatabase)
            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$entityID == "\(number)/2").filter(\.$detail == "letter").first())
            let sequence = try #require(entry.id)
            // Beside the entry, not in its hashed content: only a salted digest is hashed.
            #expect(entry.detail == "letter" && entry.personalText == "courrier à \(family.members[1].givenNames).pdf")
            #expect(entry.personalDigest?.count == 64 && !(entry.personalDetail ?? "").hasPrefix("courrier"))
            #expect(try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor).failure == nil)
            let page = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin)).get("/admin/audit")
            #expect(page.text.contains("letter — courrier à"))

            // Edited in place: detected, as any edit is.
            let kept = try #require(entry.personalDetail)
            let salt = String(kept.prefix(while: { $0 != ":" }))
            try await sql.update("audit_entries").set("personal_detail", to: salt + ":someone else.pdf").where("sequence", .equal, sequence).run()
            #expect(try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor).failure == .altered(sequence: sequence))
            try await sql.update("audit_entries").set("personal_detail", to: kept).where("sequence", .equal, sequence).run()
            #expect(try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor).failure == nil)

            // The person erased: the detail goes, the entry and the chain stay.
            let record = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == number).first())
            try await ErasureService(context: context).erase(number: number, member: 2, .init(reason: .personsRequest, reference: "DP-9"), expectedVersion: record.version)
            let after = try #require(try await AuditEntryModel.find(sequence, on: app.db))
            #expect(after.personalDetail == nil && after.detail == "letter")
            #expect(try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor).failure == nil)
            // The erasure's own entry keeps its request's reference.
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "erased").first()?.personalText == "reference DP-9")
        }
    }

    @Test func deletingAnEntryIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.delete(from: "audit_entries").where("sequence", .equal, 2).run()
            #expect(try await AuditVerification.verify(on: corridor.app.db, anchor: corridor.app.corridor.auditAnchor).failure == .missing(sequence: 2))
        }
    }

    @Test func deletingTheNewestEntryIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let last = try #require(try await AuditEntryModel.query(on: corridor.app.db).sort(\.$id, .descending).first()?.id)
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.delete(from: "audit_entries").where("sequence", .equal, last).run()
            let failure = try #require(try await AuditVerification.verify(on: corridor.app.db, anchor: corridor.app.corridor.auditAnchor).failure)
            #expect(failure.sequence == last)
        }
    }

    /// The attack of the hardening issue: with the server stopped, the tail deleted and the head
    /// moved back to the last entry left. The head's seal (a key outside the database) shows it.
    @Test func aShortenedTrailWithARewrittenHeadIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let anchor = corridor.app.corridor.auditAnchor
            let count = try await AuditVerification.verify(on: corridor.app.db, anchor: anchor).count
            #expect(count >= 4)
            let keep = count - 2
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.delete(from: "audit_entries").where("sequence", .greaterThan, keep).run()
            let hash = try #require(try await AuditEntryModel.find(keep, on: corridor.app.db)?.hash)
            try await sql.update("audit_head").set("last_sequence", to: keep).set("last_hash", to: hash).where("id", .equal, 1).run()
            #expect(try await AuditVerification.verify(on: corridor.app.db, anchor: anchor).failure == .headNotSealed(sequence: keep))
        }
    }

    /// Checkpoints in the append-only file: a trail shortened below one is truncated even when
    /// its head was resealed; a checkpoint edited, or a key replaced, is named.
    @Test func checkpointsAndTheKeyAnchorTheTrail() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let app = corridor.app
            let anchor = app.corridor.auditAnchor
            let last = await AuditCheckpointer.checkpoint(app, unless: -1)
            #expect(last >= 4)
            #expect(try anchor.checkpoints().map(\.sequence) == [last])
            try await runVerifyCommand(app)
            // An insider with the key reseals a shortened head: the checkpoint still knows.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.delete(from: "audit_entries").where("sequence", .greaterThan, last - 1).run()
            let hash = try #require(try await AuditEntryModel.find(last - 1, on: app.db)?.hash)
            try await sql.update("audit_head").set("last_sequence", to: last - 1).set("last_hash", to: hash)
                .set("mac", to: anchor.seal.headMAC(sequence: last - 1, hash: hash)).where("id", .equal, 1).run()
            #expect(try await AuditVerification.verify(on: app.db, anchor: anchor).failure == .truncated(expectedLast: last, foundLast: last - 1))
            // A replaced key: neither the head nor the checkpoints carry its seal.
            let other = AuditAnchor(seal: AuditSeal(secret: try #require(CorridorSecret(bytes: CorridorSecret.generate()))), checkpointFile: anchor.checkpointFile)
            #expect(try await AuditVerification.verify(on: app.db, anchor: other).failure == .headNotSealed(sequence: last - 1))
            // An edited checkpoint file.
            try "5 0000 1 ffff\n".write(toFile: anchor.checkpointFile, atomically: true, encoding: .utf8)
            try await sql.update("audit_head").set("last_sequence", to: last - 1).where("id", .equal, 1).run()
            #expect(try await AuditVerification.verify(on: app.db, anchor: anchor).failure == .forgedCheckpoint(sequence: 5))
        }
    }

    @Test func verifyCommandPassesOnAnIntactTrail() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            try await runVerifyCommand(corridor.app)
        }
    }

    @Test func concurrentWritersKeepOneUnbrokenChain() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        _ = try await AccountService(app.serviceContext(actor: .commandLine("test")))
                            .createInstitution(InstitutionDraft(name: "Institution \(index)", acronym: "I\(index)", country: "CIV", kind: "agency"))
                    }
                }
                try await group.waitForAll()
            }
            let result = try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor)
            #expect(result.failure == nil)
            #expect(result.count == 16)
        }
    }

    @Test func auditPageFiltersByAction() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let admin = try await corridor.makeUser(.admin)
            let browser = try await corridor.browser(signedInAs: admin)
            let page = try await browser.get("/admin/audit?action=login_failed")
            #expect(page.status == .ok)
            #expect(page.text.contains("wrong password"))
            #expect(!page.text.contains("<td>Création"))
            let verify = try await browser.get("/admin/audit/verify")
            #expect(verify.text.contains("Chaîne intacte"))
        }
    }

    func runVerifyCommand(_ app: Application) async throws {
        var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["corridor", "verify"]))
        context.application = app
        try await AuditCommandGroup.Verify().run(using: context, signature: .init())
    }
}
