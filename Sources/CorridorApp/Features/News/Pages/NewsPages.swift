import CorridorCore
import Foundation

enum NewsPages {
    struct FormModel: Sendable {
        var id: UUID?
        var form: NewsForm
        var status: String = "draft"
        var errors: [String: String] = [:]
        var preview: String?
        var revisions: [RevisionView] = []
        /// What was typed into the correction and withdrawal forms, shown again with their errors.
        var correctionNote: String?
        var withdrawalReason: String?
        /// Articles this one may translate (those in the other language are offered).
        var translationCandidates: [(slug: String, title: String, language: Language)] = []
    }

    static func list(_ articles: [NewsArticleView], _ context: PageContext) -> HTML {
        let items = articles.map { article -> HTML in
            let corrected: HTML = article.correctedAt.map { " · \(context.t("news.corrected_short", ["date": context.format.longDate($0)]))" } ?? .empty
            return "<li class=\"card\"><h2><a href=\"/news/\(article.slug)\">\(article.title)</a></h2><p><small>\(article.publishedAt.map(context.format.longDate) ?? "")\(corrected)</small></p><p>\(article.publishedSummary)</p></li>"
        }
        return Layout.page(context.t("news.title"), context, meta: PageMeta(description: context.t("meta.news")), """
        \(PortalPages.links(context))
        <div class="page-head"><h1>\(context.t("news.title"))</h1><a href="/news/feed.xml?lang=\(context.language.rawValue)">\(context.t("news.feed"))</a></div>
        \(HTML.when(items.isEmpty) { "<p class=\"empty\">\(context.t("news.none"))</p>" })
        <ul class="news-list">\(items)</ul>
        """)
    }

    /// `languages`: those the article's address is published in (itself and its translation).
    static func article(_ article: NewsArticleView, languages: [Language], _ context: PageContext) -> HTML {
        let corrected: HTML = article.correctedAt.map {
            "<p class=\"notice\" role=\"note\"><strong>\(context.t("news.corrected_on", ["date": context.format.longDate($0)]))</strong> \(article.correctionNote ?? "")</p>"
        } ?? .empty
        // A withdrawn article says so, when and why, and no longer shows its text.
        let body: HTML = article.withdrawnAt.map {
            "<div class=\"notice warn\" role=\"note\"><p><strong>\(context.t("news.withdrawn_on", ["date": context.format.longDate($0)]))</strong></p><p>\(article.withdrawalReason ?? "")</p></div>"
        } ?? "\(corrected)\(HTML(raw: SafeMarkdown.render(article.publishedBody ?? "")))"
        // An article exists in the language it was written in, and in its translation's if it has
        // one: its alternates say so.
        let written = Language(rawValue: article.language) ?? context.language
        let meta = PageMeta(description: article.withdrawnAt == nil ? article.publishedSummary : context.t("news.withdrawn_title", ["title": article.title]),
                            type: "article", languages: languages.isEmpty ? [written] : languages,
                            image: "/news/\(article.slug)/card.png?lang=\(written.rawValue)")
        return Layout.page(article.title, context, meta: meta, """
        \(PortalPages.links(context))
        \(HTML.when(written != context.language) { "<p class=\"notice\" role=\"note\">\(context.t("news.only_in_\(written.rawValue)"))</p>" })
        <article class="news" lang="\(written.rawValue)">
          <h1>\(article.title)</h1>
          <p><small>\(context.t("news.published_on", ["date": article.publishedAt.map(context.format.longDate) ?? ""]))</small></p>
          <p class="lead">\(article.publishedSummary)</p>
          \(body)
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
        \(HTML.when(!rows.isEmpty) { "<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th scope=\"col\">\(context.t("news.field.title"))</th><th scope=\"col\">\(context.t("news.field.language"))</th><th scope=\"col\">\(context.t("field.status"))</th><th scope=\"col\">\(context.t("news.updated"))</th></tr></thead><tbody>\(rows)</tbody></table></div>" })
        """)
    }

