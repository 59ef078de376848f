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

    /// What is wrong with a token that cannot be read, to say so to its writer.
    public struct Problem: Sendable, Equatable {
        public enum Reason: String, Sendable, CaseIterable {
            /// The first word is not an indicator.
            case unknownIndicator = "unknown_indicator"
            /// A word is not `name=value`.
            case notAPair = "not_a_pair"
            /// `from` or `to` is not a date written YYYY-MM-DD.
            case badDate = "bad_date"
            /// `from` is after `to`.
            case emptyPeriod = "empty_period"
            /// `style` is not headline, exact or sentence.
            case unknownStyle = "unknown_style"
            /// A filter name Corridor does not know.
            case unknownFilter = "unknown_filter"
            /// A country that is not a three-letter ISO code Corridor knows.
            case unknownCountry = "unknown_country"
            /// A vulnerability code Corridor does not know.
            case unknownVulnerability = "unknown_vulnerability"
        }

        /// The token as written.
        public var source: String
        public var reason: Reason
        /// The word at fault.
        public var word: String
    }

    /// Every token of a text, in order, and what is wrong with those that cannot be read.
    public static func scan(_ text: String) -> (tokens: [FigureToken], problems: [Problem]) {
        var tokens: [FigureToken] = []
        var problems: [Problem] = []
        var rest = text[...]
        while let open = rest.range(of: "{{figure"), let close = rest[open.upperBound...].range(of: "}}") {
            let source = String(rest[open.lowerBound..<close.upperBound])
            let words = rest[open.upperBound..<close.lowerBound].split(separator: " ").map(String.init)
            rest = rest[close.upperBound...]
            guard let first = words.first, let indicator = Indicator(rawValue: first) else {
                problems.append(Problem(source: source, reason: .unknownIndicator, word: words.first ?? ""))
                continue
            }
            var filters = FigureFilters()
            var style = Style.headline
            var problem: Problem?
            func fail(_ reason: Problem.Reason, _ word: String) { if problem == nil { problem = Problem(source: source, reason: reason, word: word) } }
            for word in words.dropFirst() {
                let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { fail(.notAPair, word); continue }
                let value = pair[1]
                func country() -> String? {
                    let code = value.uppercased()
                    if Countries.isKnown(code) { return code }
                    fail(.unknownCountry, word)
                    return nil
                }
                switch pair[0] {
                case "from": filters.from = Day(iso: value); if filters.from == nil { fail(.badDate, word) }
                case "to": filters.to = Day(iso: value); if filters.to == nil { fail(.badDate, word) }
                case "host_country": filters.hostCountry = country()
                case "nationality": filters.nationality = country()
                case "office": filters.office = country()
                case "sex": filters.sex = value
                case "age_group": filters.ageGroup = value
                case "region": filters.region = value
                case "vulnerability":
                    filters.vulnerability = value
                    if Vulnerability(code: value) == nil { fail(.unknownVulnerability, word) }
                case "assistance_type": filters.assistanceType = value
                case "question": filters.question = value
                case "choice": filters.choice = value
                case "style":
                    if let chosen = Style(rawValue: value) { style = chosen } else { fail(.unknownStyle, word) }
                default: fail(.unknownFilter, word)
                }
            }
            if problem == nil, let from = filters.from, let to = filters.to, from > to { fail(.emptyPeriod, "from=\(from.iso) to=\(to.iso)") }
            if let problem { problems.append(problem) } else { tokens.append(FigureToken(indicator: indicator, filters: filters, style: style, source: source)) }
        }
        return (tokens, problems)
    }

    /// A figure's text as frozen (`[1 234 personnes](/data)`, a link to the public data) as plain
    /// text (`1 234 personnes`), for summaries and sharing cards.
    public static func plainText(_ frozen: String) -> String {
        guard frozen.hasPrefix("["), let close = frozen.range(of: "](", options: .backwards) else { return frozen }
        return String(frozen[frozen.index(after: frozen.startIndex)..<close.lowerBound])
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
