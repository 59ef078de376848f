import Foundation

/// What the engine compares between two records, each field read into a few levels of
/// agreement (level 0 the strongest). A missing value on either side is its own level,
/// `MatchFeature.missing`, and weighs nothing either way.
public enum MatchFeature: Int, CaseIterable, Sendable {
    case familyName, givenNames, birthDate, sex, documentNumber, phone, nationality, originRegion, hostCountry

    public static let missing: UInt8 = 15

    /// Levels that say "different people" whatever else agrees (see `LinkageSettings.lookAlikeCeiling`).
    static let givenNamesNone: UInt8 = 4
    static let anotherGeneration: UInt8 = 6

    /// The levels, strongest first: the code names the catalogue uses (`match.level.<code>`).
    public var levels: [String] {
        switch self {
        case .familyName: ["exact", "sounds_alike", "similar", "different"]
        case .givenNames: ["all_exact", "all_sound_alike", "all_similar", "some", "none"]
        case .birthDate: ["exact", "one_digit_or_swapped", "same_year_estimated", "one_year_estimated", "differs", "years_apart", "another_generation"]
        case .sex, .nationality, .originRegion, .hostCountry: ["same", "different"]
        case .documentNumber: ["exact", "one_character", "consecutive", "different"]
        case .phone: ["exact", "one_digit", "different"]
        }
    }

    public var code: String {
        switch self {
        case .familyName: "family_name"
        case .givenNames: "given_names"
        case .birthDate: "birth_date"
        case .sex: "sex"
        case .documentNumber: "document_number"
        case .phone: "phone"
        case .nationality: "nationality"
        case .originRegion: "origin_region"
        case .hostCountry: "host_country"
        }
    }
}

/// The levels of one pair, four bits per feature, and the values the term-frequency
/// adjustment needs (how common the agreeing name, date, document or phone is).
public struct PairComparison: Sendable {
    var packed: UInt64
    /// Records holding the agreeing family-name key, given-name key, birth date, document
    /// and phone; 0 when that feature does not agree exactly.
    var familyCount: Int32 = 0
    var givenCount: Int32 = 0
    var birthCount: Int32 = 0
    var documentCount: Int32 = 0
    var phoneCount: Int32 = 0

    /// Whether both birth dates are known days that are not placeholders.
    var birthFull = false

    func level(_ feature: MatchFeature) -> UInt8 { UInt8((packed >> (UInt64(feature.rawValue) * 4)) & 0xF) }

    var isLookAlike: Bool {
        level(.givenNames) == MatchFeature.givenNamesNone || level(.birthDate) == MatchFeature.anotherGeneration
    }
}

extension PreparedRecords {
    /// Compares two records field by field.
    func compare(_ x: Int, _ y: Int) -> PairComparison {
        let a = people[x], b = people[y]
        var result = PairComparison(packed: 0)
        var packed: UInt64 = 0
        func set(_ feature: MatchFeature, _ level: UInt8) { packed |= UInt64(level) << (UInt64(feature.rawValue) * 4) }
        let names = compareNames(a, b)
        set(.familyName, names.family)
        set(.givenNames, names.given)
        if names.family <= 1, names.familyKey >= 0 {
            result.familyCount = max(familyKeyCount[Int(names.familyKey)], givenKeyCount[Int(names.familyKey)], 1)
        }
        if names.given <= 1, names.givenKey >= 0 {
            result.givenCount = max(givenKeyCount[Int(names.givenKey)], familyKeyCount[Int(names.givenKey)], 1)
        }
        set(.birthDate, compareBirth(a, b, &result))
        set(.sex, a.sex == 0 || b.sex == 0 ? MatchFeature.missing : (a.sex == b.sex ? 0 : 1))
        if a.document >= 0, b.document >= 0 {
            if a.document == b.document {
                set(.documentNumber, 0)
                result.documentCount = documentCount[Int(a.document)]
            } else {
                set(.documentNumber, Self.documentLevel(documentText[Int(a.document)], documentText[Int(b.document)]))
            }
        } else {
            set(.documentNumber, MatchFeature.missing)
        }
        if a.phone >= 0, b.phone >= 0 {
            if a.phone == b.phone {
                set(.phone, 0)
                result.phoneCount = phoneCount[Int(a.phone)]
            } else {
                set(.phone, NameKeys.withinOneEdit(phoneText[Int(a.phone)], phoneText[Int(b.phone)]) ? 1 : 2)
            }
        } else {
            set(.phone, MatchFeature.missing)
        }
        set(.nationality, a.nationality < 0 || b.nationality < 0 ? MatchFeature.missing : (a.nationality == b.nationality ? 0 : 1))
        set(.originRegion, a.region < 0 || b.region < 0 ? MatchFeature.missing : (a.region == b.region ? 0 : 1))
        set(.hostCountry, a.host < 0 || b.host < 0 ? MatchFeature.missing : (a.host == b.host ? 0 : 1))
        result.packed = packed
        return result
    }

