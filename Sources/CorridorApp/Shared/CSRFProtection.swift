import CorridorCore
import Foundation
import Vapor

enum CookieNames {
    static let session = "corridor_session"
    static let csrf = "corridor_csrf"
}

/// Double-submit CSRF protection: a random token in an HttpOnly cookie must come back in
/// the `_csrf` field (or `X-CSRF-Token` header) of every state-changing request.
struct CSRFProtection: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cookieToken = request.cookies[CookieNames.csrf]?.string ?? ""
        if request.method != .GET, request.method != .HEAD, request.method != .OPTIONS {
            guard !cookieToken.isEmpty else { throw Abort(.forbidden, reason: "error.csrf") }
            // A body still streaming to a route for signed-in people, sent by nobody signed in:
            // the route's guard answers, and not a byte of the body is read.
            if request.body.data == nil, let action = request.route.flatMap(RouteAccess.action(of:)), request.currentUser == nil, Policy.requiresSignIn(action) {
                return try await next.respond(to: request)
            }
            // The route's own limit applies before anything is buffered: large bodies (uploads)
            // arrive streamed and are collected up to it to read the token.
            let limit = RouteAccess.bodyLimit(of: request.route, default: request.application.routes.defaultMaxBodySize.value)
            if let data = request.body.data, data.readableBytes > limit { throw Abort(.payloadTooLarge) }
            if request.body.data == nil, request.headers.first(name: "X-CSRF-Token") == nil {
                _ = try await request.body.collect(max: limit).get()
            }
            let sent = request.headers.first(name: "X-CSRF-Token")
                ?? (try? request.content.get(String.self, at: "_csrf"))
                ?? ""
            guard !cookieToken.isEmpty, ConstantTime.equal(sent, cookieToken) else {
                throw Abort(.forbidden, reason: "error.csrf")
            }
        }
        request.csrfToken = cookieToken.isEmpty ? SecureToken.generate() : cookieToken
        let issueCookie = cookieToken.isEmpty
        let response = try await next.respond(to: request)
        // Someone signed in holds a session cookie anyway; an anonymous visitor gets the CSRF
        // cookie with a page that carries a form only, so that the public pages set no cookie
        // at all and can be cached.
        let signedIn = request.cookies[CookieNames.session] != nil
        if (issueCookie && (signedIn || Self.carriesForm(response))) || request.csrfRotated {
            response.cookies[CookieNames.csrf] = request.secureCookie(request.csrfToken, maxAge: nil)
        }
        return response
    }

    /// Whether a response is a page with a form of Corridor's (its CSRF field).
    static func carriesForm(_ response: Response) -> Bool {
        guard response.headers.contentType == .html, let body = response.body.buffer else { return false }
        return body.readableBytesView.firstRange(of: Self.formMarker) != nil
    }

    static let formMarker = Array(#"name="_csrf""#.utf8)
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
