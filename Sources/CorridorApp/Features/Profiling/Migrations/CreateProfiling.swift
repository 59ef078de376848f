import Fluent
import Foundation
import SQLKit

struct CreateProfiling: AsyncMigration {
    var name: String { "2026-11-29-03-create-profiling" }

    func prepare(on database: any Database) async throws {
        try await database.schema("questionnaires").id()
            .field("code", .string, .required).field("version", .int, .required).field("definition", .string, .required)
            .field("created_at", .datetime, .required).unique(on: "code", "version").create()
        try await database.schema("weight_tables").id()
            .field("code", .string, .required).field("version", .string, .required).field("definition", .string, .required)
            .field("created_at", .datetime, .required).unique(on: "code", "version").create()
        try await database.schema("interviews").id()
            .field("questionnaire_code", .string, .required).field("questionnaire_version", .int, .required)
            .field("source", .string, .required).field("external_uuid", .string)
            .field("case_member_id", .uuid, .references("case_members", "id", onDelete: .setNull))
            .field("case_number", .string).field("member_number", .int)
            .field("interviewed_on", .string, .required).field("round", .int)
            .field("sex", .string).field("age_group", .string).field("region_origin", .string).field("host_country", .string).field("return_date", .string)
            .field("answers", .string, .required).field("recorded_by", .string, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .unique(on: "external_uuid").create()
        try await database.schema("interview_answers").id()
            .field("interview_id", .uuid, .required, .references("interviews", "id", onDelete: .cascade))
            .field("question_code", .string, .required).field("value", .string, .required).create()
        try await database.schema("reintegration_scores").id()
            .field("interview_id", .uuid, .required, .references("interviews", "id", onDelete: .cascade))
            .field("table_version", .string, .required).field("economic", .double, .required).field("social", .double, .required)
            .field("psychosocial", .double, .required).field("composite", .double, .required).unique(on: "interview_id").create()
        try await database.schema("kobo_mappings").id()
            .field("source", .string, .required).field("questionnaire_code", .string, .required).field("definition", .string, .required)
            .field("updated_at", .datetime, .required).unique(on: "source", "questionnaire_code").create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "interview_answers_question_idx").on("interview_answers").column("question_code").column("value").run()
        try await sql.create(index: "interview_answers_interview_idx").on("interview_answers").column("interview_id").run()
        try await sql.create(index: "interviews_questionnaire_idx").on("interviews").column("questionnaire_code").column("return_date").run()
        try await sql.create(index: "interviews_case_idx").on("interviews").column("case_number").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["kobo_mappings", "reintegration_scores", "interview_answers", "interviews", "weight_tables", "questionnaires"] {
            try await database.schema(table).delete()
        }
    }
}
