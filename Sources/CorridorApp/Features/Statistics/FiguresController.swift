import CorridorCore
import Fluent
import Foundation
import Vapor

/// Key figures with their press-release wording, and the public disclosure-controlled table.
struct FiguresController: Sendable {
    let limiter: PublicRateLimiter

    struct FigureQuery: Content {
        var indicator: String?
        var from: String?
        var to: String?
        var host_country: String?
        var nationality: String?
        var sex: String?
        var age_group: String?
        var region: String?
        var vulnerability: String?
        var office: String?
        var assistance_type: String?
        var question: String?
        var choice: String?

        func filters() throws -> FigureFilters {
            func day(_ text: String?) throws -> Day? {
                guard let text = text?.nilIfEmpty else { return nil }
                guard let day = Day(iso: text) else { throw Abort(.badRequest, reason: "error.date_format") }
                return day
            }
            return FigureFilters(from: try day(from), to: try day(to), hostCountry: host_country?.nilIfEmpty, nationality: nationality?.nilIfEmpty,
                                 sex: sex?.nilIfEmpty, ageGroup: age_group?.nilIfEmpty, region: region?.nilIfEmpty, vulnerability: vulnerability?.nilIfEmpty,
                                 office: office?.nilIfEmpty, assistanceType: assistance_type?.nilIfEmpty, question: question?.nilIfEmpty, choice: choice?.nilIfEmpty)
        }

        var filterValues: [String: String] {
            var values: [String: String] = [:]
            for (key, value) in [("from", from), ("to", to), ("host_country", host_country), ("nationality", nationality), ("sex", sex), ("age_group", age_group),
                                 ("region", region), ("vulnerability", vulnerability), ("office", office), ("assistance_type", assistance_type),
                                 ("question", question), ("choice", choice)] {
                if let value = value?.nilIfEmpty { values[key] = value }
            }
            return values
        }
    }

    struct FigureOutput: Content {
        var indicator: String
        var filters: [String: String]
        var value: Double
        var n: Int?
        var exact: String
        var headline: String
        var sentence: String
    }

    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        api.get("figures", action: .viewFigures, use: figure)
        web.get("api", "v1", "public", "returns", action: .viewPublic, use: publicReturns)
    }

    @Sendable func figure(_ req: Request) async throws -> FigureOutput {
        let query = try req.query.decode(FigureQuery.self)
        guard let indicator = query.indicator.flatMap(Indicator.init(rawValue:)) else { throw Abort(.unprocessableEntity, reason: "error.unknown_indicator") }
        let language = req.language
        return try await Self.compute(indicator, query: query, database: req.db, catalog: ProfilingCatalog(request: req), today: Day(req.now), language: language,
                                      cache: req.corridor.summaryCache)
    }

    static func compute(_ indicator: Indicator, query: FigureQuery, database: any Database, catalog: ProfilingCatalog, today: Day, language: Language,
                        cache: SummaryCache? = nil) async throws -> FigureOutput {
        let filters = try query.filters()
        let figure = try await IndicatorQueries(database: database, cache: cache, today: today).figure(indicator, filters, catalog: catalog, language: language)
        let format = LocaleFormatting(language)
        let isShare = indicator == .profilingShare
        let isScore = indicator == .reintegrationScore
        let exact = isShare ? FigureText.percent(figure.value, language)
            : isScore ? String(format: "%.2f", figure.value) : format.integer(Int(figure.value))
        let headline = isShare || isScore ? exact : FigureText.headline(Int(figure.value), language)
        let sentence = FigureSentence.write(indicator, filters: filters, value: figure.value, n: figure.n, choiceLabel: figure.choiceLabel, today: today, language)
        return FigureOutput(indicator: indicator.rawValue, filters: query.filterValues, value: figure.value, n: figure.n, exact: exact, headline: headline, sentence: sentence)
    }

    struct PublicTable: Content {
        var indicator: String
        var by: [String]
        var threshold: Int
        var rows: [String]
        var columns: [String]
        /// Counts; `null` where suppressed.
        var cells: [[Int?]]
        var suppressed: [[Bool]]
        var rowTotals: [Int?]
        var columnTotals: [Int?]
        var total: Int?
    }

    /// Returns by up to two dimensions, with small cells suppressed; never a record.
    @Sendable func publicReturns(_ req: Request) async throws -> Response {
        guard limiter.allow(req.clientAddress, now: req.now) else { throw Abort(.tooManyRequests, reason: "error.too_many_requests") }
        let query = try req.query.decode(FigureQuery.self)
        let by = (req.query[String.self, at: "by"] ?? "host_country,year").split(separator: ",").map(String.init).prefix(2)
        var filters = try query.filters()
        // Public figures carry no filter narrower than the published dimensions allow.
        filters.vulnerability = nil
        let table = try await IndicatorQueries(database: req.db, cache: req.corridor.summaryCache, today: Day(req.now)).returnsTable(by: Array(by), filters: filters)
        let threshold = req.corridor.configuration.disclosureThreshold
        let protected = DisclosurePolicy(threshold: threshold).protect(table.counts)
        let output = PublicTable(indicator: "returns", by: Array(by), threshold: threshold, rows: table.rows, columns: table.columns, cells: protected.cells,
                                 suppressed: protected.cells.map { $0.map { $0 == nil } }, rowTotals: protected.rowTotals,
                                 columnTotals: protected.columnTotals, total: protected.grandTotal)
        let response = try await output.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return response
    }
}
