import CorridorCore
import Fluent
import Foundation
import Vapor

/// The internal dashboard: aggregates only, with every table downloadable as CSV, XLSX or HXL.
struct DashboardController: Sendable {
    /// A named table of the dashboard: two dimensions of returns, or vulnerabilities.
    struct Table: Sendable {
        var name: String
        var rowDimension: String
        var columnDimension: String?
        var rows: [String]
        var columns: [String]
        var counts: [[Int]]
    }

    static let tables: [(name: String, dimensions: [String])] = [
        ("returns_by_year_host", ["year", "host_country"]),
        ("returns_by_sex_age", ["age_group", "sex"]),
        ("returns_by_region", ["region"]),
        ("returns_by_vulnerability", ["vulnerability"]),
    ]

    static let hxlTags: [String: String] = [
        "year": "#date+year", "host_country": "#country+code+v_iso3", "sex": "#sex", "age_group": "#age+group",
        "region": "#adm1+name", "vulnerability": "#indicator+vulnerability", "nationality": "#country+code+nationality",
    ]

    func register(web: any RoutesBuilder) {
        web.get("dashboard", action: .viewFigures, use: page)
        web.get("dashboard", "tables", ":name", action: .viewFigures, use: download)
    }

    func table(_ name: String, _ filters: FigureFilters, req: Request) async throws -> Table {
        guard let spec = Self.tables.first(where: { $0.name == name }) else { throw Abort(.notFound) }
        let queries = IndicatorQueries(database: req.db, cache: req.application.summaryCache, today: Day(req.now))
        if spec.dimensions == ["vulnerability"] {
            var counts: [[Int]] = []
            for vulnerability in Vulnerability.allCases {
                var scoped = filters
                scoped.vulnerability = vulnerability.rawValue
                counts.append([Int(try await queries.figure(.returns, scoped, catalog: req.profilingCatalog, language: req.language).value)])
            }
            return Table(name: name, rowDimension: "vulnerability", columnDimension: nil, rows: Vulnerability.allCases.map(\.rawValue), columns: ["returns"], counts: counts)
        }
        let result = try await queries.returnsTable(by: spec.dimensions, filters: filters)
        if spec.dimensions == ["region"] {
            // Every region of the country is listed, with its count or 0.
            let byRegion = Dictionary(uniqueKeysWithValues: zip(result.rows, result.counts.map { $0.reduce(0, +) }))
            let rows = CoteDIvoire.regions.map(\.name) + (byRegion[""].map { _ in [""] } ?? [])
            return Table(name: name, rowDimension: "region", columnDimension: nil, rows: rows, columns: ["returns"], counts: rows.map { [byRegion[$0] ?? 0] })
        }
        return Table(name: name, rowDimension: spec.dimensions[0], columnDimension: spec.dimensions.count > 1 ? spec.dimensions[1] : nil,
                     rows: result.rows, columns: result.columns, counts: result.counts)
    }

    struct Filter: Content {
        var from: String?
        var to: String?
        var host_country: String?

        var filters: FigureFilters {
            FigureFilters(from: from?.nilIfEmpty.flatMap(Day.init(iso:)), to: to?.nilIfEmpty.flatMap(Day.init(iso:)), hostCountry: host_country?.nilIfEmpty)
        }
    }

    @Sendable func page(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(Filter.self)
        var tables: [Table] = []
        for spec in Self.tables { tables.append(try await table(spec.name, filter.filters, req: req)) }
        var mine: [(String, Int)] = []
        if let user = req.currentUser, user.role == .caseworker {
            let cases = try await ReturnCaseModel.query(on: req.db).filter(\.$caseworkerID == user.id).all()
            mine = CaseStatus.allCases.map { status in (status.rawValue, cases.filter { $0.status == status.rawValue }.count) }.filter { $0.1 > 0 }
        }
        let quarterTable = try await IndicatorQueries(database: req.db, cache: req.application.summaryCache, today: Day(req.now)).returnsTable(by: ["quarter"], filters: filter.filters)
        let quarters = Array(zip(quarterTable.rows, quarterTable.counts.map { $0.reduce(0, +) }).suffix(16))
        let scores = try await ProfilingQueries(database: req.db).scoresByRound(filter: ProfilingFilter(host_country: filter.host_country)).filter { $0.group == "all" }
        return DashboardPages.page(tables, filter: filter, mine: mine, quarters: quarters, scores: scores, req.pageContext())
    }

