import Fluent
import Foundation
import SQLKit

/// A news article or press release in one language. `body` is what the author writes, with
/// live figure tokens; `publishedBody` is the text frozen at publication.
final class NewsArticleModel: Model, @unchecked Sendable {
    static let schema = "news_articles"
    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "language") var language: String
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "body") var body: String
    @OptionalField(key: "published_body") var publishedBody: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "published_at") var publishedAt: Date?
    @Field(key: "author") var author: String
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

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
