import Foundation

/// Who reads a figure. The public sees no count below the disclosure threshold; staff signed in
/// with a role that may view figures see exact values.
public enum FigureAudience: Sendable, Equatable {
    /// The portal, news and press releases, open data: anyone.
    case everyone
    /// A signed-in person (the figures API, the dashboard, matrix indicators, the command line).
    case staff(Role)

    /// Whether this audience reads exact small counts of `indicator` with `filters`: the agency's
    /// staff do; the public never does; a focal point works for a ministry, outside the agency,
    /// and reads exact ordinary counts but not sensitive ones (trafficking, medical needs,
    /// unaccompanied minors: `FigureSensitivity`), nor shares and means of fewer than k people.
    public func seesSmallCounts(_ indicator: Indicator, _ filters: FigureFilters) -> Bool {
        switch self {
        case .everyone:
            return false
        case .staff(.focalPoint):
            return !FigureSensitivity.isSensitive(indicator, filters) && indicator != .profilingShare && indicator != .reintegrationScore
        case .staff:
            return true
        }
    }
}

/// What makes a figure sensitive: it counts victims of trafficking, people with medical needs or
/// unaccompanied and separated children, whose small numbers can point at someone.
public enum FigureSensitivity {
    public static let vulnerabilities: Set<Vulnerability> = [.vot, .medical, .uasc]

    public static func isSensitive(_ indicator: Indicator, _ filters: FigureFilters) -> Bool {
        if indicator == .votIdentified { return true }
        guard let code = filters.vulnerability, let vulnerability = Vulnerability(rawValue: code) else { return false }
        return vulnerabilities.contains(vulnerability)
    }

    /// Whether a dimension of a table breaks counts down by something sensitive.
    public static func isSensitive(dimension: String) -> Bool { dimension == "vulnerability" }
}

/// A figure as it is published: the value counted, whether disclosure control hides it, and the
/// three ways Corridor writes it (exact, headline, press-release sentence). Every page, feed,
/// API answer and command that turns a count into text goes through `publish`.
public struct PublishedFigure: Sendable, Equatable {
    public var indicator: Indicator
    public var filters: FigureFilters
    /// A count, a share (0–1) or a mean score, as counted; never shown when suppressed.
    public var value: Double
    /// Respondents or surveys behind a share or a mean.
    public var n: Int?
    public var choiceLabel: String?
    /// Set to the threshold when the figure is hidden from its audience.
    public var suppressedBelow: Int?
    /// "15 214", "92 %", "0.63"; "moins de 5" when suppressed.
    public var exact: String
    /// "plus de 15 000", "92 %"; "moins de 5" when suppressed.
    public var headline: String
    /// The press-release sentence; "moins de 5" when suppressed.
    public var sentence: String

    public var isSuppressed: Bool { suppressedBelow != nil }

    /// Writes `value` for `audience`. For the public (and for a focal point, where the figure is
    /// sensitive, a share or a mean) a count from 1 to threshold − 1 is written "fewer than k" in
    /// every form, a share is hidden when it rests on fewer than k answers or fewer than k people
    /// gave the answer, and a mean score when fewer than k people are behind it.
    public static func publish(
        _ indicator: Indicator, filters: FigureFilters, value: Double, n: Int? = nil, choiceLabel: String? = nil,
        threshold: Int, audience: FigureAudience, today: Day, _ language: Language
    ) -> PublishedFigure {
        let k = max(1, threshold)
        let hidden: Bool
        let controlled = !audience.seesSmallCounts(indicator, filters)
        switch indicator {
        case .profilingShare:
            let answers = n ?? 0
            hidden = controlled && (answers < k || Int((value * Double(answers)).rounded()) < k)
        case .reintegrationScore:
            // A mean of fewer than k people says too much about each of them.
            hidden = controlled && (n ?? 0) < k
        default:
            hidden = controlled && value > 0 && Int(value) < k
        }
        if hidden {
            let text = fewerThan(k, language)
            return PublishedFigure(indicator: indicator, filters: filters, value: value, n: n, choiceLabel: choiceLabel, suppressedBelow: k,
                                   exact: text, headline: text, sentence: text)
        }
        let exact: String
        let headline: String
        switch indicator {
        case .profilingShare:
            exact = FigureText.percent(value, language)
            headline = exact
        case .reintegrationScore:
            exact = String(format: "%.2f", value)
            headline = exact
        default:
            exact = LocaleFormatting(language).integer(Int(value))
            headline = FigureText.headline(Int(value), language)
        }
        let sentence = FigureSentence.write(indicator, filters: filters, value: value, n: n, choiceLabel: choiceLabel, today: today, language)
        return PublishedFigure(indicator: indicator, filters: filters, value: value, n: n, choiceLabel: choiceLabel, suppressedBelow: nil,
                               exact: exact, headline: headline, sentence: sentence)
    }

    /// "moins de 5", "fewer than 5".
    public static func fewerThan(_ threshold: Int, _ language: Language) -> String {
        language == .fr ? "moins de \(threshold)" : "fewer than \(threshold)"
    }
}
