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
    /// Set on the draft of a validated matrix's next version: the matrix it revises.
    @OptionalField(key: "revision_of") var revisionOf: UUID?
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
    /// In a revision: the validated action this one revises (nil for an action the revision adds).
    @OptionalField(key: "origin_action_id") var originActionID: UUID?
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
