import Foundation

/// The records as the comparisons read them: every word, key and number replaced by a small
/// integer (one table per kind), so that comparing two people is mostly comparing integers,
/// and the frequency of every value counted for the term-frequency adjustment.
struct PreparedRecords: Sendable {
    enum Role: UInt8, Sendable { case given, family, unknown }

    struct Word: Sendable, Equatable {
        /// The folded word.
        var word: Int32
        /// Its phonetic key.
        var key: Int32
        var role: Role
    }

    struct Person: Sendable {
        /// Family words first, then given words.
        var words: [Word]
        /// How many of `words` are the family name; `unknownRoles` for a whole name in one field.
        var familyCount: UInt8
        /// The full birth date's number in the date table (-1 without a known day), for its frequency.
        var birthID: Int32
        /// 0 unknown, 1 male, 2 female.
        var sex: UInt8
        var birth: MatchBirthDate?
        var document: Int32
        var phone: Int32
        var nationality: Int32
        var region: Int32
        var host: Int32
        /// 0 for the first file, 1 for the second (linking two files).
        var source: UInt8
    }

    var people: [Person] = []
    /// Letters of each folded word and each key, by number.
    var wordLetters: [[UInt8]] = []
    /// Which letters a – z each word holds, one bit each: a cheap bound that spares most
    /// Jaro–Winkler computations between unrelated words.
    var wordMasks: [UInt32] = []
    var keyLetters: [[UInt8]] = []
    var documentText: [[UInt8]] = []
    var phoneText: [[UInt8]] = []
    static let unknownRoles: UInt8 = 255
    /// How many records hold each key (as a family name, as a given name), document, phone
    /// and full birth date, by number.
    var familyKeyCount: [Int32] = []
    var givenKeyCount: [Int32] = []
    var documentCount: [Int32] = []
    var phoneCount: [Int32] = []
    var birthCount: [Int32] = []
    private var births: [Int32: Int32] = [:]
    var count: Int { people.count }

    private var words: [String: Int32] = [:]
    private var keys: [String: Int32] = [:]
    private var documents: [String: Int32] = [:]
    private var phones: [String: Int32] = [:]
    private var places: [String: Int32] = [:]
    private var wordKey: [Int32: Int32] = [:]

    init(_ records: [MatchRecord], sources: [UInt8]? = nil) {
        people.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            people.append(prepare(record, source: sources?[index] ?? 0))
        }
    }

    /// Adds one record after the others (a new registration checked against the caseload).
    mutating func append(_ record: MatchRecord, source: UInt8 = 0) -> Int {
        people.append(prepare(record, source: source))
        return people.count - 1
    }

    static func birthKey(_ birth: MatchBirthDate) -> Int32 {
        Int32(birth.year * 10_000 + birth.month * 100 + birth.day)
    }

    private mutating func prepare(_ record: MatchRecord, source: UInt8) -> Person {
        var words: [Word] = []
        let given = NameKeys.words(record.givenNames ?? "")
        let family = NameKeys.words(record.familyName ?? "")
        // A whole name in one field: its words' roles are unknown.
        let unknownRoles = given.isEmpty || family.isEmpty
        for word in family { words.append(intern(word, role: unknownRoles ? .unknown : .family)) }
        for word in given { words.append(intern(word, role: unknownRoles ? .unknown : .given)) }
        while familyKeyCount.count < keyLetters.count { familyKeyCount.append(0); givenKeyCount.append(0) }
        for (position, word) in words.enumerated() where !words[..<position].contains(where: { $0.key == word.key }) {
            if word.role != .given { familyKeyCount[Int(word.key)] += 1 }
            if word.role != .family { givenKeyCount[Int(word.key)] += 1 }
        }
        let sex: UInt8
        switch SearchText.fold(record.sex ?? "").first {
        case "m", "h": sex = 1
        case "f": sex = 2
        default: sex = 0
        }
        let birth = record.birthDate.flatMap(MatchBirthDate.init)
        var birthID: Int32 = -1
        if let birth, birth.month > 0 {
            let key = Self.birthKey(birth)
            if let known = births[key] { birthID = known } else {
                birthID = Int32(birthCount.count)
                births[key] = birthID
                birthCount.append(0)
            }
            birthCount[Int(birthID)] += 1
        }
        var document: Int32 = -1
        if let text = record.documentNumber.flatMap(MatchNumbers.document) {
            document = Self.intern(text, in: &documents, letters: &documentText)
            if documentCount.count < documentText.count { documentCount.append(0) }
            documentCount[Int(document)] += 1
        }
        var phone: Int32 = -1
        if let text = record.phone.flatMap(MatchNumbers.phone) {
            phone = Self.intern(text, in: &phones, letters: &phoneText)
            if phoneCount.count < phoneText.count { phoneCount.append(0) }
            phoneCount[Int(phone)] += 1
        }
        return Person(words: words, familyCount: unknownRoles ? Self.unknownRoles : UInt8(min(family.count, 254)), birthID: birthID,
                      sex: sex, birth: birth, document: document, phone: phone,
                      nationality: place(record.nationality), region: place(record.originRegion), host: place(record.hostCountry),
                      source: source)
    }

    private mutating func place(_ text: String?) -> Int32 {
        let folded = SearchText.fold(text ?? "")
        guard !folded.isEmpty else { return -1 }
        if let known = places[folded] { return known }
        let next = Int32(places.count)
        places[folded] = next
        return next
    }

    private mutating func intern(_ word: String, role: Role) -> Word {
        let id = Self.intern(word, in: &words, letters: &wordLetters)
        if wordMasks.count < wordLetters.count {
            wordMasks.append(wordLetters[Int(id)].reduce(UInt32(0)) { $0 | (1 << UInt32(($1 &- 97) & 31)) })
        }
        if let key = wordKey[id] { return Word(word: id, key: key, role: role) }
        let key = Self.intern(NameKeys.key(word), in: &keys, letters: &keyLetters)
        wordKey[id] = key
        return Word(word: id, key: key, role: role)
    }

    private static func intern(_ text: String, in table: inout [String: Int32], letters: inout [[UInt8]]) -> Int32 {
        if let known = table[text] { return known }
        let next = Int32(letters.count)
        table[text] = next
        letters.append(Array(text.utf8))
        return next
    }
}
