import Fluent
import SQLKit

/// A validated matrix is revised in a draft of its own (`revision_of`), whose actions name the
/// validated action they revise (`origin_action_id`); the validated version stays in force until
/// the revision is validated and merged into it.
struct AddMatrixRevisions: AsyncMigration {
    var name: String { "2026-12-03-01-add-matrix-revisions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("matrices").field("revision_of", .uuid).update()
        try await database.schema("matrix_actions").field("origin_action_id", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "matrices_revision_of_idx").on("matrices").column("revision_of").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.drop(index: "matrices_revision_of_idx").run() }
        try await database.schema("matrix_actions").deleteField("origin_action_id").update()
        try await database.schema("matrices").deleteField("revision_of").update()
    }
}
