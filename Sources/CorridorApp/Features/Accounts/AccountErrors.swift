import CorridorCore

/// Business-rule failures of account changes; each names the field it concerns and a
/// catalogue key for its message.
enum AccountError: Error, Equatable, Sendable {
    case invalidEmail
    case emailTaken
    case nameRequired
    case unknownRole
    case institutionRequired
    case unknownInstitution
    case acronymTaken
    case acronymRequired
    case invalidCountry
    case unknownKind
    case weakPassword(PasswordPolicy.Problem)
    case wrongCurrentPassword
    case staleVersion
    case notFound
    case cannotDisableSelf
    case unknownOffice

    var field: String? {
        switch self {
        case .invalidEmail, .emailTaken: return "email"
        case .nameRequired: return "name"
        case .unknownRole: return "role"
        case .institutionRequired, .unknownInstitution: return "institution"
        case .unknownOffice: return "offices"
        case .acronymTaken, .acronymRequired: return "acronym"
        case .invalidCountry: return "country"
        case .unknownKind: return "kind"
        case .weakPassword(let problem): return problem == .mismatch ? "confirmation" : "password"
        case .wrongCurrentPassword: return "current"
        case .staleVersion, .notFound, .cannotDisableSelf: return nil
        }
    }

    var messageKey: String {
        switch self {
        case .invalidEmail: return "account.error.invalid_email"
        case .emailTaken: return "account.error.email_taken"
        case .nameRequired: return "account.error.name_required"
        case .unknownRole: return "account.error.unknown_role"
        case .institutionRequired: return "account.error.institution_required"
        case .unknownInstitution: return "account.error.unknown_institution"
        case .acronymTaken: return "account.error.acronym_taken"
        case .acronymRequired: return "account.error.acronym_required"
        case .invalidCountry: return "account.error.invalid_country"
        case .unknownKind: return "account.error.unknown_kind"
        case .weakPassword(let problem): return problem.rawValue
        case .wrongCurrentPassword: return "account.error.wrong_current_password"
        case .staleVersion: return "form.error.stale_version"
        case .notFound: return "error.not_found"
        case .cannotDisableSelf: return "account.error.cannot_disable_self"
        case .unknownOffice: return "account.error.unknown_office"
        }
    }

    /// For the command line, which speaks English.
    var englishDescription: String {
        switch self {
        case .invalidEmail: return "the e-mail address is not valid"
        case .emailTaken: return "a user with this e-mail address already exists"
        case .nameRequired: return "a name is required"
        case .unknownRole: return "unknown role (expected one of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .institutionRequired: return "a focal point must belong to an institution (--institution ACRONYM)"
        case .unknownInstitution: return "no institution has this acronym"
        case .acronymTaken: return "an institution with this acronym already exists"
        case .acronymRequired: return "an acronym is required"
        case .invalidCountry: return "the country must be an ISO 3166-1 alpha-3 code such as CIV"
        case .unknownKind: return "unknown institution kind"
        case .weakPassword(let problem): return "password rejected: \(problem.rawValue)"
        case .wrongCurrentPassword: return "the current password is wrong"
        case .staleVersion: return "the record was changed by someone else"
        case .notFound: return "no such record"
        case .cannotDisableSelf: return "you cannot disable your own account"
        case .unknownOffice: return "offices are the codes of the mission's offices (ISO 3166-1 alpha-3, listed at /admin/offices) separated by commas, such as CIV,TUN (or * for every office)"
        }
    }
}
