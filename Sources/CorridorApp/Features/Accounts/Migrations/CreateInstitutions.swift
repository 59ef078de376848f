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
