import Foundation

/// Large synthetic data sets for load tests: the canonical case CSV and profiling interviews in
/// the Kobo CSV shape, written a household at a time (memory stays flat), deterministic for a
/// seed. Households of 1–6; host countries weighted towards the Maghreb and the Sahel; arrivals
/// over 2017–2026; vulnerabilities at plausible rates; syllable names; a few percent of
/// near-duplicate registrations (the same person registered again with a spelling variant).
public struct SyntheticData: Sendable {
    public let seed: UInt64
    public let today: Day

    public init(seed: UInt64, today: Day) {
        self.seed = seed
        self.today = today
    }

    public static let caseHeader = CaseImportReader.columns.prefix(19).joined(separator: ",")

    public static let koboHeader = [
        "start", "consentement", "g_identite/sexe", "g_identite/age", "g_identite/region_origine", "g_identite/pays_accueil",
        "g_identite/date_retour", "g_depart/raisons", "g_depart/raison_principale", "g_voyage/financement", "g_voyage/cout_fcfa",
        "g_voyage/mois_a_l_etranger", "g_retour/intention", "_id", "_uuid", "_submission_time", "_index",
    ].map { "\"\($0)\"" }.joined(separator: ";")

    /// The offices whose numbers follow one another when a year outgrows one office's (CIV
    /// first: up to about 4.5 M individuals, every case is the Abidjan mission's).
    public static let regionalOffices = ["CIV", "SEN", "MLI", "GIN", "BFA", "NER", "TGO", "BEN", "GHA", "LBR", "SLE", "GMB"]

    /// The office and the number within it of a year's `nth` case (from 1).
    public static func numbering(_ nth: Int) -> (office: String, sequence: Int) {
        let index = nth - 1
        return (regionalOffices[min(index / 99_999, regionalOffices.count - 1)], index % 99_999 + 1)
    }

    struct State {
        var random: SeededGenerator
        var sequences: [Int: Int] = [:]
        var interviews = 0
        var previous: (given: String, family: String, birth: String, host: String)?
    }

