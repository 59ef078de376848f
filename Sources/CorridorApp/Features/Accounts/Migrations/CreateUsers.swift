import Fluent
import SQLKit

struct CreateUsers: AsyncMigration {
    var name: String { "2026-11-28-02-create-users" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("institution_id", .uuid, .references("institutions", "id"))
            .field("preferred_language", .string)
            .field("is_active", .bool, .required)
            .field("password_hash", .string, .required)
            .field("must_change_password", .bool, .required)
            .field("locked_until", .datetime)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
