import Fluent
import Foundation

/// Two members the engine proposes as one person, waiting for someone to decide.
final class MatchCandidateModel: Model, @unchecked Sendable {
    static let schema = "match_candidates"

    @ID(key: .id) var id: UUID?
    /// The two members, the smaller identifier first.
    @Field(key: "member_a") var memberA: UUID
    @Field(key: "member_b") var memberB: UUID
    @Field(key: "probability") var probability: Double
    /// `feature:level:weight` separated by `;` (`PeopleService.evidenceText`).
    @Field(key: "evidence") var evidence: String
    /// `caseload`, `registration` or `import`.
    @Field(key: "origin") var origin: String
    /// A victim of trafficking is one of the two: shown to the protection role only.
    @Field(key: "sensitive") var sensitive: Bool
    /// `open`, `same` or `different`.
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}
}

/// A decision that two members are one person, or two; undone rather than deleted.
final class PersonDecisionModel: Model, @unchecked Sendable {
    static let schema = "person_decisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_a") var memberA: UUID
    @Field(key: "member_b") var memberB: UUID
    @Field(key: "decision") var decision: String
    @Field(key: "reason") var reason: String
    /// `review`, `registration` or `import`.
    @Field(key: "origin") var origin: String
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @Field(key: "decided_by_name") var decidedByName: String
    @Field(key: "decided_at") var decidedAt: Date
    @OptionalField(key: "undone_by_name") var undoneByName: String?
    @OptionalField(key: "undone_at") var undoneAt: Date?

    init() {}
}

/// The model a caseload run fitted (JSON of `LinkageModel`): the check of a new registration
/// scores with the latest.
final class MatchModelRecord: Model, @unchecked Sendable {
    static let schema = "match_models"

    @ID(key: .id) var id: UUID?
    @Field(key: "model") var model: String
    @Field(key: "records") var records: Int
    @Field(key: "fitted_at") var fittedAt: Date

    init() {}
}
