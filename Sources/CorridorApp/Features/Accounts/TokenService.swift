import CorridorCore
import Fluent
import Foundation
import Vapor

/// Personal API tokens: shown once at creation, stored as a SHA-256 digest, revocable.
struct TokenService: Sendable {
    static let secretPrefix = "crd_"

    let database: any Database
    let actor: AuditActor
    let now: Date

    init(_ context: ServiceContext) {
        database = context.database
        actor = context.actor
        now = context.now
    }

    /// Creates a token for `userID`; the returned secret is the only copy in clear.
    func create(userID: UUID, name: String) async throws -> (token: APITokenModel, secret: String) {
        let label = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty, label.count <= 100 else { throw TokenError.nameRequired }
        let secret = Self.secretPrefix + SecureToken.generate()
        let actor = self.actor, now = self.now
        let token = try await database.writeTransaction { db in
            let token = APITokenModel()
            token.$user.id = userID
            token.name = label
            token.tokenHash = SecureToken.digest(secret)
            token.prefix = String(secret.prefix(10))
            token.createdAt = now
            try await token.create(on: db)
            try await AuditLog.append(
                AuditEvent(action: .tokenCreated, entityType: "api_token", entityID: token.id?.uuidString, detail: "user \(userID.uuidString)"),
                by: actor, at: now, on: db)
            return token
        }
        return (token, secret)
    }

    /// Revokes one of the user's tokens; a token of someone else is "not found".
    func revoke(tokenID: UUID, userID: UUID) async throws {
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            guard let token = try await APITokenModel.query(on: db)
                .filter(\.$id == tokenID).filter(\.$user.$id == userID).first() else {
                throw Abort(.notFound)
            }
            guard token.revokedAt == nil else { return }
            token.revokedAt = now
            try await token.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .tokenRevoked, entityType: "api_token", entityID: tokenID.uuidString, changedFields: ["revoked_at"]),
                by: actor, at: now, on: db)
        }
    }
}

enum TokenError: Error {
    case nameRequired
}
