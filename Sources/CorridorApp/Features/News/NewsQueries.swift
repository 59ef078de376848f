import CorridorCore
import Fluent
import Foundation

/// An article as pages and the feed show it.
struct NewsArticleView: Sendable {
    var id: UUID
    var slug: String
    var language: String
    var title: String
    var summary: String
    /// What the author wrote, with live figure tokens.
    var body: String
    /// The text frozen at publication.
    var publishedBody: String?
    var status: String
    var publishedAt: Date?
    var updatedAt: Date
    var version: Int

    init(_ model: NewsArticleModel) throws {
        id = try model.requireID()
        slug = model.slug
        language = model.language
        title = model.title
        summary = model.summary
        body = model.body
        publishedBody = model.publishedBody
        status = model.status
        publishedAt = model.publishedAt
        updatedAt = model.updatedAt
        version = model.version
    }
}

/// The reads of the news feature.
struct NewsQueries: Sendable {
    let database: any Database

    /// The 50 latest published articles in `language`.
    func published(language: Language) async throws -> [NewsArticleView] {
        try await NewsArticleModel.query(on: database).filter(\.$status == "published").filter(\.$language == language.rawValue)
            .sort(\.$publishedAt, .descending).limit(50).all().map(NewsArticleView.init)
    }

    /// A published article by its slug, in `language` when it exists in both.
    func published(slug: String, preferring language: Language) async throws -> NewsArticleView? {
        try await NewsArticleModel.query(on: database).filter(\.$slug == slug).filter(\.$status == "published")
            .sort(\.$language, language == .fr ? .descending : .ascending).first().map(NewsArticleView.init)
    }

    /// The slugs of every published article (in either language).
    func publishedSlugs() async throws -> [String] {
        try await NewsArticleModel.query(on: database).filter(\.$status == "published").all().map(\.slug)
    }

    /// Every article, drafts included, the last changed first.
    func all() async throws -> [NewsArticleView] {
        try await NewsArticleModel.query(on: database).sort(\.$updatedAt, .descending).all().map(NewsArticleView.init)
    }

    func article(_ id: UUID) async throws -> NewsArticleView? {
        try await NewsArticleModel.find(id, on: database).map(NewsArticleView.init)
    }
}
