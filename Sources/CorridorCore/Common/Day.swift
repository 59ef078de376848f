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

    /// Parses `YYYY-MM-DD` strictly: ten characters, digits and two hyphens.
    public init?(iso text: String) {
        let utf8 = text.utf8
        guard utf8.count == 10 else { return nil }
        let parsed = utf8.withContiguousStorageIfAvailable { Self.digits($0) } ?? Array(utf8).withUnsafeBufferPointer { Self.digits($0) }
        guard let (y, m, d) = parsed else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The year, month and day of the ten bytes `YYYY-MM-DD`.
    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = bytes.decimal(0..<4), let month = bytes.decimal(5..<7), let day = bytes.decimal(8..<10) else { return nil }
        return (year, month, day)
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
        // Four digits of year (1900–2200, as every Day is), two of month, two of day.
        String(unsafeUninitializedCapacity: 10) { buffer in
            func put(_ value: Int, _ width: Int, at start: Int) {
                var rest = value
                for position in stride(from: start + width - 1, through: start, by: -1) {
                    buffer[position] = UInt8(48 + rest % 10)
                    rest /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            return 10
        }
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

extension UnsafeBufferPointer<UInt8> {
    /// The number written in ASCII digits at `range`, nil when any byte there is not a digit.
    func decimal(_ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let digit = Int(self[index]) - 48
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
