import Foundation

/// Every threshold of the engine, named; `docs/MATCHING.md` says why each has its value.
public struct LinkageSettings: Sendable, Equatable {
    /// A pair at or above this match probability is judged one person.
    public var matchThreshold: Double = 0.9
    /// Two groups of records join only when every two records across them are at least this
    /// probable: a chain of likely pairs (a father like his son, the son like a namesake)
    /// does not make one person of people who are plainly different.
    public var clusterCohesion: Double = 0.1
    /// A block (records sharing a blocking key) larger than this is not compared whole:
    /// "Koné Mamadou" in a million records would be millions of pairs. The other rules,
    /// narrower, still bring those people's pairs.
    public var maximumBlockSize: Int = 200
    /// No person is registered this many times: groups never grow past it.
    public var maximumClusterSize: Int = 40
    /// Random pairs compared to estimate how often different people agree (u).
    public var randomPairs: Int = 200_000
    /// Expectation–maximisation stops after this many rounds, or when no parameter moves by
    /// more than `tolerance`.
    public var maximumIterations: Int = 60
    public var tolerance: Double = 1e-5
    /// Seed of the random pairs: the same input gives the same output.
    public var seed: UInt64 = 20_261_206
    /// People who share a household's family name, laissez-passer, phone and places look
    /// like one person to a model that adds evidence up: a twin, a child on a parent's
    /// document, a father and a son of one name. Two records whose given names share no word
    /// (both known), or whose births are a generation apart (15 years or more), are held to
    /// this probability at most: never linked, never proposed.
    public var lookAlikeCeiling: Double = 0.01
    /// ...unless they also hold one document number and one full birth date (a person
    /// registered once under a Christian name, once under a day name): then they are held
    /// here, which proposes them for review without linking them.
    public var lookAlikeReviewProbability: Double = 0.6
    /// The guards hold when true, never when false, and when nil (the default) when the
    /// records show that names and births are reliable: at most this share of the pairs
    /// holding one document and one full birth date have given names that share nothing
    /// (`LinkageEngine.lookAlikeGuardsHold`). With too few such pairs to tell, they hold.
    public var lookAlikeGuards: Bool? = nil
    public var lookAlikeTolerance: Double = 0.02
    /// A training session with fewer pairs than this is skipped; one with more is sampled down.
    public var minimumTrainingPairs: Int = 50
    /// A session is used only when EM finds at least this many matches among its pairs.
    public var minimumTrainingMatches: Int = 20
    public var maximumTrainingPairs: Int = 1_000_000
    /// Pairs at or above this probability are kept as candidates for a person to review.
    public var reviewThreshold: Double = 0.5

    public init() {}
}

/// Records prepared for the engine one at a time, in the order they are appended.
public struct LinkageRecords: Sendable {
    var prepared = PreparedRecords([])

    public init() {}

    public mutating func append(_ record: MatchRecord) {
        _ = prepared.append(record)
    }

    public var count: Int { prepared.count }
}

/// Two records (indexes in the input) and their match probability.
public struct LinkagePair: Sendable, Equatable {
    public var first: Int
    public var second: Int
    public var probability: Double

    public init(first: Int, second: Int, probability: Double) {
        self.first = first
        self.second = second
        self.probability = probability
    }
}

/// What one feature said about a pair: its level and the weight (log2 Bayes factor) it added.
public struct FeatureEvidence: Sendable, Equatable {
    public var feature: MatchFeature
    /// The level's code (`MatchFeature.levels`), or nil when a side does not know the value.
    public var level: String?
    public var weight: Double
}

public struct LinkageResult: Sendable {
    public var model: LinkageModel
    /// Every two records of one cluster (for linking, one from each file), best first.
    public var pairs: [LinkagePair]
    /// For each record, its cluster: the smallest index among the cluster's records.
    public var clusters: [Int]
    /// Pairs the blocking rules brought and the engine compared.
    public var comparedPairs: Int
    /// Compared pairs at or above `reviewThreshold` that are not in one cluster: what a
    /// person should look at.
    public var reviewPairs: [LinkagePair]
}

