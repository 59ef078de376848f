import CorridorCore
import Foundation

/// The public library and its management page.
enum LibraryPages {
    struct Form: Sendable {
        var title = ""
        var description = ""
        var kind = LibraryKind.report.rawValue
        var language = "fr"
        var publishedOn = ""
    }

    static func size(_ bytes: Int, _ context: PageContext) -> String {
        bytes >= 1 << 20 ? "\(context.format.decimal(Double(bytes) / Double(1 << 20), digits: 1)) \(context.t("library.megabytes"))"
            : "\(max(1, bytes / 1024)) \(context.t("library.kilobytes"))"
    }

    static func downloadPath(_ entry: LibraryQueries.Entry) -> String {
        "/resources/\(entry.id.uuidString)/\(entry.fileName)"
    }

    static func list(_ entries: [LibraryQueries.Entry], years: [String], filter: LibraryQueries.Filter, _ context: PageContext) -> HTML {
        let kinds = [(value: "", label: context.t("filter.any"))] + LibraryKind.allCases.map { (value: $0.rawValue, label: context.t("library.kind.\($0.rawValue)")) }
        let languages = [(value: "", label: context.t("filter.any"))] + LibraryRules.languages.map { (value: $0, label: context.t("library.language.\($0)")) }
        let yearOptions = [(value: "", label: context.t("filter.any"))] + years.map { (value: $0, label: $0) }
        let items = entries.map { entry -> HTML in
            """
            <li class="card document">
              <h2><a href="\(downloadPath(entry))">\(entry.title)</a></h2>
              \(HTML.when(!entry.description.isEmpty) { "<p>\(entry.description)</p>" })
              <p class="meta">\(context.t("library.kind.\(entry.kind)")) · \(entry.publishedOn) · \(context.t("library.language.\(entry.language)")) · \(entry.fileType.uppercased()), \(size(entry.size, context))</p>
            </li>
            """
        }
        return Layout.page(context.t("library.title"), context, meta: PageMeta(description: context.t("library.intro")), """
        \(PortalPages.links(context))
        <h1>\(context.t("library.title"))</h1>
        <p class="lead">\(context.t("library.intro"))</p>
        <form method="get" action="/resources" class="filters card">
          \(Layout.textField("q", label: context.t("library.search"), value: filter.q, error: nil, type: "search", required: false))
          \(Layout.selectField("kind", label: context.t("library.kind"), options: kinds, selected: filter.kind ?? "", error: nil))
          \(Layout.selectField("language", label: context.t("library.language"), options: languages, selected: filter.language ?? "", error: nil))
          \(Layout.selectField("year", label: context.t("library.year"), options: yearOptions, selected: filter.year ?? "", error: nil))
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        \(entries.isEmpty ? "<p class=\"empty\">\(context.t("library.empty"))</p>" : "<p>\(context.plural("library.count", entries.count))</p>")
        <ul class="documents">\(items)</ul>
        <section class="card"><h2>\(context.t("library.open_data"))</h2><p><a href="/data">\(context.t("library.open_data_link"))</a></p></section>
        """)
    }

    static func manage(_ entries: [LibraryQueries.Entry], form: Form, errors: [String: String], _ context: PageContext) -> HTML {
        let labels = ["title": context.t("library.field.title"), "description": context.t("library.field.description"), "kind": context.t("library.kind"),
                      "language": context.t("library.language"), "published_on": context.t("library.field.date"), "file": context.t("library.field.file")]
        let kinds = LibraryKind.allCases.map { (value: $0.rawValue, label: context.t("library.kind.\($0.rawValue)")) }
        let languages = LibraryRules.languages.map { (value: $0, label: context.t("library.language.\($0)")) }
        let rows = entries.map { entry -> HTML in
            let toggle = entry.status == "published" ? "unpublish" : "publish"
            return """
            <tr><td><a href="\(downloadPath(entry))">\(entry.title)</a></td><td>\(context.t("library.kind.\(entry.kind)"))</td><td>\(entry.publishedOn)</td>
            <td>\(context.t("library.status.\(entry.status)"))</td><td>\(entry.fileType.uppercased()), \(size(entry.size, context))</td>
            <td><div class="actions"><form method="post" action="/admin/library/\(entry.id.uuidString)/\(toggle)">\(context.csrfField)<button type="submit">\(context.t("library.\(toggle)"))</button></form>
            <form method="post" action="/admin/library/\(entry.id.uuidString)/delete">\(context.csrfField)<button type="submit" class="danger">\(context.t("library.delete"))</button></form></div></td></tr>
            """
        }
        return Layout.page(context.t("library.manage_title"), context, """
        <h1>\(context.t("library.manage_title"))</h1>
        <p class="lead">\(context.t("library.manage_intro"))</p>
        \(Layout.errorSummary(context, errors, labels: labels, order: ["title", "description", "kind", "language", "published_on", "file"]))
        <form method="post" action="/admin/library" enctype="multipart/form-data" class="card">
          \(context.csrfField)
          \(Layout.textField("title", label: labels["title"] ?? "", value: form.title, error: errors["title"]))
          <div class="field\(HTML(raw: errors["description"] == nil ? "" : " has-error"))">
            <label for="description">\(labels["description"] ?? "")</label>
            <textarea id="description" name="description" rows="3" maxlength="2000"\(Layout.describedBy("description", errors["description"]))>\(form.description)</textarea>
            \(Layout.fieldError("description", errors["description"]))
          </div>
          \(Layout.selectField("kind", label: labels["kind"] ?? "", options: kinds, selected: form.kind, error: errors["kind"]))
          \(Layout.selectField("language", label: labels["language"] ?? "", options: languages, selected: form.language, error: errors["language"]))
          \(Layout.textField("published_on", label: labels["published_on"] ?? "", value: form.publishedOn, error: errors["published_on"], type: "date"))
          <div class="field\(HTML(raw: errors["file"] == nil ? "" : " has-error"))">
            <label for="file">\(labels["file"] ?? "")</label>
            <p class="hint" id="file-hint">\(context.t("library.file_hint"))</p>
            <input id="file" name="file" type="file" accept=".pdf,.xlsx,.csv" required aria-describedby="file-hint">
            \(Layout.fieldError("file", errors["file"]))
          </div>
          <button type="submit" class="primary">\(context.t("library.add"))</button>
        </form>
        \(HTML.when(entries.isEmpty) { "<p class=\"empty\">\(context.t("library.empty"))</p>" })
        \(HTML.when(!entries.isEmpty) { """
          <div class="table-wrap" tabindex="0"><table>
          <thead><tr><th scope="col">\(labels["title"] ?? "")</th><th scope="col">\(labels["kind"] ?? "")</th><th scope="col">\(labels["published_on"] ?? "")</th>
          <th scope="col">\(context.t("library.status"))</th><th scope="col">\(labels["file"] ?? "")</th><th scope="col"></th></tr></thead>
          <tbody>\(rows)</tbody></table></div>
          """ })
        """)
    }
}
