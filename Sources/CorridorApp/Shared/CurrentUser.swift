import CorridorCore
import Foundation
import Vapor

/// The person behind a request, as the rest of the app sees them.
struct CurrentUser: Sendable {
    var id: UUID
    var email: String
    var name: String
    var role: Role
    var institutionID: UUID?
    var offices: OfficeScope = .all
    var preferredLanguage: Language?
    var mustChangePassword: Bool
    /// Set when signed in through the browser.
    var sessionID: UUID?
    /// Set when authenticated with a personal API token.
    var tokenID: UUID?

    var principal: Principal { Principal(role: role, institutionID: institutionID?.uuidString, offices: offices) }
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
            return AuditActor(id: user.id.uuidString, label: user.email, address: clientAddress, anchor: corridor.auditAnchor)
        }
        return AuditActor(id: nil, label: "anonymous", address: clientAddress, anchor: corridor.auditAnchor)
    }
}
