import CorridorCore
import Fluent
import Foundation
import SQLKit

/// The reads of people and their records: the review queue, one person's records, and the
/// likely matches of a new registration. Who sees what is decided here, for every page and the
/// API alike: candidates with a victim of trafficking reach the protection role only, and a
/// case worker sees the pairs of the offices they work for.
struct PeopleQueries: Sendable {
    let database: any Database
    let principal: Principal?

    /// One member as the pages show them.
    struct MemberSummary: Decodable, Sendable, Equatable {
        var id: UUID
        var case_number: String
        var member_number: Int
        var given_names: String
        var family_name: String
        var sex: String
        var birth_date: String?
        var birth_year: Int?
        var nationality: String
        var document_number: String?
        var phone: String?
        var origin_region: String?
        var host_country: String
        var office: String
        var registered_on: String
        var departure_date: String?
        var arrival_date: String?
        var status: String
        var vulnerabilities: String
        var person_id: UUID?

        var name: String { "\(given_names) \(family_name)" }
        /// The member as the engine reads them.
        var record: MatchRecord {
            MatchRecord(id: id.uuidString, givenNames: given_names, familyName: family_name, sex: sex, birthDate: birth.nilIfEmpty,
                        nationality: nationality, documentNumber: document_number, phone: phone, originRegion: origin_region,
                        hostCountry: host_country, office: office, registeredOn: registered_on)
        }
        var birth: String { birth_date ?? birth_year.map(String.init) ?? "" }
        var person: UUID { person_id ?? id }
        var isVictimOfTrafficking: Bool { vulnerabilities.contains("|vot|") }
    }

    static let memberColumns: SQLQueryString = """
        m.id, c.case_number, m.member_number, m.given_names, m.family_name, m.sex, m.birth_date, m.birth_year, m.nationality,
        m.document_number, m.phone, m.origin_region, c.host_country, c.office, c.registered_on, c.departure_date, c.arrival_date,
        c.status, m.vulnerabilities, m.person_id
        """

    struct Evidence: Sendable, Equatable {
        var feature: String
        var level: String
        var weight: Double
        var agrees: Bool { weight > 0 }
    }

    struct Candidate: Sendable {
        var id: UUID
        var probability: Double
        var origin: String
        var evidence: [Evidence]
        var first: MemberSummary
        var second: MemberSummary
    }

    struct QueueFilter: Codable, Sendable {
        var office: String?
        var min_score: Int?
        var page: Int?
    }

    struct Queue: Sendable {
        var candidates: [Candidate]
        var total: Int
        var page: Int
        var pageSize: Int
        var offices: [String]
    }

    static func evidence(_ text: String) -> [Evidence] {
        text.split(separator: ";").compactMap { part in
            let fields = part.split(separator: ":")
            guard fields.count == 3, let weight = Double(fields[2]) else { return nil }
            return Evidence(feature: String(fields[0]), level: String(fields[1]), weight: weight)
        }
    }

    private var seesSensitive: Bool { principal?.role == .protection }

    /// Whether the reader may see this member's record here.
    func visible(_ member: MemberSummary) -> Bool {
        if member.isVictimOfTrafficking, !seesSensitive { return false }
        guard let scope = Policy.caseOffices(principal) else { return true }
        return scope.covers(office: member.office, hostCountry: member.host_country)
    }

