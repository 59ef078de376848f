import CorridorCore
import Foundation
import Vapor

/// News and press releases: written and published by communications officers, read by all.
struct NewsController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("news", action: .viewPublic, use: list)
        web.get("news", "feed.xml", action: .viewPublic, use: feed)
        web.get("news", ":slug", action: .viewPublic, use: article)
        web.get("news", ":slug", "card.png", action: .viewPublic, use: card)
        let admin = web.grouped("admin", "news")
        admin.get(action: .manageNews, use: adminList)
        admin.get("new", action: .manageNews, use: newPage)
        admin.post("new", action: .manageNews, use: create)
        admin.get(":newsID", action: .manageNews, use: editPage)
        admin.post(":newsID", action: .manageNews, use: update)
        admin.post(":newsID", "publish", action: .manageNews, use: publish)
        admin.post(":newsID", "correct", action: .manageNews, use: correct)
        admin.post(":newsID", "withdraw", action: .manageNews, use: withdraw)
    }

    private func queries(_ req: Request) -> NewsQueries { NewsQueries(database: req.db) }

    private func service(_ req: Request) -> NewsService { NewsService(req.serviceContext, publisher: req.figurePublisher) }

    @Sendable func list(_ req: Request) async throws -> HTML {
        NewsPages.list(try await queries(req).published(language: req.language), req.pageContext())
    }

    @Sendable func article(_ req: Request) async throws -> HTML {
        guard let slug = req.parameters.get("slug"),
              let article = try await queries(req).published(slug: slug, preferring: req.language) else { throw Abort(.notFound) }
        return NewsPages.article(article, languages: try await queries(req).publishedLanguages(slug: slug), req.pageContext())
    }

    /// The image a shared link to the article shows: its key figure (the first figure of its
    /// text, as frozen at publication) and what it counts, or its title when it has none.
    @Sendable func card(_ req: Request) async throws -> Response {
        guard let slug = req.parameters.get("slug"),
              let article = try await queries(req).published(slug: slug, preferring: req.language) else { throw Abort(.notFound) }
        let frozen = NewsService.decode(article.frozenFigures)
        let key = article.withdrawnAt == nil ? FigureToken.scan(article.body).tokens.lazy.compactMap { frozen[$0.source] }.first : nil
        let parts = key.map(FigureCard.parts(of:)) ?? (figure: "", rest: "")
        let label = parts.rest.isEmpty ? article.title : parts.rest
        return try FigureCardResponse.make(figure: parts.figure, label: label, req)
    }

    /// An Atom feed of the published news in the request's language.
    @Sendable func feed(_ req: Request) async throws -> Response {
        let language = req.language
        let articles = try await queries(req).feed(language: language)
        let base = req.corridor.configuration.publicURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let formatter = ISO8601DateFormatter()
        let updated = formatter.string(from: articles.map { $0.withdrawnAt ?? $0.correctedAt ?? $0.publishedAt ?? $0.updatedAt }.max() ?? Date(timeIntervalSince1970: 0))
        // A correction or a withdrawal moves the entry's `updated` and says so in its summary.
        let catalogue = req.catalogue
        let format = LocaleFormatting(language)
        let entries = articles.map { article -> String in
            let link = "\(base)/news/\(article.slug)"
            let changed = article.withdrawnAt ?? article.correctedAt ?? article.publishedAt ?? article.updatedAt
            var summary = article.publishedSummary
            var title = article.title
            // The whole article, as its page shows it (a withdrawn one: its notice only).
            var content = SafeMarkdown.render(article.publishedBody ?? "")
            if let withdrawn = article.withdrawnAt {
                title = catalogue.text("news.withdrawn_title", ["title": article.title])
                summary = catalogue.text("news.withdrawn_on", ["date": format.longDate(withdrawn)]) + " " + (article.withdrawalReason ?? "")
                content = "<p>" + HTML.escape(summary) + "</p>"
            } else if let corrected = article.correctedAt {
                let note = catalogue.text("news.corrected_on", ["date": format.longDate(corrected)]) + " " + (article.correctionNote ?? "")
                summary = note + " — " + article.publishedSummary
                content = "<p><strong>" + HTML.escape(note) + "</strong></p>" + content
            }
            // Links in the content are made absolute: a feed reader has no page to resolve them against.
            content = content.replacingOccurrences(of: "href=\"/", with: "href=\"\(base)/")
            let published = article.publishedAt.map { "<published>\(formatter.string(from: $0))</published>" } ?? ""
            return """
            <entry><title>\(HTML.escape(title))</title><link href="\(HTML.escape(link))"/><id>\(HTML.escape(link))#\(article.language)</id>
            \(published)<updated>\(formatter.string(from: changed))</updated><summary>\(HTML.escape(summary))</summary>
            <content type="html">\(HTML.escape(content))</content>
            <author><name>Corridor</name></author></entry>
            """
        }.joined(separator: "\n")
        let xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(language.rawValue)">
        <title>\(HTML.escape(req.t("news.feed_title")))</title><link href="\(HTML.escape(base))/news"/><link rel="self" href="\(HTML.escape(base))/news/feed.xml?lang=\(language.rawValue)"/>
        <id>\(HTML.escape(base))/news?lang=\(language.rawValue)</id><updated>\(updated)</updated>
        \(entries)
        </feed>
        """
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: xml))
    }

    @Sendable func adminList(_ req: Request) async throws -> HTML {
        NewsPages.adminList(try await queries(req).all(), req.pageContext())
    }

    @Sendable func newPage(_ req: Request) async throws -> HTML {
        var model = NewsPages.FormModel(id: nil, form: NewsForm(language: req.language.rawValue))
        model.translationCandidates = try await queries(req).translationCandidates()
        return NewsPages.form(model, req.pageContext())
    }

    @Sendable func create(_ req: Request) async throws -> Response { try await save(req, id: nil) }

    @Sendable func editPage(_ req: Request) async throws -> HTML {
        let article = try await load(req)
        let form = NewsForm(language: article.language, title: article.title, summary: article.summary, body: article.body, slug: article.slug, version: article.version)
        var model = NewsPages.FormModel(id: article.id, form: form, status: article.status)
        model.revisions = try await queries(req).revisions(article.id)
        model.translationCandidates = try await queries(req).translationCandidates().filter { $0.slug != article.slug || $0.language.rawValue != article.language }
        if let frozen = article.publishedBody {
            model.preview = SafeMarkdown.render(frozen)
        } else {
            model.preview = SafeMarkdown.render(try await service(req).resolve(article.body, language: Language(rawValue: article.language) ?? .fr))
        }
        return NewsPages.form(model, req.pageContext())
    }

    @Sendable func update(_ req: Request) async throws -> Response { try await save(req, id: try load(req).id) }

    private func save(_ req: Request, id: UUID?) async throws -> Response {
        let form = try req.content.decode(NewsForm.self)
        let service = service(req)
        if form.preview != nil {
            // Preview: figures resolved now, nothing saved.
            var model = NewsPages.FormModel(id: id, form: form)
            model.translationCandidates = try await queries(req).translationCandidates()
            let issues = service.check(form.draft)
            if issues.isEmpty {
                model.preview = SafeMarkdown.render(try await service.resolve(form.draft.body, language: form.draft.language))
            } else {
                model.errors = Self.messages(issues, req)
            }
            return try await NewsPages.form(model, req.pageContext()).encodeResponse(for: req)
        }
        do {
            let saved = try await service.save(id: id, form.draft, expectedVersion: form.version)
            return req.redirect(to: "/admin/news/\(saved.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as NewsError {
            var model = NewsPages.FormModel(id: id, form: form)
            model.translationCandidates = try await queries(req).translationCandidates()
            switch error {
            case .invalid(let issues): model.errors = Self.messages(issues, req)
            case .conflict: model.errors = ["general": req.t("news.error.conflict")]
            case .notFound: throw Abort(.notFound)
            }
            return try await HTMLPage(status: error.isConflict ? .conflict : .unprocessableEntity, html: NewsPages.form(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct PublishedForm: Content {
        var version: Int?
        var confirm: String?
        var title: String?
        var summary: String?
        var body: String?
        var correction_note: String?
        var refreeze: String?
        var withdrawal_reason: String?
        var withdraw_confirm: String?
    }

    @Sendable func publish(_ req: Request) async throws -> Response {
        let article = try await load(req)
        let form = try req.content.decode(PublishedForm.self)
        return try await published(req, article, form) {
            try await service(req).publish(id: article.id, expectedVersion: form.version ?? -1, confirmed: form.confirm == "1")
        }
    }

    @Sendable func correct(_ req: Request) async throws -> Response {
        let article = try await load(req)
        let form = try req.content.decode(PublishedForm.self)
        let draft = NewsDraft(language: Language(rawValue: article.language) ?? .fr, title: form.title ?? "", summary: form.summary ?? "",
                              body: form.body ?? "", slug: article.slug)
        return try await published(req, article, form) {
            try await service(req).correct(id: article.id, draft, note: form.correction_note ?? "", refreeze: form.refreeze == "1", expectedVersion: form.version ?? -1)
        }
    }

    @Sendable func withdraw(_ req: Request) async throws -> Response {
        let article = try await load(req)
        let form = try req.content.decode(PublishedForm.self)
        return try await published(req, article, form) {
            try await service(req).withdraw(id: article.id, reason: form.withdrawal_reason ?? "", expectedVersion: form.version ?? -1, confirmed: form.withdraw_confirm == "1")
        }
    }

    /// Runs a publication step; on success shows the public page, otherwise the article's page
    /// again with the errors and what was typed.
    private func published(_ req: Request, _ article: NewsArticleView, _ form: PublishedForm, _ step: () async throws -> Void) async throws -> Response {
        do {
            try await step()
            return req.redirect(to: "/news/\(article.slug)?lang=\(article.language)", redirectType: .normal)
        } catch let error as NewsError {
            var errors: [String: String]
            switch error {
            case .invalid(let issues): errors = Self.messages(issues, req)
            case .conflict: errors = ["general": req.t("news.error.conflict")]
            case .notFound: throw Abort(.notFound)
            }
            let shown = NewsForm(language: article.language, title: form.title ?? article.title, summary: form.summary ?? article.summary,
                                 body: form.body ?? article.body, slug: article.slug, version: article.version)
            var model = NewsPages.FormModel(id: article.id, form: shown, status: article.status, errors: errors)
            model.correctionNote = form.correction_note
            model.withdrawalReason = form.withdrawal_reason
            model.revisions = try await queries(req).revisions(article.id)
            if let frozen = article.publishedBody { model.preview = SafeMarkdown.render(frozen) }
            return try await HTMLPage(status: error.isConflict ? .conflict : .unprocessableEntity, html: NewsPages.form(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    private func load(_ req: Request) async throws -> NewsArticleView {
        guard let id = req.parameters.get("newsID", as: UUID.self), let article = try await queries(req).article(id) else { throw Abort(.notFound) }
        return article
    }

    static func messages(_ issues: [FieldIssue], _ req: Request) -> [String: String] {
        var messages: [String: String] = [:]
        for issue in issues {
            // A figure token's problem travels as `news.error.token:<reason>:<word>:<token>`.
            let text: String
            if issue.code.hasPrefix("news.error.token:") {
                let parts = issue.code.dropFirst("news.error.token:".count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                let reason = parts.count == 3 ? req.t("news.token." + parts[0], ["word": parts[1]]) : ""
                text = req.t("news.error.token", ["token": parts.last ?? "", "reason": reason])
            } else {
                text = req.t(issue.code)
            }
            messages[issue.field] = messages[issue.field].map { $0 + " " + text } ?? text
        }
        return messages
    }
}

extension NewsError {
    var isConflict: Bool { if case .conflict = self { return true } else { return false } }
}
