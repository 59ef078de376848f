import Fluent
import SQLKit

/// Corrections and withdrawals of published articles, and the revision history they leave.
/// `content_revisions` is kept general (`content_type`, `content_id`) so that the website's
/// pages can record their revisions the same way.
struct AddNewsRevisions: AsyncMigration {
    var name: String { "2026-12-03-02-add-news-revisions" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for (field, type) in [("frozen_figures", DatabaseSchema.DataType.string), ("corrected_at", .datetime), ("correction_note", .string),
                              ("withdrawn_at", .datetime), ("withdrawal_reason", .string)] {
            try await database.schema("news_articles").field(.string(field), type).update()
        }
        try await database.schema("content_revisions").id()
            .field("content_type", .string, .required).field("content_id", .uuid, .required).field("number", .int, .required)
            .field("kind", .string, .required).field("title", .string, .required).field("summary", .string, .required)
            .field("body", .string, .required).field("published_body", .string).field("note", .string)
            .field("figures_refrozen", .bool, .required).field("author", .string, .required).field("created_at", .datetime, .required)
            .unique(on: "content_type", "content_id", "number")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("content_revisions").delete()
        for field in ["withdrawal_reason", "withdrawn_at", "correction_note", "corrected_at", "frozen_figures"] {
            try await database.schema("news_articles").deleteField(.string(field)).update()
        }
    }
}
