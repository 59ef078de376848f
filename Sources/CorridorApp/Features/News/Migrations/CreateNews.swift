import Fluent
import Foundation
import SQLKit

struct CreateNews: AsyncMigration {
    var name: String { "2026-11-29-04-create-news" }

    func prepare(on database: any Database) async throws {
        try await database.schema("news_articles").id()
            .field("slug", .string, .required).field("language", .string, .required).field("title", .string, .required)
            .field("summary", .string, .required).field("body", .string, .required).field("published_body", .string)
            .field("status", .string, .required).field("published_at", .datetime).field("author", .string, .required)
            .field("version", .int, .required).field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .unique(on: "slug", "language").create()
        try await (database as? any SQLDatabase)?.create(index: "news_published_idx").on("news_articles").column("status").column("published_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("news_articles").delete()
    }
}
