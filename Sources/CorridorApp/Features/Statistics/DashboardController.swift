import CorridorCore
import Fluent
import Foundation
import Vapor

/// The internal dashboard: aggregates only, with every table downloadable as CSV, XLSX or HXL.
struct DashboardController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("dashboard", action: .viewFigures, use: page)
        web.get("dashboard", "tables", ":name", action: .viewFigures, use: download)
    }

    @Sendable func page(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(DashboardFilter.self)
        var tables: [DashboardTable] = []
        let role = req.currentUser?.role, threshold = req.corridor.configuration.disclosureThreshold
        for spec in DashboardQueries.tables {
            tables.append(try await dashboard(req).table(spec.name, filter.filters, language: req.language).controlled(for: role, threshold: threshold))
        }
        var mine: [(String, Int)] = []
        if let user = req.currentUser, user.role == .caseworker {
            mine = try await req.caseQueries.statusCounts(caseworkerID: user.id)
        }
        let quarterTable = try await dashboard(req).queries.returnsTable(by: ["quarter"], filters: filter.filters)
        let quarters = Array(zip(quarterTable.rows, quarterTable.counts.map { $0.reduce(0, +) }).suffix(16))
        let scores = try await ProfilingQueries(database: req.db).scoresByRound(filter: ProfilingFilter(host_country: filter.host_country)).filter { $0.group == "all" }
        // Means of fewer than k people are hidden from readers outside the agency.
        let scoresHiddenBelow = role == .focalPoint ? threshold : nil
        // Through the summary (and its cache), as the tables: counting a million returns row by
        // row made this page 230 ms at a million (2026-12-06).
        let indicators = dashboard(req).queries
        let returns = Int(try await indicators.figure(.returns, filter.filters, language: req.language).value)
        let people = Int(try await indicators.figure(.peopleReturned, filter.filters, language: req.language).value)
        let unreviewed = Policy.allows(req.currentUser?.principal, .reviewDuplicates) && req.currentUser?.institutionID == nil
            ? try await PeopleQueries(database: req.db, principal: req.currentUser?.principal).openCount() : nil
        return DashboardPages.page(tables, filter: filter, mine: mine, quarters: quarters, scores: scores, scoresHiddenBelow: scoresHiddenBelow,
                                   people: DashboardPages.People(returns: returns, people: people, unreviewed: unreviewed), req.pageContext())
    }

    /// `/dashboard/tables/<name>.csv|xlsx|hxl.csv`
    @Sendable func download(_ req: Request) async throws -> Response {
        guard let file = req.parameters.get("name") else { throw Abort(.notFound) }
        let format = file.hasSuffix(".hxl.csv") ? "hxl" : file.hasSuffix(".xlsx") ? "xlsx" : "csv"
        let name = String(file.prefix { $0 != "." })
        let filter = try req.query.decode(DashboardFilter.self)
        let table = try await dashboard(req).table(name, filter.filters, language: req.language)
            .controlled(for: req.currentUser?.role, threshold: req.corridor.configuration.disclosureThreshold)
        let headers = [table.rowDimension] + (table.columnDimension.map { [$0] } ?? []) + ["returns"]
        var rows: [[String]] = []
        for (r, row) in table.rows.enumerated() {
            for (c, column) in table.columns.enumerated() {
                // A suppressed cell is left empty: no number stands for it.
                rows.append([row] + (table.columnDimension == nil ? [] : [column]) + [table.isSuppressed(r, c) ? "" : String(table.counts[r][c])])
            }
        }
        try await AuditLog.record(AuditEvent(action: .export, entityType: "dashboard_table", entityID: name, detail: format), req.serviceContext)
        switch format {
        case "xlsx":
            return FileDownload.response(try TabularExport(sheetName: name, headers: headers, rows: rows).xlsx(), name: "\(name).xlsx",
                                                   type: FileDownload.xlsx)
        case "hxl":
            let tags = headers.map { DashboardQueries.hxlTags[$0] ?? "#affected+returnees+ind" }
            rows.insert(tags, at: 0)
            return FileDownload.response(Data(TabularExport(sheetName: name, headers: headers, rows: rows).csv().utf8), name: "\(name).hxl.csv", type: FileDownload.csv)
        default:
            return FileDownload.response(Data(TabularExport(sheetName: name, headers: headers, rows: rows).csv().utf8), name: "\(name).csv", type: FileDownload.csv)
        }
    }

    private func dashboard(_ req: Request) -> DashboardQueries {
        DashboardQueries(queries: IndicatorQueries(database: req.db, cache: req.application.summaryCache, today: Day(req.now)),
                         catalog: req.profilingCatalog)
    }
}
