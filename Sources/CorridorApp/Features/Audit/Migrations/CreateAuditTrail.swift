import CorridorCore
import Fluent
import Foundation
import SQLKit

struct CreateAuditTrail: AsyncMigration {
    var name: String { "2026-11-28-06-create-audit-trail" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .field("sequence", .int64, .identifier(auto: false))
            .field("occurred_at_ms", .int64, .required)
            .field("actor_id", .string)
            .field("actor_label", .string, .required)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string)
            .field("changed_fields", .string, .required)
            .field("detail", .string, .required)
            .field("address", .string)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .create()
        try await database.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("last_sequence", .int64, .required)
            .field("last_hash", .string, .required)
            .create()
        // The head row as this migration's table holds it (the seal's column comes later).
        try await (database as? any SQLDatabase)?.insert(into: "audit_head").columns("id", "last_sequence", "last_hash").values(1, 0, "").run()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_entries_occurred_idx").on("audit_entries").column("occurred_at_ms").run()
            try await sql.create(index: "audit_entries_actor_idx").on("audit_entries").column("actor_id").run()
            try await sql.create(index: "audit_entries_entity_idx").on("audit_entries").column("entity_type").column("entity_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_head").delete()
        try await database.schema("audit_entries").delete()
    }
}
