import Foundation

/// Invented registrations shaped like West-African return registries, with the truth of who
/// is who, to measure the engine: deterministic for a seed, no real person.
///
/// The rates are invented; the phenomena are those field staff report: names swapped, in one
/// field or in "FAMILY Given" order, middle names dropped or moved, spellings of one name
/// (Mamadou/Mahamadou/Mohamed, Ouattara/Watara, N'Guessan/N Guessan, Kouamé/Kwame), accents,
/// apostrophes and hyphens lost; placeholder birth dates (1 January, 31 December), years
/// alone, day and month swapped, a year off; document numbers with spaces, dashes, `N°`, a
/// prefix dropped or a scanner's confusions, consecutive laissez-passer numbers in one
/// travelling group and children on a parent's; phones before and after the 2021
/// renumbering, with +225 or 00225, shared in a household; and people who look alike but
/// are not one: twins, a father and a son of one name, siblings, namesakes, spouses.
public struct WestAfricanRegistry: Sendable {
    public struct Registration: Sendable, Equatable {
        public var record: MatchRecord
        /// Who this really is.
        public var person: Int
    }

    struct Person {
        var given: [String]
        var family: String
        var sex: String
        var birth: MatchBirthDate?
        var documentType: String
        var document: String?
        var phone: String?
        var region: String
        var host: String
    }

    public let seed: UInt64
    public init(seed: UInt64 = 7) { self.seed = seed }

    static let families: [(String, Int)] = [
        ("Koné", 60), ("Traoré", 50), ("Coulibaly", 45), ("Ouattara", 45), ("Kouassi", 40), ("Diallo", 35), ("Konaté", 30), ("Touré", 30),
        ("Yao", 30), ("Kouamé", 28), ("N'Guessan", 28), ("Bamba", 25), ("Koffi", 25), ("Cissé", 22), ("Sanogo", 22), ("Doumbia", 20),
        ("Fofana", 20), ("Diabaté", 18), ("Camara", 18), ("Keïta", 18), ("Soro", 16), ("Silué", 15), ("Yéo", 15), ("Tuo", 12),
        ("Kouadio", 20), ("Kouakou", 18), ("Konan", 18), ("Aka", 10), ("Gnagne", 6), ("Zadi", 6), ("Gbagbo", 5), ("Dago", 5),
        ("Sylla", 10), ("Sangaré", 12), ("Dembélé", 12), ("Kamagaté", 8), ("Dosso", 8), ("Berté", 7), ("Sidibé", 9), ("Cissoko", 5),
        ("Diomandé", 9), ("Bakayoko", 8), ("Koulibaly", 5), ("Assi", 6), ("Amani", 7), ("Brou", 7), ("Kra", 5), ("Ahoua", 4),
        ("Zoro", 4), ("Guéi", 4), ("Tapé", 4), ("Séri", 4), ("Goré", 3), ("Bléhoué", 2), ("Zahui", 2), ("Djédjé", 3), ("Lago", 3),
        ("Dje Bi", 3), ("Irié", 3), ("Loukou", 3), ("Ehui", 3), ("Anoh", 3), ("Boka", 3), ("Kacou", 4), ("Adou", 4), ("Ettien", 3),
        ("Gnamien", 2), ("Kanga", 3), ("Akpa", 2), ("Beugré", 2), ("Dibi", 2), ("Gbané", 3), ("Karamoko", 3), ("Méité", 4),
    ]
    static let male: [(String, Int)] = [
        ("Mamadou", 40), ("Moussa", 30), ("Ibrahim", 25), ("Abdoulaye", 22), ("Seydou", 18), ("Souleymane", 18), ("Adama", 25),
        ("Issa", 15), ("Oumar", 15), ("Ousmane", 15), ("Lassina", 12), ("Drissa", 10), ("Bakary", 12), ("Aboubacar", 10), ("Salif", 8),
        ("Yacouba", 10), ("Siaka", 8), ("Karim", 8), ("Youssouf", 8), ("Kouassi", 10), ("Kouamé", 10), ("Koffi", 10), ("Yao", 8),
        ("Jean", 12), ("Jean-Baptiste", 5), ("Serge", 6), ("Franck", 5), ("Hervé", 5), ("Didier", 5), ("Eric", 5), ("Christian", 5),
        ("Arsène", 3), ("Jean-Marc", 3), ("Arouna", 5), ("Brahima", 8), ("Mohamed", 12), ("Sékou", 6), ("Vassiriki", 3), ("Zié", 3),
        ("Kalilou", 4), ("Nanga", 2), ("Tiémoko", 3), ("Fousseni", 3), ("Aly", 4), ("Kader", 3), ("Wilfried", 3), ("Ange", 3),
    ]
    static let female: [(String, Int)] = [
        ("Aminata", 30), ("Fatoumata", 30), ("Mariam", 25), ("Awa", 20), ("Kadiatou", 15), ("Assétou", 10), ("Aïcha", 12),
        ("Salimata", 10), ("Rokia", 8), ("Djénéba", 8), ("Korotoum", 5), ("Massandjé", 3), ("Adjoua", 10), ("Akissi", 10),
        ("Amenan", 8), ("Affoué", 6), ("Ahou", 6), ("Aya", 8), ("Marie", 12), ("Marie-Claire", 4), ("Christelle", 5), ("Grâce", 5),
        ("Estelle", 4), ("Nadège", 3), ("Sandrine", 4), ("Mariétou", 3), ("Bintou", 8), ("Nafissatou", 4), ("Safiatou", 4),
        ("Ramatou", 4), ("Hawa", 6), ("Tenin", 3), ("Sita", 3), ("Alimata", 4),
    ]
    static let hosts: [(String, Int)] = [("MAR", 22), ("DZA", 15), ("TUN", 12), ("LBY", 16), ("NER", 14), ("MLI", 10), ("MRT", 7), ("SEN", 4)]

