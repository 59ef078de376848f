import Fluent
import Foundation

/// A file attached to a case (see `CreateCaseAttachments`).
final class CaseAttachmentModel: Model, @unchecked Sendable {
    static let schema = "case_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    /// The member the paper is about; nil for one of the whole household.
    @OptionalField(key: "member_id") var memberID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "is_protected") var isProtected: Int
    @Field(key: "file_name") var fileName: String
    @Field(key: "media_type") var mediaType: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "storage_name") var storageName: String
    @Field(key: "uploaded_by") var uploadedBy: String
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}
