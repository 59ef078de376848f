import CorridorCore
import Foundation
import Vapor

/// The one way a figure becomes text: the indicator engine counts it, `PublishedFigure` applies
/// disclosure control for its audience and writes it. The portal, news, the figures API, the
/// command line and the action-matrix indicators all publish through here.
struct FigurePublisher: Sendable {
    let queries: IndicatorQueries
    let catalog: ProfilingCatalog
    let threshold: Int
    let today: Day

    /// Counts `indicator` with `filters` and writes it for `audience`.
    func publish(_ indicator: Indicator, _ filters: FigureFilters, for audience: FigureAudience, language: Language) async throws -> PublishedFigure {
        let figure = try await queries.figure(indicator, filters, catalog: catalog, language: language)
        return PublishedFigure.publish(indicator, filters: filters, value: figure.value, n: figure.n, choiceLabel: figure.choiceLabel,
                                       threshold: threshold, audience: audience, today: today, language)
    }
}

extension Application {
    /// The publisher of this application, with the summary cache, today by its clock.
    var figurePublisher: FigurePublisher {
        let today = Day(corridor.timeSource.now())
        return FigurePublisher(queries: IndicatorQueries(database: db, cache: summaryCache, today: today), catalog: profilingCatalog,
                               threshold: corridor.configuration.disclosureThreshold, today: today)
    }
}

extension Request {
    var figurePublisher: FigurePublisher {
        let today = Day(now)
        return FigurePublisher(queries: IndicatorQueries(database: db, cache: application.summaryCache, today: today), catalog: profilingCatalog,
                               threshold: corridor.configuration.disclosureThreshold, today: today)
    }
}
