/// A small deterministic random generator (SplitMix64): the same seed gives the same data.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One of `items`, chosen with the given weights.
    public mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var pick = Int.random(in: 0..<max(total, 1), using: &self)
        for (item, weight) in items {
            if pick < weight { return item }
            pick -= weight
        }
        return items[items.count - 1].0
    }
}

/// Synthetic households for demonstrations and benchmarks. Names are built from syllables,
/// so they belong to nobody; numbers carry the office code `DEM` (`DEM-2026-00001`), a number
/// space of their own, so that a real case is never numbered after a demo one, and loading the
/// same seed twice changes nothing.
public enum DemoCases {
    /// The office code of demo case numbers: no real office has it.
    public static let numberOffice = "DEM"

    public static let givenStarts = ["A", "Ko", "Ya", "Dri", "Ma", "Sé", "Fa", "Ki", "Ba", "Ou", "Zi", "Ti", "Mi", "Lé", "No", "Ra", "Sa", "Dja"]
    public static let givenEnds = ["ba", "mé", "ssa", "na", "dou", "rie", "lé", "ko", "ta", "lou", "bi", "nin", "ssou", "ya", "fa"]
    public static let familyStarts = ["Kou", "Tra", "Dia", "Ya", "Ga", "Bro", "Ahi", "Sé", "Tou", "Ké", "Zo", "Da", "N'Go", "Bam"]
    public static let familyEnds = ["assi", "oré", "baté", "o", "gbo", "ko", "nan", "ré", "kpa", "lé", "ssan", "bo", "ra", "hi"]

    public static func name(_ starts: [String], _ ends: [String], using random: inout SeededGenerator) -> String {
        (starts.randomElement(using: &random) ?? "A") + (ends.randomElement(using: &random) ?? "ba")
    }

    public static func generate(households: Int, seed: UInt64, today: Day) -> [ImportedCase] {
        var random = SeededGenerator(seed: seed)
        var sequences: [Int: Int] = [:]
        var result: [ImportedCase] = []
        let hosts: [(String, Int)] = [("MAR", 22), ("TUN", 12), ("LBY", 16), ("DZA", 14), ("NER", 14), ("MLI", 10), ("MRT", 7), ("EGY", 3), ("SEN", 2)]
        let regionNames = CoteDIvoire.regions.map(\.name)
        for _ in 0..<households {
            let year = Int.random(in: 2017...max(2017, today.year), using: &random)
            let lastDay = year == today.year ? today : (Day(year: year, month: 12, day: 31) ?? today)
            let start = Day(year: year, month: 1, day: 1) ?? today
            let span = max(0, (Int(lastDay.date.timeIntervalSince(start.date)) / 86_400))
            let registered = start.adding(days: Int.random(in: 0...span, using: &random))
            let status: CaseStatus = random.weighted([
                (.registered, 4), (.counselled, 3), (.approved, 3), (.travelReady, 3), (.arrived, 15),
                (.reintegrationPlanned, 15), (.reintegrationOngoing, 20), (.completed, 30), (.closed, 7),
            ])
            var departure: Day?
            var arrival: Day?
            if status != .closed, status >= .departed {
                let d = registered.adding(days: Int.random(in: 7...120, using: &random))
                departure = min(d, today)
                if status >= .arrived, let departure { arrival = min(departure.adding(days: Int.random(in: 0...1, using: &random)), today) }
            }
            sequences[year, default: 0] += 1
            let number = CaseNumber(office: numberOffice, year: year, sequence: sequences[year] ?? 1)
            let host = random.weighted(hosts.map { ($0.0, $0.1) })
            let size = random.weighted([(1, 60), (2, 15), (3, 12), (4, 8), (5, 3), (6, 2)])
            let family = name(familyStarts, familyEnds, using: &random)
            let region = regionNames.randomElement(using: &random)
            var members: [MemberDraft] = []
            for index in 1...size {
                let relationship: Relationship = index == 1 ? .principal : (index == 2 && size > 2 ? .spouse : .child)
                let isChild = relationship == .child
                let birthYear = isChild ? Int.random(in: max(year - 17, 2000)...(year - 1), using: &random) : Int.random(in: 1965...(year - 18), using: &random)
                let estimated = Int.random(in: 0..<10, using: &random) == 0
                let birth: BirthDate? = estimated ? BirthDate(estimatedYear: birthYear)
                    : Day(year: birthYear, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random)).map(BirthDate.init(exact:))
                var vulnerabilities: [Vulnerability] = []
                if !isChild, Int.random(in: 0..<100, using: &random) < 6 { vulnerabilities.append(.vot) }
                if Int.random(in: 0..<100, using: &random) < 4 { vulnerabilities.append(.medical) }
                if !isChild, Int.random(in: 0..<100, using: &random) < 3 { vulnerabilities.append(.domesticWorker) }
                if isChild, size == 1 { vulnerabilities.append(.uasc) }
                let document: DocumentType = random.weighted([(.laissezPasser, 45), (.consularCard, 25), (.passport, 18), (.nationalID, 8), (.none, 4)])
                let documentNumber = document == .none ? nil : String(document.rawValue.prefix(2)).uppercased() + String(Int.random(in: 1_000_000...9_999_999, using: &random))
                members.append(MemberDraft(
                    memberNumber: index, relationship: relationship, givenNames: name(givenStarts, givenEnds, using: &random),
                    familyName: family, sex: Bool.random(using: &random) ? .female : .male, birthDate: birth, nationality: "CIV",
                    documentType: document, documentNumber: documentNumber, originRegion: region, vulnerabilities: vulnerabilities))
            }
            let fields = CaseFields(hostCountry: host, office: "CIV", registeredOn: registered, departureDate: departure, arrivalDate: arrival,
                                    status: status, closureReason: status == .closed ? random.weighted([(ClosureReason.withdrawn, 5), (.lostContact, 3), (.ineligible, 2)]) : nil)
            result.append(ImportedCase(caseNumber: number, fields: fields, members: members, lines: []))
        }
        return result
    }
}
