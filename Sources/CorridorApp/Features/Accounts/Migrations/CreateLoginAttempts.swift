import Fluent
import SQLKit

struct CreateLoginAttempts: AsyncMigration {
    var name: String { "2026-11-28-05-create-login-attempts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("login_attempts")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("occurred_at", .datetime, .required)
            .field("succeeded", .bool, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "login_attempts_email_idx").on("login_attempts").column("email").column("occurred_at").run()
            try await sql.create(index: "login_attempts_address_idx").on("login_attempts").column("address").column("occurred_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_attempts").delete()
    }
}