    /// Other spellings of a name, as staff write it.
    static let spellings: [String: [String]] = [
        "Mamadou": ["Mahamadou", "Mohamed", "Mamadu", "Mamady"], "Mohamed": ["Mohammed", "Mouhamed", "Mamadou"],
        "Ouattara": ["Watara", "Ouatara", "Wattara"], "N'Guessan": ["Nguessan", "N Guessan", "N'GUESSAN", "Ngessan"],
        "Kouamé": ["Kwame", "Kouame", "Kouamè"], "Coulibaly": ["Kulibali", "Koulibaly", "Coulibali"],
        "Ibrahim": ["Ibrahima", "Brahima"], "Abdoulaye": ["Abdoulay", "Abdulai"], "Seydou": ["Saidou", "Seidou"],
        "Souleymane": ["Souleimane", "Suleiman"], "Oumar": ["Omar", "Umar"], "Ousmane": ["Usman", "Ousman"], "Moussa": ["Musa", "Mousa"],
        "Kouassi": ["Kwasi", "Kouasi"], "Koffi": ["Kofi"], "Fatoumata": ["Fatimata", "Fatouma"], "Kadiatou": ["Kadidiatou", "Khadija"],
        "Mariam": ["Mariame", "Maryam"], "Aïcha": ["Aicha", "Aissata"], "Assétou": ["Assita", "Assetou"], "Diallo": ["Jallo", "Djallo"],
        "Keïta": ["Keita", "Keyta"], "Cissé": ["Cisse", "Sissé"], "Traoré": ["Traore", "Traorè"], "Touré": ["Toure", "Ture"],
        "Konaté": ["Konate"], "Yéo": ["Yeo"], "Silué": ["Silue", "Siloué"], "Sanogo": ["Sanoko"], "Camara": ["Kamara"],
        "Kouakou": ["Kwaku"], "Kouadio": ["Kouadjo"], "Awa": ["Hawa"], "Aminata": ["Aminatou"], "Adjoua": ["Adjowa"],
    ]

