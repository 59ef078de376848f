import Foundation

/// A Fellegi–Sunter model: for each feature and level, `m` is how often two records of one
/// person show that level and `u` how often two records of different people do; a pair's
/// weight is the sum of `log2(m/u)` over its features, and its match probability follows
/// from the weight and the share `lambda` of matches among the compared pairs.
///
/// No labelled pairs are needed. `u` comes from random pairs (almost all of different
/// people); `m` and `lambda` come from expectation–maximisation over the compared pairs,
/// `u` held fixed, as splink does. Exact agreement on a name, a date, a document or a phone
/// is then weighed by how common that value is (the term-frequency adjustment): two Konés
/// agreeing say less than two Zahouis.
public struct LinkageModel: Sendable, Equatable, Codable {
    /// m and u by feature, then level.
    public var m: [[Double]]
    public var u: [[Double]]
    public var lambda: Double
    /// The share of matches EM found among the training pairs (compared and random).
    public var trainingLambda: Double = 0
    /// EM iterations run, and whether the parameters settled.
    public var iterations: Int
    public var converged: Bool

    /// The smallest probability any level keeps, so that no single level can rule a pair
    /// out or in absolutely.
    static let floor = 1e-6

    init(u: [[Double]]) {
        self.u = u
        // A start that says "matches mostly agree": the EM moves it.
        m = MatchFeature.allCases.map { feature in
            let count = feature.levels.count
            return (0..<count).map { level in level == 0 ? 0.8 : 0.2 / Double(count - 1) }
        }
        lambda = 0.01
        iterations = 0
        converged = false
    }

    /// The Bayes factor weight of one level (log2), without the term-frequency adjustment.
    public func weight(_ feature: MatchFeature, level: UInt8) -> Double {
        guard level != MatchFeature.missing else { return 0 }
        let f = feature.rawValue, l = Int(level)
        return log2(max(m[f][l], Self.floor) / max(u[f][l], Self.floor))
    }

    /// Estimates u from comparison patterns of random pairs (with a pseudo-count per level).
    static func estimateU(randomPatterns: [UInt64: Int]) -> [[Double]] {
        MatchFeature.allCases.map { feature in
            var counts = [Double](repeating: 1, count: feature.levels.count)
            for (pattern, count) in randomPatterns {
                let level = Int((pattern >> (UInt64(feature.rawValue) * 4)) & 0xF)
                if level < counts.count { counts[level] += Double(count) }
            }
            let total = counts.reduce(0, +)
            return counts.map { $0 / total }
        }
    }

    /// Runs EM over the patterns of the compared pairs until the parameters move less than
    /// `tolerance` or `maximumIterations` are run.
    /// Features in `fixed` are held by the session's blocking: they neither weigh in the
    /// expectation nor are re-estimated.
    mutating func fit(patterns: [UInt64: Int], fixed: Set<MatchFeature> = [], maximumIterations: Int, tolerance: Double) {
        // In the patterns' order, so that the sums (and the model) are the same on every run.
        let list = patterns.sorted { $0.key < $1.key }
        let features = MatchFeature.allCases.filter { !fixed.contains($0) }
        for iteration in 1...max(1, maximumIterations) {
            var mCounts = MatchFeature.allCases.map { [Double](repeating: 0, count: $0.levels.count) }
            var matchTotal = 0.0, total = 0.0
            for (pattern, count) in list {
                var logRatio = log(lambda / (1 - lambda))
                for feature in features {
                    let level = UInt8((pattern >> (UInt64(feature.rawValue) * 4)) & 0xF)
                    if level == MatchFeature.missing { continue }
                    logRatio += log(max(m[feature.rawValue][Int(level)], Self.floor)) - log(max(u[feature.rawValue][Int(level)], Self.floor))
                }
                let probability = 1 / (1 + exp(-logRatio))
                let weight = probability * Double(count)
                matchTotal += weight
                total += Double(count)
                for feature in features {
                    let level = Int((pattern >> (UInt64(feature.rawValue) * 4)) & 0xF)
                    if level < mCounts[feature.rawValue].count { mCounts[feature.rawValue][level] += weight }
                }
            }
            var change = 0.0
            for feature in features {
                let sum = mCounts[feature.rawValue].reduce(0, +)
                guard sum > 0 else { continue }
                for level in 0..<feature.levels.count {
                    let updated = max(mCounts[feature.rawValue][level] / sum, Self.floor)
                    change = max(change, abs(updated - m[feature.rawValue][level]))
                    m[feature.rawValue][level] = updated
                }
            }
            let updatedLambda = min(max(matchTotal / max(total, 1), 1e-9), 1 - 1e-9)
            change = max(change, abs(updatedLambda - lambda))
            lambda = updatedLambda
            iterations = iteration
            if change < tolerance {
                converged = true
                break
            }
        }
    }

    /// Sets the prior: the share of matches among the compared pairs, found by EM with m and
    /// u held, times the compared pairs, over `totalPairs` (all pairs there are).
    mutating func settlePrior(patterns: [UInt64: Int], totalPairs: Double, iterations: Int, tolerance: Double) {
        let list = patterns.sorted { $0.key < $1.key }.map { pattern, count in
            var ratio = 0.0
            for feature in MatchFeature.allCases {
                let level = UInt8((pattern >> (UInt64(feature.rawValue) * 4)) & 0xF)
                if level == MatchFeature.missing { continue }
                ratio += log(max(m[feature.rawValue][Int(level)], Self.floor)) - log(max(u[feature.rawValue][Int(level)], Self.floor))
            }
            return (ratio, Double(count))
        }
        let compared = list.reduce(0) { $0 + $1.1 }
        var share = 0.1
        for _ in 0..<max(1, iterations) {
            var expected = 0.0
            for (ratio, count) in list { expected += count / (1 + exp(-(ratio + log(share / (1 - share))))) }
            let updated = min(max(expected / max(compared, 1), 1e-9), 1 - 1e-9)
            let moved = abs(updated - share)
            share = updated
            if moved < tolerance { break }
        }
        trainingLambda = share
        lambda = min(max(share * compared, 1) / max(totalPairs, 1), 0.5)
    }

    /// The model as a table: each feature's levels with m, u and weight, and lambda.
    public var summary: String {
        var lines = ["prior \(String(format: "%.3g", lambda)) (\(String(format: "%.4f", trainingLambda)) of the compared pairs) after \(iterations) iterations\(converged ? "" : " (not settled)")"]
        for feature in MatchFeature.allCases {
            for (level, code) in feature.levels.enumerated() {
                lines.append(String(format: "%-16@ %-24@ m %.5f  u %.6f  weight %+6.2f", feature.code as NSString, code as NSString,
                                    m[feature.rawValue][level], u[feature.rawValue][level], weight(feature, level: UInt8(level))))
            }
        }
        return lines.joined(separator: "\n")
    }
}
