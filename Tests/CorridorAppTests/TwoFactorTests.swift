import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct TwoFactorTests {
    func failures(_ corridor: TestCorridor, reason: String) async throws -> Int {
        try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "login_failed").filter(\.$detail == reason).count()
    }

    @Test func anAdministratorEnrolsAtFirstSignInThenGivesACodeEachTime() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = TestBrowser(app: corridor.app)
            let signIn = try await browser.signIn(admin.email)
            #expect(signIn.location == "/login/two-factor/enrol")
            #expect(try await browser.get("/admin/users").location?.hasPrefix("/login?next=") == true, "the password alone signs nobody in")
            #expect(try await browser.get("/login").location == "/login/two-factor/enrol")
            #expect(try await browser.get("/login/two-factor").location == "/login/two-factor/enrol")

            let form = try await browser.get("/login/two-factor/enrol")
            #expect(form.status == .ok)
            #expect(form.headers.first(name: .cacheControl) == "no-store")
            #expect(form.text.contains("<svg"), "a QR code drawn on the server")
            let shown = try #require(form.text.firstMatch(of: /data-key="([A-Z2-7]+)"/)?.1)
            let key = try #require(Base32.decode(String(shown)))
            #expect(form.text.contains("otpauth://totp/Corridor%3A"))
            let wrong = try await browser.post("/login/two-factor/enrol", ["code": "000000"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("pas le bon"))
            #expect(wrong.text.contains("data-key=\"\(shown)\""), "the key already scanned stays the same")

            let waiting = try #require(try await SessionModel.query(on: corridor.app.db).filter(\.$pendingStep == "enrol").first())
            let sealed = try #require(waiting.enrolmentKey)
            #expect(!sealed.contains(String(shown)) && Data(base64Encoded: sealed) != key, "the key is stored sealed")
            #expect(corridor.app.corridor.authenticatorKeys.open(sealed) == key)
            #expect(try await UserModel.find(admin.requireID(), on: corridor.app.db)?.totpKey == nil, "the account has no key until a code confirms one")

            let enrolled = try await browser.post("/login/two-factor/enrol", ["code": TOTP(key: key).code(at: corridor.clock.now())])
            #expect(enrolled.status == .ok)
            let codes = enrolled.text.matches(of: /<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/).map { String($0.1) }
            #expect(codes.count == 10)
            #expect(try await browser.get("/admin/users").status == .ok, "enrolment completed the sign-in")
            #expect(try await UserModel.find(admin.requireID(), on: corridor.app.db)?.totpKey.flatMap(corridor.app.corridor.authenticatorKeys.open) == key)
            let storedCodes = try await RecoveryCodeModel.query(on: corridor.app.db).all()
            #expect(storedCodes.count == 10 && !storedCodes.contains { codes.contains($0.codeHash) }, "only digests are kept")
            #expect(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "two_factor_enabled").count() == 1)

            try await browser.post("/logout")
            #expect(try await browser.signIn(admin.email).location == "/login/two-factor")
            let replay = try await browser.post("/login/two-factor", ["code": TOTP(key: key).code(at: corridor.clock.now())])
            #expect(replay.status == .unauthorized, "the code used at enrolment is not good twice")
            corridor.clock.advance(by: 30)
            let next = try await browser.post("/login/two-factor", ["code": TOTP(key: key).code(at: corridor.clock.now()), "next": "/admin/audit"])
            #expect(next.location == "/admin/audit")
            #expect(try await browser.get("/admin/users").status == .ok)
            let login = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "login").sort(\.$id, .descending).first()
            #expect(login?.detail == "second factor: authenticator code")
        }
    }

    @Test func aRecoveryCodeWorksOnceAndFiveWrongAnswersLockTheAccount() async throws {
        try await TestCorridor.run { corridor in
            let officer = try await corridor.makeUser(.protection)
            let browser = TestBrowser(app: corridor.app)
            try await browser.signIn(officer.email)
            let enrolled = try await browser.enrolAuthenticator(at: corridor.clock.now())
            let code = try #require(enrolled.codes.first)
            try await browser.post("/logout")

            try await browser.signIn(officer.email)
            #expect(try await browser.post("/login/two-factor", ["code": code.uppercased()]).location == "/")
            try await browser.post("/logout")
            corridor.clock.advance(by: 1)
            try await browser.signIn(officer.email)
            #expect(try await browser.post("/login/two-factor", ["code": code]).status == .unauthorized, "a recovery code is used up")
            for _ in 1...3 {
                #expect(try await browser.post("/login/two-factor", ["code": "123456"]).status == .unauthorized)
            }
            let fifth = try await browser.post("/login/two-factor", ["code": "654321"])
            #expect(fifth.status == .forbidden)
            #expect(fifth.text.contains("verrouillé"))
            corridor.clock.advance(by: 30)
            let right = try await browser.post("/login/two-factor", ["code": TOTP(key: enrolled.key).code(at: corridor.clock.now())])
            #expect(right.location == "/login", "the waiting session ended with the lock")
            #expect(try await browser.signIn(officer.email).status == .forbidden, "the account is locked, password or not")
            #expect(try await failures(corridor, reason: "wrong second-factor code") == 5)
            #expect(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "account_locked").count() == 1)
        }
    }

    @Test func simultaneousCodesCannotPassTheAccountLimit() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = TestBrowser(app: corridor.app)
            try await browser.signIn(admin.email)
            let enrolled = try await browser.enrolAuthenticator(at: corridor.clock.now())
            #expect(enrolled.codes.count == 10)
            try await browser.post("/logout")
            corridor.clock.advance(by: 1)
            try await browser.signIn(admin.email)
            let cookies = browser.cookies
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let guess = TestBrowser(app: corridor.app)
                        guess.cookies = cookies
                        _ = try await guess.post("/login/two-factor", ["code": String(format: "%06d", index * 7919 % 1_000_000)])
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await failures(corridor, reason: "wrong second-factor code") <= 5)
            let stored = try #require(try await UserModel.find(admin.requireID(), on: corridor.app.db))
            #expect((stored.lockedUntil ?? .distantPast) > corridor.clock.now())
        }
    }

    @Test func otherRolesMayTurnItOnAndOffTheTwoThatReadProtectedDetailsMayNot() async throws {
        try await TestCorridor.run { corridor in
            let caseworker = try await corridor.makeUser(.caseworker)
            let browser = TestBrowser(app: corridor.app)
            #expect(try await browser.signIn(caseworker.email).location == "/", "no second factor unless chosen")
            #expect(try await browser.get("/account/two-factor").text.contains("pas activée"))
            let enrolled = try await browser.enrolAuthenticator(at: corridor.clock.now(), path: "/account/two-factor/enrol")
            #expect(enrolled.codes.count == 10)
            #expect(try await browser.get("/account/two-factor").text.contains("Codes de secours restants : 10"))
            #expect(try await browser.get("/account/two-factor/enrol").location == "/account/two-factor", "enrolled once")

            corridor.clock.advance(by: 30)
            let renewed = try await browser.post("/account/two-factor/recovery-codes", ["code": TOTP(key: enrolled.key).code(at: corridor.clock.now())])
            let fresh = renewed.text.matches(of: /<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/).map { String($0.1) }
            #expect(fresh.count == 10 && Set(fresh).isDisjoint(with: enrolled.codes))
            #expect(try await browser.post("/account/two-factor/recovery-codes", ["code": "000000"]).status == .unprocessableEntity)

            try await browser.post("/logout")
            #expect(try await browser.signIn(caseworker.email).location == "/login/two-factor")
            #expect(try await browser.post("/login/two-factor", ["code": enrolled.codes[0]]).status == .unauthorized, "the old codes were replaced")
            #expect(try await browser.post("/login/two-factor", ["code": fresh[0]]).location == "/")

            corridor.clock.advance(by: 30)
            #expect(try await browser.post("/account/two-factor/disable", ["code": TOTP(key: enrolled.key).code(at: corridor.clock.now())]).status == .seeOther)
            try await browser.post("/logout")
            #expect(try await browser.signIn(caseworker.email).location == "/")

            let officer = try await corridor.makeUser(.protection)
            let protection = TestBrowser(app: corridor.app)
            try await protection.signIn(officer.email)
            let officerKey = try await protection.enrolAuthenticator(at: corridor.clock.now()).key
            corridor.clock.advance(by: 30)
            let refused = try await protection.post("/account/two-factor/disable", ["code": TOTP(key: officerKey).code(at: corridor.clock.now())])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Votre rôle exige"))
        }
    }

    @Test func anotherAdministratorResetsALostPhone() async throws {
        try await TestCorridor.run { corridor in
            let first = try await corridor.makeUser(.admin)
            let second = try await corridor.makeUser(.admin)
            let secondBrowser = TestBrowser(app: corridor.app)
            try await secondBrowser.signIn(second.email)
            _ = try await secondBrowser.enrolAuthenticator(at: corridor.clock.now())
            #expect(try await secondBrowser.get("/admin/users").status == .ok)

            let firstBrowser = try await corridor.browser(signedInAs: first)
            let page = try await firstBrowser.get("/admin/users/\(try second.requireID())")
            #expect(page.text.contains("Activée depuis"))
            let reset = try await firstBrowser.post("/admin/users/\(try second.requireID())/reset-two-factor")
            #expect(reset.location?.hasSuffix("notice=two_factor_reset") == true)
            #expect(try await secondBrowser.get("/admin/users").location?.hasPrefix("/login") == true, "the lost phone's sessions ended")
            #expect(try await RecoveryCodeModel.query(on: corridor.app.db).filter(\.$user.$id == second.requireID()).count() == 0)
            #expect(try await secondBrowser.signIn(second.email).location == "/login/two-factor/enrol", "a new key is enrolled")
            #expect(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "two_factor_reset").count() == 1)

            let own = try await firstBrowser.post("/admin/users/\(try first.requireID())/reset-two-factor")
            #expect(own.location?.hasSuffix("notice=cannot_reset_own_two_factor") == true)
            let caseworker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await caseworker.post("/admin/users/\(try second.requireID())/reset-two-factor").status == .forbidden)
        }
    }

    @Test func cancellingTheSecondStepEndsTheWaitingSession() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = TestBrowser(app: corridor.app)
            try await browser.signIn(admin.email)
            #expect(try await SessionModel.query(on: corridor.app.db).filter(\.$pendingStep == "enrol").count() == 1)
            #expect(try await browser.post("/login/two-factor/cancel").location == "/login")
            #expect(try await SessionModel.query(on: corridor.app.db).count() == 0)
            #expect(try await browser.get("/login").status == .ok)
            // A waiting session expires after ten minutes.
            try await browser.signIn(admin.email)
            corridor.clock.advance(by: 601)
            #expect(try await browser.get("/login/two-factor/enrol").location == "/login")
        }
    }

    /// Someone who knows only the password of an account that has not enrolled yet sees a key of
    /// their own: it is never the one the real person confirms.
    @Test func anEnrolmentKeyBelongsToTheSessionThatWasShownIt() async throws {
        try await TestCorridor.run { corridor in
            let officer = try await corridor.makeUser(.protection)
            let intruder = TestBrowser(app: corridor.app)
            try await intruder.signIn(officer.email)
            let seen = try #require(try await intruder.get("/login/two-factor/enrol").text.firstMatch(of: /data-key="([A-Z2-7]+)"/)?.1)
            let owner = TestBrowser(app: corridor.app)
            try await owner.signIn(officer.email)
            let enrolled = try await owner.enrolAuthenticator(at: corridor.clock.now())
            #expect(Base32.encode(enrolled.key) != String(seen), "each session is shown its own key")
            #expect(enrolled.codes.count == 10)
            // The intruder's key confirms nothing, and their waiting session is sent back to sign in.
            let attempt = try await intruder.post("/login/two-factor/enrol", ["code": TOTP(key: try #require(Base32.decode(String(seen)))).code(at: corridor.clock.now())])
            #expect(attempt.location == "/login")
            try await owner.post("/logout")
            corridor.clock.advance(by: 30)
            try await owner.signIn(officer.email)
            let code = TOTP(key: try #require(Base32.decode(String(seen)))).code(at: corridor.clock.now())
            #expect(try await owner.post("/login/two-factor", ["code": code]).status == .unauthorized, "the intruder's key is not the account's")
        }
    }

    @Test func aChangeOfRoleRevokesTheTokensMadeUnderTheOldOne() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            let token = try await corridor.apiToken(for: user)
            #expect(try await apiRequest(corridor.app, .GET, "/api/v1/me", token: token).status == .ok)
            let service = AccountService(corridor.app.serviceContext(actor: .commandLine("test")))
            _ = try await service.updateUser(id: try user.requireID(), UserDraft(email: user.email, name: user.name, role: "admin", institutionID: nil, preferredLanguage: nil),
                                             expectedVersion: user.version)
            #expect(try await apiRequest(corridor.app, .GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }
}
