import CorridorCore
import Vapor

/// The action a route requires, kept on the route so that the permission tests can read it.
enum RouteAccess {
    static let actionKey = "corridor.action"

    static func action(of route: Route) -> Action? {
        route.userInfo[AnySendableHashable(actionKey)] as? Action
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
        let route = grouped(AccessGuard(action: action)).on(method, path, body: body, use: handler)
        route.userInfo[AnySendableHashable(RouteAccess.actionKey)] = action
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
