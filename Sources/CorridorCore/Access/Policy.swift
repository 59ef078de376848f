/// Everything a route can require. Every route declares exactly one action; the
/// `Policy` table alone decides who may perform it.
public enum Action: String, Sendable, CaseIterable, Hashable {
    /// Pages and endpoints for anyone, signed in or not (sign-in form, health, assets).
    case viewPublic = "view_public"
    /// Anything a signed-in person does with their own account (home, password, tokens, sign-out).
    case useOwnAccount = "use_own_account"
    /// Reading the list of institutions (names and acronyms only).
    case viewInstitutions = "view_institutions"
    case manageUsers = "manage_users"
    case manageInstitutions = "manage_institutions"
    case viewAuditTrail = "view_audit_trail"
    /// The caseload: list, search, case pages (never protected content).
    case viewCases = "view_cases"
    /// Registering, editing and moving cases, recording assistance.
    case editCases = "edit_cases"
    /// Reading trafficking details and medical notes (every read is audited).
    case viewProtected = "view_protected"
    case editProtected = "edit_protected"
    case importCases = "import_cases"
    case exportCases = "export_cases"
}

/// Who an action is open to.
public enum Audience: Sendable, Equatable {
    case everyone
    case signedIn
    case roles(Set<Role>)
}

/// The one table of permissions. Handlers never check roles themselves.
public enum Policy {
    public static let table: [Action: Audience] = [
        .viewPublic: .everyone,
        .useOwnAccount: .signedIn,
        .viewInstitutions: .signedIn,
        .manageUsers: .roles([.admin]),
        .manageInstitutions: .roles([.admin]),
        .viewAuditTrail: .roles([.admin]),
        .viewCases: .roles([.admin, .caseworker, .protection, .meOfficer]),
        .editCases: .roles([.admin, .caseworker, .protection]),
        .viewProtected: .roles([.admin, .protection]),
        .editProtected: .roles([.admin, .protection]),
        .importCases: .roles([.admin, .caseworker]),
        .exportCases: .roles([.admin, .caseworker, .protection, .meOfficer]),
    ]

    /// Exports carry protected columns for this role only: mass extraction of trafficking
    /// and medical details is left to the protection officer, not to administrators.
    public static func exportIncludesProtectedColumns(_ role: Role) -> Bool { role == .protection }

    /// The audience of an action; an action missing from the table is open to nobody.
    public static func audience(of action: Action) -> Audience {
        table[action] ?? .roles([])
    }

    /// Whether `principal` (nil when nobody is signed in) may perform `action`.
    public static func allows(_ principal: Principal?, _ action: Action) -> Bool {
        switch audience(of: action) {
        case .everyone:
            return true
        case .signedIn:
            return principal != nil
        case .roles(let roles):
            guard let principal else { return false }
            return roles.contains(principal.role)
        }
    }

    /// Whether a request without anyone signed in must first sign in (as opposed to being refused).
    public static func requiresSignIn(_ action: Action) -> Bool {
        audience(of: action) != .everyone
    }
}
