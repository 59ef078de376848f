import Foundation

/// A calendar day without time or time zone, written `YYYY-MM-DD`. Case dates are days:
/// a departure is on 17 July, whatever the time zone of the person who records it.
public struct Day: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month),
              (1...Day.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` strictly.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The UTC day of an instant.
    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year ?? 1970
        month = parts.month ?? 1
        day = parts.day ?? 1
    }

    public var iso: String {
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2)
    }
    public var description: String { iso }

    /// Midnight UTC of the day.
    public var date: Date {
        var components = DateComponents()
        components.year = year; components.month = month; components.day = day
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }

    public func adding(days: Int) -> Day { Day(date.addingTimeInterval(Double(days) * 86_400)) }

    public static func < (a: Day, b: Day) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = Day(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

/// A date of birth: exact, or only an estimated year.
public struct BirthDate: Sendable, Hashable, Codable, CustomStringConvertible {
    public let year: Int
    public let exact: Day?

    public var isEstimated: Bool { exact == nil }

    public init(exact: Day) { self.exact = exact; self.year = exact.year }
    public init?(estimatedYear: Int) {
        guard (1900...2200).contains(estimatedYear) else { return nil }
        self.year = estimatedYear
        self.exact = nil
    }

    /// `YYYY-MM-DD`, or `YYYY` for an estimated year.
    public init?(text: String) {
        let trimmed = text.trimmedWhitespace
        if trimmed.count == 4, let year = Int(trimmed) {
            self.init(estimatedYear: year)
        } else if let day = Day(iso: trimmed) {
            self.init(exact: day)
        } else {
            return nil
        }
    }

    public var description: String { exact?.iso ?? String(year) }

    /// Age in whole years on `day` (from 1 July of an estimated year).
    public func age(on day: Day) -> Int {
        let birth = exact ?? Day(year: year, month: 7, day: 1) ?? day
        var age = day.year - birth.year
        if (day.month, day.day) < (birth.month, birth.day) { age -= 1 }
        return max(0, age)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = BirthDate(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD or YYYY"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A point in time as scripts give it in `updated_since=`: a day (its start, UTC) or an ISO 8601
/// date and time (`2026-11-30T08:00:00Z`).
public enum Instant {
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let day = Day(iso: trimmed) { return day.date }
        return ISO8601DateFormatter().date(from: trimmed)
    }
}
