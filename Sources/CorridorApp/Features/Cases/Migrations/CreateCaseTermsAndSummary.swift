import Fluent
import SQLKit

/// The search words of cases and the return counts kept beside them (see `CaseDerivedData`),
/// with the indexes that let the caseload and the figures stay fast at a million members.
struct CreateCaseTermsAndSummary: AsyncMigration {
    var name: String { "2026-11-29-02-case-terms-and-summary" }

    func prepare(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        // Words compare byte by byte ("C" collation on PostgreSQL), so a prefix is an index range.
        let collation = sql.dialect.name == "postgresql" ? " COLLATE \"C\"" : ""
        // The same declared type as return_cases.id (SQLite then compares them with the same
        // affinity, and can look a case up in the (term, case_id) index).
        let uuid = "UUID"
        try await sql.raw("""
            CREATE TABLE case_terms (term TEXT\(unsafeRaw: collation) NOT NULL, case_id \(unsafeRaw: uuid) NOT NULL REFERENCES return_cases (id) ON DELETE CASCADE)
            """).run()
        try await sql.raw("""
            CREATE TABLE return_summary (
                slice TEXT NOT NULL, period TEXT NOT NULL, host_country TEXT NOT NULL, office TEXT NOT NULL,
                a TEXT NOT NULL, b TEXT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (slice, period, host_country, office, a, b))
            """).run()
        // Moves on every change of the summary: caches of figures compare it (any process).
        try await sql.raw("CREATE TABLE summary_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)").run()
        try await sql.raw("INSERT INTO summary_state (id, version) VALUES (1, 0)").run()
        let indexes: [(String, String, [String])] = [
            ("case_terms_term_idx", "case_terms", ["term", "case_id"]),
            ("case_terms_case_idx", "case_terms", ["case_id"]),
            ("return_cases_name_idx", "return_cases", ["principal_name"]),
        ]
        for (name, table, columns) in indexes {
            var builder = sql.create(index: name).on(table)
            for column in columns { builder = builder.column(column) }
            try await builder.run()
        }
        // A LIKE '%…%' cannot use this index; search goes through case_terms now.
        try await sql.raw("DROP INDEX case_members_search_idx").run()
        try await CaseDerivedData.rebuild(on: database)
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        try await sql.raw("DROP INDEX return_cases_name_idx").run()
        try await sql.create(index: "case_members_search_idx").on("case_members").column("search_text").run()
        try await sql.raw("DROP TABLE summary_state").run()
        try await sql.raw("DROP TABLE return_summary").run()
        try await sql.raw("DROP TABLE case_terms").run()
    }
}
