import Foundation

/// The kinds of institution a user can belong to.
public enum InstitutionKind: String, Sendable, CaseIterable, Codable {
    case ministry
    case agency
    case internationalOrganisation = "international_organisation"
    case embassy
    case ngo
}

/// Rules on passwords; bcrypt hashing happens in the web layer.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 72 // bcrypt ignores what lies beyond 72 bytes

    public enum Problem: String, Sendable, Equatable {
        case tooShort = "password.too_short"
        case tooLong = "password.too_long"
        case sameAsEmail = "password.same_as_email"
        case mismatch = "password.mismatch"
        case sameAsCurrent = "password.same_as_current"
    }

    /// The first rule a new password breaks, or nil when it is acceptable.
    public static func problem(password: String, confirmation: String, email: String, current: String? = nil) -> Problem? {
        if password.count < minimumLength { return .tooShort }
        if password.utf8.count > maximumLength { return .tooLong }
        if password.lowercased() == email.lowercased() { return .sameAsEmail }
        if let current, password == current { return .sameAsCurrent }
        if password != confirmation { return .mismatch }
        return nil
    }
}

/// E-mail addresses as account identifiers: trimmed, lower-cased, minimally checked.
public enum EmailAddress {
    public static func normalized(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    public static func isPlausible(_ raw: String) -> Bool {
        let email = normalized(raw)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), email.count <= 254 else { return false }
        return !email.contains(where: { $0.isWhitespace })
    }
}

/// Login throttling: after `maximumFailures` failed attempts on one account within the
/// window, the account is locked for `lockDuration`; one address is limited as well.
public struct LoginThrottle: Sendable, Equatable {
    public var maximumFailuresPerAccount: Int
    public var maximumFailuresPerAddress: Int
    public var window: TimeInterval
    public var lockDuration: TimeInterval
    /// The spacing of attempts from an address past its failures, before it grows.
    public var addressDelay: TimeInterval
    /// The longest an attempt waits for its turn; beyond, it is refused (try again later).
    public var maximumAddressWait: TimeInterval

    public init(
        maximumFailuresPerAccount: Int = 5,
        maximumFailuresPerAddress: Int = 20,
        window: TimeInterval = 15 * 60,
        lockDuration: TimeInterval = 15 * 60,
        addressDelay: TimeInterval = 1,
        maximumAddressWait: TimeInterval = 60
    ) {
        self.maximumFailuresPerAccount = maximumFailuresPerAccount
        self.maximumFailuresPerAddress = maximumFailuresPerAddress
        self.window = window
        self.lockDuration = lockDuration
        self.addressDelay = addressDelay
        self.maximumAddressWait = maximumAddressWait
    }

    /// How far apart attempts from an address with `recentFailures` failures are spaced: none
    /// below the limit, then growing by half with each failure past it, ten seconds at most.
    /// Many people share one address here (carrier NAT): an address is slowed, never shut,
    /// and a right password of an unlocked account gets in after its wait.
    public func addressSpacing(recentFailures: Int) -> TimeInterval {
        guard recentFailures >= maximumFailuresPerAddress else { return 0 }
        let past = Double(min(recentFailures - maximumFailuresPerAddress, 20))
        return min(addressDelay * pow(1.5, past), 10 * addressDelay)
    }

    /// The start of the window that counts for an attempt made at `now`.
    public func windowStart(now: Date) -> Date { now.addingTimeInterval(-window) }

    /// Whether an account with `recentFailures` failures in the window must now be locked.
    public func shouldLockAccount(recentFailures: Int) -> Bool {
        recentFailures >= maximumFailuresPerAccount
    }


    public func lockedUntil(now: Date) -> Date { now.addingTimeInterval(lockDuration) }
}
