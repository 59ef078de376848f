import Fluent
import SQLKit

/// Two-factor sign-in: the account's sealed authenticator key, when it was confirmed and the
/// last step a code was accepted for; a session's pending step (a password checked, the
/// second factor not yet); the digests of single-use recovery codes.
struct AddTwoFactor: AsyncMigration {
    var name: String { "2026-12-03-03-add-two-factor" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for (field, type) in [("totp_key", DatabaseSchema.DataType.string), ("totp_enabled_at", .datetime), ("totp_last_step", .int64)] {
            try await database.schema("users").field(.string(field), type).update()
        }
        try await database.schema("sessions").field("pending_step", .string).update()
        try await database.schema("sessions").field("enrolment_key", .string).update()
        // Sessions opened before the second factor existed end: administrators and protection
        // officers sign in again, and enrol.
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE role IN ('admin', 'protection'))").run()
        }
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()
        try await (database as? any SQLDatabase)?.create(index: "recovery_codes_user_id_idx").on("recovery_codes").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("recovery_codes").delete()
        try await database.schema("sessions").deleteField("enrolment_key").update()
        try await database.schema("sessions").deleteField("pending_step").update()
        for field in ["totp_last_step", "totp_enabled_at", "totp_key"] {
            try await database.schema("users").deleteField(.string(field)).update()
        }
    }
}
