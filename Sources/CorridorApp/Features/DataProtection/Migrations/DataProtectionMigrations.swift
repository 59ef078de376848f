import Fluent
import SQLKit

enum DataProtectionMigrations {
    static let all: [any Migration] = [AddAnonymisation()]
}

/// The day a member, and a whole case, was anonymised (by the retention run or on request).
struct AddAnonymisation: AsyncMigration {
    var name: String { "2026-12-04-01-add-anonymisation" }

    func prepare(on database: any Database) async throws {
        try await database.schema("return_cases").field("anonymised_on", .string).update()
        try await database.schema("case_members").field("anonymised_on", .string).update()
        // The retention run looks for finished cases still holding names.
        try await (database as? any SQLDatabase)?.create(index: "return_cases_retention_idx").on("return_cases")
            .column("status").column("anonymised_on").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as? any SQLDatabase)?.raw("DROP INDEX return_cases_retention_idx").run()
        try await database.schema("case_members").deleteField("anonymised_on").update()
        try await database.schema("return_cases").deleteField("anonymised_on").update()
    }
}
