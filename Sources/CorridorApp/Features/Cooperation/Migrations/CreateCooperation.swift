import Fluent
import Foundation
import SQLKit

struct CreateCooperation: AsyncMigration {
    var name: String { "2026-11-29-02-create-cooperation" }

    func prepare(on database: any Database) async throws {
        try await database.schema("matrices")
            .id()
            .field("title_fr", .string, .required).field("title_en", .string, .required)
            .field("description_fr", .string, .required).field("description_en", .string, .required)
            .field("theme", .string, .required).field("country_a", .string, .required).field("country_b", .string, .required)
            .field("project", .string, .required).field("status", .string, .required)
            .field("validated_version", .int, .required).field("version", .int, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .create()
        try await database.schema("matrix_actions")
            .id()
            .field("matrix_id", .uuid, .required, .references("matrices", "id", onDelete: .cascade))
            .field("code", .string, .required).field("axis", .string, .required).field("description", .string, .required)
            .field("lead_institution_id", .uuid, .required, .references("institutions", "id"))
            .field("start_date", .string).field("deadline", .string).field("budget", .string).field("currency", .string)
            .field("funding_source", .string).field("status", .string, .required).field("progress", .int, .required)
            .field("weight", .double, .required).field("position", .int, .required).field("version", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "matrix_id", "code")
            .create()
        try await database.schema("action_partners")
            .id()
            .field("action_id", .uuid, .required, .references("matrix_actions", "id", onDelete: .cascade))
            .field("institution_id", .uuid, .required, .references("institutions", "id"))
            .unique(on: "action_id", "institution_id")
            .create()
        try await database.schema("action_indicators")
            .id()
            .field("action_id", .uuid, .required, .references("matrix_actions", "id", onDelete: .cascade))
            .field("name", .string, .required).field("unit", .string).field("baseline", .string).field("target", .string)
            .field("current_value", .string).field("live_figure", .string).field("position", .int, .required)
            .create()
        try await database.schema("action_updates")
            .id()
            .field("action_id", .uuid, .required, .references("matrix_actions", "id", onDelete: .cascade))
            .field("kind", .string, .required).field("occurred_on", .string, .required).field("text", .string, .required)
            .field("changes", .string, .required)
            .field("evidence_url", .string).field("author_id", .uuid).field("author_label", .string, .required)
            .field("institution_acronym", .string).field("created_at", .datetime, .required)
            .create()
        try await database.schema("milestones")
            .id()
            .field("matrix_id", .uuid, .required, .references("matrices", "id", onDelete: .cascade))
            .field("title", .string, .required).field("due_on", .string).field("done_on", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("milestone_actions")
            .id()
            .field("milestone_id", .uuid, .required, .references("milestones", "id", onDelete: .cascade))
            .field("action_id", .uuid, .required, .references("matrix_actions", "id", onDelete: .cascade))
            .create()
        try await database.schema("matrix_versions")
            .id()
            .field("matrix_id", .uuid, .required, .references("matrices", "id", onDelete: .cascade))
            .field("number", .int, .required).field("workshop_date", .string, .required).field("workshop_place", .string, .required)
            .field("institutions_present", .string, .required).field("snapshot", .string, .required)
            .field("validated_by", .string, .required).field("created_at", .datetime, .required)
            .unique(on: "matrix_id", "number")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        for (name, table, column) in [
            ("matrix_actions_matrix_idx", "matrix_actions", "matrix_id"), ("matrix_actions_lead_idx", "matrix_actions", "lead_institution_id"),
            ("action_partners_institution_idx", "action_partners", "institution_id"), ("action_partners_action_idx", "action_partners", "action_id"),
            ("action_indicators_action_idx", "action_indicators", "action_id"), ("action_updates_action_idx", "action_updates", "action_id"),
            ("milestones_matrix_idx", "milestones", "matrix_id"), ("matrix_versions_matrix_idx", "matrix_versions", "matrix_id"),
        ] {
            try await sql.create(index: name).on(table).column(column).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["matrix_versions", "milestone_actions", "milestones", "action_updates", "action_indicators", "action_partners", "matrix_actions", "matrices"] {
            try await database.schema(table).delete()
        }
    }
}