    /// `/dashboard/tables/<name>.csv|xlsx|hxl.csv`
    @Sendable func download(_ req: Request) async throws -> Response {
        guard let file = req.parameters.get("name") else { throw Abort(.notFound) }
        let format = file.hasSuffix(".hxl.csv") ? "hxl" : file.hasSuffix(".xlsx") ? "xlsx" : "csv"
        let name = String(file.prefix { $0 != "." })
        let filter = try req.query.decode(Filter.self)
        let table = try await table(name, filter.filters, req: req)
        let headers = [table.rowDimension] + (table.columnDimension.map { [$0] } ?? []) + ["returns"]
        var rows: [[String]] = []
        for (r, row) in table.rows.enumerated() {
            for (c, column) in table.columns.enumerated() {
                rows.append([row] + (table.columnDimension == nil ? [] : [column]) + [String(table.counts[r][c])])
            }
        }
        let actor = req.auditActor, now = req.now
        try await req.db.writeTransaction { db in
            try await AuditLog.append(AuditEvent(action: .export, entityType: "dashboard_table", entityID: name, detail: format), by: actor, at: now, on: db)
        }
        switch format {
        case "xlsx":
            return FileDownload.response(try TabularExport(sheetName: name, headers: headers, rows: rows).xlsx(), name: "\(name).xlsx",
                                                   type: FileDownload.xlsx)
        case "hxl":
            let tags = headers.map { Self.hxlTags[$0] ?? "#affected+returnees+ind" }
            rows.insert(tags, at: 0)
            return FileDownload.response(Data(TabularExport(sheetName: name, headers: headers, rows: rows).csv().utf8), name: "\(name).hxl.csv", type: FileDownload.csv)
        default:
            return FileDownload.response(Data(TabularExport(sheetName: name, headers: headers, rows: rows).csv().utf8), name: "\(name).csv", type: FileDownload.csv)
        }
    }
}

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

    /// Stacked columns: one column per row of the table, one segment per column, with a legend.
    static func stackedChart(_ title: String, _ table: DashboardController.Table, _ context: PageContext) -> HTML {
        let totals = table.counts.map { $0.reduce(0, +) }
        let maximum = max(totals.max() ?? 1, 1)
        let width = 60, height = 200
        let palette = ["#0b4f8a", "#2e86c1", "#76b7e5", "#8a4b00", "#d4a017", "#176b3a", "#6c8f3a", "#a4262c", "#6b4f8a", "#4f5b6a"]
        let bars = table.rows.enumerated().map { index, row -> HTML in
            var y = height - 20
            let x = index * width + 20
            let segments = table.columns.enumerated().map { column, _ -> HTML in
                let value = table.counts[index][column]
                let segment = Int(Double(value) / Double(maximum) * Double(height - 30))
                y -= segment
                return "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width - 16)\" height=\"\(segment)\" fill=\"\(palette[column % palette.count])\"><title>\(row) · \(label(table.columnDimension ?? "", table.columns[column], context)) : \(value)</title></rect>"
            }
            return "\(segments)<text x=\"\(x + (width - 16) / 2)\" y=\"\(height - 5)\" text-anchor=\"middle\" class=\"chart-label\">\(row)</text>"
        }
        let legend = table.columns.enumerated().map { column, key -> HTML in
            "<li><span class=\"swatch\" data-color=\"\(column % palette.count)\"></span>\(label(table.columnDimension ?? "", key, context))</li>"
        }
        return """
        <svg class="chart" viewBox="0 0 \(table.rows.count * width + 40) \(height)" role="img" aria-labelledby="chart-stacked-title chart-stacked-desc">
          <title id="chart-stacked-title">\(title)</title><desc id="chart-stacked-desc">\(context.t("dashboard.chart_desc"))</desc>
          \(bars)
        </svg>
        <ul class="legend">\(legend)</ul>
        """
    }

    /// A line through a series (e.g. returns per quarter).
    static func lineChart(_ title: String, _ points: [(String, Int)], _ context: PageContext) -> HTML {
        guard points.count > 1 else { return .empty }
        let maximum = max(points.map(\.1).max() ?? 1, 1)
        let step = 46, height = 180
        let coordinates = points.enumerated().map { index, point in (34 + index * step, height - 25 - Int(Double(point.1) / Double(maximum) * Double(height - 40))) }
        let path = coordinates.map { "\($0.0),\($0.1)" }.joined(separator: " ")
        let dots = zip(points, coordinates).enumerated().map { index, pair -> HTML in
            let label: HTML = index % 2 == 0 ? "<text x=\"\(pair.1.0)\" y=\"\(height - 5)\" text-anchor=\"middle\" class=\"chart-label\">\(pair.0.0)</text>" : .empty
            return "<circle cx=\"\(pair.1.0)\" cy=\"\(pair.1.1)\" r=\"3\" class=\"chart-dot\"><title>\(pair.0.0) : \(pair.0.1)</title></circle>\(label)"
        }
        return """
        <svg class="chart" viewBox="0 0 \(points.count * step + 40) \(height)" role="img" aria-labelledby="chart-line-title chart-line-desc">
          <title id="chart-line-title">\(title)</title><desc id="chart-line-desc">\(context.t("dashboard.chart_desc"))</desc>
          <polyline points="\(path)" class="chart-line"></polyline>\(dots)
        </svg>
        """
    }

    /// Vertical bars of a series (e.g. returns per year) as accessible SVG.
    static func columnChart(_ title: String, _ points: [(String, Int)], _ context: PageContext) -> HTML {
        let maximum = max(points.map(\.1).max() ?? 1, 1)
        let width = 60, height = 180
        let bars = points.enumerated().map { index, point -> HTML in
            let barHeight = Int(Double(point.1) / Double(maximum) * Double(height - 45))
            let x = index * width + 20
            return """
            <rect x="\(x)" y="\(height - 20 - barHeight)" width="\(width - 16)" height="\(barHeight)" class="chart-bar"></rect>
            <text x="\(x + (width - 16) / 2)" y="\(height - 24 - barHeight)" text-anchor="middle" class="chart-value">\(context.format.integer(point.1))</text>
            <text x="\(x + (width - 16) / 2)" y="\(height - 5)" text-anchor="middle" class="chart-label">\(point.0)</text>
            """
        }
        let id = "chart-columns"
        return """
        <svg class="chart" viewBox="0 0 \(points.count * width + 40) \(height)" role="img" aria-labelledby="\(id)-title \(id)-desc">
          <title id="\(id)-title">\(title)</title><desc id="\(id)-desc">\(context.t("dashboard.chart_desc"))</desc>
          \(bars)
        </svg>
        """
    }

    static func tableHTML(_ table: DashboardController.Table, filterQuery: String, _ context: PageContext) -> HTML {
        let header = table.columnDimension == nil ? ["<th scope=\"col\">\(context.t("dashboard.returns"))</th>" as HTML]
            : table.columns.map { column -> HTML in "<th scope=\"col\">\(label(table.columnDimension ?? "", column, context))</th>" }
        let body = table.rows.enumerated().map { index, row -> HTML in
            let cells = table.counts[index].map { count -> HTML in "<td class=\"number\">\(context.format.integer(count))</td>" }
            return "<tr><th scope=\"row\">\(label(table.rowDimension, row, context))</th>\(cells)</tr>"
        }
        return """
        <section class="card"><h2>\(context.t("dashboard.table." + table.name))</h2>
          <div class="table-wrap"><table class="dense"><thead><tr><th scope="col">\(context.t("dashboard.dimension." + table.rowDimension))</th>\(header)</tr></thead><tbody>\(body)</tbody></table></div>
          <p>\(context.t("portal.downloads")) <a href="/dashboard/tables/\(table.name).csv?\(filterQuery)">CSV</a> · <a href="/dashboard/tables/\(table.name).xlsx?\(filterQuery)">XLSX</a> · <a href="/dashboard/tables/\(table.name).hxl.csv?\(filterQuery)">HXL</a></p>
        </section>
        """
    }

    static func page(_ tables: [DashboardController.Table], filter: DashboardController.Filter, mine: [(String, Int)],
                     quarters: [(String, Int)] = [], scores: [ProfilingQueries.ScoreRow] = [], _ context: PageContext) -> HTML {
        var items: [URLQueryItem] = []
        for (name, value) in [("from", filter.from), ("to", filter.to), ("host_country", filter.host_country)] { if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) } }
        var components = URLComponents()
        components.queryItems = items
        let query = components.percentEncodedQuery ?? ""
        let byYear = tables.first { $0.name == "returns_by_year_host" }.map { table in table.rows.enumerated().map { ($1, table.counts[$0].reduce(0, +)) } } ?? []
        let mineHTML: HTML = mine.isEmpty ? .empty : """
            <section class="card"><h2>\(context.t("dashboard.my_caseload"))</h2><ul class="inline-list">\(mine.map { item -> HTML in "<li>\(context.t("status." + item.0)) : <strong>\(item.1)</strong></li>" })</ul>
            <p><a href="/cases?mine=1">\(context.t("case.assigned_to_me"))</a></p></section>
            """
        return Layout.page(context.t("dashboard.title"), context, """
        <h1>\(context.t("dashboard.title"))</h1>
        <p class="lead">\(context.t("dashboard.intro"))</p>
        <form method="get" action="/dashboard" class="filters">
          \(Layout.textField("from", label: context.t("filter.from"), value: filter.from, error: nil, type: "date", required: false))
          \(Layout.textField("to", label: context.t("filter.to"), value: filter.to, error: nil, type: "date", required: false))
          \(Layout.selectField("host_country", label: context.t("case.host_country"), options: Layout.countryOptions(context, empty: context.t("filter.any")), selected: filter.host_country ?? "", error: nil))
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        \(mineHTML)
        \(HTML.when(!byYear.isEmpty) { "<section class=\"card\"><h2>\(context.t("dashboard.returns_per_year"))</h2>\(columnChart(context.t("dashboard.returns_per_year"), byYear, context))</section>" })
        \(HTML.when(!quarters.isEmpty) { "<section class=\"card\"><h2>\(context.t("dashboard.returns_per_quarter"))</h2>\(lineChart(context.t("dashboard.returns_per_quarter"), quarters, context))</section>" })
        \(tables.first { $0.name == "returns_by_year_host" && !$0.rows.isEmpty }.map { table -> HTML in "<section class=\"card\"><h2>\(context.t("dashboard.table.returns_by_year_host"))</h2>\(stackedChart(context.t("dashboard.table.returns_by_year_host"), table, context))</section>" } ?? .empty)
        \(HTML.when(!scores.isEmpty) { "<section class=\"card\"><h2>\(context.t("profiling.scores_title"))</h2><div class=\"table-wrap\"><table class=\"dense\"><thead><tr><th scope=\"col\">\(context.t("profiling.round"))</th><th scope=\"col\">n</th><th scope=\"col\">\(context.t("profiling.economic"))</th><th scope=\"col\">\(context.t("profiling.social"))</th><th scope=\"col\">\(context.t("profiling.psychosocial"))</th><th scope=\"col\">\(context.t("profiling.composite"))</th></tr></thead><tbody>\(scores.map { row -> HTML in "<tr><td>\(row.round)</td><td class=\"number\">\(row.n)</td><td class=\"number\">\(String(format: "%.2f", row.economic))</td><td class=\"number\">\(String(format: "%.2f", row.social))</td><td class=\"number\">\(String(format: "%.2f", row.psychosocial))</td><td class=\"number\">\(String(format: "%.2f", row.composite))</td></tr>" })</tbody></table></div></section>" })
        \(tables.map { tableHTML($0, filterQuery: query, context) })
        """)
    }
}