/// The record-linkage engine: blocking, comparison, an unsupervised Fellegi–Sunter model,
/// and clustering. `docs/MATCHING.md` describes each step.
public struct LinkageEngine: Sendable {
    public let settings: LinkageSettings
    public private(set) var model: LinkageModel
    var records: PreparedRecords
    /// Whether pairs are only wanted across the two sources (linking two files).
    let linking: Bool
    /// Whether the look-alike guards hold for these records (`LinkageSettings.lookAlikeGuards`).
    public let guards: Bool
    /// Whether exact agreement is weighed by how common the value is among `records`: not
    /// when a few records are scored with a model fitted on many (their counts mean nothing).
    var termFrequencies = true

    /// Scores a few records with a model fitted elsewhere: a new registration against the
    /// stored people the database brought as candidates.
    public static func scoring(_ records: [MatchRecord], model: LinkageModel, settings: LinkageSettings = .init(), guards: Bool = true) -> LinkageEngine {
        var engine = LinkageEngine(settings: settings, model: model, records: PreparedRecords(records), linking: false, guards: guards)
        engine.termFrequencies = false
        return engine
    }

    /// Whether this registry's given names and birth dates are reliable enough for the
    /// look-alike guards: among pairs that hold one document and one full birth date, few
    /// have given names that share nothing. A registry whose clerks replace whole names (a
    /// copy that took another person's given name) says so here, and the guards stay off.
    static func lookAlikeGuardsHold(_ comparisons: [PairComparison], _ settings: LinkageSettings) -> Bool {
        var strong = 0, unlike = 0
        for comparison in comparisons where comparison.level(.documentNumber) == 0 && comparison.level(.birthDate) == 0 && comparison.birthFull {
            strong += 1
            if comparison.isLookAlike { unlike += 1 }
        }
        guard strong >= settings.minimumTrainingPairs else { return true }
        return Double(unlike) / Double(strong) <= settings.lookAlikeTolerance
    }

    /// Fits the model to `records` and compares the candidate pairs. For linking, `sources`
    /// says which file each record is from.
    ///
    /// EM over all compared pairs finds the wrong two classes: blocking on names brings
    /// mostly people who share common names, and "shares a name" becomes the match class.
    /// So m is estimated as splink does, in training sessions, each on the pairs of some
    /// blocking rules and only for the features those rules do not hold fixed: pairs that
    /// share two name words teach how dates, documents and phones agree in matches; pairs
    /// that share a document or a phone and a birth year teach how names agree. A feature
    /// estimated in several sessions takes their mean. `u` comes from random pairs.
    /// Fits the model and compares the candidate pairs, for `resolve(candidates:comparisons:)`.
    public static func fitted(_ records: [MatchRecord], settings: LinkageSettings = .init()) async -> (LinkageEngine, [UInt64], [PairComparison]) {
        await fit(records, settings: settings)
    }

    static func fit(_ records: [MatchRecord], sources: [UInt8]? = nil, settings: LinkageSettings = .init()) async -> (LinkageEngine, [UInt64], [PairComparison]) {
        await fit(prepared: PreparedRecords(records, sources: sources), linking: sources != nil, settings: settings)
    }

    /// The same on records prepared one at a time (a caseload read page by page, so that the
    /// rows as read are never all held at once).
    public static func fitted(_ records: LinkageRecords, settings: LinkageSettings = .init()) async -> (LinkageEngine, [UInt64], [PairComparison]) {
        await fit(prepared: records.prepared, linking: false, settings: settings)
    }

