import Foundation

/// A versioned table turning reintegration answers into 0–1 scores: per indicator a score
/// for each choice and a weight within its dimension; dimension weights for the composite.
public struct WeightTable: Sendable, Codable, Equatable {
    public struct Indicator: Sendable, Codable, Equatable {
        public var question: String
        public var weight: Double
        public var scores: [String: Double]
    }

    public struct Dimension: Sendable, Codable, Equatable {
        public var code: String
        public var weight: Double
        public var indicators: [Indicator]
    }

    public var code: String
    public var version: String
    public var description: LocalizedText
    public var dimensions: [Dimension]

    /// Checks that weights are positive and every score lies in [0, 1].
    public var problems: [String] {
        var problems: [String] = []
        for dimension in dimensions {
            if dimension.weight < 0 { problems.append("\(dimension.code): negative weight") }
            if dimension.indicators.isEmpty { problems.append("\(dimension.code): no indicator") }
            for indicator in dimension.indicators {
                if indicator.weight <= 0 { problems.append("\(indicator.question): weight must be positive") }
                for (choice, score) in indicator.scores where !(0...1).contains(score) { problems.append("\(indicator.question)/\(choice): score outside 0–1") }
            }
        }
        return problems
    }
}

/// Scores of one survey, labelled with the table version they come from.
public struct ReintegrationScore: Sendable, Equatable, Codable {
    public var tableVersion: String
    public var dimensions: [String: Double]
    public var composite: Double

    /// The scores, or nil when an indicator is unanswered or its answer has no score: an
    /// incomplete survey gets no score rather than a wrong one.
    public static func compute(_ answers: Answers, table: WeightTable) -> ReintegrationScore? {
        var dimensions: [String: Double] = [:]
        var weightedSum = 0.0, weightTotal = 0.0
        for dimension in table.dimensions {
            var sum = 0.0, total = 0.0
            for indicator in dimension.indicators {
                guard let answer = answers[indicator.question]?.first, let score = indicator.scores[answer] else { return nil }
                sum += score * indicator.weight
                total += indicator.weight
            }
            guard total > 0 else { return nil }
            let value = sum / total
            dimensions[dimension.code] = value
            weightedSum += value * dimension.weight
            weightTotal += dimension.weight
        }
        guard weightTotal > 0 else { return nil }
        return ReintegrationScore(tableVersion: table.version, dimensions: dimensions, composite: weightedSum / weightTotal)
    }
}

/// Follow-up rounds of reintegration monitoring, counted from the arrival date.
public enum FollowUpSchedule {
    public static let defaultMonths = [3, 6, 12]

    public struct Round: Sendable, Equatable {
        public var number: Int
        public var due: Day
    }

    public static func rounds(arrival: Day, months: [Int] = defaultMonths) -> [Round] {
        months.enumerated().map { index, month in
            var year = arrival.year, monthValue = arrival.month + month
            while monthValue > 12 { monthValue -= 12; year += 1 }
            let day = min(arrival.day, Day.daysIn(month: monthValue, year: year))
            return Round(number: index + 1, due: Day(year: year, month: monthValue, day: day) ?? arrival)
        }
    }
}
