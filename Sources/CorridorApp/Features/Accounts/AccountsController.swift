import CorridorCore
import Fluent
import Foundation
import Vapor

/// Sign-in, sign-out, home, the user's own profile, password and API tokens.
struct AccountsController: Sendable {
    struct LoginForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    struct PasswordForm: Content {
        var current: String?
        var password: String?
        var confirmation: String?
    }

    struct ProfileForm: Content {
        var name: String?
        var preferred_language: String?
    }

    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("login", action: .viewPublic, use: loginPage)
        web.post("login", action: .viewPublic, use: login)
        web.post("logout", action: .useOwnAccount, use: logout)
        web.get("account", action: .useOwnAccount, use: profilePage)
        web.post("account", action: .useOwnAccount, use: updateProfile)
        web.get("account", "password", action: .useOwnAccount, use: passwordPage)
        web.post("account", "password", action: .useOwnAccount, use: changePassword)
        TokensController().register(web: web, api: api)
        TwoFactorController().register(web: web)
        api.get("me", action: .useOwnAccount, use: me)
        api.get("institutions", action: .viewInstitutions, use: institutionsAPI)
    }

    @Sendable func loginPage(_ req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/", redirectType: .normal) }
        let next = Self.safeNext(req.query[String.self, at: "next"])
        // A password already checked goes on to its second step.
        if let pending = req.pendingSignIn { return req.redirect(to: TwoFactorController.stepPath(pending.step, next: next)) }
        let page = SignInPages.login(LoginPageModel(next: next), req.pageContext())
        return try await page.encodeResponse(for: req)
    }

    @Sendable func login(_ req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let next = Self.safeNext(form.next)
        let outcome = try await authentication(req).signIn(email: form.email ?? "", password: form.password ?? "",
                                                           replacing: req.currentUser?.sessionID ?? req.pendingSignIn?.sessionID)
        Observability.count("sign_ins", [("step", "password"), ("outcome", outcome.metricName)])
        switch outcome {
        case .secondFactorRequired(let secret, let step):
            req.rotateCSRFToken()
            let response = req.redirect(to: TwoFactorController.stepPath(step, next: next), redirectType: .normal)
            response.cookies[CookieNames.session] = req.secureCookie(secret, maxAge: Int(AuthenticationService.pendingLifetime))
            return response
        case .signedIn(let secret, _, let mustChange):
            req.rotateCSRFToken()
            let response = req.redirect(to: mustChange ? "/account/password" : (next ?? "/"), redirectType: .normal)
            response.cookies[CookieNames.session] = req.secureCookie(secret, maxAge: req.corridor.configuration.sessionLifetimeMinutes * 60)
            return response
        case .invalidCredentials, .accountLocked, .addressBlocked, .invalidCode:
            let key: String
            let status: HTTPResponseStatus
            switch outcome {
            case .accountLocked: (key, status) = ("login.error.locked", .forbidden)
            case .addressBlocked: (key, status) = ("login.error.address_blocked", .tooManyRequests)
            default: (key, status) = ("login.error.invalid", .unauthorized)
            }
            let page = SignInPages.login(LoginPageModel(email: form.email ?? "", next: next, error: req.t(key)), req.pageContext())
            return try await HTMLPage(status: status, html: page).encodeResponse(for: req)
        }
    }

    @Sendable func logout(_ req: Request) async throws -> Response {
        try await authentication(req).signOut()
        req.rotateCSRFToken()
        let response = req.redirect(to: "/login", redirectType: .normal)
        response.cookies[CookieNames.session] = req.secureCookie("", maxAge: 0)
        return response
    }

    @Sendable func home(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        let institution = try await user.institutionID.asyncMap { try await AccountQueries(database: req.db).institution($0)?.acronym } ?? nil
        return SignInPages.home(HomePageModel(name: user.name, role: user.role, institution: institution), req.pageContext())
    }

    @Sendable func profilePage(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        return SignInPages.profile(try await profileModel(req, user: user), req.pageContext())
    }

    @Sendable func updateProfile(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(ProfileForm.self)
        do {
            try await AccountService(req.serviceContext).updateProfile(userID: user.id, name: form.name ?? "", language: form.preferred_language)
            return req.redirect(to: "/account?notice=saved", redirectType: .normal)
        } catch let error as AccountError {
            var model = try await profileModel(req, user: user)
            model.name = form.name ?? ""
            model.preferredLanguage = form.preferred_language
            model.errors = [error.field ?? "name": req.t(error.messageKey)]
            return try await HTMLPage(status: .unprocessableEntity, html: SignInPages.profile(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    @Sendable func passwordPage(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        return SignInPages.password(PasswordPageModel(mustChange: user.mustChangePassword), req.pageContext())
    }

    @Sendable func changePassword(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(PasswordForm.self)
        do {
            try await AccountService(req.serviceContext).changePassword(
                userID: user.id, current: form.current ?? "", new: form.password ?? "",
                confirmation: form.confirmation ?? "", keepSession: user.sessionID)
            return req.redirect(to: "/?notice=password_changed", redirectType: .normal)
        } catch let error as AccountError {
            let message = req.t(error.messageKey, ["min": String(PasswordPolicy.minimumLength)])
            let model = PasswordPageModel(mustChange: user.mustChangePassword, errors: [error.field ?? "password": message])
            return try await HTMLPage(status: .unprocessableEntity, html: SignInPages.password(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    @Sendable func me(_ req: Request) async throws -> AccountQueries.UserRow {
        let user = try req.requireUser()
        guard let row = try await AccountQueries(database: req.db).user(user.id) else { throw Abort(.notFound) }
        return row
    }

    @Sendable func institutionsAPI(_ req: Request) async throws -> [AccountQueries.InstitutionRow] {
        try await AccountQueries(database: req.db).institutions(includeInactive: false)
    }

    private func profileModel(_ req: Request, user: CurrentUser) async throws -> ProfilePageModel {
        let row = try await AccountQueries(database: req.db).user(user.id)
        return ProfilePageModel(name: row?.name ?? user.name, email: user.email, role: user.role,
                                institution: row?.institutionAcronym, preferredLanguage: row?.preferredLanguage)
    }

    /// Only a path of this site may follow sign-in, never another host.
    static func safeNext(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("/login"), raw.count < 2_000 else { return nil }
        // Browsers drop tabs and line breaks and read backslashes as slashes: allow only
        // printable ASCII without them, and never a second leading slash.
        guard raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }) else { return nil }
        guard !raw.hasPrefix("//"), let components = URLComponents(string: raw), components.scheme == nil, components.host == nil else { return nil }
        return raw
    }

    private func authentication(_ req: Request) -> AuthenticationService {
        AuthenticationService(context: req.serviceContext, defences: req.application.signInDefences,
                              sessionLifetime: TimeInterval(req.corridor.configuration.sessionLifetimeMinutes * 60))
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
