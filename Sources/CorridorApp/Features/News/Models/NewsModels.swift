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
