import CorridorCore
import Fluent
import Foundation

/// The website's pages: drafts, publication (figures frozen as news freezes them), taking a
/// page off the site, restoring an earlier revision, the menu's order. Every step is audited;
/// every publication is a revision per language in `content_revisions`.
struct SiteService: Sendable {
    let context: ServiceContext
    let figures: FigureTokenText
    /// First words of addresses Corridor's own pages use (`data`, `news`, `login`…): a section
    /// cannot take them.
    let reserved: Set<String>

    enum SiteError: Error, Equatable {
        case invalid([FieldIssue])
        case conflict
        case notFound
    }

    /// A new page, as a draft, last among its siblings.
    func create(_ draft: SitePageDraft, parentID: UUID?) async throws -> UUID {
        let draft = withSlugs(draft)
        try await check(draft, id: nil, parentID: parentID)
        let actor = context.actor, now = context.now, author = context.user?.name ?? context.actor.label
        return try await context.database.writeTransaction { db in
            if let parentID {
                // A sub-page belongs to a section with a page of its own (not a link to another site).
                guard let parent = try await SitePageModel.find(parentID, on: db), parent.parentID == nil,
                      parent.feature != SitePageFeature.link.rawValue else { throw SiteError.invalid([FieldIssue("parent", "site.error.parent")]) }
            }
            let last = try await SitePageModel.query(on: db).filter(\.$parentID == parentID).max(\.$position) ?? 0
            let page = SitePageModel()
            page.parentID = parentID
            page.position = last + 1
            page.apply(draft)
            page.status = "draft"
            page.publishedNumber = 0
            page.publishedSlugFR = ""
            page.publishedSlugEN = ""
            page.publishedTitleFR = ""
            page.publishedTitleEN = ""
            page.publishedFeature = draft.feature.rawValue
            page.publishedExternalURL = ""
            page.version = 1
            page.author = author
            page.createdAt = now
            page.updatedAt = now
            try await page.create(on: db)
            try await AuditLog.append(AuditEvent(action: .create, entityType: "site_page", entityID: try page.requireID().uuidString,
                                                 changedFields: ["title", "slug", "summary", "body"]), by: actor, at: now, on: db)
            return try page.requireID()
        }
    }

