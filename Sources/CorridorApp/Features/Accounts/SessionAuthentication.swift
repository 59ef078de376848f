import CorridorCore
import Fluent
import Foundation
import Vapor

extension CurrentUser {
    /// The acting user of a stored account; an account with an unknown role is refused.
    init(_ user: UserModel, sessionID: UUID? = nil, tokenID: UUID? = nil) throws {
        guard let role = Role(rawValue: user.role) else { throw Abort(.forbidden) }
        self.init(id: try user.requireID(), email: user.email, name: user.name, role: role, institutionID: user.$institution.id,
                  offices: OfficeScope(stored: user.offices), preferredLanguage: user.preferredLanguage.flatMap(Language.init(rawValue:)),
                  mustChangePassword: user.mustChangePassword, sessionID: sessionID, tokenID: tokenID)
    }
}

/// Finds the signed-in user from the session cookie. Sessions live in the database; the
/// cookie holds a random secret whose SHA-256 is the stored key. A session still waiting for
/// its second factor signs nobody in: it is only noted, for the second step's pages.
struct SessionAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let secret = request.cookies[CookieNames.session]?.string, !secret.isEmpty, let session = try await Self.session(secret, request) {
            if let step = session.pendingStep.flatMap(PendingStep.init(rawValue:)) {
                request.pendingSignIn = PendingSignIn(userID: session.$user.id, sessionID: try session.requireID(), step: step, email: session.user.email)
            } else if session.pendingStep == nil {
                request.currentUser = try CurrentUser(session.user, sessionID: session.id)
                // Log lines of the request name the account by id (never by name or e-mail).
                request.logger[metadataKey: "user-id"] = .string(session.$user.id.uuidString)
            }
        }
        return try await next.respond(to: request)
    }

    /// The live session whose cookie holds `secret`, with its user, if any.
    static func session(_ secret: String, _ request: Request) async throws -> SessionModel? {
        let session = try await SessionModel.query(on: request.db)
            .filter(\.$tokenHash == SecureToken.digest(secret))
            .with(\.$user)
            .first()
        guard let session, session.expiresAt > request.now, session.user.isActive else { return nil }
        return session
    }

    /// The signed-in user of the session whose cookie holds `secret`, if any (never one
    /// waiting for its second factor).
    static func user(_ secret: String, _ request: Request) async throws -> CurrentUser? {
        guard let session = try await session(secret, request), session.pendingStep == nil else { return nil }
        return try CurrentUser(session.user, sessionID: session.id)
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
            request.logger[metadataKey: "user-id"] = .string(token.$user.id.uuidString)
        }
        return try await next.respond(to: request)
    }
}
