import CorridorCore
import Foundation

/// Figure tokens (`{{figure returns …}}`) replaced by the figures the public may read, each
/// linking to the public data: for news and the website's pages, in previews and when they
/// are frozen at publication.
struct FigureTokenText: Sendable {
    let publisher: FigurePublisher

    /// Resolves the tokens of `body`, keeping the text of those already in `frozen` (a correction
    /// that does not refreeze); returns the text and every token's text.
    func resolve(_ body: String, language: Language, frozen: [String: String]) async throws -> (text: String, figures: [String: String]) {
        var values: [String: String] = [:]
        for token in FigureToken.scan(body).tokens where values[token.source] == nil {
            if let kept = frozen[token.source] { values[token.source] = kept; continue }
            let figure = try await publisher.publish(token.indicator, token.filters, for: .everyone, language: language)
            let text: String
            switch token.style {
            case .headline: text = figure.headline
            case .exact: text = figure.exact
            case .sentence: text = figure.sentence
            }
            values[token.source] = "[\(text)](/data)"
        }
        return (FigureToken.replace(in: body) { values[$0.source] ?? $0.source }, values)
    }
}
