import Fluent
import Foundation
import SQLKit

final class QuestionnaireModel: Model, @unchecked Sendable {
    static let schema = "questionnaires"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "version") var version: Int
    @Field(key: "definition") var definition: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class WeightTableModel: Model, @unchecked Sendable {
    static let schema = "weight_tables"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "version") var version: String
    @Field(key: "definition") var definition: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// One interview, with the respondent attributes the report filters on copied out of the answers.
final class InterviewModel: Model, @unchecked Sendable {
    static let schema = "interviews"
    @ID(key: .id) var id: UUID?
    @Field(key: "questionnaire_code") var questionnaireCode: String
    @Field(key: "questionnaire_version") var questionnaireVersion: Int
    @Field(key: "source") var source: String
    @OptionalField(key: "external_uuid") var externalUUID: String?
    @OptionalField(key: "case_member_id") var caseMemberID: UUID?
    @OptionalField(key: "case_number") var caseNumber: String?
    @OptionalField(key: "member_number") var memberNumber: Int?
    @Field(key: "interviewed_on") var interviewedOn: String
    @OptionalField(key: "round") var round: Int?
    @OptionalField(key: "sex") var sex: String?
    @OptionalField(key: "age_group") var ageGroup: String?
    @OptionalField(key: "region_origin") var regionOrigin: String?
    @OptionalField(key: "host_country") var hostCountry: String?
    @OptionalField(key: "return_date") var returnDate: String?
    @Field(key: "answers") var answers: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// One row per answer value (per selected choice for multiple choice): what the report counts.
final class InterviewAnswerModel: Model, @unchecked Sendable {
    static let schema = "interview_answers"
    @ID(key: .id) var id: UUID?
    @Field(key: "interview_id") var interviewID: UUID
    @Field(key: "question_code") var questionCode: String
    @Field(key: "value") var value: String
    init() {}
}

final class ReintegrationScoreModel: Model, @unchecked Sendable {
    static let schema = "reintegration_scores"
    @ID(key: .id) var id: UUID?
    @Field(key: "interview_id") var interviewID: UUID
    @Field(key: "table_version") var tableVersion: String
    @Field(key: "economic") var economic: Double
    @Field(key: "social") var social: Double
    @Field(key: "psychosocial") var psychosocial: Double
    @Field(key: "composite") var composite: Double
    init() {}
}

final class KoboMappingModel: Model, @unchecked Sendable {
    static let schema = "kobo_mappings"
    @ID(key: .id) var id: UUID?
    @Field(key: "source") var source: String
    @Field(key: "questionnaire_code") var questionnaireCode: String
    @Field(key: "definition") var definition: String
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

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
