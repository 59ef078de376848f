import CorridorCore
import Fluent
import Foundation
import Vapor

/// The public portal: key figures, public data with downloads, about. No login, aggregates
/// only, every count through disclosure control.
struct PortalController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get(action: .viewPublic, use: home)
        web.get("data", action: .viewPublic, use: data)
        web.get("data", "returns.csv", action: .viewPublic, use: { try await download($0, format: "csv") })
        web.get("data", "returns.xlsx", action: .viewPublic, use: { try await download($0, format: "xlsx") })
        web.get("data", "returns.hxl.csv", action: .viewPublic, use: { try await download($0, format: "hxl") })
        web.get("about", action: .viewPublic, use: about)
        web.get("sitemap.xml", action: .viewPublic, use: sitemap)
        web.get("card.png", action: .viewPublic, use: card)
    }

    /// The site's sharing card: its first key figure (under disclosure control, as the home page
    /// shows it) and what it counts.
    @Sendable func card(_ req: Request) async throws -> Response {
        let first = try await keyFigures(req).first
        let parts = first.map { FigureCard.parts(of: $0.text) } ?? (figure: "", rest: "")
        let label = [parts.rest, first?.label ?? req.t("portal.title")].filter { !$0.isEmpty }.joined(separator: " · ")
        return try FigureCardResponse.make(figure: parts.figure, label: label, req)
    }

    /// Every public page in both languages.
    @Sendable func sitemap(_ req: Request) async throws -> Response {
        let base = req.corridor.configuration.publicURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let articles = try await NewsQueries(database: req.db).publishedSlugs()
        // Each page's address in each language it exists in (a section page has one per language).
        let fixed: [[Language: String]] = ["/", "/data", "/resources", "/about", "/news", "/contact"].map { path in
            Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, path) })
        }
        let menu = SiteMenuMiddleware.menu(of: req)
        let sections: [[Language: String]] = menu.sections.flatMap { [$0.entry] + $0.children }.filter { $0.externalURL == nil }.map { entry in
            Dictionary(uniqueKeysWithValues: Language.allCases.compactMap { language in menu.path(of: entry.id, language).map { (language, $0) } })
        }
        let news: [[Language: String]] = articles.keys.sorted().map { slug in
            Dictionary(uniqueKeysWithValues: Language.allCases.filter { articles[slug]?.contains($0) == true }.map { ($0, "/news/\(slug)") })
        }
        let urls = (fixed + sections + news).map { paths -> String in
            let languages = Language.allCases.filter { paths[$0] != nil }
            let address = { (language: Language) in HTML.escape("\(base)\(paths[language] ?? "/")?lang=\(language.rawValue)") }
            let alternates = languages.map { "<xhtml:link rel=\"alternate\" hreflang=\"\($0.rawValue)\" href=\"\(address($0))\"/>" }.joined()
            return languages.map { "<url><loc>\(address($0))</loc>\(alternates)</url>" }.joined(separator: "\n")
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

    private func portal(_ req: Request) -> PortalFigures {
        PortalFigures(publisher: req.figurePublisher, summaryCache: req.application.summaryCache, database: req.db)
    }

    private func keyFigures(_ req: Request) async throws -> [KeyFigureModel] {
        try await portal(req).keyFigures(language: req.language, catalogue: req.catalogue)
    }

    private func table(_ req: Request) async throws -> PublicTableModel {
        try await portal(req).returnsTable()
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
            return FileDownload.response(try TabularExport(sheetName: "returns", headers: headers, rows: rows).xlsx(), name: "corridor-returns.xlsx",
                                                   type: FileDownload.xlsx)
        case "hxl":
            let tagged = [["#country+code+v_iso3", "#country+name", "#date+year", "#affected+returnees+ind"]] + rows
            return FileDownload.response(Data(TabularExport(sheetName: "returns", headers: headers, rows: tagged).csv().utf8),
                                                   name: "corridor-returns.hxl.csv", type: FileDownload.csv)
        default:
            return FileDownload.response(Data(TabularExport(sheetName: "returns", headers: headers, rows: rows).csv().utf8),
                                                   name: "corridor-returns.csv", type: FileDownload.csv)
        }
    }

    @Sendable func about(_ req: Request) async throws -> HTML {
        PortalPages.about(threshold: req.corridor.configuration.disclosureThreshold, req.pageContext())
    }
}
