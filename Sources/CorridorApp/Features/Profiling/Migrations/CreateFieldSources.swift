import Fluent
import Foundation
import SQLKit

struct CreateFieldSources: AsyncMigration {
    var name: String { "2026-12-06-01-create-field-sources" }

    func prepare(on database: any Database) async throws {
        try await database.schema("field_sources").id()
            .field("name", .string, .required).field("kind", .string, .required).field("server_url", .string, .required)
            .field("form", .string, .required).field("questionnaire_code", .string, .required)
            .field("token_sealed", .string, .required).field("auth", .string, .required).field("webhook_secret_hash", .string)
            .field("scheduled", .bool, .required).field("cursor", .string).field("last_pull_at", .datetime)
            .field("created_by", .string, .required).field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .unique(on: "name").create()
        try await database.schema("field_pulls").id()
            .field("source_id", .uuid, .required, .references("field_sources", "id", onDelete: .cascade))
            .field("kind", .string, .required).field("outcome", .string, .required)
            .field("received", .int, .required).field("created", .int, .required).field("updated", .int, .required)
            .field("unchanged", .int, .required).field("rejected", .int, .required).field("held", .int, .required)
            .field("attempts", .int, .required).field("error", .string)
            .field("started_at", .datetime, .required).field("finished_at", .datetime, .required).create()
        try await database.schema("held_submissions").id()
            .field("source_id", .uuid, .required, .references("field_sources", "id", onDelete: .cascade))
            .field("submission_key", .string, .required).field("payload", .string, .required)
            .field("reason", .string, .required).field("detail", .string, .required).field("received_at", .datetime, .required)
            .unique(on: "source_id", "submission_key").create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "field_pulls_source_idx").on("field_pulls").column("source_id").column("started_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("held_submissions").delete()
        try await database.schema("field_pulls").delete()
        try await database.schema("field_sources").delete()
    }
}
