import CorridorCore
import Vapor

/// What sign-in keeps for the life of the process: the throttling rules, and a bcrypt hash of a
/// random secret, checked when an e-mail is unknown so that the answer takes as long as for a
/// real account.
struct SignInDefences: Sendable {
    var throttle: LoginThrottle
    /// Made at the first sign-in rather than at start-up: a bcrypt hash costs a tenth of a
    /// second, which every command (`corridor match`, `corridor figures`) would pay for nothing.
    var decoy = DecoyPasswordHash()
    /// The counts that must be atomic under concurrent attempts.
    var gate = SignInGate()
}

/// The decoy hash, made once, by the first sign-in that needs it.
actor DecoyPasswordHash {
    private var hash: String?

    func value(hashing: @Sendable () async throws -> String) async throws -> String {
        if let hash { return hash }
        let made = try await hashing()
        hash = made
        return made
    }
}

extension Application {
    private struct SignInDefencesKey: StorageKey { typealias Value = SignInDefences }

    var signInDefences: SignInDefences {
        get { configured(SignInDefencesKey.self) }
        set { storage[SignInDefencesKey.self] = newValue }
    }
}
