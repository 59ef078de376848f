import CorridorCore
import Fluent
import Foundation
import Vapor

/// Key figures with their press-release wording, and the public disclosure-controlled table.
struct FiguresController: Sendable {
    let limiter: PublicRateLimiter

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
        let user = try req.requireUser()
        let figure = try await req.figurePublisher.publish(indicator, try query.filters(), for: .staff(user.role), language: req.language)
        return FigureOutput(figure, filters: query.filterValues)
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
        let table = try await IndicatorQueries(database: req.db, cache: req.application.summaryCache, today: Day(req.now)).returnsTable(by: Array(by), filters: filters)
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

extension FiguresController.FigureOutput {
    init(_ figure: PublishedFigure, filters: [String: String]) {
        self.init(indicator: figure.indicator.rawValue, filters: filters, value: figure.value, n: figure.n,
                  exact: figure.exact, headline: figure.headline, sentence: figure.sentence)
    }
}
