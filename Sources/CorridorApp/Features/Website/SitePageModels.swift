import CorridorCore
import Fluent
import Foundation
import SQLKit

/// A page of the website: a section (*Qui sommes-nous*…) or one of its sub-pages. The columns
/// without prefix are the draft the editor works on, in both languages; `published_*` are
/// what the public reads (the menu's titles and the addresses), the published text itself
/// being the page's revision number `published_number` in `content_revisions`
/// (`site_page.fr`, `site_page.en`).
final class SitePageModel: Model, @unchecked Sendable {
    static let schema = "site_pages"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "position") var position: Int
    /// `SitePageFeature`.
    @Field(key: "feature") var feature: String
    @Field(key: "external_url") var externalURL: String
    @Field(key: "slug_fr") var slugFR: String
    @Field(key: "slug_en") var slugEN: String
    @Field(key: "title_fr") var titleFR: String
    @Field(key: "title_en") var titleEN: String
    @Field(key: "summary_fr") var summaryFR: String
    @Field(key: "summary_en") var summaryEN: String
    @Field(key: "body_fr") var bodyFR: String
    @Field(key: "body_en") var bodyEN: String
    /// `draft` (never published), `published`, or `hidden` (taken off the site).
    @Field(key: "status") var status: String
    /// The revision the public reads; 0 before the first publication.
    @Field(key: "published_number") var publishedNumber: Int
    @Field(key: "published_slug_fr") var publishedSlugFR: String
    @Field(key: "published_slug_en") var publishedSlugEN: String
    @Field(key: "published_title_fr") var publishedTitleFR: String
    @Field(key: "published_title_en") var publishedTitleEN: String
    /// What the public page adds under its text, and a link entry's address, as published (a
    /// saved draft changes neither until its publication).
    @Field(key: "published_feature") var publishedFeature: String
    @Field(key: "published_external_url") var publishedExternalURL: String
    @OptionalField(key: "published_at") var publishedAt: Date?
    @Field(key: "version") var version: Int
    @Field(key: "author") var author: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var draft: SitePageDraft {
        SitePageDraft(feature: SitePageFeature(rawValue: feature) ?? .text, externalURL: externalURL,
                      slugs: [.fr: slugFR, .en: slugEN], titles: [.fr: titleFR, .en: titleEN],
                      summaries: [.fr: summaryFR, .en: summaryEN], bodies: [.fr: bodyFR, .en: bodyEN])
    }

    func apply(_ draft: SitePageDraft) {
        feature = draft.feature.rawValue
        externalURL = draft.externalURL.trimmingCharacters(in: .whitespaces)
        slugFR = draft.slug(.fr)
        slugEN = draft.slug(.en)
        titleFR = draft.title(.fr)
        titleEN = draft.title(.en)
        summaryFR = draft.summary(.fr)
        summaryEN = draft.summary(.en)
        bodyFR = draft.body(.fr)
        bodyEN = draft.body(.en)
    }

    static func revisionType(_ language: Language) -> String { "site_page.\(language.rawValue)" }
}

/// The website's pages, and the revisions' address column (`content_revisions.slug`); the
/// default site is seeded, published, on first start.
struct CreateSitePages: AsyncMigration {
    var name: String { "2026-12-06-06-create-site-pages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("site_pages").id()
            .field("parent_id", .uuid).field("position", .int, .required).field("feature", .string, .required)
            .field("external_url", .string, .required)
            .field("slug_fr", .string, .required).field("slug_en", .string, .required)
            .field("title_fr", .string, .required).field("title_en", .string, .required)
            .field("summary_fr", .string, .required).field("summary_en", .string, .required)
            .field("body_fr", .string, .required).field("body_en", .string, .required)
            .field("status", .string, .required).field("published_number", .int, .required)
            .field("published_slug_fr", .string, .required).field("published_slug_en", .string, .required)
            .field("published_title_fr", .string, .required).field("published_title_en", .string, .required)
            .field("published_feature", .string, .required).field("published_external_url", .string, .required)
            .field("published_at", .datetime)
            .field("version", .int, .required).field("author", .string, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .create()
        try await database.schema("content_revisions").field("slug", .string).update()
        try await Self.seed(on: database)
    }

    /// The default site: `SiteSeed`'s pages, published as their first revision.
    static func seed(on database: any Database) async throws {
        let now = Date()
        var ids: [String: UUID] = [:]
        var positions: [String: Int] = [:]
        for seed in SiteSeed.pages {
            let page = SitePageModel()
            let id = UUID()
            ids[seed.key] = id
            page.id = id
            page.parentID = seed.parent.flatMap { ids[$0] }
            let siblings = seed.parent ?? ""
            positions[siblings, default: 0] += 1
            page.position = positions[siblings] ?? 1
            page.apply(seed.draft)
            page.status = "published"
            page.publishedNumber = 1
            page.publishedSlugFR = page.slugFR
            page.publishedSlugEN = page.slugEN
            page.publishedTitleFR = page.titleFR
            page.publishedTitleEN = page.titleEN
            page.publishedFeature = page.feature
            page.publishedExternalURL = page.externalURL
            page.publishedAt = now
            page.version = 1
            page.author = "Corridor"
            page.createdAt = now
            page.updatedAt = now
            try await page.create(on: database)
            for language in Language.allCases {
                let revision = ContentRevisionModel()
                revision.contentType = SitePageModel.revisionType(language)
                revision.contentID = id
                revision.number = 1
                revision.kind = "publication"
                revision.title = seed.draft.title(language)
                revision.summary = seed.draft.summary(language)
                revision.body = seed.draft.body(language)
                revision.publishedBody = seed.draft.body(language)
                revision.slug = seed.draft.slug(language)
                revision.figuresRefrozen = true
                revision.author = "Corridor"
                revision.createdAt = now
                try await revision.create(on: database)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("site_pages").delete()
        try await ContentRevisionModel.query(on: database).filter(\.$contentType ~~ Language.allCases.map(SitePageModel.revisionType)).delete()
        try await database.schema("content_revisions").deleteField("slug").update()
    }
}

enum WebsiteMigrations {
    static let all: [any Migration] = [CreateSitePages()]
}
