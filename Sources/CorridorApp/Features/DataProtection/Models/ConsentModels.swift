import Fluent
import Foundation

/// One consent answer of a member (see `CreateMemberConsents`).
final class MemberConsentModel: Model, @unchecked Sendable {
    static let schema = "member_consents"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "purpose") var purpose: String
    @Field(key: "answer") var answer: String
    @Field(key: "method") var method: String
    @Field(key: "recorded_on") var recordedOn: String
    /// `|id|id|`: the institutions a sharing answer names (lower-case identifiers).
    @Field(key: "partners") var partners: String
    @Field(key: "is_current") var isCurrent: Int
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Date
    @OptionalField(key: "withdrawn_on") var withdrawnOn: String?
    @OptionalField(key: "withdrawn_by") var withdrawnBy: String?

    init() {}

    var partnerIDs: [String] { partners.split(separator: "|").map(String.init) }
}
