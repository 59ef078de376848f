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
