import CorridorCore
import Foundation

enum WebsitePages {
    struct Child: Sendable {
        var title: String
        var path: String
        var summary: String
        var external: Bool
    }

    struct Crumb: Sendable {
        var title: String
        var path: String
    }

    /// What a page's feature shows under its text.
    struct Extra: Sendable {
        var offices: [OfficeModel] = []
        var documents: [LibraryQueries.Entry] = []
    }

    struct Editor: Sendable {
        var id: UUID?
        var form: SiteController.Form
        var status = "draft"
        var sections: [(id: UUID, title: String)] = []
        var revisions: [ContentRevisionModel] = []
        var publishedNumber = 0
        /// The draft differs from what the public reads.
        var pending = true
        /// A sub-page whose section is not on the site: the public cannot reach it.
        var sectionHidden = false
        var errors: [String: String] = [:]
        var previews: [Language: String] = [:]
    }

    // MARK: Public

    static func page(_ page: SitePageModel, revision: ContentRevisionModel, section: Crumb?, children: [Child], extra: Extra, _ context: PageContext) -> HTML {
        let crumbs: HTML = section.map {
            "<nav class=\"crumbs\" aria-label=\"\(context.t("site.breadcrumb"))\"><a href=\"\($0.path)\">\($0.title)</a> › <span aria-current=\"page\">\(revision.title)</span></nav>"
        } ?? .empty
        let list = children.map { child -> HTML in
            let mark: HTML = child.external ? " <span aria-hidden=\"true\">↗</span>" : .empty
            return "<li class=\"card\"><h2><a href=\"\(child.path)\">\(child.title)</a>\(mark)</h2>\(HTML.when(!child.summary.isEmpty) { "<p>\(child.summary)</p>" })</li>"
        }
        let feature: HTML
        switch SitePageFeature(rawValue: page.publishedFeature) ?? .text {
        case .offices: feature = OfficePages.publicOffices(extra.offices, context)
        case .contact: feature = "<p><a class=\"button primary\" href=\"/contact\">\(context.t("site.write_to_us"))</a></p>"
        case .resources: feature = resources(extra.documents, context)
        case .text, .link: feature = .empty
        }
        let description = revision.summary.isEmpty ? context.t("meta.home") : revision.summary
        return Layout.page(revision.title, context, meta: PageMeta(description: description), """
        \(PortalPages.links(context))
        \(crumbs)
        <article class="site-page">
          <h1>\(revision.title)</h1>
          \(HTML.when(!revision.summary.isEmpty) { "<p class=\"lead\">\(revision.summary)</p>" })
          \(HTML(raw: SafeMarkdown.render(revision.publishedBody ?? "")))
        </article>
        \(feature)
        \(HTML.when(!list.isEmpty) { "<ul class=\"cards sub-pages\">\(list)</ul>" })
        """)
    }

    static func resources(_ documents: [LibraryQueries.Entry], _ context: PageContext) -> HTML {
        let latest = documents.map { document -> HTML in
            "<li><a href=\"\(LibraryPages.downloadPath(document))\">\(document.title)</a> <small>(\(document.fileType.uppercased()), \(Layout.day(document.publishedOn, context)))</small></li>"
        }
        return """
        <ul class="cards sub-pages">
          <li class="card"><h2><a href="/data">\(context.t("portal.data_title"))</a></h2><p>\(context.t("site.data_text"))</p></li>
          <li class="card"><h2><a href="/resources">\(context.t("library.title"))</a></h2><p>\(context.t("site.library_text"))</p>
          \(HTML.when(!latest.isEmpty) { "<h3>\(context.t("site.latest_documents"))</h3><ul>\(latest)</ul>" })</li>
          <li class="card"><h2><a href="/about">\(context.t("portal.about"))</a></h2><p>\(context.t("site.about_text"))</p></li>
        </ul>
        """
    }

    // MARK: Editing

