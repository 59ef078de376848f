import Fluent
import SQLKit

/// The head's seal (a MAC under a key outside the database). A trail that existed before is
/// sealed once with `corridor audit seal`.
struct AddAuditHeadSeal: AsyncMigration {
    var name: String { "2026-12-02-01-add-audit-head-seal" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_head").field("mac", .string, .required, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_head").deleteField("mac").update()
    }
}
