import CorridorCore
import Fluent
import Foundation
import Vapor

/// The person behind a request, as the rest of the app sees them.
struct CurrentUser: Sendable {
    var id: UUID
    var email: String
    var name: String
    var role: Role
    var institutionID: UUID?
    var preferredLanguage: Language?
    var mustChangePassword: Bool
    /// Set when signed in through the browser.
    var sessionID: UUID?
    /// Set when authenticated with a personal API token.
    var tokenID: UUID?

    var principal: Principal { Principal(role: role, institutionID: institutionID?.uuidString) }

    init(_ user: UserModel, sessionID: UUID? = nil, tokenID: UUID? = nil) throws {
        guard let role = Role(rawValue: user.role) else { throw Abort(.forbidden) }
        self.id = try user.requireID()
        self.email = user.email
        self.name = user.name
        self.role = role
        self.institutionID = user.$institution.id
        self.preferredLanguage = user.preferredLanguage.flatMap(Language.init(rawValue:))
        self.mustChangePassword = user.mustChangePassword
        self.sessionID = sessionID
        self.tokenID = tokenID
    }
}

extension Request {
    private struct CurrentUserKey: StorageKey { typealias Value = CurrentUser }

    var currentUser: CurrentUser? {
        get { storage[CurrentUserKey.self] }
        set { storage[CurrentUserKey.self] = newValue }
    }

    /// The signed-in user; routes reach here only through `AccessGuard`, so absence is a 401.
    func requireUser() throws -> CurrentUser {
        guard let user = currentUser else { throw Abort(.unauthorized) }
        return user
    }

    /// Who to name in the audit trail for this request.
    var auditActor: AuditActor {
        if let user = currentUser {
            return AuditActor(id: user.id.uuidString, label: user.email, address: clientAddress)
        }
        return AuditActor(id: nil, label: "anonymous", address: clientAddress)
    }
}

enum CookieNames {
    static let session = "corridor_session"
    static let csrf = "corridor_csrf"
}

/// Finds the signed-in user from the session cookie. Sessions live in the database; the
/// cookie holds a random secret whose SHA-256 is the stored key.
struct SessionAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let secret = request.cookies[CookieNames.session]?.string, !secret.isEmpty {
            let session = try await SessionModel.query(on: request.db)
                .filter(\.$tokenHash == SecureToken.digest(secret))
                .with(\.$user)
                .first()
            if let session, session.expiresAt > request.now, session.user.isActive {
                request.currentUser = try CurrentUser(session.user, sessionID: session.id)
            }
        }
        return try await next.respond(to: request)
    }
}

/// Finds the user of a personal API token sent as `Authorization: Bearer <token>`.
struct BearerAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            let token = try await APITokenModel.query(on: request.db)
                .filter(\.$tokenHash == SecureToken.digest(bearer.token))
                .filter(\.$revokedAt == nil)
                .with(\.$user)
                .first()
            guard let token, token.user.isActive else {
                throw Abort(.unauthorized, reason: "error.invalid_token")
            }
            // Record use at most once a minute, to keep reads read-only.
            let now = request.now
            if (token.lastUsedAt.map { now.timeIntervalSince($0) > 60 }) ?? true {
                token.lastUsedAt = now
                try await token.update(on: request.db)
            }
            request.currentUser = try CurrentUser(token.user, tokenID: token.id)
        }
        return try await next.respond(to: request)
    }
}

/// Double-submit CSRF protection: a random token in an HttpOnly cookie must come back in
/// the `_csrf` field (or `X-CSRF-Token` header) of every state-changing request.
struct CSRFProtection: AsyncMiddleware {
    /// The largest form body read to find the token: the largest upload a page accepts.
    static let maximumFormBody = 50 * 1024 * 1024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cookieToken = request.cookies[CookieNames.csrf]?.string ?? ""
        if request.method != .GET, request.method != .HEAD, request.method != .OPTIONS {
            // Large form bodies (uploads) arrive streamed: collect them to read the token.
            if request.body.data == nil, request.headers.first(name: "X-CSRF-Token") == nil {
                _ = try await request.body.collect(max: CSRFProtection.maximumFormBody).get()
            }
            let sent = request.headers.first(name: "X-CSRF-Token")
                ?? (try? request.content.get(String.self, at: "_csrf"))
                ?? ""
            guard !cookieToken.isEmpty, SecureToken.constantTimeEquals(sent, cookieToken) else {
                throw Abort(.forbidden, reason: "error.csrf")
            }
        }
        request.csrfToken = cookieToken.isEmpty ? SecureToken.generate() : cookieToken
        let issueCookie = cookieToken.isEmpty
        let response = try await next.respond(to: request)
        if issueCookie || request.csrfRotated {
            response.cookies[CookieNames.csrf] = request.secureCookie(request.csrfToken, maxAge: nil)
        }
        return response
    }
}

extension Request {
    private struct CSRFTokenKey: StorageKey { typealias Value = String }
    private struct CSRFRotatedKey: StorageKey { typealias Value = Bool }

    /// The token every form of this response must carry.
    var csrfToken: String {
        get { storage[CSRFTokenKey.self] ?? "" }
        set { storage[CSRFTokenKey.self] = newValue }
    }

    var csrfRotated: Bool { storage[CSRFRotatedKey.self] ?? false }

    /// Issues a fresh CSRF token (at sign-in and sign-out).
    func rotateCSRFToken() {
        csrfToken = SecureToken.generate()
        storage[CSRFRotatedKey.self] = true
    }

    /// A cookie as Corridor sets them: HttpOnly, SameSite=Lax, Secure over https.
    func secureCookie(_ value: String, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/",
            isSecure: corridor.configuration.usesSecureCookies, isHTTPOnly: true, sameSite: .lax
        )
    }
}