    /// `count` registrations of one registry (deduplication): people registered once or
    /// more, shuffled, with look-alikes among them.
    public func dedup(count: Int) -> [Registration] {
        var random = SeededGenerator(seed: seed)
        var people: [Person] = []
        var registrations: [Registration] = []
        while registrations.count < count {
            let group = makeGroup(&random, firstIndex: people.count)
            for person in group {
                let index = people.count
                people.append(person)
                registrations.append(Registration(record: record(person, &random, variant: false), person: index))
                // About a third of people are registered again (a second visit, a lost file,
                // another trip), a few of them three or four times.
                let extra = random.weighted([(0, 64), (1, 26), (2, 7), (3, 3)])
                for _ in 0..<extra { registrations.append(Registration(record: record(person, &random, variant: true), person: index)) }
            }
        }
        registrations = Array(registrations.prefix(count))
        registrations.shuffle(using: &random)
        for index in registrations.indices { registrations[index].record.id = String(format: "R%06d", index + 1) }
        return registrations
    }

    /// Two registries of `count` records each (a host-country office and arrivals in
    /// Abidjan): `overlap` of the people are in both, each file holds one record per person.
    public func link(count: Int, overlap: Double = 0.6) -> (first: [Registration], second: [Registration]) {
        var random = SeededGenerator(seed: seed &+ 1)
        var first: [Registration] = [], second: [Registration] = []
        var people = 0
        while first.count < count || second.count < count {
            for person in makeGroup(&random, firstIndex: people) {
                let index = people
                people += 1
                let both = Double.random(in: 0..<1, using: &random) < overlap
                let inFirst = both || Bool.random(using: &random)
                if inFirst, first.count < count { first.append(Registration(record: record(person, &random, variant: false), person: index)) }
                if (both || !inFirst), second.count < count { second.append(Registration(record: record(person, &random, variant: both), person: index)) }
            }
        }
        first.shuffle(using: &random)
        second.shuffle(using: &random)
        for index in first.indices { first[index].record.id = String(format: "A%06d", index + 1) }
        for index in second.indices { second[index].record.id = String(format: "B%06d", index + 1) }
        return (first, second)
    }

    // MARK: People

    private func name(_ pool: [(String, Int)], _ random: inout SeededGenerator) -> String { random.weighted(pool) }

