import Foundation
import Vapor

/// Filters of the audit trail page.
struct AuditFilter: Sendable, Content {
    var actor: String?
    var action: String?
    var entity: String?
    var from: String?
    var to: String?
    var page: Int?

    static let pageSize = 50

    /// A `yyyy-MM-dd` date as the first millisecond of that day, UTC.
    static func milliseconds(_ text: String?, endOfDay: Bool) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var components = DateComponents()
        components.year = parts[0]; components.month = parts[1]; components.day = parts[2]
        components.timeZone = TimeZone(identifier: "UTC")
        guard let date = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        let start = Int64(date.timeIntervalSince1970 * 1000)
        return endOfDay ? start + 86_400_000 - 1 : start
    }
}
