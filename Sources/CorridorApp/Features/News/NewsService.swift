import CorridorCore
import Fluent
import Foundation
import Vapor

enum NewsError: Error, Sendable {
    case invalid([FieldIssue])
    case conflict
    case notFound
}

struct NewsDraft: Sendable {
    var language: Language
    var title: String
    var summary: String
    var body: String
    var slug: String
    /// The slug of the article this one translates: the two then share their address, one per
    /// language, and each page names the other as its alternate.
    var translationOf: String = ""
}

/// Writes news; resolves live figures (for previews and at publication, when they freeze).
struct NewsService: Sendable {
    let database: any Database
    let actor: AuditActor
    let now: Date
    let publisher: FigurePublisher

    init(_ context: ServiceContext, publisher: FigurePublisher) {
        database = context.database
        actor = context.actor
        now = context.now
        self.publisher = publisher
    }

    /// The body with every figure token replaced by its value now, as the public may read it
    /// (a small count is written "fewer than k"), each linking to the public data.
    func resolve(_ body: String, language: Language) async throws -> String {
        try await resolveKeeping(body, language: language, frozen: [:]).text
    }

    func resolveKeeping(_ body: String, language: Language, frozen: [String: String]) async throws -> (text: String, figures: [String: String]) {
        try await FigureTokenText(publisher: publisher).resolve(body, language: language, frozen: frozen)
    }

