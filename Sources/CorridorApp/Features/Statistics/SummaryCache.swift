import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Answers read from the return summary, kept while the summary's version (`summary_state`,
/// moved by every change, whichever process makes it) stays the same: a cached figure is
/// always the figure a recount would give. One per application.
final class SummaryCache: Sendable {
    private let entries = NIOLockedValueBox<[String: (version: Int, rows: [SummaryRow])]>([:])

    struct SummaryRow: Sendable, Decodable { var r: String?; var k: String?; var total: Int }

    func rows(_ key: String, version: Int, compute: () async throws -> [SummaryRow]) async throws -> [SummaryRow] {
        if let hit = entries.withLockedValue({ $0[key] }), hit.version == version { return hit.rows }
        let rows = try await compute()
        entries.withLockedValue { entries in
            if entries.count > 1_000 { entries = entries.filter { $0.value.version == version } }
            entries[key] = (version, rows)
        }
        return rows
    }
}

extension Application {
    private struct SummaryCacheKey: StorageKey { typealias Value = SummaryCache }

    /// The summary answers of this application.
    var summaryCache: SummaryCache {
        get { configured(SummaryCacheKey.self) }
        set { storage[SummaryCacheKey.self] = newValue }
    }
}
