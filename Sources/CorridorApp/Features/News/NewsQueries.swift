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
    /// The summary as the public reads it: its figure tokens replaced by the values frozen at
    /// publication, as plain text (lists, the article's lead, the feed, meta descriptions).
    var publishedSummary: String
    var status: String
    var publishedAt: Date?
    var updatedAt: Date
    var version: Int
    var correctedAt: Date?
    var correctionNote: String?
    var withdrawnAt: Date?
    var withdrawalReason: String?
    /// Each figure token's text as frozen at publication (JSON, token → text).
    var frozenFigures: String?

    init(_ model: NewsArticleModel) throws {
        id = try model.requireID()
        slug = model.slug
        frozenFigures = model.frozenFigures
        language = model.language
        title = model.title
        summary = model.summary
        body = model.body
        publishedBody = model.publishedBody
        publishedSummary = NewsService.plainSummary(model.summary, figures: NewsService.decode(model.frozenFigures))
        status = model.status
        publishedAt = model.publishedAt
        updatedAt = model.updatedAt
        version = model.version
        correctedAt = model.correctedAt
        correctionNote = model.correctionNote
        withdrawnAt = model.withdrawnAt
        withdrawalReason = model.withdrawalReason
    }
}

/// One revision of an article, for its history.
struct RevisionView: Sendable {
    var number: Int
    var kind: String
    var title: String
    var note: String?
    var figuresRefrozen: Bool
    var author: String
    var createdAt: Date
}

/// The reads of the news feature.
struct NewsQueries: Sendable {
    let database: any Database

    /// The 50 latest published articles in `language`.
    func published(language: Language) async throws -> [NewsArticleView] {
        try await NewsArticleModel.query(on: database).filter(\.$status == "published").filter(\.$language == language.rawValue)
            .sort(\.$publishedAt, .descending).limit(50).all().map(NewsArticleView.init)
    }

    /// The published and withdrawn articles in `language`, for the feed (a withdrawal is news too).
    func feed(language: Language) async throws -> [NewsArticleView] {
        try await NewsArticleModel.query(on: database).filter(\.$status ~~ ["published", "withdrawn"]).filter(\.$language == language.rawValue)
            .sort(\.$publishedAt, .descending).limit(50).all().map(NewsArticleView.init)
    }

    /// A published (or withdrawn: its page says so) article by its slug, in `language` when it exists in both.
    func published(slug: String, preferring language: Language) async throws -> NewsArticleView? {
        try await NewsArticleModel.query(on: database).filter(\.$slug == slug).filter(\.$status ~~ ["published", "withdrawn"])
            .sort(\.$language, language == .fr ? .descending : .ascending).first().map(NewsArticleView.init)
    }

    /// The languages an article's address is published in (its translations share it).
    func publishedLanguages(slug: String) async throws -> [Language] {
        let written = try await NewsArticleModel.query(on: database).filter(\.$slug == slug).filter(\.$status ~~ ["published", "withdrawn"]).all()
            .compactMap { Language(rawValue: $0.language) }
        return Language.allCases.filter(written.contains)
    }

    /// Articles another could translate: every article, its slug, title and language.
    func translationCandidates() async throws -> [(slug: String, title: String, language: Language)] {
        try await NewsArticleModel.query(on: database).sort(\.$updatedAt, .descending).limit(200).all()
            .map { ($0.slug, $0.title, Language(rawValue: $0.language) ?? .fr) }
    }

    /// Every published article's slug and the languages it is written in.
    func publishedSlugs() async throws -> [String: Set<Language>] {
        var result: [String: Set<Language>] = [:]
        for article in try await NewsArticleModel.query(on: database).filter(\.$status == "published").all() {
            result[article.slug, default: []].insert(Language(rawValue: article.language) ?? .fr)
        }
        return result
    }

    /// Every article, drafts included, the last changed first.
    func all() async throws -> [NewsArticleView] {
        try await NewsArticleModel.query(on: database).sort(\.$updatedAt, .descending).all().map(NewsArticleView.init)
    }

    /// The revisions of an article, the first (its publication) first.
    func revisions(_ id: UUID) async throws -> [RevisionView] {
        try await ContentRevisionModel.query(on: database).filter(\.$contentType == "news").filter(\.$contentID == id).sort(\.$number).all().map {
            RevisionView(number: $0.number, kind: $0.kind, title: $0.title, note: $0.note, figuresRefrozen: $0.figuresRefrozen, author: $0.author, createdAt: $0.createdAt)
        }
    }

    func article(_ id: UUID) async throws -> NewsArticleView? {
        try await NewsArticleModel.find(id, on: database).map(NewsArticleView.init)
    }
}