    static func list(_ pages: [SitePageModel], _ context: PageContext) -> HTML {
        let offline = Set(pages.filter { $0.parentID == nil && $0.status != "published" }.compactMap(\.id))
        let rows = pages.map { page -> HTML in
            let unreachable: HTML = page.parentID.map(offline.contains) == true ? " <small class=\"muted\">(\(context.t("site.section_offline")))</small>" : .empty
            let id = page.id?.uuidString ?? ""
            let title = context.language == .fr ? page.titleFR : page.titleEN
            let indent: HTML = page.parentID == nil ? .empty : "<span class=\"indent\" aria-hidden=\"true\">└ </span>"
            let move: HTML = """
            <form method="post" action="/admin/pages/\(id)/move" class="inline">\(context.csrfField)<input type="hidden" name="direction" value="up"><button type="submit" class="link" aria-label="\(context.t("site.move_up")) : \(title)">↑</button></form>
            <form method="post" action="/admin/pages/\(id)/move" class="inline">\(context.csrfField)<input type="hidden" name="direction" value="down"><button type="submit" class="link" aria-label="\(context.t("site.move_down")) : \(title)">↓</button></form>
            """
            let add: HTML = page.parentID == nil && page.feature != SitePageFeature.link.rawValue
                ? "<a href=\"/admin/pages/new?parent=\(id)\">\(context.t("site.new_sub_page"))</a>" : .empty
            return """
            <tr><td>\(indent)<a href="/admin/pages/\(id)">\(title.isEmpty ? context.t("site.untitled") : title)</a></td>
            <td>\(context.t("site.feature." + page.feature))</td><td>\(context.t("site.status." + page.status))\(unreachable)</td><td class="actions">\(move)</td><td>\(add)</td></tr>
            """
        }
        return Layout.page(context.t("site.admin_title"), context, """
        <div class="page-head"><h1>\(context.t("site.admin_title"))</h1><a class="button primary" href="/admin/pages/new">\(context.t("site.new_section"))</a></div>
        <p class="lead">\(context.t("site.admin_intro"))</p>
        <div class="table-wrap" tabindex="0"><table><caption>\(context.t("site.menu_caption"))</caption><thead><tr><th scope="col">\(context.t("site.field.title"))</th><th scope="col">\(context.t("site.field.feature"))</th>
        <th scope="col">\(context.t("field.status"))</th><th scope="col">\(context.t("site.order"))</th><th scope="col"><span class="visually-hidden">\(context.t("site.new_sub_page"))</span></th></tr></thead>
        <tbody>\(rows)</tbody></table></div>
        """)
    }