    static func form(_ model: FormModel, _ context: PageContext) -> HTML {
        let form = model.form
        let action = model.id.map { "/admin/news/\($0.uuidString)" } ?? "/admin/news/new"
        let published = model.status != "draft"
        let id = model.id?.uuidString ?? ""
        let publishForm: HTML = (model.id != nil && !published) ? """
            <form method="post" action="/admin/news/\(id)/publish" class="card narrow">\(context.csrfField)
              <input type="hidden" name="version" value="\(form.version ?? 0)">
              <p>\(context.t("news.publish_intro"))</p>
              <p><label class="check"><input type="checkbox" id="confirm" name="confirm" value="1" required> \(context.t("news.publish_confirm"))</label>\(Layout.fieldError("confirm", model.errors["confirm"]))</p>
              <button type="submit" class="primary">\(context.t("news.publish"))</button>
            </form>
            """ : .empty
        // A published article is corrected (a new dated revision) or withdrawn, never edited in place.
        let correction: HTML = model.status == "published" ? """
            <form method="post" action="/admin/news/\(id)/correct" class="card" novalidate>\(context.csrfField)
              <h2>\(context.t("news.correct_title"))</h2><p>\(context.t("news.correct_intro"))</p>
              <input type="hidden" name="version" value="\(form.version ?? 0)">
              \(Layout.textField("title", label: context.t("news.field.title"), value: form.title, error: model.errors["title"]))
              \(Layout.textField("summary", label: context.t("news.field.summary"), value: form.summary, error: model.errors["summary"], required: false))
              <div class="field\(HTML(raw: model.errors["body"] == nil ? "" : " has-error"))"><label for="body">\(context.t("news.field.body"))</label>
                <textarea id="body" name="body" rows="14">\(form.body ?? "")</textarea>\(Layout.fieldError("body", model.errors["body"]))</div>
              <div class="field\(HTML(raw: model.errors["correction_note"] == nil ? "" : " has-error"))"><label for="correction_note">\(context.t("news.field.correction_note"))</label>
                <p class="hint" id="correction_note-hint">\(context.t("news.correction_note_hint"))</p>
                <textarea id="correction_note" name="correction_note" rows="2" aria-describedby="correction_note-hint">\(model.correctionNote ?? "")</textarea>\(Layout.fieldError("correction_note", model.errors["correction_note"]))</div>
              <p><label class="check"><input type="checkbox" name="refreeze" value="1"> \(context.t("news.refreeze"))</label></p>
              <button type="submit" class="primary">\(context.t("news.correct"))</button>
            </form>
            <form method="post" action="/admin/news/\(id)/withdraw" class="card" novalidate>\(context.csrfField)
              <h2>\(context.t("news.withdraw_title"))</h2><p>\(context.t("news.withdraw_intro"))</p>
              <input type="hidden" name="version" value="\(form.version ?? 0)">
              <div class="field\(HTML(raw: model.errors["withdrawal_reason"] == nil ? "" : " has-error"))"><label for="withdrawal_reason">\(context.t("news.field.withdrawal_reason"))</label>
                <textarea id="withdrawal_reason" name="withdrawal_reason" rows="2">\(model.withdrawalReason ?? "")</textarea>\(Layout.fieldError("withdrawal_reason", model.errors["withdrawal_reason"]))</div>
              <p><label class="check"><input type="checkbox" id="withdraw_confirm" name="withdraw_confirm" value="1" required> \(context.t("news.withdraw_confirm"))</label>\(Layout.fieldError("withdraw_confirm", model.errors["withdraw_confirm"]))</p>
              <button type="submit" class="danger">\(context.t("news.withdraw"))</button>
            </form>
            """ : .empty
        let revisions = model.revisions.map { revision -> HTML in
            let refrozen: HTML = revision.kind == "correction" && revision.figuresRefrozen ? " <small>(\(context.t("news.figures_refrozen")))</small>" : .empty
            return "<li><time>\(context.format.dateTime(revision.createdAt))</time> <strong>\(context.t("news.revision." + revision.kind))</strong>\(refrozen) — \(revision.author)\(HTML.when(revision.note != nil) { "<p class=\"note\">\(revision.note ?? "")</p>" })</li>"
        }
        let history: HTML = revisions.isEmpty ? .empty : "<section class=\"card\"><h2>\(context.t("news.revisions"))</h2><ol class=\"timeline\">\(revisions)</ol></section>"
        let draftForm = draftFields(model, action: action, context)
        let preview: HTML = model.preview.map { "<section class=\"card news\"><h2>\(context.t(published ? "news.published_text" : "news.preview"))</h2>\(HTML(raw: $0))</section>" } ?? .empty
        return Layout.page(context.t("news.edit"), context, """
        <p><a href="/admin/news">← \(context.t("news.admin_title"))</a></p>
        <h1>\(model.id == nil ? context.t("news.new") : form.title ?? "")</h1>
        \(HTML.when(published) { "<p class=\"notice\">\(context.t(model.status == "withdrawn" ? "news.withdrawn_admin" : "news.frozen"))</p>" })
        \(Layout.errorSummary(context, model.errors.filter { $0.key != "general" }, general: model.errors["general"]))
        \(HTML.when(!published) { draftForm })
        \(preview)
        \(publishForm)
        \(correction)
        \(history)
        """)
    }

    /// "Translation of": an article in the other language, whose address this one then shares.
    private static func translationField(_ model: FormModel, _ context: PageContext) -> HTML {
        let language = model.form.language.flatMap(Language.init(rawValue:)) ?? context.language
        let others = model.translationCandidates.filter { $0.language != language }
        guard !others.isEmpty else { return .empty }
        let options = [(value: "", label: context.t("news.translation_none"))]
            + others.map { (value: $0.slug, label: "\($0.title) (\(context.t("language." + $0.language.rawValue)))") }
        return """
        \(Layout.selectField("translation_of", label: context.t("news.field.translation_of"), options: options, selected: model.form.translation_of ?? "", error: model.errors["translation_of"]))
        <p class="hint">\(context.t("news.translation_hint"))</p>
        """
    }

    private static func draftFields(_ model: FormModel, action: String, _ context: PageContext) -> HTML {
        let form = model.form
        let languages = Language.allCases.map { (value: $0.rawValue, label: context.t("language." + $0.rawValue)) }
        return """
        <form method="post" action="\(action)" class="card" novalidate>
          \(context.csrfField)\(HTML.when(form.version != nil) { "<input type=\"hidden\" name=\"version\" value=\"\(form.version ?? 0)\">" })
          <div class="grid">
            \(Layout.textField("title", label: context.t("news.field.title"), value: form.title, error: model.errors["title"]))
            \(Layout.selectField("language", label: context.t("news.field.language"), options: languages, selected: form.language, error: nil))
            \(Layout.textField("slug", label: context.t("news.field.slug"), value: form.slug, error: model.errors["slug"], required: false, hint: context.t("news.slug_hint")))
          </div>
          \(translationField(model, context))
          \(Layout.textField("summary", label: context.t("news.field.summary"), value: form.summary, error: model.errors["summary"], required: false))
          <div class="field\(HTML(raw: model.errors["body"] == nil ? "" : " has-error"))"><label for="body">\(context.t("news.field.body"))</label>
            <p class="hint" id="body-hint">\(context.t("news.body_hint"))</p>
            <textarea id="body" name="body" rows="14" aria-describedby="body-hint">\(form.body ?? "")</textarea>\(Layout.fieldError("body", model.errors["body"]))</div>
          <button type="submit" name="preview" value="1">\(context.t("news.preview_button"))</button> <button type="submit" class="primary">\(context.t("news.save_draft"))</button>
        </form>
        """
    }
}
