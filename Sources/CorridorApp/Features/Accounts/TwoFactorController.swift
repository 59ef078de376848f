import CorridorCore
import Fluent
import Foundation
import Vapor

/// The second step of sign-in (a code, or enrolment of an authenticator) and the account's own
/// two-factor page. The sign-in step's routes are open to anonymous requests: they act only on
/// the session waiting for its second factor that the cookie names, and on nothing else.
struct TwoFactorController: Sendable {
    struct CodeForm: Content {
        var code: String?
        var next: String?
    }

    func register(web: any RoutesBuilder) {
        web.get("login", "two-factor", action: .viewPublic, use: verifyPage)
        web.post("login", "two-factor", action: .viewPublic, use: verify)
        web.get("login", "two-factor", "enrol", action: .viewPublic, use: signInEnrolPage)
        web.post("login", "two-factor", "enrol", action: .viewPublic, use: signInEnrol)
        web.post("login", "two-factor", "cancel", action: .viewPublic, use: cancel)
        web.get("account", "two-factor", action: .useOwnAccount, use: statusPage)
        web.get("account", "two-factor", "enrol", action: .useOwnAccount, use: accountEnrolPage)
        web.post("account", "two-factor", "enrol", action: .useOwnAccount, use: accountEnrol)
        web.post("account", "two-factor", "recovery-codes", action: .useOwnAccount, use: renewCodes)
        web.post("account", "two-factor", "disable", action: .useOwnAccount, use: disable)
        web.post("admin", "users", ":userID", "reset-two-factor", action: .manageUsers, use: reset)
    }

    // MARK: The sign-in step

    @Sendable func verifyPage(_ req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn else { return req.redirect(to: "/login") }
        let next = AccountsController.safeNext(req.query[String.self, at: "next"])
        if pending.step == .enrol { return req.redirect(to: Self.stepPath(.enrol, next: next)) }
        return try await Self.private(TwoFactorPages.verify(TwoFactorVerifyModel(next: next), req.pageContext()), for: req)
    }

    @Sendable func verify(_ req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn, pending.step == .verify else { return req.redirect(to: "/login", redirectType: .normal) }
        let form = try req.content.decode(CodeForm.self)
        let next = AccountsController.safeNext(form.next)
        let outcome = try await authentication(req).completeSecondFactor(pending, code: String((form.code ?? "").prefix(64)), box: req.corridor.authenticatorKeys)
        Observability.count("sign_ins", [("step", "second_factor"), ("outcome", outcome.metricName)])
        switch outcome {
        case .signedIn(let secret, _, let mustChange):
            return signedIn(req, secret: secret, to: mustChange ? "/account/password" : (next ?? "/"))
        case .accountLocked:
            let response = try await HTMLPage(status: .forbidden, html: SignInPages.login(LoginPageModel(email: pending.email, next: next, error: req.t("login.error.locked")), req.pageContext())).encodeResponse(for: req)
            response.cookies[CookieNames.session] = req.secureCookie("", maxAge: 0)
            return response
        case .addressBlocked:
            let page = TwoFactorPages.verify(TwoFactorVerifyModel(next: next, error: req.t("login.error.address_blocked")), req.pageContext())
            return try await Self.private(page, status: .tooManyRequests, for: req)
        default:
            let page = TwoFactorPages.verify(TwoFactorVerifyModel(next: next, error: req.t("two_factor.error.wrong_code")), req.pageContext())
            return try await Self.private(page, status: .unauthorized, for: req)
        }
    }

    @Sendable func signInEnrolPage(_ req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn else { return req.redirect(to: "/login") }
        let next = AccountsController.safeNext(req.query[String.self, at: "next"])
        if pending.step == .verify { return req.redirect(to: Self.stepPath(.verify, next: next)) }
        do {
            return try await enrolResponse(req, userID: pending.userID, sessionID: pending.sessionID, action: "/login/two-factor/enrol", next: next, required: true)
        } catch TwoFactorError.alreadyEnrolled {
            return try await cancel(req)
        }
    }

