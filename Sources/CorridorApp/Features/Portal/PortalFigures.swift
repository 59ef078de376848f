import CorridorCore
import Fluent
import Foundation

/// A key figure on the public home page.
struct KeyFigureModel: Sendable {
    var label: String
    /// The figure as published: a headline, or "fewer than k".
    var text: String
    var sentence: String?
}

/// The public table of returns by host country and year, after disclosure control.
struct PublicTableModel: Sendable {
    var rows: [String]
    var columns: [String]
    var result: DisclosurePolicy.Result
}

/// What the public portal shows: every count through the figure publisher or the disclosure
/// policy, for the public audience.
struct PortalFigures: Sendable {
    let publisher: FigurePublisher
    let summaryCache: SummaryCache
    let database: any Database

    /// The home page's figures: returns in all and this year, victims of trafficking, and the
    /// share who left for economic reasons when it rests on enough answers.
    func keyFigures(language: Language, catalogue: Catalogue) async throws -> [KeyFigureModel] {
        let today = publisher.today
        func card(_ label: String, _ indicator: Indicator, _ filters: FigureFilters, withSentence: Bool) async throws -> KeyFigureModel {
            let figure = try await publisher.publish(indicator, filters, for: .everyone, language: language)
            let sentence = withSentence && !figure.isSuppressed && figure.value > 0 ? figure.sentence : nil
            return KeyFigureModel(label: label, text: figure.headline, sentence: sentence)
        }
        var figures: [KeyFigureModel] = []
        figures.append(try await card(catalogue.text("portal.figure.returns"), .returns, FigureFilters(), withSentence: true))
        figures.append(try await card(catalogue.text("portal.figure.returns_year", ["year": String(today.year)]), .returns,
                                      FigureFilters(from: Day(year: today.year, month: 1, day: 1), to: today), withSentence: true))
        figures.append(try await card(catalogue.text("portal.figure.vot"), .returns, FigureFilters(vulnerability: "vot"), withSentence: false))
        // No profiling questionnaire yet: the share is left out rather than the page failing.
        let economic = FigureFilters(question: "reasons_leaving", choice: "economic")
        if let share = try? await publisher.publish(.profilingShare, economic, for: .everyone, language: language), !share.isSuppressed {
            figures.append(KeyFigureModel(label: catalogue.text("portal.figure.economic"), text: share.headline, sentence: share.sentence))
        }
        return figures
    }

    /// Returns by host country and year with small cells suppressed.
    func returnsTable() async throws -> PublicTableModel {
        let table = try await IndicatorQueries(database: database, cache: summaryCache, today: publisher.today)
            .returnsTable(by: ["host_country", "year"], filters: FigureFilters())
        return PublicTableModel(rows: table.rows, columns: table.columns, result: DisclosurePolicy(threshold: publisher.threshold).protect(table.counts))
    }
}
