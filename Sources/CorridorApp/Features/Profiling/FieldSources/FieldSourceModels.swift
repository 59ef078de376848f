import Fluent
import Foundation

/// A KoboToolbox project or an ODK Central form that Corridor pulls submissions from, and that
/// may push them to Corridor (Kobo REST Services). Its token is stored sealed, never shown again.
final class FieldSourceModel: Model, @unchecked Sendable {
    static let schema = "field_sources"
    @ID(key: .id) var id: UUID?
    /// Also the name its column mapping is saved under (`KoboMapping` by source).
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "server_url") var serverURL: String
    /// Kobo: the asset uid. ODK Central: `<project id>/<form id>`.
    @Field(key: "form") var form: String
    @Field(key: "questionnaire_code") var questionnaireCode: String
    /// `SecretBox` (purpose `field-source-token`): Kobo's API token, ODK's bearer token or
    /// `email:password` for HTTP Basic.
    @Field(key: "token_sealed") var tokenSealed: String
    /// `token` (Kobo `Token …`, ODK `Bearer …`) or `basic` (ODK Central, e-mail and password).
    @Field(key: "auth") var auth: String
    /// SHA-256 of the webhook secret (shown once); nil: no webhook.
    @OptionalField(key: "webhook_secret_hash") var webhookSecretHash: String?
    @Field(key: "scheduled") var scheduled: Bool
    /// ODK Central: the latest change seen (`SubmissionDate`/`updatedAt`), the next pull's filter.
    @OptionalField(key: "cursor") var cursor: String?
    @OptionalField(key: "last_pull_at") var lastPullAt: Date?
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// One pull or webhook delivery, as the source's log shows it.
final class FieldPullModel: Model, @unchecked Sendable {
    static let schema = "field_pulls"
    @ID(key: .id) var id: UUID?
    @Field(key: "source_id") var sourceID: UUID
    /// `pull`, `webhook` or `held` (held submissions applied once mapped).
    @Field(key: "kind") var kind: String
    /// `applied`, `held` (waiting for its mapping) or `failed`.
    @Field(key: "outcome") var outcome: String
    @Field(key: "received") var received: Int
    @Field(key: "created") var created: Int
    @Field(key: "updated") var updated: Int
    @Field(key: "unchanged") var unchanged: Int
    @Field(key: "rejected") var rejected: Int
    @Field(key: "held") var held: Int
    @Field(key: "attempts") var attempts: Int
    /// What went wrong, in words fit for the log page (never a token).
    @OptionalField(key: "error") var error: String?
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "finished_at") var finishedAt: Date
    init() {}
}

/// A submission kept whole until it can be applied: `unmapped` (a column or choice the mapping
/// does not know yet) or `invalid` (answers the questionnaire refuses).
final class HeldSubmissionModel: Model, @unchecked Sendable {
    static let schema = "held_submissions"
    @ID(key: .id) var id: UUID?
    @Field(key: "source_id") var sourceID: UUID
    @Field(key: "submission_key") var submissionKey: String
    /// The submission's columns as JSON (`FieldSubmission`).
    @Field(key: "payload") var payload: String
    @Field(key: "reason") var reason: String
    /// The columns, choices or problems that hold it, for the log page.
    @Field(key: "detail") var detail: String
    @Field(key: "received_at") var receivedAt: Date
    init() {}
}
