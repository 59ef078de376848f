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
            let result = try await AuditVerification.verify(on: corridor.app.db)
            #expect(result.failure == nil)
            #expect(result.count == Int64(actions.count))
        }
    }

    @Test func editingAnEntryInTheDatabaseIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.update("audit_entries").set("detail", to: "nothing happened").where("sequence", .equal, 3).run()
            let result = try await AuditVerification.verify(on: corridor.app.db)
            #expect(result.failure == .altered(sequence: 3))
            await #expect(throws: CommandFailure.self) { try await runVerifyCommand(corridor.app) }
        }
    }

    @Test func deletingAnEntryIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.delete(from: "audit_entries").where("sequence", .equal, 2).run()
            #expect(try await AuditVerification.verify(on: corridor.app.db).failure == .missing(sequence: 2))
        }
    }

    @Test func deletingTheNewestEntryIsDetected() async throws {
        try await TestCorridor.run { corridor in
            try await makeActivity(corridor)
            let last = try #require(try await AuditEntryModel.query(on: corridor.app.db).sort(\.$id, .descending).first()?.id)
            let sql = try #require(corridor.app.db as? any SQLDatabase)
            try await sql.delete(from: "audit_entries").where("sequence", .equal, last).run()
            let failure = try #require(try await AuditVerification.verify(on: corridor.app.db).failure)
            #expect(failure.sequence == last)
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
            let result = try await AuditVerification.verify(on: app.db)
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