    static func editor(_ model: Editor, _ context: PageContext) -> HTML {
        let form = model.form
        let id = model.id?.uuidString ?? ""
        let action = model.id == nil ? "/admin/pages/new" : "/admin/pages/\(id)"
        let features = SitePageFeature.allCases.map { (value: $0.rawValue, label: context.t("site.feature." + $0.rawValue)) }
        let parents = [(value: "", label: context.t("site.no_parent"))] + model.sections.filter { $0.id != model.id }.map { (value: $0.id.uuidString, label: $0.title) }
        let parentField: HTML = model.id == nil
            ? Layout.selectField("parent", label: context.t("site.field.parent"), options: parents, selected: form.parent ?? "", error: model.errors["parent"])
            : "<input type=\"hidden\" name=\"parent\" value=\"\(form.parent ?? "")\">"
        let columns = Language.allCases.map { language -> HTML in
            let code = language.rawValue
            let value: (String) -> String? = { field in
                switch field {
                case "title": language == .fr ? form.title_fr : form.title_en
                case "slug": language == .fr ? form.slug_fr : form.slug_en
                case "summary": language == .fr ? form.summary_fr : form.summary_en
                default: language == .fr ? form.body_fr : form.body_en
                }
            }
            return """
            <fieldset lang="\(code)"><legend>\(context.t("language." + code))</legend>
              \(Layout.textField("title_\(code)", label: context.t("site.field.title"), value: value("title"), error: model.errors["title_\(code)"], required: false))
              \(Layout.textField("slug_\(code)", label: context.t("site.field.slug"), value: value("slug"), error: model.errors["slug_\(code)"], required: false, hint: context.t("site.slug_hint")))
              \(Layout.textField("summary_\(code)", label: context.t("site.field.summary"), value: value("summary"), error: model.errors["summary_\(code)"], required: false))
              <div class="field\(HTML(raw: model.errors["body_\(code)"] == nil ? "" : " has-error"))"><label for="body_\(code)">\(context.t("site.field.body"))</label>
                <textarea id="body_\(code)" name="body_\(code)" rows="14" aria-describedby="body-hint">\(value("body") ?? "")</textarea>\(Layout.fieldError("body_\(code)", model.errors["body_\(code)"]))</div>
            </fieldset>
            """
        }
        let previews = Language.allCases.compactMap { language -> HTML? in
            model.previews[language].map { "<section class=\"card site-page\" lang=\"\(language.rawValue)\"><h2>\(context.t("news.preview")) · \(context.t("language." + language.rawValue))</h2>\(HTML(raw: $0))</section>" }
        }
        let version = form.version ?? 0
        let publish: HTML = model.id == nil ? .empty : """
            <section class="card">
              <h2>\(context.t("site.publication"))</h2>
              <p>\(context.t(model.status == "published" ? (model.pending ? "site.pending" : "site.up_to_date") : "site.status_intro." + model.status))</p>
              \(HTML.when(model.sectionHidden) { "<p class=\"notice warn\">\(context.t("site.section_hidden"))</p>" })
              <form method="post" action="/admin/pages/\(id)/publish" class="inline">\(context.csrfField)<input type="hidden" name="version" value="\(version)"><button type="submit">\(context.t("site.publish"))</button></form>
              \(HTML.when(model.status == "published") { "<form method=\"post\" action=\"/admin/pages/\(id)/hide\" class=\"inline\">\(context.csrfField)<input type=\"hidden\" name=\"version\" value=\"\(version)\"><button type=\"submit\" class=\"danger\">\(context.t("site.hide"))</button></form>" })
            </section>
            """
        let revisions = model.revisions.map { revision -> HTML in
            let current = revision.number == model.publishedNumber && model.status == "published"
            let restored: HTML = revision.kind == "restore" ? " \(context.t("site.restored_from", ["number": revision.note ?? ""]))" : .empty
            let button: HTML = current ? "<em>\(context.t("site.current_revision"))</em>" : """
                <form method="post" action="/admin/pages/\(id)/restore" class="inline">\(context.csrfField)<input type="hidden" name="version" value="\(version)"><input type="hidden" name="number" value="\(revision.number)"><button type="submit" class="link">\(context.t("site.restore", ["number": String(revision.number)]))</button></form>
                """
            return "<li><strong>\(context.t("site.revision", ["number": String(revision.number)]))</strong> · \(context.t("site.revision." + revision.kind))\(restored) — \(revision.author), <time>\(context.format.dateTime(revision.createdAt))</time> · <span lang=\"fr\">\(revision.title)</span> \(button)</li>"
        }
        let history: HTML = revisions.isEmpty ? .empty : "<section class=\"card\"><h2>\(context.t("news.revisions"))</h2><ol class=\"timeline\" reversed>\(revisions)</ol></section>"
        let title = context.language == .fr ? form.title_fr : form.title_en
        return Layout.page(context.t(model.id == nil ? "site.new_page" : "site.edit"), context, """
        <p><a href="/admin/pages">← \(context.t("site.admin_title"))</a></p>
        <h1>\(model.id == nil ? context.t("site.new_page") : (title?.isEmpty == false ? title ?? "" : context.t("site.untitled")))</h1>
        \(Layout.errorSummary(context, model.errors.filter { $0.key != "general" }, general: model.errors["general"]))
        <form method="post" action="\(action)" class="card" novalidate>\(context.csrfField)
          \(HTML.when(model.id != nil) { "<input type=\"hidden\" name=\"version\" value=\"\(version)\">" })
          <div class="grid">
            \(parentField)
            \(Layout.selectField("feature", label: context.t("site.field.feature"), options: features, selected: form.feature ?? "text", error: model.errors["feature"]))
            \(Layout.textField("external_url", label: context.t("site.field.external_url"), value: form.external_url, error: model.errors["external_url"], type: "url", required: false))
          </div>
          <p class="hint" id="body-hint">\(context.t("site.body_hint"))</p>
          <div class="side-by-side">\(columns)</div>
          <button type="submit" name="preview" value="1">\(context.t("news.preview_button"))</button> <button type="submit">\(context.t("news.save_draft"))</button>
          <button type="submit" name="publish" value="1" class="primary">\(context.t("site.save_and_publish"))</button>
        </form>
        \(HTML.when(!previews.isEmpty) { "<div class=\"side-by-side\">\(previews)</div>" })
        \(publish)
        \(history)
        """)
    }
}
