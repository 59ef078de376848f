import CorridorCore
import Foundation

/// What sign-in must count atomically, in the process that checks passwords: one attempt per
/// account at a time (so that thirty simultaneous guesses are not all checked against a count
/// of zero), and when an address that failed too often may try next (spaced, not refused).
actor SignInGate {
    private var busy: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var nextTurn: [String: ContinuousClock.Instant] = [:]

    /// Waits until no other attempt on `account` is being checked: an account's attempts are
    /// checked one after the other, each reading the failures the one before recorded.
    func acquire(account: String) async {
        guard busy.contains(account) else { busy.insert(account); return }
        await withCheckedContinuation { waiting[account, default: []].append($0) }
    }

    /// Lets the next attempt on `account` in (it inherits the turn).
    func release(account: String) {
        if var queue = waiting[account], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[account] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(account)
            waiting[account] = nil
        }
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
