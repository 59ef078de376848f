import Fluent

/// The migrations of this feature, in the order they were added. Names are history: never
/// rename one, only append.
enum AuditMigrations {
    static let all: [any Migration] = [
        CreateAuditTrail(),
        AddAuditHeadSeal(),
        AddAuditPersonalDetail(),
    ]
}

/// A personal detail an entry must keep, beside it rather than in its hashed content
/// (`AuditPersonalDetail`), so that erasure can remove it and the chain still verifies.
struct AddAuditPersonalDetail: AsyncMigration {
    var name: String { "2026-12-05-03-add-audit-personal-detail" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries").field("personal_digest", .string).update()
        try await database.schema("audit_entries").field("personal_detail", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").deleteField("personal_detail").update()
        try await database.schema("audit_entries").deleteField("personal_digest").update()
    }
}