    /// Writes households until `individuals` people are written; `cases` receives CSV lines
    /// (header first), `interviews` the Kobo lines for about one returnee in five.
    public func generate(individuals: Int, cases: (String) throws -> Void, interviews: (String) throws -> Void) rethrows {
        var state = State(random: SeededGenerator(seed: seed))
        try cases(Self.caseHeader)
        try interviews(Self.koboHeader)
        var written = 0
        let hosts: [(String, Int)] = [("MAR", 22), ("DZA", 15), ("TUN", 12), ("LBY", 16), ("NER", 14), ("MLI", 10), ("MRT", 7), ("EGY", 2), ("SEN", 2)]
        let regions = CoteDIvoire.regions.map(\.name)
        let reasons = ["economic", "family", "education", "insecurity", "persecution", "environment", "join_family", "other"]
        while written < individuals {
            let year = Int.random(in: 2017...today.year, using: &state.random)
            let month = Int.random(in: 1...(year == today.year ? today.month : 12), using: &state.random)
            // No registration after today: in the current month, days run up to today only.
            let day = Int.random(in: 1...(year == today.year && month == today.month ? min(28, today.day) : 28), using: &state.random)
            let registered = Day(year: year, month: month, day: day) ?? today
            let status: CaseStatus = state.random.weighted([(.registered, 3), (.counselled, 2), (.approved, 2), (.travelReady, 2), (.arrived, 16),
                                                             (.reintegrationPlanned, 15), (.reintegrationOngoing, 25), (.completed, 30), (.closed, 5)])
            var departure: Day?, arrival: Day?
            if status != .closed, status >= .departed {
                let leaving = min(registered.adding(days: Int.random(in: 5...90, using: &state.random)), today)
                departure = leaving
                if status >= .arrived { arrival = min(leaving.adding(days: Int.random(in: 0...1, using: &state.random)), today) }
            }
            state.sequences[year, default: 0] += 1
            // A number holds 99 999 cases an office a year: past that, the year's cases are
            // another mission's of the region (a regional deployment; 10 M individuals fill six).
            let (office, sequence) = Self.numbering(state.sequences[year] ?? 1)
            let number = CaseNumber(office: office, year: year, sequence: sequence)?.description ?? ""
            let host = state.random.weighted(hosts)
            let size = min(state.random.weighted([(1, 58), (2, 16), (3, 12), (4, 8), (5, 4), (6, 2)]), individuals - written)
            let region = regions.randomElement(using: &state.random) ?? "Abidjan"
            var family = DemoCases.name(DemoCases.familyStarts, DemoCases.familyEnds, using: &state.random)
            for member in 1...size {
                let relationship = member == 1 ? "principal" : (member == 2 && size > 2 ? "spouse" : "child")
                var given = DemoCases.name(DemoCases.givenStarts, DemoCases.givenEnds, using: &state.random)
                var birth: String
                if relationship == "child" {
                    birth = String(Int.random(in: max(year - 17, 2000)...(year - 1), using: &state.random))
                } else {
                    birth = String(format: "%04d-%02d-%02d", Int.random(in: 1965...(year - 18), using: &state.random),
                                   Int.random(in: 1...12, using: &state.random), Int.random(in: 1...28, using: &state.random))
                }
                // A few percent register again: the previous principal, one letter changed.
                if member == 1, let previous = state.previous, Int.random(in: 0..<100, using: &state.random) < 3 {
                    given = previous.given.replacingOccurrences(of: "a", with: "e")
                    family = previous.family
                    birth = previous.birth
                }
                let sex = Bool.random(using: &state.random) ? "F" : "M"
                var vulnerabilities: [String] = []
                if relationship != "child", Int.random(in: 0..<100, using: &state.random) < 5 { vulnerabilities.append("vot") }
                if Int.random(in: 0..<100, using: &state.random) < 4 { vulnerabilities.append("medical") }
                if relationship != "child", sex == "F", Int.random(in: 0..<100, using: &state.random) < 6 { vulnerabilities.append("domestic_worker") }
                if relationship == "child", size == 1 { vulnerabilities.append("uasc") }
                let document = state.random.weighted([("laissez_passer", 45), ("consular_card", 25), ("passport", 18), ("national_id", 8), ("none", 4)])
                let documentNumber = document == "none" ? "" : document.prefix(2).uppercased() + String(Int.random(in: 1_000_000...9_999_999, using: &state.random))
                let fields = [number, String(member), relationship, given, family, sex, birth, "CIV", host, office, registered.iso,
                              departure?.iso ?? "", arrival?.iso ?? "", status.rawValue, region, "", document, documentNumber, vulnerabilities.sorted().joined(separator: "|")]
                try cases(fields.joined(separator: ","))
                if member == 1 { state.previous = (given, family, birth, host) }
                written += 1

                if relationship != "child", let arrival, Int.random(in: 0..<5, using: &state.random) == 0 {
                    state.interviews += 1
                    var chosen = [state.random.weighted([("economic", 88), ("family", 4), ("education", 2), ("insecurity", 2), ("persecution", 1), ("environment", 2), ("join_family", 1)])]
                    if Int.random(in: 0..<3, using: &state.random) == 0, let extra = reasons.randomElement(using: &state.random), !chosen.contains(extra) { chosen.append(extra) }
                    let age = max(18, arrival.year - (Int(birth.prefix(4)) ?? 1990))
                    var uuidBytes = [UInt8](repeating: 0, count: 16)
                    for index in 0..<16 { uuidBytes[index] = UInt8.random(in: 0...255, using: &state.random) }
                    let uuid = UUID(uuid: (uuidBytes[0], uuidBytes[1], uuidBytes[2], uuidBytes[3], uuidBytes[4], uuidBytes[5], uuidBytes[6], uuidBytes[7],
                                           uuidBytes[8], uuidBytes[9], uuidBytes[10], uuidBytes[11], uuidBytes[12], uuidBytes[13], uuidBytes[14], uuidBytes[15])).uuidString.lowercased()
                    let values = [arrival.iso, "oui", sex == "F" ? "femme" : "homme", String(age), region, host, arrival.iso, chosen.joined(separator: " "),
                                  chosen[0], state.random.weighted([("epargne", 3), ("pret", 3), ("passeur", 2), ("famille", 2), ("autre", 1)]),
                                  String(Int.random(in: 300...3_000, using: &state.random) * 1_000), String(Int.random(in: 3...84, using: &state.random)),
                                  state.random.weighted([("rester", 3), ("repartir_regulier", 2), ("repartir_irregulier", 2), ("indecis", 2)]),
                                  String(state.interviews), uuid, arrival.iso + " 10:00:00", String(state.interviews)]
                    try interviews(values.map { "\"\($0)\"" }.joined(separator: ";"))
                }
            }
        }
    }
}