    func members(_ ids: [UUID]) async throws -> [UUID: MemberSummary] {
        guard !ids.isEmpty else { return [:] }
        let sql = try database.sqlDatabase
        var found: [UUID: MemberSummary] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let rows = try await sql.raw("SELECT \(Self.memberColumns) FROM case_members m JOIN return_cases c ON c.id = m.case_id WHERE m.anonymised_on IS NULL AND m.id IN (\(binds: chunk))")
                .all(decoding: MemberSummary.self)
            for row in rows { found[row.id] = row }
        }
        return found
    }

    /// The open candidates the reader may decide, best first.
    func queue(_ filter: QueueFilter) async throws -> Queue {
        var query = MatchCandidateModel.query(on: database).filter(\.$status == "open")
        if !seesSensitive { query = query.filter(\.$sensitive == false) }
        if let minimum = filter.min_score, minimum > 0 { query = query.filter(\.$probability >= Double(minimum) / 100) }
        // Scoped readers: the candidates are read in order and filtered on their members'
        // offices; a thousand open pairs is beyond what one review session goes through.
        let rows = try await query.sort(\.$probability, .descending).sort(\.$id).limit(5_000).all()
        let members = try await self.members(rows.flatMap { [$0.memberA, $0.memberB] })
        let office = filter.office?.nilIfEmpty
        var candidates: [Candidate] = []
        var offices = Set<String>()
        for row in rows {
            guard let a = members[row.memberA], let b = members[row.memberB], visible(a), visible(b) else { continue }
            offices.insert(a.office)
            offices.insert(b.office)
            if let office, a.office != office, b.office != office { continue }
            candidates.append(Candidate(id: row.id!, probability: row.probability, origin: row.origin, evidence: Self.evidence(row.evidence), first: a, second: b))
        }
        let pageSize = 20
        let page = max(1, filter.page ?? 1)
        let slice = Array(candidates.dropFirst((page - 1) * pageSize).prefix(pageSize))
        return Queue(candidates: slice, total: candidates.count, page: page, pageSize: pageSize, offices: offices.sorted())
    }

    /// One candidate, if the reader may see it.
    func candidate(_ id: UUID) async throws -> Candidate? {
        guard let row = try await MatchCandidateModel.find(id, on: database) else { return nil }
        if row.sensitive, !seesSensitive { return nil }
        let members = try await self.members([row.memberA, row.memberB])
        guard let a = members[row.memberA], let b = members[row.memberB], visible(a), visible(b) else { return nil }
        return Candidate(id: id, probability: row.probability, origin: row.origin, evidence: Self.evidence(row.evidence), first: a, second: b)
    }

    /// How many open candidates the reader may decide (the dashboard's "still to review").
    func openCount() async throws -> Int {
        try await queue(QueueFilter()).total
    }

    struct Decision: Sendable {
        var id: UUID
        var decision: String
        var reason: String
        var origin: String
        var decidedBy: String
        var decidedAt: Date
        var undoneBy: String?
        var undoneAt: Date?
        var members: (UUID, UUID)
    }

    struct Person: Sendable {
        /// The person's records in the order they were registered.
        var records: [MemberSummary]
        /// Records of this person the reader may not see (another office's, or protected).
        var hidden: Int
        var decisions: [Decision]
    }

    /// Every record of the person `member` is.
    func person(of member: UUID) async throws -> Person? {
        guard let start = try await members([member])[member], visible(start) else { return nil }
        let sql = try database.sqlDatabase
        let rows = try await sql.raw("SELECT \(Self.memberColumns) FROM case_members m JOIN return_cases c ON c.id = m.case_id WHERE m.anonymised_on IS NULL AND (m.person_id = \(bind: start.person) OR m.id = \(bind: start.person))")
            .all(decoding: MemberSummary.self)
        let records = (rows.isEmpty ? [start] : rows).sorted { ($0.registered_on, $0.case_number, $0.member_number) < ($1.registered_on, $1.case_number, $1.member_number) }
        let ids = records.map(\.id)
        let decisions = try await PersonDecisionModel.query(on: database).group(.or) { $0.filter(\.$memberA ~~ ids).filter(\.$memberB ~~ ids) }
            .sort(\.$decidedAt, .descending).all()
        return Person(records: records.filter(visible), hidden: records.filter { !visible($0) }.count,
                      decisions: decisions.map { Decision(id: $0.id!, decision: $0.decision, reason: $0.reason, origin: $0.origin, decidedBy: $0.decidedByName,
                                                          decidedAt: $0.decidedAt, undoneBy: $0.undoneByName, undoneAt: $0.undoneAt, members: ($0.memberA, $0.memberB)) })
    }

    // MARK: A new registration

    struct LikelyMatch: Sendable {
        var member: MemberSummary
        var probability: Double
        /// As a candidate stores it (`PeopleService.evidenceText`), and read back.
        var evidenceText: String
        var evidence: [Evidence] { PeopleQueries.evidence(evidenceText) }
        /// Whether the reader may open the record's case.
        var openable: Bool
    }

    /// Stored people who are likely the person about to be registered, best first: those
    /// sharing two name words or the document number with them (through the search index,
    /// never a scan), scored with the last caseload run's model.
    func likelyMatches(_ record: MatchRecord, model: LinkageModel, excludingCase caseNumber: String? = nil, limit: Int = 8) async throws -> [LikelyMatch] {
        let words = Array(Set(SearchText.words((record.givenNames ?? "") + " " + (record.familyName ?? "")).filter { $0.count >= 2 })).sorted()
        let document = record.documentNumber.map { SearchText.words($0) } ?? []
        let sql = try database.sqlDatabase
        var cases = Set<UUID>()
        struct CaseRow: Decodable { var case_id: UUID }
        if words.count >= 2 {
            let query: SQLQueryString = "SELECT t.case_id FROM case_terms t WHERE t.term IN (\(binds: words)) GROUP BY t.case_id HAVING COUNT(DISTINCT t.term) >= 2 LIMIT 400"
            for row in try await sql.raw(query).all(decoding: CaseRow.self) { cases.insert(row.case_id) }
        }
        for term in document where term.count >= 5 {
            for row in try await sql.raw("SELECT t.case_id FROM case_terms t WHERE t.term = \(bind: term) LIMIT 50").all(decoding: CaseRow.self) { cases.insert(row.case_id) }
        }
        guard !cases.isEmpty else { return [] }
        let caseList = Array(cases)
        var stored = try await sql.raw("SELECT \(Self.memberColumns) FROM case_members m JOIN return_cases c ON c.id = m.case_id WHERE m.anonymised_on IS NULL AND m.case_id IN (\(binds: caseList))")
            .all(decoding: MemberSummary.self)
        if let caseNumber { stored.removeAll { $0.case_number == caseNumber } }
        stored.removeAll { $0.isVictimOfTrafficking && !seesSensitive }
        guard !stored.isEmpty else { return [] }
        let records = [record] + stored.map(\.record)
        let settings = LinkageSettings()
        let engine = LinkageEngine.scoring(records, model: model, settings: settings)
        var matches: [LikelyMatch] = []
        for (index, member) in stored.enumerated() {
            let probability = engine.probability(0, index + 1)
            guard probability >= settings.reviewThreshold else { continue }
            matches.append(LikelyMatch(member: member, probability: probability, evidenceText: PeopleService.evidenceText(engine.evidence(0, index + 1)),
                                       openable: visible(member)))
        }
        return Array(matches.sorted { $0.probability > $1.probability }.prefix(limit))
    }
}

/// The model new registrations are scored with: the last caseload run's, else one fitted once
/// on the invented West-African registry (`WestAfricanRegistry`) until the caseload has its own.
actor LinkageModelStore {
    static let shared = LinkageModelStore()
    private var reference: LinkageModel?

    func model(on database: any Database) async throws -> LinkageModel {
        if let stored = try await MatchModelRecord.query(on: database).sort(\.$fittedAt, .descending).first(),
           let model = try? JSONDecoder().decode(LinkageModel.self, from: Data(stored.model.utf8)) {
            return model
        }
        if let reference { return reference }
        let records = WestAfricanRegistry(seed: 7).dedup(count: 3_000).map(\.record)
        let (engine, _, _) = await LinkageEngine.fitted(records)
        reference = engine.model
        return engine.model
    }
}