    /// 3 the same word, 2 the same phonetic key, 1 close spellings, 0 different.
    @inline(__always)
    private func wordLevel(_ a: Word, _ b: Word) -> UInt8 {
        if a.word == b.word { return 3 }
        if a.key == b.key { return 2 }
        let close = keyLetters[Int(a.key)].withUnsafeBufferPointer { aKey in
            keyLetters[Int(b.key)].withUnsafeBufferPointer { bKey in
                aKey.count >= 4 && bKey.count >= 4 && NameKeys.withinOneEdit(aKey, bKey)
            }
        }
        if close { return 1 }
        let similar = wordLetters[Int(a.word)].withUnsafeBufferPointer { aWord in
            wordLetters[Int(b.word)].withUnsafeBufferPointer { bWord in
                Self.mayBeSimilar(aWord, wordMasks[Int(a.word)], bWord, wordMasks[Int(b.word)]) && NameKeys.jaroWinkler(aWord, bWord) >= 0.9
            }
        }
        return similar ? 1 : 0
    }

    /// An upper bound of Jaro–Winkler from the letters each word has that the other holds
    /// somewhere: under 0.9, the two words cannot be similar.
    @inline(__always)
    static func mayBeSimilar(_ a: UnsafeBufferPointer<UInt8>, _ aMask: UInt32, _ b: UnsafeBufferPointer<UInt8>, _ bMask: UInt32) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        var sharedA = 0, sharedB = 0
        for letter in a where bMask & (1 << UInt32((letter &- 97) & 31)) != 0 { sharedA += 1 }
        for letter in b where aMask & (1 << UInt32((letter &- 97) & 31)) != 0 { sharedB += 1 }
        let matches = Double(min(sharedA, sharedB, 64))
        let jaro = (matches / Double(a.count) + matches / Double(b.count) + 1) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro) >= 0.9
    }

    struct NameReading {
        var family: UInt8
        var given: UInt8
        var familyKey: Int32
        var givenKey: Int32
        /// Orders readings: agreement on both counts, the family name first.
        var strength: Int { (3 - Int(family)) * 2 + (given == MatchFeature.missing ? 1 : 4 - Int(given)) }
    }

    /// The ways to read a record's words as family and given names (ranges of its words):
    /// as written, or, when the roles are unknown, the first word as the family name, or the last.
    static func readingCount(_ person: Person) -> Int {
        person.familyCount == unknownRoles && person.words.count > 1 ? 2 : 1
    }

    static func reading(_ person: Person, _ index: Int) -> (family: Range<Int>, given: Range<Int>) {
        let count = person.words.count
        if person.familyCount != unknownRoles { return (0..<Int(person.familyCount), Int(person.familyCount)..<count) }
        if count == 1 { return (0..<1, 1..<1) }
        return index == 0 ? (0..<1, 1..<count) : ((count - 1)..<count, 0..<(count - 1))
    }

    /// Names are compared under several readings and the best is kept: given names against
    /// given names and family against family; the two swapped; and, for a whole name in one
    /// field, its first or its last word as the family name. Within a reading, the family
    /// level is the best agreement between family words (a family name of several words
    /// agrees on any of them) and the given level sums up the given words aligned best first
    /// against the shorter list, so that a middle name dropped, added or moved still agrees.
    private func compareNames(_ a: Person, _ b: Person) -> NameReading {
        let missing = NameReading(family: MatchFeature.missing, given: MatchFeature.missing, familyKey: -1, givenKey: -1)
        guard !a.words.isEmpty, !b.words.isEmpty else { return missing }
        var best: NameReading? = nil
        for indexA in 0..<Self.readingCount(a) {
            let readingA = Self.reading(a, indexA)
            for indexB in 0..<Self.readingCount(b) {
                let readingB = Self.reading(b, indexB)
                let direct = read(a.words[readingA.family], a.words[readingA.given], b.words[readingB.family], b.words[readingB.given])
                if best == nil || direct.strength > best!.strength { best = direct }
                let swapped = read(a.words[readingA.family], a.words[readingA.given], b.words[readingB.given], b.words[readingB.family])
                if swapped.strength > best!.strength { best = swapped }
            }
        }
        return best ?? missing
    }

    private func read(_ familyA: ArraySlice<Word>, _ givenA: ArraySlice<Word>, _ familyB: ArraySlice<Word>, _ givenB: ArraySlice<Word>) -> NameReading {
        var family: UInt8 = 0, familyKey: Int32 = -1
        for x in familyA {
            for y in familyB {
                let level = wordLevel(x, y)
                if level > family { family = level; familyKey = x.key }
            }
        }
        let familyLevel: UInt8 = familyA.isEmpty || familyB.isEmpty ? 3 : 3 - family
        let rows = min(givenA.count, 16), columns = min(givenB.count, 16)
        let left = min(rows, columns)
        guard left > 0 else { return NameReading(family: familyLevel, given: MatchFeature.missing, familyKey: familyKey, givenKey: -1) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rows * columns) { levels in
            for i in 0..<rows {
                for j in 0..<columns { levels[i * columns + j] = wordLevel(givenA[givenA.startIndex + i], givenB[givenB.startIndex + j]) }
            }
            var takenA: UInt32 = 0, takenB: UInt32 = 0
            var matched = 0, weakest: UInt8 = 3, givenKey: Int32 = -1
            for level in stride(from: UInt8(3), through: 1, by: -1) {
                for i in 0..<rows where takenA & (1 << i) == 0 {
                    for j in 0..<columns where takenB & (1 << j) == 0 && levels[i * columns + j] == level {
                        takenA |= 1 << i
                        takenB |= 1 << j
                        matched += 1
                        weakest = min(weakest, level)
                        if givenKey < 0 { givenKey = givenA[givenA.startIndex + i].key }
                        break
                    }
                }
            }
            let given: UInt8 = matched == 0 ? MatchFeature.givenNamesNone : (matched < left ? 3 : 3 - weakest)
            return NameReading(family: familyLevel, given: given, familyKey: familyKey, givenKey: givenKey)
        }
    }

    private func compareBirth(_ a: Person, _ b: Person, _ result: inout PairComparison) -> UInt8 {
        guard let x = a.birth, let y = b.birth else { return MatchFeature.missing }
        let gap = abs(x.year - y.year)
        let estimated = !x.isFull || !y.isFull
        result.birthFull = !estimated
        if x.month > 0, y.month > 0 {
            if x == y {
                result.birthCount = a.birthID >= 0 ? birthCount[Int(a.birthID)] : 1
                return 0
            }
            if (x.year == y.year && x.month == y.day && x.day == y.month) || MatchBirthDate.oneDigitApart(x, y) { return 1 }
        }
        if gap == 0, estimated { return 2 }
        if gap == 1, estimated { return 3 }
        if gap < 5 { return 4 }
        if gap < 15 { return 5 }
        return MatchFeature.anotherGeneration
    }

    /// One character apart (a typo, a scanner's confusion) or one number the other with a
    /// prefix dropped: 1; numbers in one series a few apart (laissez-passer issued to one
    /// travelling group): 2; otherwise 3.
    static func documentLevel(_ a: [UInt8], _ b: [UInt8]) -> UInt8 {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        if short.count >= 6, long.suffix(short.count).elementsEqual(short) { return 1 }
        if NameKeys.withinOneEdit(a, b) {
            // Two numbers of one series differ in their last digits: that is level 2, not a typo.
            if a.count == b.count, let x = trailingNumber(a), let y = trailingNumber(b), x.prefix == y.prefix, abs(x.value - y.value) <= 20 {
                return 2
            }
            return 1
        }
        if a.count == b.count, let x = trailingNumber(a), let y = trailingNumber(b), x.prefix == y.prefix, abs(x.value - y.value) <= 20 {
            return 2
        }
        return 3
    }

    private static func trailingNumber(_ text: [UInt8]) -> (prefix: ArraySlice<UInt8>, value: Int)? {
        var start = text.count
        while start > 0, (48...57).contains(text[start - 1]) { start -= 1 }
        let digits = text[start...]
        guard digits.count >= 4, digits.count <= 18 else { return nil }
        var value = 0
        for digit in digits { value = value * 10 + Int(digit - 48) }
        return (text[..<start], value)
    }
}