    @Sendable func signInEnrol(_ req: Request) async throws -> Response {
        guard let pending = req.pendingSignIn, pending.step == .enrol else { return req.redirect(to: "/login", redirectType: .normal) }
        let form = try req.content.decode(CodeForm.self)
        let next = AccountsController.safeNext(form.next)
        let service = TwoFactorService(context: req.serviceContext, box: req.corridor.authenticatorKeys)
        let codes: [String]
        do {
            codes = try await service.confirmEnrolment(userID: pending.userID, sessionID: pending.sessionID, code: String((form.code ?? "").prefix(64)))
        } catch let error as TwoFactorError where error == .wrongCode {
            return try await enrolResponse(req, userID: pending.userID, sessionID: pending.sessionID, action: "/login/two-factor/enrol", next: next, required: true,
                                           error: req.t(error.messageKey), status: .unprocessableEntity)
        } catch TwoFactorError.alreadyEnrolled {
            // Another session enrolled this account meanwhile: this one signs in with a code.
            return try await cancel(req)
        }
        // The enrolment was the second factor: the session is replaced by a signed-in one.
        guard let user = try await UserModel.find(pending.userID, on: req.db) else { return req.redirect(to: "/login", redirectType: .normal) }
        let secret = try await authentication(req).openSession(for: user, pending: nil, replacing: pending.sessionID, detail: "second factor: enrolled")
        let continuePath = user.mustChangePassword ? "/account/password" : (next ?? "/")
        req.rotateCSRFToken()
        req.currentUser = try CurrentUser(user)
        let response = try await Self.private(TwoFactorPages.recoveryCodes(RecoveryCodesModel(codes: codes, continuePath: continuePath), req.pageContext()), for: req)
        response.cookies[CookieNames.session] = req.secureCookie(secret, maxAge: req.corridor.configuration.sessionLifetimeMinutes * 60)
        return response
    }

    @Sendable func cancel(_ req: Request) async throws -> Response {
        if let pending = req.pendingSignIn {
            try await SessionModel.query(on: req.db).filter(\.$id == pending.sessionID).delete()
        }
        let response = req.redirect(to: "/login", redirectType: .normal)
        response.cookies[CookieNames.session] = req.secureCookie("", maxAge: 0)
        return response
    }

    // MARK: The account's own page

    @Sendable func statusPage(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let status = try await service(req).status(userID: user.id)
        return try await Self.private(TwoFactorPages.status(TwoFactorStatusModel(status: status), req.pageContext()), for: req)
    }

    @Sendable func accountEnrolPage(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        do {
            return try await enrolResponse(req, userID: user.id, sessionID: try sessionID(of: user), action: "/account/two-factor/enrol", next: nil, required: false)
        } catch TwoFactorError.alreadyEnrolled {
            return req.redirect(to: "/account/two-factor")
        }
    }

    @Sendable func accountEnrol(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(CodeForm.self)
        do {
            let codes = try await service(req).confirmEnrolment(userID: user.id, sessionID: try sessionID(of: user), code: String((form.code ?? "").prefix(64)))
            return try await Self.private(TwoFactorPages.recoveryCodes(RecoveryCodesModel(codes: codes, continuePath: "/account/two-factor"), req.pageContext()), for: req)
        } catch TwoFactorError.alreadyEnrolled {
            return req.redirect(to: "/account/two-factor", redirectType: .normal)
        } catch let error as TwoFactorError where error == .wrongCode {
            return try await enrolResponse(req, userID: user.id, sessionID: try sessionID(of: user), action: "/account/two-factor/enrol", next: nil, required: false,
                                           error: req.t(error.messageKey), status: .unprocessableEntity)
        }
    }

