import CorridorCore
import Foundation

enum NewsPages {
    struct FormModel: Sendable {
        var id: UUID?
        var form: NewsForm
        var status: String = "draft"
        var errors: [String: String] = [:]
        var preview: String?
    }

    static func list(_ articles: [NewsArticleView], _ context: PageContext) -> HTML {
        let items = articles.map { article -> HTML in
            "<li class=\"card\"><h2><a href=\"/news/\(article.slug)\">\(article.title)</a></h2><p><small>\(article.publishedAt.map(context.format.longDate) ?? "")</small></p><p>\(article.summary)</p></li>"
        }
        return Layout.page(context.t("news.title"), context, """
        \(PortalPages.links(context))
        <div class="page-head"><h1>\(context.t("news.title"))</h1><a href="/news/feed.xml?lang=\(context.language.rawValue)">\(context.t("news.feed"))</a></div>
        \(HTML.when(items.isEmpty) { "<p class=\"empty\">\(context.t("news.none"))</p>" })
        <ul class="news-list">\(items)</ul>
        """)
    }

    static func article(_ article: NewsArticleView, _ context: PageContext) -> HTML {
        Layout.page(article.title, context, """
        \(PortalPages.links(context))
        <article class="news">
          <h1>\(article.title)</h1>
          <p><small>\(article.publishedAt.map(context.format.longDate) ?? "")</small></p>
          <p class="lead">\(article.summary)</p>
          \(HTML(raw: NewsService.render(article.publishedBody ?? "")))
        </article>
        """)
    }

    static func adminList(_ articles: [NewsArticleView], _ context: PageContext) -> HTML {
        let rows = articles.map { article -> HTML in
            "<tr><td><a href=\"/admin/news/\(article.id.uuidString)\">\(article.title)</a></td><td>\(article.language)</td><td>\(context.t("news.status." + article.status))</td><td class=\"date\">\(context.format.longDate(article.updatedAt))</td></tr>"
        }
        return Layout.page(context.t("news.admin_title"), context, """
        <div class="page-head"><h1>\(context.t("news.admin_title"))</h1><a class="button primary" href="/admin/news/new">\(context.t("news.new"))</a></div>
        \(HTML.when(rows.isEmpty) { "<p class=\"empty\">\(context.t("news.none"))</p>" })
        \(HTML.when(!rows.isEmpty) { "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">\(context.t("news.field.title"))</th><th scope=\"col\">\(context.t("news.field.language"))</th><th scope=\"col\">\(context.t("field.status"))</th><th scope=\"col\">\(context.t("news.updated"))</th></tr></thead><tbody>\(rows)</tbody></table></div>" })
        """)
    }

    static func form(_ model: FormModel, _ context: PageContext) -> HTML {
        let form = model.form
        let action = model.id.map { "/admin/news/\($0.uuidString)" } ?? "/admin/news/new"
        let languages = Language.allCases.map { (value: $0.rawValue, label: context.t("language." + $0.rawValue)) }
        let published = model.status == "published"
        let publishForm: HTML = (model.id != nil && !published) ? """
            <form method="post" action="/admin/news/\(model.id?.uuidString ?? "")/publish" class="card narrow">\(context.csrfField)
              <input type="hidden" name="version" value="\(form.version ?? 0)">
              <p>\(context.t("news.publish_intro"))</p><button type="submit" class="primary">\(context.t("news.publish"))</button>
            </form>
            """ : .empty
        let preview: HTML = model.preview.map { "<section class=\"card news\"><h2>\(context.t(published ? "news.published_text" : "news.preview"))</h2>\(HTML(raw: $0))</section>" } ?? .empty
        return Layout.page(context.t("news.edit"), context, """
        <p><a href="/admin/news">← \(context.t("news.admin_title"))</a></p>
        <h1>\(model.id == nil ? context.t("news.new") : form.title ?? "")</h1>
        \(HTML.when(published) { "<p class=\"notice\">\(context.t("news.frozen"))</p>" })
        \(Layout.errorSummary(context, model.errors.filter { $0.key != "general" }, general: model.errors["general"]))
        <form method="post" action="\(action)" class="card" novalidate>
          \(context.csrfField)\(HTML.when(form.version != nil) { "<input type=\"hidden\" name=\"version\" value=\"\(form.version ?? 0)\">" })
          <div class="grid">
            \(Layout.textField("title", label: context.t("news.field.title"), value: form.title, error: model.errors["title"]))
            \(Layout.selectField("language", label: context.t("news.field.language"), options: languages, selected: form.language, error: nil))
            \(Layout.textField("slug", label: context.t("news.field.slug"), value: form.slug, error: model.errors["slug"], required: false, hint: context.t("news.slug_hint")))
          </div>
          \(Layout.textField("summary", label: context.t("news.field.summary"), value: form.summary, error: nil, required: false))
          <div class="field\(HTML(raw: model.errors["body"] == nil ? "" : " has-error"))"><label for="body">\(context.t("news.field.body"))</label>
            <p class="hint" id="body-hint">\(context.t("news.body_hint"))</p>
            <textarea id="body" name="body" rows="14" aria-describedby="body-hint">\(form.body ?? "")</textarea>\(Layout.fieldError("body", model.errors["body"]))</div>
          \(HTML.when(!published) { "<button type=\"submit\" name=\"preview\" value=\"1\">\(context.t("news.preview_button"))</button> <button type=\"submit\" class=\"primary\">\(context.t("news.save_draft"))</button>" })
        </form>
        \(preview)
        \(publishForm)
        """)
    }
}
