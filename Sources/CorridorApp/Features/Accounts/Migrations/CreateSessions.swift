import Fluent
import SQLKit

struct CreateSessions: AsyncMigration {
    var name: String { "2026-11-28-03-create-sessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("address", .string)
            .unique(on: "token_hash")
            .create()
        try await (database as? any SQLDatabase)?.create(index: "sessions_user_id_idx").on("sessions").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sessions").delete()
    }
}
