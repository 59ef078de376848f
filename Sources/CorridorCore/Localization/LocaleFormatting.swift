import Foundation

/// Numbers and dates as each language writes them, without depending on the
/// platform's locale data: French groups digits with a narrow no-break space
/// ("15 000") and writes "20 septembre 2024"; English writes "15,000" and
/// "20 September 2024".
public struct LocaleFormatting: Sendable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    public static let narrowNoBreakSpace = "\u{202F}"

    public var groupSeparator: String { language == .fr ? Self.narrowNoBreakSpace : "," }

    /// A whole number with thousands grouped.
    public func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += groupSeparator }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    public var decimalSeparator: String { language == .fr ? "," : "." }

    /// A number with `digits` decimals, grouped, with the language's decimal separator
    /// ("1 234,50" / "1,234.50"); rounded half away from zero.
    public func decimal(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "—" }
        let scale = pow(10, Double(max(0, digits)))
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return sign + integer(whole) }
        let fractionText = String(fraction)
        return sign + integer(whole) + decimalSeparator + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    public static let frenchMonths = [
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ]
    public static let englishMonths = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    public func monthName(_ month: Int) -> String {
        let names = language == .fr ? Self.frenchMonths : Self.englishMonths
        return names[(month - 1 + 12) % 12]
    }

    /// "20 septembre 2024" / "20 September 2024" (in UTC).
    public func longDate(_ date: Date) -> String {
        let parts = Self.utcCalendar.dateComponents([.year, .month, .day], from: date)
        let day = parts.day ?? 1
        let dayText = (language == .fr && day == 1) ? "1er" : String(day)
        return "\(dayText) \(monthName(parts.month ?? 1)) \(parts.year ?? 1970)"
    }

    /// The long date followed by the time, "20 septembre 2024 à 14:05" / "20 September 2024, 14:05".
    public func dateTime(_ date: Date) -> String {
        let parts = Self.utcCalendar.dateComponents([.hour, .minute], from: date)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        return language == .fr ? "\(longDate(date)) à \(time)" : "\(longDate(date)), \(time)"
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()
}
