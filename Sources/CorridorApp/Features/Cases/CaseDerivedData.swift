import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// What the database keeps beside the cases to answer fast: the search words of each case
/// (`case_terms`) and the return counts (`return_summary`). Every write of a case passes here
/// in its own transaction, so both stay exact.
enum CaseDerivedData {
    typealias Cells = [ReturnSummary.Cell: Int]

    struct CaseRow: Decodable {
        var id: UUID
        var caseNumber: String
        var registeredOn: String
        var arrivalDate: String?
        var hostCountry: String
        var office: String
        var status: String
    }

    struct MemberRow: Decodable {
        var caseId: UUID
        var searchText: String
        var sex: String
        var birthDate: String?
        var birthYear: Int?
        var nationality: String
        var originRegion: String?
        var vulnerabilities: String
    }

    static let decoder = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)

    static func facts(_ row: CaseRow) -> ReturnSummary.CaseFacts {
        ReturnSummary.CaseFacts(registeredOn: row.registeredOn, arrivalDate: row.arrivalDate, hostCountry: row.hostCountry,
                                office: row.office, status: row.status)
    }

    static func facts(_ row: MemberRow) -> ReturnSummary.MemberFacts {
        ReturnSummary.MemberFacts(sex: row.sex, birthDate: row.birthDate, birthYear: row.birthYear, nationality: row.nationality,
                                  originRegion: row.originRegion, vulnerabilities: row.vulnerabilities)
    }

    static func terms(_ number: String, _ members: [MemberRow]) -> Set<String> {
        SearchText.terms(caseNumber: number, searchTexts: members.map(\.searchText),
                         vulnerabilities: members.flatMap { $0.vulnerabilities.split(separator: "|").map(String.init) })
    }

    /// The summary cells of the cases with these identifiers, as stored now.
    static func cells(of caseIDs: [UUID], on db: any Database) async throws -> Cells {
        var cells: Cells = [:]
        try await forEachCase(ids: caseIDs, on: db) { row, members in
            for (cell, count) in ReturnSummary.cells(facts(row), members: members.map(facts)) { cells[cell, default: 0] += count }
        }
        return cells
    }

    /// Reads cases with their members, by identifier (or all of them, a page at a time).
    static func forEachCase(ids: [UUID]? = nil, on db: any Database, _ body: (CaseRow, [MemberRow]) throws -> Void) async throws {
        let sql = try db.sqlDatabase
        let caseColumns: SQLQueryString = "SELECT id, case_number, registered_on, arrival_date, host_country, office, status FROM return_cases"
        let memberColumns: SQLQueryString = """
            SELECT case_id, search_text, sex, birth_date, birth_year, nationality, origin_region, vulnerabilities
            FROM case_members
            """
        func read(_ cases: [CaseRow]) async throws {
            guard !cases.isEmpty else { return }
            let list = cases.map { SQLQueryString("\(bind: $0.id)") }.joined(separator: ", ")
            let members = try await sql.raw(memberColumns + " WHERE case_id IN (" + list + ")").all(decoding: MemberRow.self, with: decoder)
            let byCase = Dictionary(grouping: members, by: { (member: MemberRow) in member.caseId })
            for row in cases { try body(row, byCase[row.id] ?? []) }
        }
        if let ids {
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                let list = chunk.map { SQLQueryString("\(bind: $0)") }.joined(separator: ", ")
                try await read(try await sql.raw(caseColumns + " WHERE id IN (" + list + ")").all(decoding: CaseRow.self, with: decoder))
            }
        } else {
            var after: UUID?
            while true {
                let condition: SQLQueryString = after.map { " WHERE id > \(bind: $0)" } ?? ""
                let page = try await sql.raw(caseColumns + condition + " ORDER BY id LIMIT 2000").all(decoding: CaseRow.self, with: decoder)
                try await read(page)
                guard page.count == 2000, let last = page.last else { break }
                after = last.id
            }
        }
    }

    /// Adds `delta` to the stored counts and removes the cells that fall to zero.
    static func apply(_ delta: Cells, on db: any Database) async throws {
        guard !delta.isEmpty else { return }
        let sql = try db.sqlDatabase
        let cells = delta.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: cells.count, by: 500) {
            let rows = cells[start..<min(start + 500, cells.count)].map { cell, count -> SQLQueryString in
                "(\(bind: cell.slice), \(bind: cell.period), \(bind: cell.hostCountry), \(bind: cell.office), \(bind: cell.a), \(bind: cell.b), \(bind: count))"
            }
            try await sql.raw("""
                INSERT INTO return_summary (slice, period, host_country, office, a, b, n) VALUES
                """ + rows.joined(separator: ", ") + """
                 ON CONFLICT (slice, period, host_country, office, a, b) DO UPDATE SET n = return_summary.n + excluded.n
                """).run()
        }
        try await sql.raw("DELETE FROM return_summary WHERE n = 0").run()
        try await sql.raw("UPDATE summary_state SET version = version + 1 WHERE id = 1").run()
    }

    /// The summary's version: it moves in the transaction of every change.
    static func version(on db: any Database) async throws -> Int {
        struct Row: Decodable { var version: Int }
        return try await db.sqlDatabase.raw("SELECT version FROM summary_state WHERE id = 1").first(decoding: Row.self)?.version ?? 0
    }

    /// Call after a case was written: moves the summary from `before` to what the case holds
    /// now and rewrites its search words.
    static func refresh(_ caseID: UUID, before: Cells, on db: any Database) async throws {
        var after: Cells = [:]
        var words: Set<String> = []
        try await forEachCase(ids: [caseID], on: db) { row, members in
            after = ReturnSummary.cells(facts(row), members: members.map(facts))
            words = terms(row.caseNumber, members)
        }
        try await apply(ReturnSummary.difference(from: before, to: after), on: db)
        let sql = try db.sqlDatabase
        try await sql.raw("DELETE FROM case_terms WHERE case_id = \(bind: caseID)").run()
        var insert = BulkInsert(into: "case_terms", columns: ["term", "case_id"], on: db)
        for word in words.sorted() { insert.append([.text(word), .uuid(caseID)]) }
        try await insert.flush()
    }

    /// The summary as stored.
    static func stored(on db: any Database) async throws -> Cells {
        struct Row: Decodable { var slice: String; var period: String; var hostCountry: String; var office: String; var a: String; var b: String; var n: Int }
        let rows = try await db.sqlDatabase.raw("SELECT slice, period, host_country, office, a, b, n FROM return_summary")
            .all(decoding: Row.self, with: decoder)
        var cells: Cells = [:]
        for row in rows {
            cells[ReturnSummary.Cell(slice: row.slice, period: row.period, hostCountry: row.hostCountry, office: row.office, a: row.a, b: row.b)] = row.n
        }
        return cells
    }

    /// The summary counted again from the cases, one page at a time.
    static func recount(on db: any Database) async throws -> Cells {
        var cells: Cells = [:]
        try await forEachCase(on: db) { row, members in
            for (cell, count) in ReturnSummary.cells(facts(row), members: members.map(facts)) { cells[cell, default: 0] += count }
        }
        return cells
    }

    /// Builds the summary and the search words from the cases (after a migration, or on demand).
    static func rebuild(on db: any Database) async throws {
        let sql = try db.sqlDatabase
        try await sql.raw("DELETE FROM return_summary").run()
        try await sql.raw("DELETE FROM case_terms").run()
        try await sql.raw("UPDATE summary_state SET version = version + 1 WHERE id = 1").run()
        var cells: Cells = [:]
        var insert = BulkInsert(into: "case_terms", columns: ["term", "case_id"], on: db)
        var pending: [(UUID, Set<String>)] = []
        try await forEachCase(on: db) { row, members in
            for (cell, count) in ReturnSummary.cells(facts(row), members: members.map(facts)) { cells[cell, default: 0] += count }
            pending.append((row.id, terms(row.caseNumber, members)))
        }
        for (id, words) in pending { for word in words.sorted() { insert.append([.text(word), .uuid(id)]) } }
        try await insert.flush()
        try await apply(cells, on: db)
    }
}