    static func fit(prepared: PreparedRecords, linking: Bool, settings: LinkageSettings) async -> (LinkageEngine, [UInt64], [PairComparison]) {
        var random = SeededGenerator(seed: settings.seed)
        var randomPatterns: [UInt64: Int] = [:]
        let firstSource = linking ? prepared.people.indices.filter { prepared.people[$0].source == 0 } : []
        let secondSource = linking ? prepared.people.indices.filter { prepared.people[$0].source == 1 } : []
        if prepared.count >= 2, !linking || (!firstSource.isEmpty && !secondSource.isEmpty) {
            for _ in 0..<settings.randomPairs {
                let x: Int, y: Int
                if linking {
                    x = firstSource[Int.random(in: 0..<firstSource.count, using: &random)]
                    y = secondSource[Int.random(in: 0..<secondSource.count, using: &random)]
                } else {
                    x = Int.random(in: 0..<prepared.count, using: &random)
                    y = Int.random(in: 0..<prepared.count, using: &random)
                    if x == y { continue }
                }
                randomPatterns[prepared.compare(x, y).packed, default: 0] += 1
            }
        }
        var model = LinkageModel(u: LinkageModel.estimateU(randomPatterns: randomPatterns))
        let candidates = Blocking.candidatePairs(prepared, maximumBlockSize: settings.maximumBlockSize, linking: linking)
        let comparisons = await compareAll(candidates, prepared)
        let guards = settings.lookAlikeGuards ?? lookAlikeGuardsHold(comparisons, settings)
        let sessions: [(rules: [Int], fixed: Set<MatchFeature>)] = [
            ([2], [.familyName, .givenNames]),
            // A document or a phone and the birth year: one household shares a phone or a
            // laissez-passer, rarely a birth year too.
            ([8, 9], [.documentNumber, .phone, .birthDate]),
            ([3], [.familyName, .givenNames, .birthDate]),
        ]
        var estimates: [[[Double]]] = []
        var estimated: [(session: Int, features: Set<MatchFeature>)] = []
        for (number, session) in sessions.enumerated() {
            var pairs = Blocking.candidatePairs(prepared, rules: session.rules, maximumBlockSize: settings.maximumBlockSize, linking: linking)
            guard pairs.count >= settings.minimumTrainingPairs else { continue }
            if pairs.count > settings.maximumTrainingPairs {
                pairs.shuffle(using: &random)
                pairs.removeLast(pairs.count - settings.maximumTrainingPairs)
            }
            var patterns: [UInt64: Int] = [:]
            // Look-alikes are different people by rule: they would teach the match class
            // that twins and households agree. Every session pair is a candidate pair
            // (rules 8 and 9 narrow rules 4 and 5), so its comparison is looked up.
            for pair in pairs {
                let comparison: PairComparison
                if let position = binarySearch(candidates, pair) { comparison = comparisons[position] } else { comparison = prepared.compare(Int(pair >> 32), Int(pair & 0xFFFF_FFFF)) }
                if guards, comparison.isLookAlike { continue }
                patterns[comparison.packed, default: 0] += 1
            }
            var trained = LinkageModel(u: model.u)
            trained.fit(patterns: patterns, fixed: session.fixed, maximumIterations: settings.maximumIterations, tolerance: settings.tolerance)
            // A session whose pairs hold almost no matches (documents that collide by chance
            // in a registry where each person has their own) teaches nothing; and a feature
            // whose best agreement it finds no likelier in matches than between strangers is
            // not learnt from it.
            let sessionPairs = patterns.values.reduce(0, +)
            guard trained.lambda * Double(sessionPairs) >= Double(settings.minimumTrainingMatches) else { continue }
            let learnt = Set(MatchFeature.allCases).subtracting(session.fixed).filter { feature in
                trained.m[feature.rawValue][0] > trained.u[feature.rawValue][0]
            }
            estimates.append(trained.m)
            model.iterations = max(model.iterations, trained.iterations)
            model.converged = (estimates.count == 1 || model.converged) && trained.converged
            estimated.append((number, learnt))
        }
        for feature in MatchFeature.allCases {
            // The first two sessions are unbiased for what they estimate; the third (a name
            // word and the date shared) only for what neither of them estimated.
            var sources = estimated.indices.filter { estimated[$0].features.contains(feature) && estimated[$0].session < 2 }
            if sources.isEmpty { sources = estimated.indices.filter { estimated[$0].features.contains(feature) } }
            guard !sources.isEmpty else { continue }
            model.m[feature.rawValue] = feature.levels.indices.map { level in
                sources.map { estimates[$0][feature.rawValue][level] }.reduce(0, +) / Double(sources.count)
            }
        }
        var patterns: [UInt64: Int] = [:]
        for comparison in comparisons { patterns[comparison.packed, default: 0] += 1 }
        // The prior is the share of matches among all pairs: the matches expected among the
        // compared ones (blocking leaves few uncompared) over the number of pairs there are.
        let totalPairs = linking ? Double(firstSource.count) * Double(secondSource.count) : Double(prepared.count) * Double(max(prepared.count - 1, 0)) / 2
        model.settlePrior(patterns: patterns, totalPairs: totalPairs, iterations: settings.maximumIterations, tolerance: settings.tolerance)
        return (LinkageEngine(settings: settings, model: model, records: prepared, linking: linking, guards: guards), candidates, comparisons)
    }

