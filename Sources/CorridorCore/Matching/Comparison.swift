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
struct PairComparison: Sendable {
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
        var levels = [UInt8](repeating: MatchFeature.missing, count: MatchFeature.allCases.count)
        var result = PairComparison(packed: 0)
        compareNames(a, b, into: &levels, &result)
        compareBirth(a.birth, b.birth, into: &levels, &result)
        if a.sex != 0, b.sex != 0 { levels[MatchFeature.sex.rawValue] = a.sex == b.sex ? 0 : 1 }
        if a.document >= 0, b.document >= 0 {
            let level: UInt8
            if a.document == b.document {
                level = 0
                result.documentCount = Int32(documentCount[a.document] ?? 1)
            } else {
                level = Self.documentLevel(documentText[Int(a.document)], documentText[Int(b.document)])
            }
            levels[MatchFeature.documentNumber.rawValue] = level
        }
        if a.phone >= 0, b.phone >= 0 {
            if a.phone == b.phone {
                levels[MatchFeature.phone.rawValue] = 0
                result.phoneCount = Int32(phoneCount[a.phone] ?? 1)
            } else {
                levels[MatchFeature.phone.rawValue] = NameKeys.withinOneEdit(phoneText[Int(a.phone)], phoneText[Int(b.phone)]) ? 1 : 2
            }
        }
        if a.nationality >= 0, b.nationality >= 0 { levels[MatchFeature.nationality.rawValue] = a.nationality == b.nationality ? 0 : 1 }
        if a.region >= 0, b.region >= 0 { levels[MatchFeature.originRegion.rawValue] = a.region == b.region ? 0 : 1 }
        if a.host >= 0, b.host >= 0 { levels[MatchFeature.hostCountry.rawValue] = a.host == b.host ? 0 : 1 }
        var packed: UInt64 = 0
        for (index, level) in levels.enumerated() { packed |= UInt64(level) << (UInt64(index) * 4) }
        result.packed = packed
        return result
    }

    /// 3 the same word, 2 the same phonetic key, 1 close spellings, 0 different.
    private func wordLevel(_ a: Word, _ b: Word) -> UInt8 {
        if a.word == b.word { return 3 }
        if a.key == b.key { return 2 }
        let aKey = keyLetters[Int(a.key)], bKey = keyLetters[Int(b.key)]
        if aKey.count >= 4, bKey.count >= 4, NameKeys.withinOneEdit(aKey, bKey) { return 1 }
        if NameKeys.jaroWinkler(wordLetters[Int(a.word)], wordLetters[Int(b.word)]) >= 0.9 { return 1 }
        return 0
    }

    /// Names are compared under several readings and the best is kept: given names against
    /// given names and family against family; the two swapped; and, for a whole name in one
    /// field, its first or its last word as the family name. Within a reading, the family
    /// level is the best agreement between family words (a family name of several words
    /// agrees on any of them) and the given level sums up the given words aligned best first
    /// against the shorter list, so that a middle name dropped, added or moved still agrees.
    private func compareNames(_ a: Person, _ b: Person, into levels: inout [UInt8], _ result: inout PairComparison) {
        guard !a.words.isEmpty, !b.words.isEmpty else { return }
        var best: NameReading? = nil
        for (familyA, givenA) in Self.readings(a.words) {
            for (familyB, givenB) in Self.readings(b.words) {
                for swapped in [false, true] {
                    let reading = swapped ? read(familyA, givenA, givenB, familyB) : read(familyA, givenA, familyB, givenB)
                    if best == nil || reading.strength > best!.strength { best = reading }
                }
            }
        }
        guard let best else { return }
        levels[MatchFeature.familyName.rawValue] = best.family
        if best.family <= 1, best.familyKey >= 0 {
            result.familyCount = Int32(familyKeyCount[best.familyKey] ?? givenKeyCount[best.familyKey] ?? 1)
        }
        if let given = best.given {
            levels[MatchFeature.givenNames.rawValue] = given
            if given <= 1, best.givenKey >= 0 {
                result.givenCount = Int32(givenKeyCount[best.givenKey] ?? familyKeyCount[best.givenKey] ?? 1)
            }
        }
    }

    struct NameReading {
        var family: UInt8
        var given: UInt8?
        var familyKey: Int32
        var givenKey: Int32
        /// Orders readings: agreement on both counts, the family name first.
        var strength: Int { (3 - Int(family)) * 2 + (given.map { 4 - Int($0) } ?? 1) }
    }

    /// The ways to read a record's words as family and given names: as written, or, when
    /// the roles are unknown, the first word as the family name, or the last.
    static func readings(_ words: [Word]) -> [([Word], [Word])] {
        let family = words.filter { $0.role == .family }, given = words.filter { $0.role == .given }
        if !family.isEmpty || !given.isEmpty { return [(family, given)] }
        if words.count == 1 { return [(words, [])] }
        return [([words[0]], Array(words.dropFirst())), ([words[words.count - 1]], Array(words.dropLast()))]
    }

    private func read(_ familyA: [Word], _ givenA: [Word], _ familyB: [Word], _ givenB: [Word]) -> NameReading {
        var family: UInt8 = 0, familyKey: Int32 = -1
        for x in familyA {
            for y in familyB {
                let level = wordLevel(x, y)
                if level > family { family = level; familyKey = x.key }
            }
        }
        let left = min(givenA.count, givenB.count)
        guard left > 0 else { return NameReading(family: familyA.isEmpty || familyB.isEmpty ? 3 : 3 - family, given: nil, familyKey: familyKey, givenKey: -1) }
        var taken = [Bool](repeating: false, count: givenB.count)
        var matched = 0, weakest: UInt8 = 3, givenKey: Int32 = -1
        var levelsA = [UInt8](repeating: 0, count: givenA.count * givenB.count)
        for (i, x) in givenA.enumerated() {
            for (j, y) in givenB.enumerated() { levelsA[i * givenB.count + j] = wordLevel(x, y) }
        }
        var done = [Bool](repeating: false, count: givenA.count)
        for level in stride(from: UInt8(3), through: 1, by: -1) {
            for i in givenA.indices where !done[i] {
                for j in givenB.indices where !taken[j] && levelsA[i * givenB.count + j] == level {
                    done[i] = true
                    taken[j] = true
                    matched += 1
                    weakest = min(weakest, level)
                    if givenKey < 0 { givenKey = givenA[i].key }
                    break
                }
            }
        }
        let given: UInt8 = matched == 0 ? 4 : (matched < left ? 3 : 3 - weakest)
        return NameReading(family: 3 - family, given: given, familyKey: familyKey, givenKey: givenKey)
    }

    private func compareBirth(_ a: MatchBirthDate?, _ b: MatchBirthDate?, into levels: inout [UInt8], _ result: inout PairComparison) {
        guard let a, let b else { return }
        let level: UInt8
        let gap = abs(a.year - b.year)
        let estimated = !a.isFull || !b.isFull
        result.birthFull = !estimated
        if a.month > 0, b.month > 0, a == b {
            level = 0
            result.birthCount = Int32(birthCount[Self.birthKey(a)] ?? 1)
        } else if a.month > 0, b.month > 0,
                  (a.year == b.year && a.month == b.day && a.day == b.month) || NameKeys.withinOneEdit(a.digits, b.digits) {
            level = 1
        } else if gap == 0, estimated {
            level = 2
        } else if gap == 1, estimated {
            level = 3
        } else if gap < 5 {
            level = 4
        } else if gap < 15 {
            level = 5
        } else {
            level = 6
        }
        levels[MatchFeature.birthDate.rawValue] = level
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
