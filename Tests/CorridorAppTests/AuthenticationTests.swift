import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct AuthenticationTests {
    @Test func loginPageIsFrenchByDefault() async throws {
        try await TestCorridor.run { corridor in
            let response = try await TestBrowser(app: corridor.app).get("/login")
            #expect(response.status == .ok)
            #expect(response.text.contains("<html lang=\"fr\">"))
            #expect(response.text.contains("Connexion"))
            #expect(response.text.contains("name=\"_csrf\""))
        }
    }

    @Test func postWithoutCSRFTokenIsRefused() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            let browser = TestBrowser(app: corridor.app)
            try await browser.get("/login")
            let refused = try await browser.post("/login", ["email": user.email, "password": "a long test password"], csrf: false)
            #expect(refused.status == .forbidden)
            #expect(browser.cookies[CookieNames.session] == nil)
            browser.cookies[CookieNames.csrf] = "forged"
            let forged = try await browser.send(.POST, "/logout", body: ByteBuffer(string: "_csrf=other"), headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(forged.status == .forbidden)
        }
    }

    /// Each route's body limit applies before anything buffers the body: anonymous routes read
    /// kilobytes, a route for signed-in people reads nothing of an anonymous request.
    @Test func bodiesAreLimitedBeforeTheyAreRead() async throws {
        try await TestCorridor.run { corridor in
            let browser = TestBrowser(app: corridor.app)
            try await browser.get("/login")
            let big = try await browser.post("/login", ["email": "x@corridor.test", "password": String(repeating: "p", count: 20_000)])
            #expect(big.status == .payloadTooLarge)
            let anonymous = try await browser.upload("/cases/import", field: "file", fileName: "x.csv", data: Data(count: 2 << 20))
            #expect(anonymous.status == .seeOther, "sent to sign in")
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let read = try await worker.upload("/cases/import", field: "file", fileName: "x.csv", data: Data("nom\nx\n".utf8))
            #expect(read.status == .unprocessableEntity && read.text.contains("Colonnes obligatoires absentes"), "an upload within its route's limit is read")
            let tooBig = try await worker.post("/cases/new", ["given_names": String(repeating: "a", count: 1_100_000)])
            #expect(tooBig.status == .payloadTooLarge, "a form route keeps the 1 MB default")
        }
    }

    @Test func oneTimePasswordMustBeChangedAtFirstSignIn() async throws {
        try await TestCorridor.run { corridor in
            let service = AccountService(corridor.app.serviceContext(actor: .commandLine("test")))
            let admin = try #require(try await service.bootstrapAdministrator())
            #expect(try await service.bootstrapAdministrator() == nil, "only an empty database gets a bootstrap administrator")
            let browser = TestBrowser(app: corridor.app)
            let signedIn = try await browser.signIn(admin.email, admin.password)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/login/two-factor/enrol", "an administrator enrols a second factor first")
            let enrolled = try await browser.enrolAuthenticator(at: corridor.clock.now())
            #expect(enrolled.page.text.contains("href=\"/account/password\""), "then changes the one-time password")
            let blocked = try await browser.get("/admin/users")
            #expect(blocked.location == "/account/password")

            let short = try await browser.post("/account/password", ["current": admin.password, "password": "short", "confirmation": "short"])
            #expect(short.status == .unprocessableEntity)
            #expect(short.text.contains("au moins 12 caractères"))

            let changed = try await browser.post("/account/password", [
                "current": admin.password, "password": "une phrase assez longue", "confirmation": "une phrase assez longue"])
            #expect(changed.status == .seeOther)
            let users = try await browser.get("/admin/users")
            #expect(users.status == .ok)

            let again = TestBrowser(app: corridor.app)
            #expect(try await again.signIn(admin.email, admin.password).status == .unauthorized, "the one-time password no longer works")
            #expect(try await again.signIn(admin.email, "une phrase assez longue").location == "/login/two-factor")
            corridor.clock.advance(by: 30)
            #expect(try await again.post("/login/two-factor", ["code": TOTP(key: enrolled.key).code(at: corridor.clock.now())]).location == "/")
        }
    }

    @Test func sessionIsRotatedAtSignInAndEndedAtSignOut() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.meOfficer)
            let browser = TestBrowser(app: corridor.app)
            try await browser.signIn(user.email)
            let first = try #require(browser.cookies[CookieNames.session])
            let firstCSRF = try #require(browser.cookies[CookieNames.csrf])
            try await browser.signIn(user.email)
            let second = try #require(browser.cookies[CookieNames.session])
            #expect(first != second)
            #expect(browser.cookies[CookieNames.csrf] != firstCSRF, "the CSRF token is rotated too")

            let stale = TestBrowser(app: corridor.app)
            stale.cookies[CookieNames.session] = first
            #expect(try await stale.get("/account").status == .seeOther, "the session replaced at sign-in is gone")

            #expect(try await browser.get("/account").status == .ok)
            #expect(try await browser.post("/logout").status == .seeOther)
            let replay = TestBrowser(app: corridor.app)
            replay.cookies[CookieNames.session] = second
            #expect(try await replay.get("/account").location?.hasPrefix("/login") == true)
        }
    }

    @Test func sessionCookieIsHttpOnlyAndSameSite() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            let response = try await TestBrowser(app: corridor.app).signIn(user.email)
            let cookie = try #require(response.headers.setCookie?[CookieNames.session])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(!cookie.isSecure, "plain http public URL")
        }
    }

    @Test func fiveFailuresLockTheAccountForFifteenMinutes() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            let browser = TestBrowser(app: corridor.app)
            for _ in 1...4 {
                #expect(try await browser.signIn(user.email, "wrong password!!").status == .unauthorized)
            }
            let fifth = try await browser.signIn(user.email, "wrong password!!")
            #expect(fifth.status == .forbidden)
            #expect(fifth.text.contains("verrouillé"))
            #expect(try await browser.signIn(user.email).status == .forbidden, "even the right password is refused while locked")

            corridor.clock.advance(by: 14 * 60)
            #expect(try await browser.signIn(user.email).status == .forbidden)
            corridor.clock.advance(by: 2 * 60)
            #expect(try await browser.signIn(user.email).status == .seeOther)

            let entries = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "account_locked").count()
            #expect(entries == 1)
        }
    }

    /// Many people share one address here (carrier NAT): past its failures an address is slowed,
    /// its attempts spaced further apart, and a right password of an unlocked account still gets
    /// in; only an attempt whose turn is too far off is refused for now.
    @Test func oneAddressIsSlowedAcrossAccountsNotShut() async throws {
        try await TestCorridor.run { corridor in
            corridor.app.signInDefences.throttle.addressDelay = 0.2
            corridor.app.signInDefences.throttle.maximumAddressWait = 0.5
            let user = try await corridor.makeUser(.caseworker)
            let browser = TestBrowser(app: corridor.app)
            for index in 1...20 {
                try await browser.signIn("nobody\(index)@corridor.test", "wrong password!!")
            }
            let started = ContinuousClock.now
            #expect(try await browser.signIn(user.email).status == .seeOther, "the right password gets in")
            // Simultaneous attempts from the same address take turns; those whose turn is too far off wait outside.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for index in 1...8 {
                    group.addTask { try await TestBrowser(app: corridor.app).signIn("nobody-again\(index)@corridor.test", "wrong password!!").status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.contains(.tooManyRequests) && statuses.contains(.unauthorized), "\(statuses)")
            #expect(ContinuousClock.now - started >= .milliseconds(200), "attempts are spaced")
        }
    }

    /// Thirty guesses at once on one account: no more than the limit are checked.
    @Test func simultaneousGuessesCannotPassTheAccountLimit() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 1...30 {
                    group.addTask { _ = try await TestBrowser(app: corridor.app).signIn(user.email, "wrong password!!") }
                }
                try await group.waitForAll()
            }
            let checked = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "login_failed").filter(\.$detail == "wrong password").count()
            #expect(checked <= 5, "\(checked) passwords checked")
            #expect(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "account_locked").count() == 1)
        }
    }

    @Test func disabledAccountCannotSignIn() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.communications)
            let browser = TestBrowser(app: corridor.app)
            try await browser.signIn(user.email)
            #expect(try await browser.get("/account").status == .ok)
            try await AccountService(corridor.app.serviceContext(actor: .commandLine("test"))).setUserActive(id: user.requireID(), active: false, actingUserID: nil)
            #expect(try await browser.get("/account").status == .seeOther, "disabling ends the open session")
            #expect(try await TestBrowser(app: corridor.app).signIn(user.email).status == .unauthorized)
        }
    }

    @Test func signInRedirectOnlyFollowsLocalPaths() {
        #expect(AccountsController.safeNext("/admin/users?page=2") == "/admin/users?page=2")
        #expect(AccountsController.safeNext("//evil.example") == nil)
        #expect(AccountsController.safeNext("https://evil.example") == nil)
        #expect(AccountsController.safeNext("/\\evil") == nil)
    }
}
