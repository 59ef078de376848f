import Foundation
import NIOConcurrencyHelpers

/// A small per-address limit for the public API: `limit` requests per `window` seconds.
final class PublicRateLimiter: Sendable {
    private let state = NIOLockedValueBox<[String: [Date]]>([:])
    let limit: Int
    let window: TimeInterval

    init(limit: Int = 60, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// `limit` 0 lets every request through.
    func allow(_ address: String, now: Date) -> Bool {
        if limit == 0 { return true }
        return state.withLockedValue { requests in
            if requests.count > 10_000 { requests = requests.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false } }
            var recent = (requests[address] ?? []).filter { now.timeIntervalSince($0) < window }
            guard recent.count < limit else { requests[address] = recent; return false }
            recent.append(now)
            requests[address] = recent
            return true
        }
    }
}