    @Sendable func renewCodes(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(CodeForm.self)
        do {
            let codes = try await service(req).renewRecoveryCodes(userID: user.id, code: String((form.code ?? "").prefix(64)))
            return try await Self.private(TwoFactorPages.recoveryCodes(RecoveryCodesModel(codes: codes, continuePath: "/account/two-factor"), req.pageContext()), for: req)
        } catch let error as TwoFactorError {
            return try await statusResponse(req, userID: user.id, errors: ["renew-code": req.t(error.messageKey)])
        }
    }

    @Sendable func disable(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(CodeForm.self)
        do {
            try await service(req).disable(userID: user.id, code: String((form.code ?? "").prefix(64)))
            return req.redirect(to: "/account/two-factor?notice=two_factor_disabled", redirectType: .normal)
        } catch let error as TwoFactorError {
            return try await statusResponse(req, userID: user.id, errors: ["disable-code": req.t(error.messageKey)])
        }
    }

    @Sendable func reset(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("userID", as: UUID.self) else { throw Abort(.notFound) }
        do {
            try await service(req).reset(userID: id, actingUserID: req.currentUser?.id)
            return req.redirect(to: "/admin/users/\(id.uuidString)?notice=two_factor_reset", redirectType: .normal)
        } catch TwoFactorError.notFound {
            throw Abort(.notFound)
        } catch TwoFactorError.cannotResetSelf {
            return req.redirect(to: "/admin/users/\(id.uuidString)?notice=cannot_reset_own_two_factor", redirectType: .normal)
        }
    }

    // MARK: Shared

    /// Enrolment happens in a browser session (an API token has none): the key is the session's.
    private func sessionID(of user: CurrentUser) throws -> UUID {
        guard let id = user.sessionID else { throw Abort(.forbidden, reason: "error.forbidden") }
        return id
    }

    private func enrolResponse(_ req: Request, userID: UUID, sessionID: UUID, action: String, next: String?, required: Bool,
                               error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let (key, account) = try await service(req).enrolmentKey(userID: userID, sessionID: sessionID)
        let totp = TOTP(key: key)
        let model = TwoFactorEnrolModel(key: Base32.encode(key), provisioningURI: totp.provisioningURI(issuer: TwoFactorService.issuer, account: account),
                                        account: account, action: action, next: next, required: required, error: error)
        return try await Self.private(TwoFactorPages.enrol(model, req.pageContext()), status: status, for: req)
    }

    private func statusResponse(_ req: Request, userID: UUID, errors: [String: String]) async throws -> Response {
        let status = try await service(req).status(userID: userID)
        let page = TwoFactorPages.status(TwoFactorStatusModel(status: status, errors: errors), req.pageContext())
        return try await Self.private(page, status: .unprocessableEntity, for: req)
    }

    private func signedIn(_ req: Request, secret: String, to path: String) -> Response {
        req.rotateCSRFToken()
        let response = req.redirect(to: path, redirectType: .normal)
        response.cookies[CookieNames.session] = req.secureCookie(secret, maxAge: req.corridor.configuration.sessionLifetimeMinutes * 60)
        return response
    }

    /// A page holding a key or codes (or asking for one) is never kept by a cache.
    static func `private`(_ html: HTML, status: HTTPResponseStatus = .ok, for req: Request) async throws -> Response {
        let response = try await HTMLPage(status: status, html: html).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func stepPath(_ step: PendingStep, next: String?) -> String {
        let path = step == .verify ? "/login/two-factor" : "/login/two-factor/enrol"
        guard let next, let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) else { return path }
        return path + "?next=" + encoded
    }

    private func service(_ req: Request) -> TwoFactorService {
        TwoFactorService(context: req.serviceContext, box: req.corridor.authenticatorKeys)
    }

    private func authentication(_ req: Request) -> AuthenticationService {
        AuthenticationService(context: req.serviceContext, defences: req.application.signInDefences,
                              sessionLifetime: TimeInterval(req.corridor.configuration.sessionLifetimeMinutes * 60))
    }
}
