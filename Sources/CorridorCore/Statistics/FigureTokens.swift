import Foundation

/// A live figure written in an article: `{{figure returns nationality=CIV from=2017-01-01 to=2024-08-31 style=headline}}`.
public struct FigureToken: Sendable, Equatable {
    public enum Style: String, Sendable {
        case headline, exact, sentence
    }

    public var indicator: Indicator
    public var filters: FigureFilters
    public var style: Style
    /// The token as written, to replace it.
    public var source: String

    /// Every token of a text, in order, and the problems of those that cannot be read.
    public static func scan(_ text: String) -> (tokens: [FigureToken], problems: [String]) {
        var tokens: [FigureToken] = []
        var problems: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{figure"), let close = rest[open.upperBound...].range(of: "}}") {
            let source = String(rest[open.lowerBound..<close.upperBound])
            let words = rest[open.upperBound..<close.lowerBound].split(separator: " ").map(String.init)
            rest = rest[close.upperBound...]
            guard let first = words.first, let indicator = Indicator(rawValue: first) else {
                problems.append(source)
                continue
            }
            var filters = FigureFilters()
            var style = Style.headline
            var valid = true
            for word in words.dropFirst() {
                let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { valid = false; continue }
                switch pair[0] {
                case "from": filters.from = Day(iso: pair[1]); valid = valid && filters.from != nil
                case "to": filters.to = Day(iso: pair[1]); valid = valid && filters.to != nil
                case "host_country": filters.hostCountry = pair[1]
                case "nationality": filters.nationality = pair[1]
                case "sex": filters.sex = pair[1]
                case "age_group": filters.ageGroup = pair[1]
                case "region": filters.region = pair[1]
                case "vulnerability": filters.vulnerability = pair[1]
                case "office": filters.office = pair[1]
                case "assistance_type": filters.assistanceType = pair[1]
                case "question": filters.question = pair[1]
                case "choice": filters.choice = pair[1]
                case "style":
                    if let value = Style(rawValue: pair[1]) { style = value } else { valid = false }
                default: valid = false
                }
            }
            if valid { tokens.append(FigureToken(indicator: indicator, filters: filters, style: style, source: source)) } else { problems.append(source) }
        }
        return (tokens, problems)
    }

    /// The text with each token replaced by what `resolve` writes for it.
    public static func replace(in text: String, _ resolve: (FigureToken) throws -> String) rethrows -> String {
        var result = text
        for token in scan(text).tokens {
            if let range = result.range(of: token.source) { result.replaceSubrange(range, with: try resolve(token)) }
        }
        return result
    }
}