    private func birth(_ random: inout SeededGenerator, year: Int) -> MatchBirthDate {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<18: return MatchBirthDate(year: year, month: 1, day: 1)
        case 18..<24: return MatchBirthDate(year: year, month: 12, day: 31)
        case 24..<30: return MatchBirthDate(year: year)
        default: return MatchBirthDate(year: year, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))
        }
    }

    private func phone(_ random: inout SeededGenerator) -> String {
        let prefix = ["07", "05", "01"].randomElement(using: &random) ?? "07"
        return prefix + String(format: "%08d", Int.random(in: 0..<100_000_000, using: &random))
    }

    private func person(_ random: inout SeededGenerator, sex: String? = nil, family: String? = nil, year: Int? = nil, region: String? = nil) -> Person {
        let sex = sex ?? (Int.random(in: 0..<100, using: &random) < 70 ? "M" : "F")
        let pool = sex == "M" ? Self.male : Self.female
        var given = [name(pool, &random)]
        if Int.random(in: 0..<100, using: &random) < 35 { given.append(name(pool, &random)) }
        if given.count == 2, given[0] == given[1] { given.removeLast() }
        let birthYear = year ?? Int.random(in: 1960...2008, using: &random)
        let documentType = random.weighted([("passport", 30), ("national_id", 35), ("laissez_passer", 25), ("none", 10)])
        var document: String? = nil
        switch documentType {
        case "passport": document = String(format: "%02d%@%05d", Int.random(in: 15...25, using: &random), ["AA", "AB", "AC", "AD"].randomElement(using: &random) ?? "AA", Int.random(in: 0..<100_000, using: &random))
        case "national_id": document = String(format: "CI%03d%07d", Int.random(in: 0..<1000, using: &random), Int.random(in: 0..<10_000_000, using: &random))
        case "laissez_passer": document = String(format: "LP%07d", Int.random(in: 0..<10_000_000, using: &random))
        default: break
        }
        return Person(given: given, family: family ?? name(Self.families, &random), sex: sex, birth: birth(&random, year: birthYear),
                      documentType: documentType, document: document,
                      phone: Int.random(in: 0..<100, using: &random) < 75 ? phone(&random) : nil,
                      region: region ?? (CoteDIvoire.regions.randomElement(using: &random)?.name ?? "Abidjan"),
                      host: random.weighted(Self.hosts))
    }

    /// One person, or a household travelling together, or two look-alikes.
    private func makeGroup(_ random: inout SeededGenerator, firstIndex: Int) -> [Person] {
        let head = person(&random)
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<62:
            return [head]
        case 62..<70:
            // Twins: one family name, birth date and region; other given names.
            var twin = person(&random, family: head.family, region: head.region)
            twin.birth = head.birth
            twin.host = head.host
            twin.phone = head.phone
            return [head, twin]
        case 70..<76:
            // A father and a son of one name.
            var son = person(&random, sex: "M", family: head.family, year: min(2010, (head.birth?.year ?? 1970) + Int.random(in: 20...32, using: &random)), region: head.region)
            var father = head
            father.sex = "M"
            father.given = son.given
            son.phone = Int.random(in: 0..<2, using: &random) == 0 ? father.phone : son.phone
            return [father, son]
        case 76..<84:
            // Namesakes: one given and family name, nothing else in common.
            var namesake = person(&random, sex: head.sex, family: head.family)
            namesake.given = head.given
            return [head, namesake]
        default:
            // A household on one laissez-passer series: a spouse, children on a parent's
            // number, siblings; one phone.
            var household = [head]
            let spouseSex = head.sex == "M" ? "F" : "M"
            var spouse = person(&random, sex: spouseSex, year: (head.birth?.year ?? 1980) + Int.random(in: -8...4, using: &random), region: head.region)
            spouse.phone = head.phone
            spouse.host = head.host
            household.append(spouse)
            let series = Int.random(in: 0..<9_000_000, using: &random)
            household[0].documentType = "laissez_passer"
            household[0].document = String(format: "LP%07d", series)
            household[1].documentType = "laissez_passer"
            household[1].document = String(format: "LP%07d", series + 1)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                var child = person(&random, family: head.family, year: min(2024, (head.birth?.year ?? 1980) + Int.random(in: 18...35, using: &random)), region: head.region)
                child.documentType = "laissez_passer"
                child.document = household[0].document
                child.phone = head.phone
                child.host = head.host
                household.append(child)
            }
            return household
        }
    }

    // MARK: Writing a registration

    private func record(_ person: Person, _ random: inout SeededGenerator, variant: Bool) -> Registration.Record {
        var given = person.given, family = person.family
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        // Every record is typed by someone: a few spellings even on the first.
        let spellingRate = variant ? 40 : 8
        given = given.map { chance(spellingRate) ? respell($0, &random) : $0 }
        if chance(spellingRate) { family = respell(family, &random) }
        if variant {
            if given.count > 1, chance(15) { given.removeLast() } else if chance(8) { given.append(name(person.sex == "M" ? Self.male : Self.female, &random)) }
            if given.count > 1, chance(10) { given.reverse() }
        }
        var givenText: String? = given.joined(separator: " "), familyText: String? = family
        let layout = variant ? Int.random(in: 0..<100, using: &random) : 100
        switch layout {
        case 0..<10: (givenText, familyText) = (family, given.joined(separator: " "))             // swapped
        case 10..<16: (givenText, familyText) = (nil, family.uppercased() + " " + given.joined(separator: " ")) // "FAMILY Given" in one field
        case 16..<20: (givenText, familyText) = (given.joined(separator: " ") + " " + family, nil) // whole name in the given field
        default: break
        }
        if chance(variant ? 30 : 10) {
            givenText = givenText.map(SearchText.fold)
            familyText = familyText.map { chance(50) ? $0.uppercased() : SearchText.fold($0) }
        }
        var birth = person.birth
        if variant, let known = birth {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<8: birth = MatchBirthDate(year: known.year, month: 1, day: 1)
            case 8..<13: birth = MatchBirthDate(year: known.year)
            case 13..<18 where known.isFull && known.day <= 12: birth = MatchBirthDate(year: known.year, month: known.day, day: known.month)
            case 18..<24: birth = MatchBirthDate(year: known.year + (chance(50) ? 1 : -1), month: known.month, day: known.day)
            case 24..<29: birth = nil
            default: break
            }
        }
        var document = person.document
        if let number = document {
            if variant, chance(20) { document = nil } else if chance(variant ? 40 : 15) { document = reformat(number, &random) }
        }
        var phone = person.phone
        if let number = phone {
            if variant, chance(20) { phone = nil } else if variant, chance(8) { phone = self.phone(&random) } else { phone = rewritePhone(number, &random) }
        }
        var sex: String? = person.sex
        if chance(2) { sex = nil }
        var region: String? = person.region
        if variant, chance(12) { region = nil } else if variant, chance(4) { region = CoteDIvoire.regions.randomElement(using: &random)?.name }
        let birthText: String? = birth.map { date in
            date.month == 0 ? String(date.year) : (chance(20) ? String(format: "%02d/%02d/%04d", date.day, date.month, date.year) : String(format: "%04d-%02d-%02d", date.year, date.month, date.day))
        }
        // A registration made on another trip comes from another host country, a quarter of the time.
        let host = variant && chance(25) ? random.weighted(Self.hosts) : person.host
        return MatchRecord(id: "", givenNames: givenText, familyName: familyText, sex: sex, birthDate: birthText, nationality: chance(3) ? nil : "CIV",
                           documentType: person.documentType, documentNumber: document, phone: phone, originRegion: region, hostCountry: host)
    }

    private func respell(_ name: String, _ random: inout SeededGenerator) -> String {
        if let others = Self.spellings[name], Int.random(in: 0..<100, using: &random) < 70, let other = others.randomElement(using: &random) { return other }
        var text = name
        switch Int.random(in: 0..<6, using: &random) {
        case 0: text = SearchText.fold(text).capitalized
        case 1: text = text.replacingOccurrences(of: "ou", with: "w")
        case 2: text = text.replacingOccurrences(of: "c", with: "k").replacingOccurrences(of: "C", with: "K")
        case 3:
            // A doubled letter, or a doubled one written once.
            if let range = text.range(of: "ss") ?? text.range(of: "ll") ?? text.range(of: "tt") { text.replaceSubrange(range, with: String(text[range].prefix(1))) }
            else if let last = text.last { text.append(last) }
        case 4: text = text.replacingOccurrences(of: "'", with: "").replacingOccurrences(of: "-", with: " ")
        default:
            // A typing slip: one letter swapped with the next.
            var letters = Array(text)
            if letters.count > 3 {
                let at = Int.random(in: 1..<(letters.count - 1), using: &random)
                letters.swapAt(at, at + 1)
            }
            text = String(letters)
        }
        return text
    }

    private func reformat(_ number: String, _ random: inout SeededGenerator) -> String {
        var text = number
        switch Int.random(in: 0..<6, using: &random) {
        case 0: text = "N° " + text
        case 1:
            var grouped = ""
            for (index, character) in text.enumerated() { if index > 0, index % 3 == 0 { grouped += " " }; grouped.append(character) }
            text = grouped
        case 2: text = String(text.prefix(2)) + "-" + String(text.dropFirst(2))
        case 3: text = String(text.drop(while: { $0.isLetter }))  // a prefix dropped
        case 4:
            // A scanner's confusion: a 0 read as O, 1 as I, 5 as S, 8 as B.
            let swaps: [Character: Character] = ["0": "O", "1": "I", "5": "S", "8": "B"]
            if let index = text.indices.last(where: { swaps[text[$0]] != nil }), let letter = swaps[text[index]] { text.replaceSubrange(index...index, with: String(letter)) }
        default: text = text.lowercased()
        }
        return text
    }

    private func rewritePhone(_ number: String, _ random: inout SeededGenerator) -> String {
        let old = String(number.suffix(8))
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return old                                              // before the 2021 renumbering
        case 1: return "+225 " + number
        case 2: return "00225" + number
        case 3: return stride(from: 0, to: number.count, by: 2).map { String(Array(number)[$0..<min($0 + 2, number.count)]) }.joined(separator: " ")
        case 4: return stride(from: 0, to: number.count, by: 2).map { String(Array(number)[$0..<min($0 + 2, number.count)]) }.joined(separator: ".")
        default: return number
        }
    }
}

extension WestAfricanRegistry.Registration {
    public typealias Record = MatchRecord
}
