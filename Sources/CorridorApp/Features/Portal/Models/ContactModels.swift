import Fluent
import Foundation

/// A message sent through the public contact form, read by the communications role.
final class ContactMessageModel: Model, @unchecked Sendable {
    static let schema = "contact_messages"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    @Field(key: "subject") var subject: String
    @Field(key: "message") var message: String
    @Field(key: "language") var language: String
    @Field(key: "received_at") var receivedAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    @OptionalField(key: "read_by") var readBy: String?
    init() {}
}