    static func binarySearch(_ sorted: [UInt64], _ value: UInt64) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value ? low : nil
    }

    /// Compares candidate pairs on every core.
    static func compareAll(_ pairs: [UInt64], _ records: PreparedRecords) async -> [PairComparison] {
        let chunkCount = max(1, min(pairs.count / 20_000, ProcessInfo.processInfo.activeProcessorCount * 4))
        let chunkSize = (pairs.count + chunkCount - 1) / max(chunkCount, 1)
        return await withTaskGroup(of: (Int, [PairComparison]).self) { group in
            for chunk in 0..<chunkCount {
                let range = (chunk * chunkSize)..<min(pairs.count, (chunk + 1) * chunkSize)
                if range.isEmpty { continue }
                group.addTask {
                    var out: [PairComparison] = []
                    out.reserveCapacity(range.count)
                    for index in range {
                        let pair = pairs[index]
                        out.append(records.compare(Int(pair >> 32), Int(pair & 0xFFFF_FFFF)))
                    }
                    return (chunk, out)
                }
            }
            var parts = [[PairComparison]](repeating: [], count: chunkCount)
            for await (chunk, out) in group { parts[chunk] = out }
            return parts.flatMap { $0 }
        }
    }

    /// The weight one feature adds to a compared pair: its level's weight, and for an exact
    /// agreement the term-frequency adjustment (how common this value is, against how common
    /// agreement is on average); nil when a side does not know the value.
    func featureWeight(_ feature: MatchFeature, _ comparison: PairComparison) -> Double? {
        let level = comparison.level(feature)
        guard level != MatchFeature.missing else { return nil }
        var weight = model.weight(feature, level: level)
        let count: Int32 = switch feature {
        case .familyName where level <= 1: comparison.familyCount
        case .givenNames where level <= 1: comparison.givenCount
        case .birthDate where level == 0: comparison.birthCount
        case .documentNumber where level == 0: comparison.documentCount
        case .phone where level == 0: comparison.phoneCount
        default: 0
        }
        if count > 0, termFrequencies {
            let population = Double(max(records.count, 1))
            weight += log2(max(model.u[feature.rawValue][Int(level)], LinkageModel.floor) / max(Double(count) / population, 1 / population))
        }
        return weight
    }

    /// The weight of a compared pair: the prior and every feature's weight.
    func logOdds(_ comparison: PairComparison) -> Double {
        MatchFeature.allCases.reduce(log2(model.lambda / (1 - model.lambda))) { $0 + (featureWeight($1, comparison) ?? 0) }
    }

    func probability(_ comparison: PairComparison) -> Double {
        let odds = logOdds(comparison)
        let probability = 1 / (1 + exp2(-odds))
        if guards, comparison.isLookAlike {
            let sameDocumentAndDay = comparison.level(.documentNumber) == 0 && comparison.level(.birthDate) == 0 && comparison.birthFull
            return min(probability, sameDocumentAndDay ? settings.lookAlikeReviewProbability : settings.lookAlikeCeiling)
        }
        return probability
    }

    /// The match probability of two records (indexes in the fitted input).
    public func probability(_ x: Int, _ y: Int) -> Double {
        probability(records.compare(x, y))
    }

    /// Why two records are, or are not, judged one person: each feature's level and weight.
    public func evidence(_ x: Int, _ y: Int) -> [FeatureEvidence] {
        let comparison = records.compare(x, y)
        return MatchFeature.allCases.map { feature in
            let level = comparison.level(feature)
            return FeatureEvidence(feature: feature, level: level == MatchFeature.missing ? nil : feature.levels[Int(level)],
                                   weight: featureWeight(feature, comparison) ?? 0)
        }
    }

    /// Scores the candidate pairs and groups records into people.
    public func resolve(candidates: [UInt64], comparisons: [PairComparison]) -> LinkageResult {
        var accepted: [LinkagePair] = []
        var review: [LinkagePair] = []
        var known: [UInt64: Double] = [:]
        for (index, comparison) in comparisons.enumerated() {
            let probability = probability(comparison)
            let pair = candidates[index]
            let scored = LinkagePair(first: Int(pair >> 32), second: Int(pair & 0xFFFF_FFFF), probability: probability)
            if probability >= settings.matchThreshold {
                accepted.append(scored)
                known[pair] = probability
            } else if probability >= settings.reviewThreshold {
                review.append(scored)
                known[pair] = probability
            }
        }
        accepted.sort { $0.probability != $1.probability ? $0.probability > $1.probability : ($0.first, $0.second) < ($1.first, $1.second) }
        var clustering = Clustering(count: records.count)
        func lookup(_ x: Int, _ y: Int) -> Double {
            let key = UInt64(min(x, y)) << 32 | UInt64(max(x, y))
            if let value = known[key] { return value }
            return probability(x, y)
        }
        for pair in accepted {
            let a = clustering.root(pair.first), b = clustering.root(pair.second)
            if a == b { continue }
            let left = clustering.members[a], right = clustering.members[b]
            if left.count + right.count > settings.maximumClusterSize { continue }
            var cohesive = true
            check: for x in left {
                for y in right where lookup(x, y) < settings.clusterCohesion {
                    cohesive = false
                    break check
                }
            }
            if cohesive { clustering.union(a, b) }
        }
        var pairs: [LinkagePair] = []
        var clusters = [Int](repeating: 0, count: records.count)
        for index in 0..<records.count {
            let root = clustering.root(index)
            clusters[index] = clustering.members[root].min() ?? index
        }
        for root in 0..<records.count where clustering.members[root].count > 1 {
            let members = clustering.members[root].sorted()
            for (position, x) in members.enumerated() {
                for y in members[(position + 1)...] {
                    if linking, records.people[x].source == records.people[y].source { continue }
                    pairs.append(LinkagePair(first: x, second: y, probability: lookup(x, y)))
                }
            }
        }
        pairs.sort { $0.probability != $1.probability ? $0.probability > $1.probability : ($0.first, $0.second) < ($1.first, $1.second) }
        review = review.filter { clusters[$0.first] != clusters[$0.second] }
        review.sort { $0.probability > $1.probability }
        return LinkageResult(model: model, pairs: pairs, clusters: clusters, comparedPairs: candidates.count, reviewPairs: review)
    }

    /// Fits, scores and clusters one file's records (deduplication).
    public static func deduplicate(_ records: [MatchRecord], settings: LinkageSettings = .init()) async -> LinkageResult {
        let (engine, candidates, comparisons) = await fit(records, settings: settings)
        return engine.resolve(candidates: candidates, comparisons: comparisons)
    }

    /// Links two files: the result's indexes run over `a` then `b` (`b`'s first record is
    /// `a.count`); pairs hold one record of each.
    public static func link(_ a: [MatchRecord], _ b: [MatchRecord], settings: LinkageSettings = .init()) async -> LinkageResult {
        let sources = [UInt8](repeating: 0, count: a.count) + [UInt8](repeating: 1, count: b.count)
        let (engine, candidates, comparisons) = await fit(a + b, sources: sources, settings: settings)
        return engine.resolve(candidates: candidates, comparisons: comparisons)
    }
}

/// Union–find over record indexes, each root holding its members.
struct Clustering {
    private var parent: [Int]
    var members: [[Int]]

    init(count: Int) {
        parent = Array(0..<count)
        members = (0..<count).map { [$0] }
    }

    mutating func root(_ index: Int) -> Int {
        var node = index
        while parent[node] != node {
            parent[node] = parent[parent[node]]
            node = parent[node]
        }
        return node
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (keep, drop) = members[a].count >= members[b].count ? (a, b) : (b, a)
        parent[drop] = keep
        members[keep].append(contentsOf: members[drop])
        members[drop] = []
    }
}