    /// Saves the draft of a page nobody saved since `expectedVersion`; the public keeps reading
    /// the published text until the next publication.
    func save(id: UUID, _ draft: SitePageDraft, expectedVersion: Int) async throws {
        let draft = withSlugs(draft)
        guard let current = try await SitePageModel.find(id, on: context.database) else { throw SiteError.notFound }
        try await check(draft, id: id, parentID: current.parentID)
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let page = try await SitePageModel.find(id, on: db) else { throw SiteError.notFound }
            guard page.version == expectedVersion else { throw SiteError.conflict }
            let before = page.draft
            page.apply(draft)
            page.version += 1
            page.updatedAt = now
            try await page.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "site_page", entityID: id.uuidString,
                                                 changedFields: Self.changedFields(before, page.draft)), by: actor, at: now, on: db)
        }
    }

    /// Publishes the draft in both languages: figures resolved now and frozen, a revision per
    /// language, the menu's titles and the addresses moved to the new ones.
    func publish(id: UUID, expectedVersion: Int) async throws {
        guard let page = try await SitePageModel.find(id, on: context.database) else { throw SiteError.notFound }
        guard page.version == expectedVersion else { throw SiteError.conflict }
        let draft = page.draft
        let issues = SitePageRules.checkPublishable(draft)
        guard issues.isEmpty else { throw SiteError.invalid(issues) }
        var frozen: [Language: String] = [:]
        for language in Language.allCases {
            let body = try await figures.resolve(draft.body(language), language: language, frozen: [:])
            frozen[language] = body.text
        }
        let texts = frozen
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let page = try await SitePageModel.find(id, on: db), page.version == expectedVersion else { throw SiteError.conflict }
            let number = try await Self.lastNumber(id, on: db) + 1
            for language in Language.allCases {
                try await Self.revise(id, number: number, kind: "publication", draft: draft, language: language, publishedBody: texts[language] ?? "",
                                      note: nil, by: actor, at: now, on: db)
            }
            Self.setPublished(page, draft: draft, number: number, at: now)
            try await page.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "site_page", entityID: id.uuidString, changedFields: ["status", "published_body"],
                                                 detail: "published revision \(number)"), by: actor, at: now, on: db)
        }
    }

    /// Takes a published page (and so its sub-pages) off the site; its revisions stay.
    func hide(id: UUID, expectedVersion: Int) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let page = try await SitePageModel.find(id, on: db) else { throw SiteError.notFound }
            guard page.version == expectedVersion, page.status == "published" else { throw SiteError.conflict }
            page.status = "hidden"
            page.version += 1
            page.updatedAt = now
            try await page.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "site_page", entityID: id.uuidString, changedFields: ["status"], detail: "hidden"),
                                      by: actor, at: now, on: db)
        }
    }

    /// Puts an earlier revision back on the site as it was shown then (its frozen figures
    /// included), as a new revision that says which one it restores; the draft becomes that
    /// revision's text. What the page adds under its text and a link's address stay as last
    /// published (revisions keep texts and addresses).
    func restore(id: UUID, number: Int, expectedVersion: Int) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let page = try await SitePageModel.find(id, on: db) else { throw SiteError.notFound }
            guard page.version == expectedVersion else { throw SiteError.conflict }
            var old: [Language: ContentRevisionModel] = [:]
            for language in Language.allCases {
                guard let revision = try await ContentRevisionModel.query(on: db).filter(\.$contentType == SitePageModel.revisionType(language))
                    .filter(\.$contentID == id).filter(\.$number == number).first() else { throw SiteError.notFound }
                old[language] = revision
            }
            var draft = page.draft
            for language in Language.allCases {
                draft.titles[language] = old[language]?.title
                draft.summaries[language] = old[language]?.summary
                draft.bodies[language] = old[language]?.body
                if let slug = old[language]?.slug, !slug.isEmpty { draft.slugs[language] = slug }
            }
            // The old addresses must still be free.
            for language in Language.allCases where !draft.slug(language).isEmpty {
                if try await Self.slugTaken(draft.slug(language), except: id, on: db) { throw SiteError.invalid([FieldIssue("slug_\(language.rawValue)", "site.error.slug_taken")]) }
            }
            let next = try await Self.lastNumber(id, on: db) + 1
            for language in Language.allCases {
                try await Self.revise(id, number: next, kind: "restore", draft: draft, language: language, publishedBody: old[language]?.publishedBody ?? "",
                                      note: String(number), by: actor, at: now, on: db)
            }
            page.apply(draft)
            Self.setPublished(page, draft: draft, number: next, at: now)
            try await page.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "site_page", entityID: id.uuidString, changedFields: ["title", "summary", "body", "published_body"],
                                                 detail: "restored revision \(number) as \(next)"), by: actor, at: now, on: db)
        }
    }

    /// Moves a page up (−1) or down (+1) among its siblings: the menu's order.
    func move(id: UUID, by offset: Int) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let page = try await SitePageModel.find(id, on: db) else { throw SiteError.notFound }
            let siblings = try await SitePageModel.query(on: db).filter(\.$parentID == page.parentID).sort(\.$position).sort(\.$createdAt).all()
            let order = SiteOrder.moving(id, by: offset, in: siblings.compactMap(\.id))
            let reordered = order.compactMap { id in siblings.first { $0.id == id } }
            for (index, sibling) in reordered.enumerated() where sibling.position != index + 1 {
                sibling.position = index + 1
                sibling.updatedAt = now
                try await sibling.update(on: db)
            }
            try await AuditLog.append(AuditEvent(action: .update, entityType: "site_page", entityID: id.uuidString, changedFields: ["position"],
                                                 detail: offset < 0 ? "moved up" : "moved down"), by: actor, at: now, on: db)
        }
    }

    /// The draft's text with its figure tokens counted now, for the preview.
    func preview(_ draft: SitePageDraft, language: Language) async throws -> String {
        try await figures.resolve(draft.body(language), language: language, frozen: [:]).text
    }

    // MARK: Rules against the stored pages

    /// Addresses left empty are made from the titles.
    private func withSlugs(_ draft: SitePageDraft) -> SitePageDraft {
        var draft = draft
        guard draft.feature != .link else { draft.slugs = [:]; return draft }
        for language in Language.allCases where draft.slug(language).isEmpty && !draft.title(language).isEmpty {
            draft.slugs[language] = SitePageRules.slug(from: draft.title(language))
        }
        return draft
    }

    private func check(_ draft: SitePageDraft, id: UUID?, parentID: UUID?) async throws {
        var issues = SitePageRules.check(draft, reserved: parentID == nil ? reserved : [])
        for language in Language.allCases where !draft.slug(language).isEmpty && !issues.contains(where: { $0.field == "slug_\(language.rawValue)" }) {
            if try await Self.slugTaken(draft.slug(language), except: id, on: context.database) {
                issues.append(FieldIssue("slug_\(language.rawValue)", "site.error.slug_taken"))
            }
        }
        guard issues.isEmpty else { throw SiteError.invalid(issues) }
    }

    /// Whether another page uses `slug` in either language, as its draft's or its published
    /// address (one address, one page).
    static func slugTaken(_ slug: String, except id: UUID?, on db: any Database) async throws -> Bool {
        var query = SitePageModel.query(on: db).group(.or) { group in
            group.filter(\.$slugFR == slug).filter(\.$slugEN == slug).filter(\.$publishedSlugFR == slug).filter(\.$publishedSlugEN == slug)
        }
        if let id { query = query.filter(\.$id != id) }
        return try await query.count() > 0
    }

    static func lastNumber(_ id: UUID, on db: any Database) async throws -> Int {
        try await ContentRevisionModel.query(on: db).filter(\.$contentType == SitePageModel.revisionType(.fr)).filter(\.$contentID == id).max(\.$number) ?? 0
    }

    private static func setPublished(_ page: SitePageModel, draft: SitePageDraft, number: Int, at now: Date) {
        page.status = "published"
        page.publishedNumber = number
        page.publishedSlugFR = draft.slug(.fr)
        page.publishedSlugEN = draft.slug(.en)
        page.publishedTitleFR = draft.title(.fr)
        page.publishedTitleEN = draft.title(.en)
        page.publishedFeature = draft.feature.rawValue
        page.publishedExternalURL = draft.feature == .link ? draft.externalURL.trimmingCharacters(in: .whitespaces) : ""
        page.publishedAt = now
        page.version += 1
        page.updatedAt = now
    }

    private static func revise(_ id: UUID, number: Int, kind: String, draft: SitePageDraft, language: Language, publishedBody: String, note: String?,
                               by actor: AuditActor, at now: Date, on db: any Database) async throws {
        let revision = ContentRevisionModel()
        revision.contentType = SitePageModel.revisionType(language)
        revision.contentID = id
        revision.number = number
        revision.kind = kind
        revision.title = draft.title(language)
        revision.summary = draft.summary(language)
        revision.body = draft.body(language)
        revision.publishedBody = publishedBody
        revision.slug = draft.slug(language)
        revision.note = note
        revision.figuresRefrozen = kind == "publication"
        revision.author = actor.label
        revision.createdAt = now
        try await revision.create(on: db)
    }

    static func changedFields(_ before: SitePageDraft, _ after: SitePageDraft) -> [String] {
        var fields: [String] = []
        for language in Language.allCases {
            let suffix = "_" + language.rawValue
            if before.title(language) != after.title(language) { fields.append("title" + suffix) }
            if before.slug(language) != after.slug(language) { fields.append("slug" + suffix) }
            if before.summary(language) != after.summary(language) { fields.append("summary" + suffix) }
            if before.body(language) != after.body(language) { fields.append("body" + suffix) }
        }
        if before.feature != after.feature { fields.append("feature") }
        if before.externalURL != after.externalURL { fields.append("external_url") }
        return fields
    }
}
