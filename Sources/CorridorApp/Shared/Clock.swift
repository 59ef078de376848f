import Foundation
import NIOConcurrencyHelpers

/// Where the time comes from; tests move it by hand.
protocol TimeSource: Sendable {
    func now() -> Date
}

struct SystemTimeSource: TimeSource {
    func now() -> Date { Date() }
}

/// A clock that only moves when told to.
final class ManualTimeSource: TimeSource {
    private let current: NIOLockedValueBox<Date>

    init(_ start: Date) { current = .init(start) }

    func now() -> Date { current.withLockedValue { $0 } }

    func advance(by seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}
