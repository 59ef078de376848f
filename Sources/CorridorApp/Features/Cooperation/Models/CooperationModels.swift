import Fluent
import Foundation
import SQLKit

final class MatrixModel: Model, @unchecked Sendable {
    static let schema = "matrices"

    @ID(key: .id) var id: UUID?
    @Field(key: "title_fr") var titleFrench: String
    @Field(key: "title_en") var titleEnglish: String
    @Field(key: "description_fr") var descriptionFrench: String
    @Field(key: "description_en") var descriptionEnglish: String
    @Field(key: "theme") var theme: String
    @Field(key: "country_a") var countryA: String
    @Field(key: "country_b") var countryB: String
    @Field(key: "project") var project: String
    @Field(key: "status") var status: String
    /// Number of the latest validated version (0: never validated).
    @Field(key: "validated_version") var validatedVersion: Int
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class MatrixActionModel: Model, @unchecked Sendable {
    static let schema = "matrix_actions"

    @ID(key: .id) var id: UUID?
    @Field(key: "matrix_id") var matrixID: UUID
    @Field(key: "code") var code: String
    @Field(key: "axis") var axis: String
    @Field(key: "description") var description: String
    @Field(key: "lead_institution_id") var leadInstitutionID: UUID
    @OptionalField(key: "start_date") var startDate: String?
    @OptionalField(key: "deadline") var deadline: String?
    @OptionalField(key: "budget") var budget: String?
    @OptionalField(key: "currency") var currency: String?
    @OptionalField(key: "funding_source") var fundingSource: String?
    @Field(key: "status") var status: String
    @Field(key: "progress") var progress: Int
    @Field(key: "weight") var weight: Double
    @Field(key: "position") var position: Int
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

final class ActionPartnerModel: Model, @unchecked Sendable {
    static let schema = "action_partners"

    @ID(key: .id) var id: UUID?
    @Field(key: "action_id") var actionID: UUID
    @Field(key: "institution_id") var institutionID: UUID

    init() {}
}

final class ActionIndicatorModel: Model, @unchecked Sendable {
    static let schema = "action_indicators"

    @ID(key: .id) var id: UUID?
    @Field(key: "action_id") var actionID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "unit") var unit: String?
    @OptionalField(key: "baseline") var baseline: String?
    @OptionalField(key: "target") var target: String?
    @OptionalField(key: "current_value") var currentValue: String?
    @OptionalField(key: "live_figure") var liveFigure: String?
    @Field(key: "position") var position: Int

    init() {}
}

final class ActionUpdateModel: Model, @unchecked Sendable {
    static let schema = "action_updates"

    @ID(key: .id) var id: UUID?
    @Field(key: "action_id") var actionID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "occurred_on") var occurredOn: String
    @Field(key: "text") var text: String
    /// What the entry changed, as `field:before:after` joined by `|` (rendered in each language).
    @Field(key: "changes") var changes: String
    @OptionalField(key: "evidence_url") var evidenceURL: String?
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "author_label") var authorLabel: String
    @OptionalField(key: "institution_acronym") var institutionAcronym: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class MilestoneModel: Model, @unchecked Sendable {
    static let schema = "milestones"

    @ID(key: .id) var id: UUID?
    @Field(key: "matrix_id") var matrixID: UUID
    @Field(key: "title") var title: String
    @OptionalField(key: "due_on") var dueOn: String?
    @OptionalField(key: "done_on") var doneOn: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class MilestoneActionModel: Model, @unchecked Sendable {
    static let schema = "milestone_actions"

    @ID(key: .id) var id: UUID?
    @Field(key: "milestone_id") var milestoneID: UUID
    @Field(key: "action_id") var actionID: UUID

    init() {}
}

/// A validated version: the workshop and a frozen snapshot. Rows are inserted, never updated.
final class MatrixVersionModel: Model, @unchecked Sendable {
    static let schema = "matrix_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "matrix_id") var matrixID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "workshop_date") var workshopDate: String
    @Field(key: "workshop_place") var workshopPlace: String
    @Field(key: "institutions_present") var institutionsPresent: String
    @Field(key: "snapshot") var snapshot: String
    @Field(key: "validated_by") var validatedBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

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
