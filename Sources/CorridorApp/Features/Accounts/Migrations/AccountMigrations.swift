import Fluent
import SQLKit

/// Institutions: ministries, agencies, international organisations, embassies, NGOs.
struct CreateInstitutions: AsyncMigration {
    var name: String { "2026-11-28-01-create-institutions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("institutions")
            .id()
            .field("name", .string, .required)
            .field("acronym", .string, .required)
            .field("country", .string, .required)
            .field("kind", .string, .required)
            .field("is_active", .bool, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "acronym")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("institutions").delete()
    }
}

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

struct CreateAPITokens: AsyncMigration {
    var name: String { "2026-11-28-04-create-api-tokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await (database as? any SQLDatabase)?.create(index: "api_tokens_user_id_idx").on("api_tokens").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").delete()
    }
}

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
