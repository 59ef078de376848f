import Fluent
import Foundation

/// The migrations of this feature, in the order they were added. Names are history: never
/// rename one, only append.
enum PortalMigrations {
    static let all: [any Migration] = [
        CreateContactMessages(),
    ]
}

struct CreateContactMessages: AsyncMigration {
    var name: String { "2026-12-06-02-create-contact-messages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("contact_messages").id()
            .field("name", .string, .required).field("email", .string, .required).field("subject", .string, .required)
            .field("message", .string, .required).field("language", .string, .required)
            .field("received_at", .datetime, .required).field("read_at", .datetime).field("read_by", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_messages").delete()
    }
}
