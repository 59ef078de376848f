import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// After an import: the people it brought who look like people already stored (or like one
/// another), each recorded as a candidate pair (origin `import`) that the report links to.
enum ImportMatches {
    /// The imported people checked on the report; the rest wait for `corridor match caseload`.
    static let checkedPerImport = 300

    struct Match: Sendable {
        var candidate: UUID
        var incoming: PeopleQueries.MemberSummary
        var stored: PeopleQueries.MemberSummary
        var probability: Double
    }

    struct Result: Sendable {
        var matches: [Match]
        /// People the import wrote in new cases, and how many of them were checked.
        var imported: Int
        var checked: Int
    }

    /// The members of the cases an import created (`numbers`: the first of those cases;
    /// `created`: the people it wrote in all) checked against the stored people the reader may see.
    static func find(createdCases numbers: [String], created: Int, _ req: Request) async throws -> Result {
        guard req.currentUser?.institutionID == nil, !numbers.isEmpty else { return Result(matches: [], imported: created, checked: 0) }
        let sql = try req.db.sqlDatabase
        var incoming: [PeopleQueries.MemberSummary] = []
        for chunk in stride(from: 0, to: numbers.count, by: 500).map({ Array(numbers[$0..<min($0 + 500, numbers.count)]) }) where incoming.count < checkedPerImport {
            incoming += try await sql.raw("""
                SELECT \(PeopleQueries.memberColumns) FROM case_members m JOIN return_cases c ON c.id = m.case_id
                WHERE c.case_number IN (\(binds: chunk)) AND m.anonymised_on IS NULL ORDER BY c.case_number, m.member_number
                """).all(decoding: PeopleQueries.MemberSummary.self)
        }
        incoming = Array(incoming.prefix(checkedPerImport))
        let queries = PeopleQueries(database: req.db, principal: req.currentUser?.principal)
        let model = try await LinkageModelStore.shared.model(on: req.db)
        var matches: [Match] = []
        var seen = Set<String>()
        let now = req.now
        for member in incoming {
            for match in try await queries.likelyMatches(member.record, model: model, excludingCase: member.case_number, limit: 3) where match.openable {
                let key = PeopleService.key(member.id, match.member.id)
                guard seen.insert(key).inserted, match.member.person != member.person else { continue }
                let proposed = try await PeopleService.propose(member.id, match.member.id, probability: match.probability, evidence: match.evidenceText,
                                                               origin: "import", sensitive: member.isVictimOfTrafficking || match.member.isVictimOfTrafficking,
                                                               at: now, on: req.db)
                guard let candidate = proposed.open else { continue }
                matches.append(Match(candidate: candidate, incoming: member, stored: match.member, probability: match.probability))
            }
        }
        return Result(matches: matches.sorted { $0.probability > $1.probability }, imported: created, checked: min(incoming.count, created))
    }
}
