import CorridorCore
import Foundation

enum DashboardPages {
    static func label(_ dimension: String, _ value: String, _ context: PageContext) -> String {
        switch dimension {
        case "host_country": return Countries.named(value)?.name(context.language) ?? value
        case "sex": return context.t("sex." + value)
        case "vulnerability": return context.t("vulnerability." + value)
        case "region": return value.isEmpty ? context.t("dashboard.unknown") : value
        default: return value.isEmpty ? context.t("dashboard.unknown") : value
        }
    }

    static func tableHTML(_ table: DashboardTable, filterQuery: String, _ context: PageContext) -> HTML {
        let header = table.columnDimension == nil ? ["<th scope=\"col\">\(context.t("dashboard.returns"))</th>" as HTML]
            : table.columns.map { column -> HTML in "<th scope=\"col\">\(label(table.columnDimension ?? "", column, context))</th>" }
        let body = table.rows.enumerated().map { index, row -> HTML in
            let cells = table.counts[index].enumerated().map { column, count -> HTML in
                table.isSuppressed(index, column) ? "<td class=\"number suppressed\" title=\"\(context.t("portal.suppressed"))\">·</td>"
                    : "<td class=\"number\">\(context.format.integer(count))</td>"
            }
            return "<tr><th scope=\"row\">\(label(table.rowDimension, row, context))</th>\(cells)</tr>"
        }
        return """
        <section class="card"><h2>\(context.t("dashboard.table." + table.name))</h2>
          <div class="table-wrap" tabindex="0"><table class="dense"><thead><tr><th scope="col">\(context.t("dashboard.dimension." + table.rowDimension))</th>\(header)</tr></thead><tbody>\(body)</tbody></table></div>
          <p>\(context.t("portal.downloads")) <a href="/dashboard/tables/\(table.name).csv?\(filterQuery)">CSV</a> · <a href="/dashboard/tables/\(table.name).xlsx?\(filterQuery)">XLSX</a> · <a href="/dashboard/tables/\(table.name).hxl.csv?\(filterQuery)">HXL</a></p>
        </section>
        """
    }

    /// Returns against distinct people, and how many candidate pairs wait for review (nil for
    /// readers who do not review them).
    struct People: Sendable {
        var returns: Int
        var people: Int
        var unreviewed: Int?
    }

    static func page(_ tables: [DashboardTable], filter: DashboardFilter, mine: [(String, Int)],
                     quarters: [(String, Int)] = [], scores: [ProfilingQueries.ScoreRow] = [], scoresHiddenBelow: Int? = nil,
                     people: People? = nil, _ context: PageContext) -> HTML {
        func mean(_ value: Double, _ n: Int) -> HTML {
            if let k = scoresHiddenBelow, n < k { return "<td class=\"number suppressed\" title=\"\(context.t("portal.suppressed"))\">·</td>" }
            return "<td class=\"number\">\(String(format: "%.2f", value))</td>"
        }
        var items: [URLQueryItem] = []
        for (name, value) in [("from", filter.from), ("to", filter.to), ("host_country", filter.host_country)] { if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) } }
        var components = URLComponents()
        components.queryItems = items
        let query = components.percentEncodedQuery ?? ""
        let byYear = tables.first { $0.name == "returns_by_year_host" }.map { table in table.rows.enumerated().map { ($1, table.counts[$0].reduce(0, +)) } } ?? []
        let mineHTML: HTML = mine.isEmpty ? .empty : """
            <section class="card"><h2>\(context.t("dashboard.my_caseload"))</h2><ul class="inline-list">\(mine.map { item -> HTML in "<li>\(context.t("status." + item.0))\(context.colon)<strong>\(item.1)</strong></li>" })</ul>
            <p><a href="/cases?mine=1">\(context.t("case.assigned_to_me"))</a></p></section>
            """
        let peopleHTML: HTML = people.map { people in
            let unreviewed: HTML = people.unreviewed.map { count in
                "<li><a href=\"/duplicates\">\(context.t("dashboard.unreviewed"))</a>\(context.colon)<strong>\(context.format.integer(count))</strong></li>"
            } ?? .empty
            return """
            <section class="card"><h2>\(context.t("dashboard.people_title"))</h2>
            <ul class="inline-list"><li>\(context.t("dashboard.returns"))\(context.colon)<strong>\(context.format.integer(people.returns))</strong></li>
            <li>\(context.t("dashboard.people_returned"))\(context.colon)<strong>\(context.format.integer(people.people))</strong></li>\(unreviewed)</ul>
            <p class="hint">\(context.t("dashboard.people_hint"))</p></section>
            """
        } ?? .empty
        return Layout.page(context.t("dashboard.title"), context, """
        <h1>\(context.t("dashboard.title"))</h1>
        <p class="lead">\(context.t("dashboard.intro"))</p>
        <form method="get" action="/dashboard" class="filters">
          \(Layout.textField("from", label: context.t("filter.from"), value: filter.from, error: nil, type: "date", required: false))
          \(Layout.textField("to", label: context.t("filter.to"), value: filter.to, error: nil, type: "date", required: false))
          \(Layout.selectField("host_country", label: context.t("case.host_country"), options: Layout.countryOptions(context, empty: context.t("filter.any")), selected: filter.host_country ?? "", error: nil))
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        \(peopleHTML)
        \(mineHTML)
        \(HTML.when(!byYear.isEmpty) { "<section class=\"card\"><h2>\(context.t("dashboard.returns_per_year"))</h2>\(Charts.columns(context.t("dashboard.returns_per_year"), byYear, context))</section>" })
        \(HTML.when(!quarters.isEmpty) { "<section class=\"card\"><h2>\(context.t("dashboard.returns_per_quarter"))</h2>\(Charts.line(context.t("dashboard.returns_per_quarter"), quarters, context))</section>" })
        \(tables.first { $0.name == "returns_by_year_host" && !$0.rows.isEmpty }.map { table -> HTML in "<section class=\"card\"><h2>\(context.t("dashboard.table.returns_by_year_host"))</h2>\(Charts.stacked(context.t("dashboard.table.returns_by_year_host"), rows: table.rows, series: table.columns.map { label(table.columnDimension ?? "", $0, context) }, counts: table.counts, context))</section>" } ?? .empty)
        \(HTML.when(!scores.isEmpty) { "<section class=\"card\"><h2>\(context.t("profiling.scores_title"))</h2><div class=\"table-wrap\" tabindex=\"0\"><table class=\"dense\"><thead><tr><th scope=\"col\">\(context.t("profiling.round"))</th><th scope=\"col\">n</th><th scope=\"col\">\(context.t("profiling.economic"))</th><th scope=\"col\">\(context.t("profiling.social"))</th><th scope=\"col\">\(context.t("profiling.psychosocial"))</th><th scope=\"col\">\(context.t("profiling.composite"))</th></tr></thead><tbody>\(scores.map { row -> HTML in "<tr><td>\(row.round)</td><td class=\"number\">\(row.n)</td>\(mean(row.economic, row.n))\(mean(row.social, row.n))\(mean(row.psychosocial, row.n))\(mean(row.composite, row.n))</tr>" })</tbody></table></div></section>" })
        \(tables.map { tableHTML($0, filterQuery: query, context) })
        """)
    }
}
