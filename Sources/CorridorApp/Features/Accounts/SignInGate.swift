import CorridorCore
import Foundation

/// What sign-in must count atomically, in the process that checks passwords: attempts under way
/// per account (so that thirty simultaneous guesses are not all checked against a count of
/// zero), and when an address that failed too often may try next (attempts spaced, not refused).
actor SignInGate {
    private var inFlight: [String: Int] = [:]
    private var nextTurn: [String: ContinuousClock.Instant] = [:]

    /// Admits a password check for an account with `recordedFailures` failures in the window;
    /// false when the checks already under way would reach the limit.
    func admit(account: String, recordedFailures: Int, throttle: LoginThrottle) -> Bool {
        let running = inFlight[account, default: 0]
        guard !throttle.shouldLockAccount(recentFailures: recordedFailures + running) else { return false }
        inFlight[account] = running + 1
        return true
    }

    func finish(account: String) {
        let running = inFlight[account, default: 1] - 1
        inFlight[account] = running > 0 ? running : nil
    }

    /// How long an attempt from `address` waits for its turn: zero below the limit; nil when the
    /// turn is further away than the throttle allows (the attempt is refused for now).
    func wait(address: String, recordedFailures: Int, throttle: LoginThrottle) -> Duration? {
        let spacing = throttle.addressSpacing(recentFailures: recordedFailures)
        guard spacing > 0 else { return .zero }
        let now = ContinuousClock.now
        if nextTurn.count > 10_000 { nextTurn = nextTurn.filter { $0.value > now } }
        let turn = max(now, nextTurn[address] ?? now)
        let wait = turn - now
        guard wait <= .milliseconds(Int(throttle.maximumAddressWait * 1_000)) else { return nil }
        nextTurn[address] = turn + .milliseconds(Int(spacing * 1_000))
        return wait
    }
}
