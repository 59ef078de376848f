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
    /// The queue of likely duplicates: decide whether two records are one person, undo a link.
    case reviewDuplicates = "review_duplicates"
    /// Action matrices (focal points see validated ones only), institution pages, the Joint Commission report.
    case viewMatrices = "view_matrices"
    /// Creating, editing, submitting, validating, archiving matrices; milestones; imports.
    case manageMatrices = "manage_matrices"
    /// Following actions up: reaching the forms; which actions is decided by `actionRight`.
    case followUpActions = "follow_up_actions"
    case importInstitutions = "import_institutions"
    /// The internal profiling and reintegration report (aggregates only).
    case viewProfiling = "view_profiling"
    /// Typing interviews in the questionnaire forms.
    case recordInterviews = "record_interviews"
    /// Importing field-survey exports and editing their mappings and weight tables.
    case importInterviews = "import_interviews"
    /// The list of reintegration follow-ups due (names of returnees).
    case viewFollowUps = "view_follow_ups"
    /// Key figures (aggregates, with their press-release wording).
    case viewFigures = "view_figures"
    /// Writing, previewing and publishing news and press releases.
    case manageNews = "manage_news"
    /// The website's section pages: writing, previewing, publishing, restoring, ordering the menu.
    case manageSitePages = "manage_site_pages"
    /// The mission's offices (the cases' office field, the filters, *Où travaillons-nous*).
    case manageOffices = "manage_offices"
    /// Answering a person's request for their file (data protection): their records, and for
    /// the protection role their protected details and who read them.
    case answerAccessRequests = "answer_access_requests"
    /// Erasing a person's data on their request (anonymising them; the figures are unchanged).
    case eraseOnRequest = "erase_on_request"
    /// The retention policy page and running it now.
    case manageRetention = "manage_retention"
    /// Attaching, listing, downloading and deleting the attachments marked protected (medical
    /// certificates, papers of a trafficking case): the protection officer's alone.
    case handleProtectedAttachments = "handle_protected_attachments"
}

/// What a person may do on one action of a matrix.
public enum ActionRight: Sendable, Equatable, Comparable {
    case none
    /// Add follow-up entries (comments): partner institutions.
    case comment
    /// Change status, progress, indicator values and add updates: the lead institution.
    case update
    /// Everything, the structure included: M&E officers and administrators.
    case manage
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
        .viewCases: .roles([.admin, .caseworker, .protection]),
        .editCases: .roles([.admin, .caseworker, .protection]),
        .viewProtected: .roles([.admin, .protection]),
        .editProtected: .roles([.admin, .protection]),
        .importCases: .roles([.admin, .caseworker, .protection]),
        .exportCases: .roles([.admin, .caseworker, .protection]),
        .reviewDuplicates: .roles([.admin, .caseworker, .protection]),
        .viewMatrices: .signedIn,
        .manageMatrices: .roles([.admin, .meOfficer]),
        .followUpActions: .roles([.admin, .meOfficer, .focalPoint]),
        .importInstitutions: .roles([.admin]),
        .viewProfiling: .roles([.admin, .meOfficer, .caseworker, .protection, .communications]),
        .recordInterviews: .roles([.admin, .meOfficer, .caseworker, .protection]),
        .importInterviews: .roles([.admin, .meOfficer]),
        .viewFollowUps: .roles([.admin, .caseworker, .protection]),
        .viewFigures: .signedIn,
        .manageNews: .roles([.admin, .communications]),
        .manageSitePages: .roles([.admin, .communications]),
        .manageOffices: .roles([.admin, .communications]),
        .answerAccessRequests: .roles([.admin, .protection]),
        .eraseOnRequest: .roles([.admin, .protection]),
        .manageRetention: .roles([.admin]),
        .handleProtectedAttachments: .roles([.protection]),
    ]

    /// Whether drafts and matrices under review are visible (others see validated and archived ones).
    public static func seesUnvalidatedMatrices(_ principal: Principal?) -> Bool {
        guard let role = principal?.role else { return false }
        return role == .admin || role == .meOfficer
    }

    /// The scope rule of action follow-up: a focal point updates what its institution leads
    /// and comments on what it is a partner of; nothing else.
    public static func actionRight(_ principal: Principal?, leadInstitutionID: String, partnerInstitutionIDs: [String]) -> ActionRight {
        guard let principal else { return .none }
        switch principal.role {
        case .admin, .meOfficer:
            return .manage
        case .focalPoint:
            guard let own = principal.institutionID?.uppercased() else { return .none }
            if own == leadInstitutionID.uppercased() { return .update }
            if partnerInstitutionIDs.contains(where: { $0.uppercased() == own }) { return .comment }
            return .none
        case .caseworker, .protection, .communications:
            return .none
        }
    }

    /// The offices whose cases `principal` reaches — lists, pages, exports, the API, follow-ups,
    /// writes and imports alike; nil: every office's (administrators, and users given `*`).
    public static func caseOffices(_ principal: Principal?) -> OfficeScope? {
        guard let principal else { return OfficeScope.none }
        guard OfficeScope.limits(principal.role), !principal.offices.everyOffice else { return nil }
        return principal.offices
    }

    /// Exports carry protected columns for this role only: mass extraction of trafficking
    /// and medical details is left to the protection officer, not to administrators.
    public static func exportIncludesProtectedColumns(_ role: Role) -> Bool { role == .protection }
    /// Whether a case file with protected columns may be imported by the role.
    public static func importsProtectedColumns(_ role: Role) -> Bool { role == .protection }

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
