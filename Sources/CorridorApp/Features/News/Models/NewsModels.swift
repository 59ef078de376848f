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
    /// Each figure token's text as frozen (JSON, token → text), so that a correction keeps them.
    @OptionalField(key: "frozen_figures") var frozenFigures: String?
    @OptionalField(key: "corrected_at") var correctedAt: Date?
    @OptionalField(key: "correction_note") var correctionNote: String?
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @OptionalField(key: "withdrawal_reason") var withdrawalReason: String?
    init() {}
}

/// One published state of a piece of content (a news article; the website's pages later):
/// its publication, each correction, its withdrawal. Rows are inserted, never updated.
final class ContentRevisionModel: Model, @unchecked Sendable {
    static let schema = "content_revisions"
    @ID(key: .id) var id: UUID?
    @Field(key: "content_type") var contentType: String
    @Field(key: "content_id") var contentID: UUID
    @Field(key: "number") var number: Int
    /// `publication`, `correction` or `withdrawal`.
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "summary") var summary: String
    @Field(key: "body") var body: String
    @OptionalField(key: "published_body") var publishedBody: String?
    /// What was corrected, or why it was withdrawn.
    @OptionalField(key: "note") var note: String?
    @Field(key: "figures_refrozen") var figuresRefrozen: Bool
    /// The page's address when it was published (the website's pages; nil for news).
    @OptionalField(key: "slug") var slug: String?
    @Field(key: "author") var author: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}
