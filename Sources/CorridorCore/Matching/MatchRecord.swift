import Foundation

/// One person as a registry holds them, the engine's input: every field may be unknown.
public struct MatchRecord: Sendable, Equatable {
    public var id: String
    public var givenNames: String?
    public var familyName: String?
    public var sex: String?
    /// `YYYY-MM-DD`, `YYYY`, `DD/MM/YYYY` or `YYYYMMDD`.
    public var birthDate: String?
    public var nationality: String?
    public var documentType: String?
    public var documentNumber: String?
    public var phone: String?
    public var originRegion: String?
    public var hostCountry: String?
    public var office: String?
    public var registeredOn: String?

    public init(id: String, givenNames: String? = nil, familyName: String? = nil, sex: String? = nil, birthDate: String? = nil,
                nationality: String? = nil, documentType: String? = nil, documentNumber: String? = nil, phone: String? = nil,
                originRegion: String? = nil, hostCountry: String? = nil, office: String? = nil, registeredOn: String? = nil) {
        self.id = id
        self.givenNames = givenNames
        self.familyName = familyName
        self.sex = sex
        self.birthDate = birthDate
        self.nationality = nationality
        self.documentType = documentType
        self.documentNumber = documentNumber
        self.phone = phone
        self.originRegion = originRegion
        self.hostCountry = hostCountry
        self.office = office
        self.registeredOn = registeredOn
    }
}

/// A birth date as registries write it: a full day, a year alone, or a placeholder day
/// (1 January or 31 December of an estimated year, given to thousands of people at once).
public struct MatchBirthDate: Sendable, Equatable {
    public var year: Int
    /// 0 when unknown.
    public var month: Int
    public var day: Int

    /// A known day that is not a placeholder.
    public var isFull: Bool { month > 0 && day > 0 && !isPlaceholder }
    public var isPlaceholder: Bool { (month == 1 && day == 1) || (month == 12 && day == 31) }

    public init(year: Int, month: Int = 0, day: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY`, `DD-MM-YYYY`, `YYYYMMDD` or `YYYY`;
    /// nil for anything else (an empty cell, a year outside 1900–2100).
    public init?(_ text: String) {
        let digits = text.split(whereSeparator: { !$0.isNumber }).map(String.init)
        var year = 0, month = 0, day = 0
        switch digits.count {
        case 1:
            let only = digits[0]
            if only.count == 4, let y = Int(only) { year = y }
            else if only.count == 8, let y = Int(only.prefix(4)), let m = Int(only.dropFirst(4).prefix(2)), let d = Int(only.suffix(2)) {
                (year, month, day) = (y, m, d)
            } else { return nil }
        case 3:
            if digits[0].count == 4 {
                guard let y = Int(digits[0]), let m = Int(digits[1]), let d = Int(digits[2]) else { return nil }
                (year, month, day) = (y, m, d)
            } else if digits[2].count == 4 {
                guard let d = Int(digits[0]), let m = Int(digits[1]), let y = Int(digits[2]) else { return nil }
                (year, month, day) = (y, m, d)
            } else { return nil }
        default: return nil
        }
        guard (1900...2100).contains(year) else { return nil }
        if !(1...12).contains(month) || !(1...31).contains(day) { month = 0; day = 0 }
        self.init(year: year, month: month, day: day)
    }

    /// Whether two known days differ by one digit of `YYYYMMDD`, or two neighbouring digits swapped.
    static func oneDigitApart(_ a: MatchBirthDate, _ b: MatchBirthDate) -> Bool {
        func digits(_ date: MatchBirthDate) -> (Int, Int, Int, Int, Int, Int, Int, Int) {
            (date.year / 1000 % 10, date.year / 100 % 10, date.year / 10 % 10, date.year % 10, date.month / 10, date.month % 10, date.day / 10, date.day % 10)
        }
        let x = digits(a), y = digits(b)
        let left = [x.0, x.1, x.2, x.3, x.4, x.5, x.6, x.7], right = [y.0, y.1, y.2, y.3, y.4, y.5, y.6, y.7]
        var first = -1, second = -1, count = 0
        for index in 0..<8 where left[index] != right[index] {
            count += 1
            if count == 1 { first = index } else if count == 2 { second = index } else { return false }
        }
        if count == 1 { return true }
        return count == 2 && second == first + 1 && left[first] == right[second] && left[second] == right[first]
    }
}

/// Identity-document and phone numbers as the comparison reads them.
public enum MatchNumbers {
    /// A document number without spaces, dashes, `N°` or `No`, in capitals, with the letters
    /// a scanner confuses for digits read as those digits (O→0, I/L→1, S→5, B→8, Z→2): a
    /// `CI 0O12-345` and a `ci0012345` are one number. Nil when nothing is left.
    public static func document(_ raw: String) -> String? {
        var text = SearchText.fold(raw).uppercased()
        for prefix in ["N°", "NO.", "NO ", "NUM ", "NUMERO ", "N "] where text.hasPrefix(prefix) {
            text = String(text.dropFirst(prefix.count))
        }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "0"..."9", "A"..."Z": out.unicodeScalars.append(scalar)
            default: continue
            }
        }
        guard !out.isEmpty else { return nil }
        // Letters read as digits only inside the run of digits, so that a prefix stays.
        let characters = Array(out)
        guard let firstDigit = characters.firstIndex(where: \.isNumber) else { return out }
        let confusions: [Character: Character] = ["O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"]
        var result = String(characters[..<firstDigit])
        for character in characters[firstDigit...] { result.append(confusions[character] ?? character) }
        return result
    }

    /// The last eight digits of a phone number: Côte d'Ivoire's 2021 renumbering put two
    /// digits (01, 05, 07 for mobiles; 21, 25, 27 for fixed lines) before the former eight,
    /// and `+225`, `00225`, spaces, dots and dashes change nothing. Nil under six digits.
    public static func phone(_ raw: String) -> String? {
        let digits = raw.unicodeScalars.filter { ("0"..."9").contains($0) }.map { Character($0) }
        guard digits.count >= 6 else { return nil }
        return String(digits.suffix(8))
    }
}