    func check(_ draft: NewsDraft) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if draft.title.nilIfEmpty == nil { issues.append(FieldIssue("title", "case.error.required")) }
        if draft.body.nilIfEmpty == nil { issues.append(FieldIssue("body", "case.error.required")) }
        if !draft.slug.isEmpty, !draft.slug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) { issues.append(FieldIssue("slug", "news.error.slug")) }
        for problem in FigureToken.scan(draft.body).problems {
            issues.append(FieldIssue("body", "news.error.token:" + problem.reason.rawValue + ":" + problem.word + ":" + problem.source))
        }
        for problem in FigureToken.scan(draft.summary).problems {
            issues.append(FieldIssue("summary", "news.error.token:" + problem.reason.rawValue + ":" + problem.word + ":" + problem.source))
        }
        return issues
    }

    static func slug(from title: String) -> String {
        let folded = SearchText.fold(title).map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(String(folded).split(separator: "-").joined(separator: "-").prefix(80))
    }

    /// Saves a draft (new when `id` is nil); a published article is not edited any more.
    func save(id: UUID?, _ draft: NewsDraft, expectedVersion: Int?) async throws -> UUID {
        let issues = check(draft)
        guard issues.isEmpty else { throw NewsError.invalid(issues) }
        let actor = self.actor, now = self.now
        let slug = !draft.translationOf.isEmpty ? draft.translationOf : draft.slug.isEmpty ? Self.slug(from: draft.title) : draft.slug
        return try await database.writeTransaction { db in
            // A translation translates an article written in the other language.
            if !draft.translationOf.isEmpty,
               try await NewsArticleModel.query(on: db).filter(\.$slug == draft.translationOf).filter(\.$language != draft.language.rawValue).count() == 0 {
                throw NewsError.invalid([FieldIssue("translation_of", "news.error.translation")])
            }
            let article: NewsArticleModel
            if let id {
                guard let existing = try await NewsArticleModel.find(id, on: db) else { throw NewsError.notFound }
                guard existing.version == expectedVersion, existing.status == "draft" else { throw NewsError.conflict }
                article = existing
                article.version += 1
            } else {
                article = NewsArticleModel()
                article.status = "draft"
                article.version = 1
                article.createdAt = now
                article.author = actor.label
            }
            if try await NewsArticleModel.query(on: db).filter(\.$slug == slug).filter(\.$language == draft.language.rawValue)
                .filter(\.$id != (id ?? UUID())).count() > 0 {
                throw NewsError.invalid([FieldIssue("slug", "news.error.slug_taken")])
            }
            article.slug = slug
            article.language = draft.language.rawValue
            article.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
            article.summary = draft.summary.trimmingCharacters(in: .whitespacesAndNewlines)
            article.body = draft.body
            article.updatedAt = now
            try await article.save(on: db)
            try await AuditLog.append(AuditEvent(action: id == nil ? .create : .update, entityType: "news", entityID: article.id?.uuidString,
                                                 changedFields: ["title", "summary", "body"]), by: actor, at: now, on: db)
            return try article.requireID()
        }
    }

    /// Publishes, once confirmed: the figures are resolved once and frozen into the article,
    /// and the first revision is recorded.
    func publish(id: UUID, expectedVersion: Int, confirmed: Bool) async throws {
        guard confirmed else { throw NewsError.invalid([FieldIssue("confirm", "news.error.confirm")]) }
        guard let article = try await NewsArticleModel.find(id, on: database) else { throw NewsError.notFound }
        guard article.version == expectedVersion, article.status == "draft" else { throw NewsError.conflict }
        let language = Language(rawValue: article.language) ?? .fr
        var resolved = try await resolveKeeping(article.body, language: language, frozen: [:])
        // The summary's figures are frozen with the body's (the same token, the same value).
        resolved.figures.merge(try await resolveKeeping(article.summary, language: language, frozen: resolved.figures).figures) { kept, _ in kept }
        let frozen = resolved
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            guard let article = try await NewsArticleModel.find(id, on: db), article.version == expectedVersion else { throw NewsError.conflict }
            article.publishedBody = frozen.text
            article.frozenFigures = Self.encode(frozen.figures)
            article.status = "published"
            article.publishedAt = now
            article.version += 1
            article.updatedAt = now
            try await article.update(on: db)
            try await Self.revise(article, kind: "publication", note: nil, refrozen: true, by: actor, at: now, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "news", entityID: id.uuidString, changedFields: ["status", "published_body"],
                                                 detail: "published"), by: actor, at: now, on: db)
        }
    }

    /// Corrects a published article: a new dated revision with a note the public page shows.
    /// Figures keep the values frozen at publication unless `refreeze` (a token the correction
    /// adds is counted now either way).
    func correct(id: UUID, _ draft: NewsDraft, note: String, refreeze: Bool, expectedVersion: Int) async throws {
        var issues = check(draft)
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if note.isEmpty { issues.append(FieldIssue("correction_note", "news.error.correction_note")) }
        guard issues.isEmpty else { throw NewsError.invalid(issues) }
        guard let article = try await NewsArticleModel.find(id, on: database) else { throw NewsError.notFound }
        guard article.version == expectedVersion, article.status == "published" else { throw NewsError.conflict }
        let kept = refreeze ? [:] : Self.decode(article.frozenFigures)
        let language = Language(rawValue: article.language) ?? .fr
        var resolved = try await resolveKeeping(draft.body, language: language, frozen: kept)
        resolved.figures.merge(try await resolveKeeping(draft.summary, language: language, frozen: kept.merging(resolved.figures) { $1 }).figures) { kept, _ in kept }
        let frozen = resolved
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            guard let article = try await NewsArticleModel.find(id, on: db), article.version == expectedVersion, article.status == "published" else { throw NewsError.conflict }
            article.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
            article.summary = draft.summary.trimmingCharacters(in: .whitespacesAndNewlines)
            article.body = draft.body
            article.publishedBody = frozen.text
            article.frozenFigures = Self.encode(frozen.figures)
            article.correctedAt = now
            article.correctionNote = note
            article.version += 1
            article.updatedAt = now
            try await article.update(on: db)
            try await Self.revise(article, kind: "correction", note: note, refrozen: refreeze, by: actor, at: now, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "news", entityID: id.uuidString, changedFields: ["title", "summary", "body", "published_body"],
                                                 detail: refreeze ? "corrected, figures frozen again" : "corrected"), by: actor, at: now, on: db)
        }
    }

    /// Withdraws a published article, once confirmed: its page says it was withdrawn, when and
    /// why, and no longer shows the text; the feed says so too.
    func withdraw(id: UUID, reason: String, expectedVersion: Int, confirmed: Bool) async throws {
        var issues: [FieldIssue] = []
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { issues.append(FieldIssue("withdrawal_reason", "news.error.withdrawal_reason")) }
        if !confirmed { issues.append(FieldIssue("withdraw_confirm", "news.error.confirm")) }
        guard issues.isEmpty else { throw NewsError.invalid(issues) }
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            guard let article = try await NewsArticleModel.find(id, on: db) else { throw NewsError.notFound }
            guard article.version == expectedVersion, article.status == "published" else { throw NewsError.conflict }
            article.status = "withdrawn"
            article.withdrawnAt = now
            article.withdrawalReason = reason
            article.version += 1
            article.updatedAt = now
            try await article.update(on: db)
            try await Self.revise(article, kind: "withdrawal", note: reason, refrozen: false, by: actor, at: now, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "news", entityID: id.uuidString, changedFields: ["status"], detail: "withdrawn"),
                                      by: actor, at: now, on: db)
        }
    }

    /// Records the article's published state as its next revision.
    private static func revise(_ article: NewsArticleModel, kind: String, note: String?, refrozen: Bool, by actor: AuditActor, at now: Date, on db: any Database) async throws {
        let id = try article.requireID()
        let last = try await ContentRevisionModel.query(on: db).filter(\.$contentType == "news").filter(\.$contentID == id).max(\.$number) ?? 0
        let revision = ContentRevisionModel()
        revision.contentType = "news"
        revision.contentID = id
        revision.number = last + 1
        revision.kind = kind
        revision.title = article.title
        revision.summary = article.summary
        revision.body = article.body
        revision.publishedBody = article.publishedBody
        revision.note = note
        revision.figuresRefrozen = refrozen
        revision.author = actor.label
        revision.createdAt = now
        try await revision.create(on: db)
    }

    /// A summary with its tokens replaced by the frozen figures' text, links dropped (a summary
    /// is plain text); a token no figure was frozen for (an article published before summaries
    /// were frozen) is left out rather than shown raw.
    static func plainSummary(_ summary: String, figures: [String: String]) -> String {
        FigureToken.replace(in: summary) { token in
            figures[token.source].map(FigureToken.plainText) ?? ""
        }
    }

    static func encode(_ figures: [String: String]) -> String {
        (try? JSONEncoder.sorted.encode(figures)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String?) -> [String: String] {
        text.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }
}
