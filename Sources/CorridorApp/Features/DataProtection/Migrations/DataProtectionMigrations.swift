import Fluent
import SQLKit

enum DataProtectionMigrations {
    static let all: [any Migration] = [AddAnonymisation(), CreateMemberConsents(), CreateCaseAttachments()]
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

/// Each consent answer of a member, kept with its history: a new answer for a purpose becomes
/// the current one (`is_current` 1), the earlier stay (0); a withdrawal dates the current one.
struct CreateMemberConsents: AsyncMigration {
    var name: String { "2026-12-04-02-create-member-consents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("member_consents")
            .id()
            .field("member_id", .uuid, .required, .references("case_members", "id", onDelete: .cascade))
            .field("case_id", .uuid, .required, .references("return_cases", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("answer", .string, .required)
            .field("method", .string, .required)
            .field("recorded_on", .string, .required)
            .field("partners", .string, .required)
            .field("is_current", .int, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("withdrawn_on", .string)
            .field("withdrawn_by", .string)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "member_consents_member_idx").on("member_consents").column("member_id").run()
        try await sql.create(index: "member_consents_case_idx").on("member_consents").column("case_id").column("purpose").column("is_current").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_consents").delete()
    }
}

/// The files attached to a case (signed consent forms, document scans): what each is, whose it
/// is, its type, size and checksum, and the name it is stored under in the data directory's
/// `attachments/` folder (random; the uploaded name is kept for the download only).
struct CreateCaseAttachments: AsyncMigration {
    var name: String { "2026-12-05-01-create-case-attachments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_attachments")
            .id()
            .field("case_id", .uuid, .required, .references("return_cases", "id", onDelete: .cascade))
            .field("member_id", .uuid, .references("case_members", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("is_protected", .int, .required)
            .field("file_name", .string, .required)
            .field("media_type", .string, .required)
            .field("byte_count", .int, .required)
            .field("sha256", .string, .required)
            .field("storage_name", .string, .required)
            .field("uploaded_by", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .unique(on: "storage_name")
            .create()
        try await (database as? any SQLDatabase)?.create(index: "case_attachments_case_idx").on("case_attachments").column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_attachments").delete()
    }
}
