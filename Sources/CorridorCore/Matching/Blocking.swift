import Foundation

/// Which pairs are compared. Comparing every two of a million records is half a trillion
/// comparisons; blocking compares only records that share a key under at least one rule:
///
/// 1. two name words' phonetic keys (in any order, any field) and the birth year;
/// 2. two name words' phonetic keys alone (catches a wrong year);
/// 3. one name word's key and the full birth date (catches a badly misspelt other name);
/// 4. the document number; 5. the phone number (its last eight digits);
/// 6. the first three letters of two name words and the birth year (catches a typo that
///    changes a phonetic key);
/// 7. a record with a single name word: that word's key and the birth year.
///
/// A block larger than `maximumBlockSize` is skipped for that rule (see `LinkageSettings`).
enum Blocking {
    static let rules = Array(1...7)

    /// The pairs of the given rules, sorted, each once.
    static func candidatePairs(_ records: PreparedRecords, rules: [Int] = Blocking.rules, maximumBlockSize: Int, linking: Bool) -> [UInt64] {
        var pairs: [UInt64] = []
        for rule in rules {
            var entries: [(key: UInt64, index: UInt32)] = []
            entries.reserveCapacity(records.count * 4)
            for (index, person) in records.people.enumerated() {
                keys(rule: rule, person, records) { entries.append(($0, UInt32(index))) }
            }
            entries.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }
            var start = 0
            while start < entries.count {
                var end = start + 1
                while end < entries.count, entries[end].key == entries[start].key { end += 1 }
                let size = end - start
                if size >= 2, size <= maximumBlockSize {
                    for x in start..<end {
                        for y in (x + 1)..<end {
                            let a = entries[x].index, b = entries[y].index
                            if a == b { continue }
                            if linking, records.people[Int(a)].source == records.people[Int(b)].source { continue }
                            pairs.append(UInt64(min(a, b)) << 32 | UInt64(max(a, b)))
                        }
                    }
                }
                start = end
            }
            // Keeps the list short between rules.
            if pairs.count > 4_000_000 { deduplicate(&pairs) }
        }
        deduplicate(&pairs)
        return pairs
    }

    static func deduplicate(_ pairs: inout [UInt64]) {
        pairs.sort()
        var write = 0
        for read in pairs.indices where read == 0 || pairs[read] != pairs[read - 1] {
            pairs[write] = pairs[read]
            write += 1
        }
        pairs.removeLast(pairs.count - write)
    }

    static func mix(_ values: UInt64...) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in values {
            hash ^= value &+ 0x9E37_79B9_7F4A_7C15 &+ (hash << 6) &+ (hash >> 2)
            hash = (hash ^ (hash >> 31)) &* 0x94D0_49BB_1331_11EB
        }
        return hash
    }

    private static func prefix(_ letters: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        for letter in letters.prefix(3) { value = value << 8 | UInt64(letter) }
        return value
    }

    static func keys(rule: Int, _ person: PreparedRecords.Person, _ records: PreparedRecords, _ emit: (UInt64) -> Void) {
        let ruleValue = UInt64(rule)
        let year = person.birth.map { UInt64($0.year) }
        switch rule {
        case 1, 2, 7:
            var keys = Set<Int32>()
            for word in person.words { keys.insert(word.key) }
            let sorted = keys.sorted()
            if rule == 7 {
                if sorted.count == 1, let year { emit(mix(ruleValue, UInt64(sorted[0]), year)) }
                return
            }
            for (position, first) in sorted.enumerated() {
                for second in sorted[(position + 1)...] {
                    if rule == 1 {
                        if let year { emit(mix(ruleValue, UInt64(first), UInt64(second), year)) }
                    } else {
                        emit(mix(ruleValue, UInt64(first), UInt64(second)))
                    }
                }
            }
        case 3:
            guard let birth = person.birth, birth.month > 0 else { return }
            let date = UInt64(PreparedRecords.birthKey(birth))
            var keys = Set<Int32>()
            for word in person.words where keys.insert(word.key).inserted { emit(mix(ruleValue, UInt64(word.key), date)) }
        case 4:
            if person.document >= 0 { emit(mix(ruleValue, UInt64(person.document))) }
        case 5:
            if person.phone >= 0 { emit(mix(ruleValue, UInt64(person.phone))) }
        case 6:
            guard let year else { return }
            let prefixes = Set(person.words.map { prefix(records.wordLetters[Int($0.word)]) }).sorted()
            for (position, first) in prefixes.enumerated() {
                for second in prefixes[(position + 1)...] { emit(mix(ruleValue, first, second, year)) }
            }
        case 8:
            // Training only: a document and a birth year (a household shares the one but not the other).
            if person.document >= 0, let year { emit(mix(ruleValue, UInt64(person.document), year)) }
        case 9:
            if person.phone >= 0, let year { emit(mix(ruleValue, UInt64(person.phone), year)) }
        default:
            return
        }
    }
}
