import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct AdministrationTests {
    /// The foundation's acceptance path: an administrator creates a ministry and its focal
    /// point, who signs in with the one-time password and must change it.
    @Test func administratorCreatesAFocalPointWhoCanSignIn() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = try await corridor.browser(signedInAs: admin)
            let created = try await browser.post("/admin/institutions/new", [
                "name": "Ministère de l'Intégration africaine et des Ivoiriens de l'extérieur",
                "acronym": "miaie", "country": "civ", "kind": "ministry"])
            #expect(created.status == .seeOther)
            let institution = try #require(try await AccountQueries(database: corridor.app.db).institution(acronym: "MIAIE"))
            #expect(institution.country == "CIV")

            let page = try await browser.post("/admin/users/new", [
                "email": "Point.Focal@Gouv.CI", "name": "Awa Koné", "role": "focal_point",
                "institution": institution.id.uuidString, "preferred_language": "fr"])
            #expect(page.status == .ok)
            let password = try #require(page.text.firstMatch(of: /<code class="copy">([A-Za-z0-9]{16})<\/code>/)?.1)

            let focalPoint = TestBrowser(app: corridor.app)
            let signIn = try await focalPoint.signIn("point.focal@gouv.ci", String(password))
            #expect(signIn.location == "/account/password")
            #expect(try await focalPoint.post("/account/password", [
                "current": String(password), "password": "ma nouvelle phrase secrète", "confirmation": "ma nouvelle phrase secrète"]).status == .seeOther)
            let home = try await focalPoint.get("/")
            #expect(home.status == .ok)
            #expect(home.text.contains("Awa Koné"))
            #expect(home.text.contains("MIAIE"))
        }
    }

    @Test func invalidUserFormKeepsWhatWasTyped() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = try await corridor.browser(signedInAs: admin)
            let response = try await browser.post("/admin/users/new", [
                "email": "awa@gouv.ci", "name": "Awa Koné", "role": "focal_point", "institution": ""])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("Un point focal doit appartenir à une institution."))
            #expect(response.text.contains("value=\"awa@gouv.ci\""))
            #expect(response.text.contains("value=\"Awa Koné\""))
            #expect(response.text.contains("<option value=\"focal_point\" selected>"))
            #expect(try await UserModel.query(on: corridor.app.db).filter(\.$email == "awa@gouv.ci").count() == 0)
        }
    }

    @Test func duplicateEmailIsRefused() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = try await corridor.browser(signedInAs: admin)
            let response = try await browser.post("/admin/users/new", ["email": admin.email.uppercased(), "name": "Copy", "role": "caseworker"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("Un compte utilise déjà cette adresse électronique."))
        }
    }

    @Test func concurrentEditIsDetectedNotOverwritten() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let target = try await corridor.makeUser(.caseworker)
            let id = try target.requireID().uuidString
            let browser = try await corridor.browser(signedInAs: admin)
            let form = ["email": target.email, "role": "caseworker", "version": String(target.version)]
            var first = form; first["name"] = "First editor"
            var second = form; second["name"] = "Second editor"
            #expect(try await browser.post("/admin/users/\(id)", first).status == .seeOther)
            let stale = try await browser.post("/admin/users/\(id)", second)
            #expect(stale.status == .unprocessableEntity)
            #expect(stale.text.contains("Quelqu'un d'autre a modifié cette fiche") || stale.text.contains("Quelqu&#39;un d&#39;autre a modifié cette fiche"))
            #expect(stale.text.contains("value=\"Second editor\""), "the second editor's input is kept")
            let stored = try #require(try await UserModel.find(target.requireID(), on: corridor.app.db))
            #expect(stored.name == "First editor")
        }
    }

    @Test func resetPasswordShowsANewOneTimePasswordAndUnlocks() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let target = try await corridor.makeUser(.caseworker)
            target.lockedUntil = corridor.clock.now().addingTimeInterval(600)
            try await target.update(on: corridor.app.db)
            let browser = try await corridor.browser(signedInAs: admin)
            let page = try await browser.post("/admin/users/\(try target.requireID())/reset-password")
            let password = try #require(page.text.firstMatch(of: /<code class="copy">([A-Za-z0-9]{16})<\/code>/)?.1)
            let user = TestBrowser(app: corridor.app)
            #expect(try await user.signIn(target.email, String(password)).location == "/account/password")
        }
    }

    @Test func administratorCannotDisableThemself() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = try await corridor.browser(signedInAs: admin)
            let response = try await browser.post("/admin/users/\(try admin.requireID())/disable")
            #expect(response.location == "/admin/users?notice=cannot_disable_self")
            #expect(try await UserModel.find(admin.requireID(), on: corridor.app.db)?.isActive == true)
        }
    }

    @Test func userCommandRequiresAnInstitutionForAFocalPoint() async throws {
        try await TestCorridor.run { corridor in
            let service = AccountService(corridor.app.serviceContext(actor: .commandLine("test")))
            await #expect(throws: AccountError.institutionRequired) {
                _ = try await service.createUser(UserDraft(email: "fp@gouv.ci", name: "FP", role: "focal_point", institutionID: nil, preferredLanguage: nil))
            }
            await #expect(throws: AccountError.unknownRole) {
                _ = try await service.createUser(UserDraft(email: "x@gouv.ci", name: "X", role: "minister", institutionID: nil, preferredLanguage: nil))
            }
        }
    }
}
