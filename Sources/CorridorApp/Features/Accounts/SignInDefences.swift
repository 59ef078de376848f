import CorridorCore
import Vapor

/// What sign-in keeps for the life of the process: the throttling rules, and a bcrypt hash of a
/// random secret, checked when an e-mail is unknown so that the answer takes as long as for a
/// real account.
struct SignInDefences: Sendable {
    var throttle: LoginThrottle
    var decoyPasswordHash: String
    /// The counts that must be atomic under concurrent attempts.
    var gate = SignInGate()
}

extension Application {
    private struct SignInDefencesKey: StorageKey { typealias Value = SignInDefences }

    var signInDefences: SignInDefences {
        get { configured(SignInDefencesKey.self) }
        set { storage[SignInDefencesKey.self] = newValue }
    }
}
