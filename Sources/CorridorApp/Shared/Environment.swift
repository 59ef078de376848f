import CorridorCore
import Foundation
import NIOConcurrencyHelpers
import Vapor

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

/// Random secrets (session ids, API tokens, one-time passwords) and their stored hashes.
enum SecureToken {
    /// `byteCount` random bytes from the system's secure generator, base64url-encoded.
    static func generate(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A one-time password a person can type: 16 characters without look-alikes.
    static func oneTimePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(characters)
    }

    /// Tokens are stored as SHA-256 hex digests, never in clear.
    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }

    /// Compares two secrets in time independent of where they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// What the whole application shares: settings, catalogues, the clock, static assets.
struct CorridorServices: Sendable {
    var configuration: CorridorConfiguration
    var catalogues: [Language: Catalogue]
    var timeSource: any TimeSource
    var throttle: LoginThrottle
    var assets: [String: Asset]
    /// A bcrypt hash of a random secret, checked when an e-mail is unknown so that the
    /// answer takes as long as for a real account.
    var decoyPasswordHash: String
    /// The questionnaires and weight tables shipped with Corridor (seeded into the database).
    var questionnaires: [Questionnaire] = []
    var weightTables: [WeightTable] = []
    /// Figures read from the return summary, kept while it does not change.
    var summaryCache = SummaryCache()
    /// Whether the shipped questionnaires and weight tables are stored already.
    var profilingSeeded = ProfilingCatalog.SeededFlag()

    struct Asset: Sendable {
        var contentType: HTTPMediaType
        var body: String
    }

    func catalogue(_ language: Language) -> Catalogue {
        catalogues[language] ?? Catalogue(language: language, strings: [:])
    }
}

extension Application {
    private struct ServicesKey: StorageKey { typealias Value = CorridorServices }

    var corridor: CorridorServices {
        get {
            guard let services = storage[ServicesKey.self] else {
                fatalError("configure(_:) must run before Corridor services are used")
            }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }
}

extension Request {
    var corridor: CorridorServices { application.corridor }
    var now: Date { application.corridor.timeSource.now() }

    /// The caller's address for throttling and the audit trail.
    var clientAddress: String {
        remoteAddress?.ipAddress ?? "unknown"
    }
}
