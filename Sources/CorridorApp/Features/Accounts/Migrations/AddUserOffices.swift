import Fluent
import SQLKit

/// The offices whose cases a user works on (need to know, `OfficeScope`). Accounts made before
/// keep what they saw (`*`, every office) until an administrator gives them their offices;
/// accounts made from now on reach no office's cases until they are given one.
struct AddUserOffices: AsyncMigration {
    var name: String { "2026-12-05-02-add-user-offices" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("offices", .string, .required, .sql(.default("*"))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("offices").update()
    }
}
