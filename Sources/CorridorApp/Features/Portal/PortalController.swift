import CorridorCore
import Fluent
import Foundation
import Vapor

/// The public portal: key figures, public data with downloads, about. No login, aggregates
/// only, every count through disclosure control.
struct PortalController: Sendable {
    struct KeyFigure: Sendable {
        var label: String
        /// The figure as published: a headline, "fewer than k", or nil when nothing is known.
        var text: String
        var sentence: String?
    }

    struct PublicTable: Sendable {
        var rows: [String]
        var columns: [String]
        var result: DisclosurePolicy.Result
    }

    func register(web: any RoutesBuilder) {
        web.get(action: .viewPublic, use: home)
        web.get("data", action: .viewPublic, use: data)
        web.get("data", "returns.csv", action: .viewPublic, use: { try await download($0, format: "csv") })
        web.get("data", "returns.xlsx", action: .viewPublic, use: { try await download($0, format: "xlsx") })
        web.get("data", "returns.hxl.csv", action: .viewPublic, use: { try await download($0, format: "hxl") })
        web.get("about", action: .viewPublic, use: about)
        web.get("sitemap.xml", action: .viewPublic, use: sitemap)
    }

    /// Every public page in both languages.
    @Sendable func sitemap(_ req: Request) async throws -> Response {
        let base = req.corridor.configuration.publicURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let slugs = try await NewsArticleModel.query(on: req.db).filter(\.$status == "published").all().map { "/news/\($0.slug)" }
        let paths = ["/", "/data", "/about", "/news"] + Array(Set(slugs)).sorted()
        let urls = paths.map { path -> String in
            let fr = HTML.escape("\(base)\(path)?lang=fr"), en = HTML.escape("\(base)\(path)?lang=en")
            return """
            <url><loc>\(fr)</loc><xhtml:link rel="alternate" hreflang="fr" href="\(fr)"/><xhtml:link rel="alternate" hreflang="en" href="\(en)"/></url>
            <url><loc>\(en)</loc><xhtml:link rel="alternate" hreflang="fr" href="\(fr)"/><xhtml:link rel="alternate" hreflang="en" href="\(en)"/></url>
            """
        }.joined(separator: "\n")
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
        \(urls)
        </urlset>
        """
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/xml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: xml))
    }

    /// Signed-in people get their working home; everyone else the public one.
    @Sendable func home(_ req: Request) async throws -> Response {
        if let user = req.currentUser {
            if user.mustChangePassword { return req.redirect(to: "/account/password") }
            return try await AccountsController().home(req).encodeResponse(for: req)
        }
        let figures = try await keyFigures(req)
        return try await PortalPages.home(figures, req.pageContext()).encodeResponse(for: req)
    }

    func keyFigures(_ req: Request) async throws -> [KeyFigure] {
        let language = req.language
        let today = Day(req.now)
        let threshold = req.corridor.configuration.disclosureThreshold
        let catalog = ProfilingCatalog(request: req)
        let queries = IndicatorQueries(database: req.db, cache: req.corridor.summaryCache, today: Day(req.now))
        func publish(_ value: Int) -> String {
            value > 0 && value < threshold ? req.t("portal.fewer_than", ["k": String(threshold)]) : FigureText.headline(value, language)
        }
        var figures: [KeyFigure] = []
        let all = FigureFilters()
        let returns = Int(try await queries.figure(.returns, all, catalog: catalog, language: language).value)
        figures.append(KeyFigure(label: req.t("portal.figure.returns"), text: publish(returns),
                                 sentence: returns >= threshold ? FigureSentence.write(.returns, filters: all, value: Double(returns), n: nil, choiceLabel: nil, today: today, language) : nil))
        let yearStart = FigureFilters(from: Day(year: today.year, month: 1, day: 1), to: today)
        let thisYear = Int(try await queries.figure(.returns, yearStart, catalog: catalog, language: language).value)
        figures.append(KeyFigure(label: req.t("portal.figure.returns_year", ["year": String(today.year)]), text: publish(thisYear),
                                 sentence: thisYear >= threshold ? FigureSentence.write(.returns, filters: yearStart, value: Double(thisYear), n: nil, choiceLabel: nil, today: today, language) : nil))
        let vot = Int(try await queries.figure(.returns, FigureFilters(vulnerability: "vot"), catalog: catalog, language: language).value)
        figures.append(KeyFigure(label: req.t("portal.figure.vot"), text: publish(vot), sentence: nil))
        let share = try? await queries.figure(.profilingShare, FigureFilters(question: "reasons_leaving", choice: "economic"), catalog: catalog, language: language)
        if let share, let n = share.n, n >= threshold, Int((share.value * Double(n)).rounded()) >= threshold {
            figures.append(KeyFigure(label: req.t("portal.figure.economic"), text: FigureText.percent(share.value, language),
                                     sentence: FigureSentence.write(.profilingShare, filters: FigureFilters(question: "reasons_leaving", choice: "economic"),
                                                                    value: share.value, n: n, choiceLabel: share.choiceLabel, today: today, language)))
        }
        return figures
    }

    func table(_ req: Request) async throws -> PublicTable {
        let table = try await IndicatorQueries(database: req.db, cache: req.corridor.summaryCache, today: Day(req.now)).returnsTable(by: ["host_country", "year"], filters: FigureFilters())
        return PublicTable(rows: table.rows, columns: table.columns,
                           result: DisclosurePolicy(threshold: req.corridor.configuration.disclosureThreshold).protect(table.counts))
    }

    @Sendable func data(_ req: Request) async throws -> HTML {
        PortalPages.data(try await table(req), threshold: req.corridor.configuration.disclosureThreshold, req.pageContext())
    }

    /// The public table as CSV, XLSX or HXL-tagged CSV, in long form (one row per country and year).
    func download(_ req: Request, format: String) async throws -> Response {
        let table = try await table(req)
        var rows: [[String]] = []
        for (r, country) in table.rows.enumerated() {
            for (c, year) in table.columns.enumerated() {
                rows.append([country, Countries.named(country)?.name(req.language) ?? country, year, table.result.cells[r][c].map(String.init) ?? ""])
            }
        }
        let headers = ["host_country", "host_country_name", "year", "returns"]
        switch format {
        case "xlsx":
            return CaseTransferController.download(try TabularExport(sheetName: "returns", headers: headers, rows: rows).xlsx(), name: "corridor-returns.xlsx",
                                                   type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        case "hxl":
            let tagged = [["#country+code+v_iso3", "#country+name", "#date+year", "#affected+returnees+ind"]] + rows
            return CaseTransferController.download(Data(TabularExport(sheetName: "returns", headers: headers, rows: tagged).csv().utf8),
                                                   name: "corridor-returns.hxl.csv", type: "text/csv; charset=utf-8")
        default:
            return CaseTransferController.download(Data(TabularExport(sheetName: "returns", headers: headers, rows: rows).csv().utf8),
                                                   name: "corridor-returns.csv", type: "text/csv; charset=utf-8")
        }
    }

    @Sendable func about(_ req: Request) async throws -> HTML {
        PortalPages.about(threshold: req.corridor.configuration.disclosureThreshold, req.pageContext())
    }
}
