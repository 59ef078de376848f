import Fluent
import SQLKit

/// On PostgreSQL, a case's words by case and word: whether a case holds a word beginning so is
/// one descent of this index, read alone (no row fetched). The caseload searched for a word
/// many cases hold walks the list's order and asks this of each case (`CaseQueries.list`): at
/// 10 M individuals, 9 133 probes for a page of a family name's 27 016 cases, 33 ms. It replaces
/// the index on the case alone (every use of that one is served by this one's first column).
/// SQLite keeps its index: its walk probes exact words through (term, case_id).
struct AddTermProbeIndex: AsyncMigration {
    var name: String { "2026-12-06-09-add-term-probe-index" }

    func prepare(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX case_terms_case_term_idx ON case_terms (case_id, term)").run()
        try await sql.raw("DROP INDEX IF EXISTS case_terms_case_idx").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX case_terms_case_idx ON case_terms (case_id)").run()
        try await sql.raw("DROP INDEX IF EXISTS case_terms_case_term_idx").run()
    }
}
