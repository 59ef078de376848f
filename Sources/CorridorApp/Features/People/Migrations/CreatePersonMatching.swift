import Fluent
import SQLKit

/// One person, many records: each member's person (`case_members.person_id`, empty while the
/// member is a person of their own), the candidate pairs the engine proposes, the decisions
/// people take on them, and the model the last caseload run fitted.
struct CreatePersonMatching: AsyncMigration {
    var name: String { "2026-12-06-03-create-person-matching" }

    func prepare(on database: any Database) async throws {
        try await database.schema("case_members").field("person_id", .uuid).update()
        try await database.schema("match_candidates")
            .id()
            .field("member_a", .uuid, .required)
            .field("member_b", .uuid, .required)
            .field("probability", .double, .required)
            .field("evidence", .string, .required)
            .field("origin", .string, .required)
            .field("sensitive", .bool, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .unique(on: "member_a", "member_b")
            .create()
        try await database.schema("person_decisions")
            .id()
            .field("member_a", .uuid, .required)
            .field("member_b", .uuid, .required)
            .field("decision", .string, .required)
            .field("reason", .string, .required)
            .field("origin", .string, .required)
            .field("decided_by", .uuid)
            .field("decided_by_name", .string, .required)
            .field("decided_at", .datetime, .required)
            .field("undone_by_name", .string)
            .field("undone_at", .datetime)
            .create()
        try await database.schema("match_models")
            .id()
            .field("model", .string, .required)
            .field("records", .int, .required)
            .field("fitted_at", .datetime, .required)
            .create()
        let sql = try database.sqlDatabase
        try await sql.create(index: "case_members_person_idx").on("case_members").column("person_id").run()
        try await sql.create(index: "match_candidates_queue_idx").on("match_candidates").column("status").column("probability").run()
        try await sql.create(index: "match_candidates_b_idx").on("match_candidates").column("member_b").run()
        try await sql.create(index: "person_decisions_a_idx").on("person_decisions").column("member_a").run()
        try await sql.create(index: "person_decisions_b_idx").on("person_decisions").column("member_b").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        try await sql.raw("DROP INDEX case_members_person_idx").run()
        try await database.schema("match_models").delete()
        try await database.schema("person_decisions").delete()
        try await database.schema("match_candidates").delete()
        try await database.schema("case_members").deleteField("person_id").update()
    }
}

enum PeopleMigrations {
    static let all: [any Migration] = [CreatePersonMatching()]
}
