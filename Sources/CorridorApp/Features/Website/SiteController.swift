import CorridorCore
import Fluent
import Foundation
import Vapor

/// The website's section pages: public at `/<section>` and `/<section>/<page>` (the address in
/// the reader's language), written at `/admin/pages` by the communications role and
/// administrators.
struct SiteController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("admin", "pages", action: .manageSitePages, use: list)
        web.get("admin", "pages", "new", action: .manageSitePages, use: newForm)
        web.post("admin", "pages", "new", action: .manageSitePages, use: create)
        web.get("admin", "pages", ":id", action: .manageSitePages, use: editForm)
        web.post("admin", "pages", ":id", action: .manageSitePages, use: update)
        web.post("admin", "pages", ":id", "publish", action: .manageSitePages, use: publish)
        web.post("admin", "pages", ":id", "hide", action: .manageSitePages, use: hide)
        web.post("admin", "pages", ":id", "restore", action: .manageSitePages, use: restore)
        web.post("admin", "pages", ":id", "move", action: .manageSitePages, use: move)
        web.get(":section", action: .viewPublic, use: page)
        web.get(":section", ":page", action: .viewPublic, use: page)
    }

    // MARK: The public pages

    @Sendable func page(_ req: Request) async throws -> Response {
        let menu = SiteMenuMiddleware.menu(of: req)
        guard let sectionSlug = req.parameters.get("section"),
              let found = menu.find(section: sectionSlug, page: req.parameters.get("page")) else { throw Abort(.notFound) }
        let language = req.language
        // The address is the one in the reader's language (each language's address is canonical).
        if found.language != language, let path = menu.path(of: found.entry.id, language), path != req.url.path {
            let query = req.url.query.map { "?" + $0 } ?? ""
            return req.redirect(to: path + query, redirectType: .normal)
        }
        let queries = SiteQueries(database: req.db)
        guard let (page, revision) = try await queries.published(found.entry.id, language) else { throw Abort(.notFound) }
        let isSection = found.entry.id == found.section.entry.id
        var children: [WebsitePages.Child] = []
        if isSection {
            for child in found.section.children {
                let summary = try await queries.published(child.id, language)?.revision.summary ?? ""
                children.append(WebsitePages.Child(title: child.title(language), path: menu.path(of: child.id, language) ?? "/", summary: summary,
                                                   external: child.externalURL != nil))
            }
        }
        var extra = WebsitePages.Extra()
        switch SitePageFeature(rawValue: page.publishedFeature) ?? .text {
        case .offices: extra.offices = try await OfficeQueries(database: req.db).published()
        case .resources: extra.documents = Array(try await LibraryQueries(database: req.db).list(LibraryQueries.Filter(), includeDrafts: false).prefix(5))
        case .contact, .text, .link: break
        }
        var context = req.pageContext()
        context.paths = Dictionary(uniqueKeysWithValues: Language.allCases.compactMap { other in menu.path(of: found.entry.id, other).map { (other, $0) } })
        let section: WebsitePages.Crumb? = isSection ? nil : WebsitePages.Crumb(title: found.section.entry.title(language), path: menu.path(of: found.section.entry.id, language) ?? "/")
        return try await WebsitePages.page(page, revision: revision, section: section, children: children, extra: extra, context).encodeResponse(for: req)
    }

    // MARK: Editing

    struct Form: Content {
        var parent: String?
        var feature: String?
        var external_url: String?
        var slug_fr: String?
        var slug_en: String?
        var title_fr: String?
        var title_en: String?
        var summary_fr: String?
        var summary_en: String?
        var body_fr: String?
        var body_en: String?
        var version: Int?
        var preview: String?
        /// "Save and publish": the typed text is saved, then published.
        var publish: String?

        var draft: SitePageDraft {
            SitePageDraft(feature: feature.flatMap(SitePageFeature.init(rawValue:)) ?? .text, externalURL: external_url ?? "",
                          slugs: [.fr: slug_fr ?? "", .en: slug_en ?? ""], titles: [.fr: title_fr ?? "", .en: title_en ?? ""],
                          summaries: [.fr: summary_fr ?? "", .en: summary_en ?? ""], bodies: [.fr: body_fr ?? "", .en: body_en ?? ""])
        }

        init() {}

        init(_ page: SitePageModel) {
            parent = page.parentID?.uuidString
            feature = page.feature
            external_url = page.externalURL
            slug_fr = page.slugFR
            slug_en = page.slugEN
            title_fr = page.titleFR
            title_en = page.titleEN
            summary_fr = page.summaryFR
            summary_en = page.summaryEN
            body_fr = page.bodyFR
            body_en = page.bodyEN
            version = page.version
        }
    }

    private func service(_ req: Request) -> SiteService {
        let reserved = Set(req.application.routes.all.compactMap { route -> String? in
            if case .constant(let word) = route.path.first { return word }
            return nil
        })
        return SiteService(context: req.serviceContext, figures: FigureTokenText(publisher: req.figurePublisher), reserved: reserved)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        WebsitePages.list(try await SiteQueries(database: req.db).all(), req.pageContext())
    }

    @Sendable func newForm(_ req: Request) async throws -> HTML {
        var form = Form()
        form.parent = try? req.query.get(String.self, at: "parent")
        return try await editorHTML(req, WebsitePages.Editor(form: form, sections: try await sections(req)))
    }

    @Sendable func editForm(_ req: Request) async throws -> HTML {
        let page = try await load(req)
        return try await editorHTML(req, try await model(page, form: Form(page), req))
    }

    /// The editor of a stored page showing `form`: its revisions, and whether what is stored
    /// differs from what the public reads.
    private func model(_ page: SitePageModel, form: Form, _ req: Request) async throws -> WebsitePages.Editor {
        let id = try page.requireID()
        let queries = SiteQueries(database: req.db)
        var model = WebsitePages.Editor(id: id, form: form, status: page.status, sections: try await sections(req))
        model.revisions = try await queries.revisions(id)
        model.publishedNumber = page.publishedNumber
        let french = try await queries.revision(id, number: page.publishedNumber, .fr), english = try await queries.revision(id, number: page.publishedNumber, .en)
        model.pending = page.status != "published" || Self.differs(page, [.fr: french, .en: english])
        model.sectionHidden = try await page.parentID.asyncMap { try await queries.find($0) }.map { $0?.status != "published" } ?? false
        return model
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = (try? req.content.decode(Form.self)) ?? Form()
        let parentID = form.parent.flatMap(UUID.init(uuidString:))
        if form.preview != nil { return try await previewing(req, WebsitePages.Editor(form: form, sections: try await sections(req))) }
        do {
            let id = try await service(req).create(form.draft, parentID: parentID)
            req.application.siteMenu.forget()
            if form.publish != nil { return try await publishing(req, id: id, version: 1) }
            return req.redirect(to: "/admin/pages/\(id.uuidString)?notice=page_saved", redirectType: .normal)
        } catch SiteService.SiteError.invalid(let issues) {
            return try await refused(req, WebsitePages.Editor(form: form, sections: try await sections(req)), issues: issues)
        }
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        let page = try await load(req)
        let id = try page.requireID()
        let form = (try? req.content.decode(Form.self)) ?? Form()
        var model = try await model(page, form: form, req)
        if form.preview != nil { return try await previewing(req, model) }
        do {
            try await service(req).save(id: id, form.draft, expectedVersion: form.version ?? -1)
            req.application.siteMenu.forget()
            if form.publish != nil { return try await publishing(req, id: id, version: (form.version ?? -1) + 1) }
            return req.redirect(to: "/admin/pages/\(id.uuidString)?notice=page_saved", redirectType: .normal)
        } catch SiteService.SiteError.invalid(let issues) {
            return try await refused(req, model, issues: issues)
        } catch SiteService.SiteError.conflict {
            model.errors["general"] = req.t("site.error.conflict")
            return try await HTMLPage(status: .conflict, html: try await editorHTML(req, model)).encodeResponse(for: req)
        }
    }

    /// Publishes what was just saved; refused, the editor shows why (the text is saved).
    private func publishing(_ req: Request, id: UUID, version: Int) async throws -> Response {
        do {
            try await service(req).publish(id: id, expectedVersion: version)
            req.application.siteMenu.forget()
            return req.redirect(to: "/admin/pages/\(id.uuidString)?notice=page_published", redirectType: .normal)
        } catch SiteService.SiteError.invalid(let issues) {
            guard let page = try await SiteQueries(database: req.db).find(id) else { throw Abort(.notFound) }
            var model = try await model(page, form: Form(page), req)
            model.errors = NewsController.messages(issues, req)
            model.errors["general"] = req.t("site.error.saved_not_published")
            return try await HTMLPage(status: .unprocessableEntity, html: try await editorHTML(req, model)).encodeResponse(for: req)
        }
    }

    struct VersionForm: Content {
        var version: Int?
        var number: Int?
        var direction: String?
    }

    @Sendable func publish(_ req: Request) async throws -> Response {
        try await act(req, notice: "page_published") { service, id, form in try await service.publish(id: id, expectedVersion: form.version ?? -1) }
    }

    @Sendable func hide(_ req: Request) async throws -> Response {
        try await act(req, notice: "page_hidden") { service, id, form in try await service.hide(id: id, expectedVersion: form.version ?? -1) }
    }

    @Sendable func restore(_ req: Request) async throws -> Response {
        try await act(req, notice: "page_restored") { service, id, form in
            try await service.restore(id: id, number: form.number ?? 0, expectedVersion: form.version ?? -1)
        }
    }

    @Sendable func move(_ req: Request) async throws -> Response {
        let id = try await load(req).requireID()
        let form = (try? req.content.decode(VersionForm.self)) ?? VersionForm()
        try await service(req).move(id: id, by: form.direction == "up" ? -1 : 1)
        req.application.siteMenu.forget()
        return req.redirect(to: "/admin/pages?notice=page_moved", redirectType: .normal)
    }

    /// Publishing, hiding, restoring: on the page's editor again, with the reason when refused.
    private func act(_ req: Request, notice: String, _ work: (SiteService, UUID, VersionForm) async throws -> Void) async throws -> Response {
        let page = try await load(req)
        let id = try page.requireID()
        let form = (try? req.content.decode(VersionForm.self)) ?? VersionForm()
        do {
            try await work(service(req), id, form)
            req.application.siteMenu.forget()
            return req.redirect(to: "/admin/pages/\(id.uuidString)?notice=\(notice)", redirectType: .normal)
        } catch let error as SiteService.SiteError {
            var model = try await model(page, form: Form(page), req)
            switch error {
            case .invalid(let issues):
                model.errors = NewsController.messages(issues, req)
                model.errors["general"] = req.t("site.error.not_publishable")
                return try await HTMLPage(status: .unprocessableEntity, html: try await editorHTML(req, model)).encodeResponse(for: req)
            case .conflict:
                model.errors["general"] = req.t("site.error.conflict")
                return try await HTMLPage(status: .conflict, html: try await editorHTML(req, model)).encodeResponse(for: req)
            case .notFound:
                throw Abort(.notFound)
            }
        }
    }

    private func previewing(_ req: Request, _ model: WebsitePages.Editor) async throws -> Response {
        var model = model
        let issues = SitePageRules.check(model.form.draft, reserved: [])
        if issues.isEmpty {
            for language in Language.allCases { model.previews[language] = SafeMarkdown.render(try await service(req).preview(model.form.draft, language: language)) }
        } else {
            model.errors = NewsController.messages(issues, req)
        }
        return try await editorHTML(req, model).encodeResponse(for: req)
    }

    private func refused(_ req: Request, _ model: WebsitePages.Editor, issues: [FieldIssue]) async throws -> Response {
        var model = model
        model.errors = NewsController.messages(issues, req)
        return try await HTMLPage(status: .unprocessableEntity, html: try await editorHTML(req, model)).encodeResponse(for: req)
    }

    private func editorHTML(_ req: Request, _ model: WebsitePages.Editor) async throws -> HTML {
        WebsitePages.editor(model, req.pageContext())
    }

    private func sections(_ req: Request) async throws -> [(id: UUID, title: String)] {
        try await SiteQueries(database: req.db).all().filter { $0.parentID == nil && $0.feature != SitePageFeature.link.rawValue }
            .compactMap { page in page.id.map { ($0, req.language == .fr ? page.titleFR : page.titleEN) } }
    }

    private func load(_ req: Request) async throws -> SitePageModel {
        guard let id = req.parameters.get("id", as: UUID.self), let page = try await SiteQueries(database: req.db).find(id) else { throw Abort(.notFound) }
        return page
    }

    /// Whether the draft differs from what the public reads (the published revision).
    static func differs(_ page: SitePageModel, _ published: [Language: ContentRevisionModel?]) -> Bool {
        let draft = page.draft
        if page.feature != page.publishedFeature || (draft.feature == .link && page.externalURL != page.publishedExternalURL) { return true }
        return Language.allCases.contains { language in
            guard let revision = published[language] ?? nil else { return true }
            return draft.title(language) != revision.title || draft.summary(language) != revision.summary || draft.body(language) != revision.body
                || (draft.feature != .link && draft.slug(language) != (revision.slug ?? ""))
        }
    }
}
