import CorridorCore
import Foundation

struct AuditPageModel: Sendable {
    var filter: AuditFilter
    var rows: [AuditQueries.EntryRow]
    var hasMore: Bool
    var entityTypes: [String]
}

enum AuditPages {
    static func list(_ model: AuditPageModel, _ context: PageContext) -> HTML {
        /// Known record kinds have a name in each language; others show as stored.
        func entityLabel(_ type: String) -> String {
            let key = "audit.entity." + type
            return context.catalogue.strings[key] ?? type
        }
        let format = context.format
        let filter = model.filter
        let actions = [(value: "", label: context.t("audit.any_action"))]
            + AuditAction.allCases.map { (value: $0.rawValue, label: context.t("audit.action." + $0.rawValue)) }
        let entities = [(value: "", label: context.t("audit.any_entity"))] + model.entityTypes.map { (value: $0, label: entityLabel($0)) }
        let rows = model.rows.map { row -> HTML in
            let fields: HTML = row.changedFields.isEmpty ? .empty : "<br><small>\(row.changedFields.split(separator: ",").map { context.fieldLabel(String($0)) }.joined(separator: ", "))</small>"
            return """
            <tr><td>\(Int(row.sequence))</td><td class="date">\(format.dateTime(row.occurredAt))</td><td>\(row.actorLabel)</td>
            <td>\(context.t("audit.action." + row.action))\(fields)</td><td>\(entityLabel(row.entityType))\(HTML.when(row.entityName != nil) { "<br>\(row.entityName ?? "")" }) <small class="identifier">\(row.entityID ?? "")</small></td>
            <td>\(row.detail)</td><td>\(row.address ?? "")</td></tr>
            """
        }
        let page = max(1, filter.page ?? 1)
        func link(_ target: Int) -> String {
            var items = [URLQueryItem]()
            for (name, value) in [("actor", filter.actor), ("action", filter.action), ("entity", filter.entity), ("from", filter.from), ("to", filter.to)] {
                if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) }
            }
            items.append(URLQueryItem(name: "page", value: String(target)))
            var components = URLComponents()
            components.queryItems = items
            return "/admin/audit" + (components.string ?? "")
        }
        let previous: HTML = page > 1 ? "<a rel=\"prev\" href=\"\(link(page - 1))\">← \(context.t("pagination.previous"))</a>" : .empty
        let next: HTML = model.hasMore ? "<a rel=\"next\" href=\"\(link(page + 1))\">\(context.t("pagination.next")) →</a>" : .empty
        let table: HTML = model.rows.isEmpty ? "<p class=\"empty\">\(context.t("audit.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table class="dense">
              <caption class="visually-hidden">\(context.t("audit.title"))</caption>
              <thead><tr><th scope="col">#</th><th scope="col">\(context.t("audit.when"))</th><th scope="col">\(context.t("audit.who"))</th>
              <th scope="col">\(context.t("audit.what"))</th><th scope="col">\(context.t("audit.record"))</th>
              <th scope="col">\(context.t("audit.detail"))</th><th scope="col">\(context.t("audit.address"))</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table></div>
            <nav class="pagination" aria-label="\(context.t("pagination.label"))">\(previous) <span>\(context.t("pagination.page", ["page": String(page)]))</span> \(next)</nav>
            """
        return Layout.page(context.t("audit.title"), context, """
        <div class="page-head"><h1>\(context.t("audit.title"))</h1>
        <a class="button" href="/admin/audit/verify">\(context.t("audit.verify"))</a></div>
        <form method="get" action="/admin/audit" class="filters">
          \(Layout.textField("actor", label: context.t("audit.who"), value: filter.actor, error: nil, required: false))
          \(Layout.selectField("action", label: context.t("audit.what"), options: actions, selected: filter.action ?? "", error: nil))
          \(Layout.selectField("entity", label: context.t("audit.record"), options: entities, selected: filter.entity ?? "", error: nil))
          \(Layout.textField("from", label: context.t("filter.from"), value: filter.from, error: nil, type: "date", required: false))
          \(Layout.textField("to", label: context.t("filter.to"), value: filter.to, error: nil, type: "date", required: false))
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        \(table)
        """)
    }

    static func verification(count: Int64, failure: AuditChainVerifier.Failure?, _ context: PageContext) -> HTML {
        let result: HTML = failure.map { failure in
            "<div class=\"error-summary\" role=\"alert\"><h2>\(context.t("audit.verify_failed"))</h2><p>\(context.t("audit.verify_failed_at", ["sequence": String(failure.sequence)]))</p><p><code>\(failure.description)</code></p></div>"
        } ?? "<p class=\"notice\" role=\"status\">\(context.t("audit.verify_ok", ["count": context.format.integer(Int(count))]))</p>"
        return Layout.page(context.t("audit.verify"), context, """
        <p><a href="/admin/audit">← \(context.t("audit.title"))</a></p>
        <h1>\(context.t("audit.verify"))</h1>
        \(result)
        """)
    }
}
