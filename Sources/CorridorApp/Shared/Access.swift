import CorridorCore
import Vapor

/// The action a route requires, kept on the route so that the permission tests can read it.
enum RouteAccess {
    static let actionKey = "corridor.action"
    static let bodyLimitKey = "corridor.body_limit"
    /// What a route open to anonymous visitors reads of a body (the sign-in form is a few
    /// hundred bytes): kilobytes, so that nobody can make the server hold megabytes unsigned.
    static let anonymousBodyLimit = 16 * 1024

    static func action(of route: Route) -> Action? {
        route.userInfo[AnySendableHashable(actionKey)] as? Action
    }

    /// The most bytes of a body the route reads, checked before anything buffers it.
    static func bodyLimit(of route: Route?, default fallback: Int) -> Int {
        route.flatMap { $0.userInfo[AnySendableHashable(bodyLimitKey)] as? Int } ?? fallback
    }
}

/// The single place where permissions are enforced: it asks `Policy` whether the current
/// principal may perform the route's action.
struct AccessGuard: AsyncMiddleware {
    let action: Action

    /// Paths a person who must change their password may still open.
    static let allowedDuringPasswordChange: Set<String> = ["/account/password", "/logout"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let user = request.currentUser
        guard Policy.allows(user?.principal, action) else {
            if user == nil, Policy.requiresSignIn(action) {
                if request.isAPI || request.headers.bearerAuthorization != nil { throw Abort(.unauthorized, reason: "error.sign_in_required") }
                let next = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
                return request.redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            throw Abort(.forbidden, reason: "error.forbidden")
        }
        if let user, user.mustChangePassword, !Self.allowedDuringPasswordChange.contains(request.url.path), action != .viewPublic {
            if request.isAPI || user.tokenID != nil { throw Abort(.forbidden, reason: "error.password_change_required") }
            return request.redirect(to: "/account/password")
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    var isAPI: Bool { url.path.hasPrefix("/api/") }
}

extension RoutesBuilder {
    /// Registers a route that requires `action`; every route of Corridor goes through here.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: [PathComponent], action: Action, body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        var strategy = body
        if case .collect(nil) = body, !Policy.requiresSignIn(action) { strategy = .collect(maxSize: ByteCount(value: RouteAccess.anonymousBodyLimit)) }
        let route = grouped(AccessGuard(action: action)).on(method, path, body: strategy, use: handler)
        route.userInfo[AnySendableHashable(RouteAccess.actionKey)] = action
        if case .collect(let limit) = strategy, let limit { route.userInfo[AnySendableHashable(RouteAccess.bodyLimitKey)] = limit.value }
        return route
    }

    @discardableResult
    func get<Response: AsyncResponseEncodable>(
        _ path: PathComponent..., action: Action,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        on(.GET, path, action: action, use: handler)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(
        _ path: PathComponent..., action: Action,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        on(.POST, path, action: action, use: handler)
    }

    @discardableResult
    func put<Response: AsyncResponseEncodable>(
        _ path: PathComponent..., action: Action,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        on(.PUT, path, action: action, use: handler)
    }

    @discardableResult
    func delete<Response: AsyncResponseEncodable>(
        _ path: PathComponent..., action: Action,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        on(.DELETE, path, action: action, use: handler)
    }
}
