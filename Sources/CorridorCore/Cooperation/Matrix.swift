import Foundation

public enum MatrixTheme: String, CaseCode {
    case traffickingInPersons = "trafficking_in_persons"
    case migrantWorkers = "migrant_workers"
    case regularPathways = "regular_pathways"
    case returnAndReintegration = "return_and_reintegration"
    case other
    public static let cataloguePrefix = "theme"
}

/// Where a matrix stands: drafted, submitted, validated at a workshop, archived.
public enum MatrixStatus: String, CaseCode {
    case draft
    case underReview = "under_review"
    case validated
    case archived
    public static let cataloguePrefix = "matrix_status"

    /// `draft → under_review → validated → archived`; a reviewer can send a matrix back to draft.
    public var allowedTargets: [MatrixStatus] {
        switch self {
        case .draft: return [.underReview]
        case .underReview: return [.validated, .draft]
        case .validated: return [.archived]
        case .archived: return []
        }
    }

    /// Whether actions may be added or edited in full. A validated version is what the
    /// governments signed: it stays as it is, followed up, while the draft of its next version
    /// (a revision, prepared explicitly) is edited, reviewed and validated at a workshop.
    public var acceptsStructuralEdits: Bool { self == .draft || self == .underReview }

    /// Whether the draft of a next version may be prepared from a matrix in this state.
    public var acceptsRevision: Bool { self == .validated }
}

public enum ActionStatus: String, CaseCode {
    case notStarted = "not_started"
    case inProgress = "in_progress"
    case completed
    case delayed
    case cancelled
    public static let cataloguePrefix = "action_status"

    /// An action is overdue when its deadline has passed and it is neither completed nor cancelled.
    public func isOverdue(deadline: Day?, today: Day) -> Bool {
        guard let deadline, self != .completed, self != .cancelled else { return false }
        return deadline < today
    }
}

/// One action as the roll-up sees it.
public struct ActionProgress: Sendable, Equatable {
    public var axis: String
    public var status: ActionStatus
    public var progress: Int
    public var weight: Double
    public var deadline: Day?

    public init(axis: String, status: ActionStatus, progress: Int, weight: Double = 1, deadline: Day? = nil) {
        self.axis = axis
        self.status = status
        self.progress = progress
        self.weight = weight
        self.deadline = deadline
    }
}

/// Progress of a set of actions: weighted mean of progress, counts per status, overdue count.
public struct ProgressSummary: Sendable, Equatable {
    public var meanProgress: Double?
    public var actionCount: Int
    public var countsByStatus: [ActionStatus: Int]
    public var overdueCount: Int

    /// Cancelled actions are left out of the mean: they will never progress.
    public static func of(_ actions: [ActionProgress], today: Day) -> ProgressSummary {
        let counted = actions.filter { $0.status != .cancelled && $0.weight > 0 }
        let totalWeight = counted.reduce(0) { $0 + $1.weight }
        let mean = totalWeight > 0 ? counted.reduce(0) { $0 + Double($1.progress) * $1.weight } / totalWeight : nil
        var counts: [ActionStatus: Int] = [:]
        for action in actions { counts[action.status, default: 0] += 1 }
        let overdue = actions.filter { $0.status.isOverdue(deadline: $0.deadline, today: today) }.count
        return ProgressSummary(meanProgress: mean, actionCount: actions.count, countsByStatus: counts, overdueCount: overdue)
    }

    /// The summary of each axis, in the order axes first appear.
    public static func byAxis(_ actions: [ActionProgress], today: Day) -> [(axis: String, summary: ProgressSummary)] {
        var order: [String] = []
        var groups: [String: [ActionProgress]] = [:]
        for action in actions {
            if groups[action.axis] == nil { order.append(action.axis) }
            groups[action.axis, default: []].append(action)
        }
        return order.map { ($0, of(groups[$0] ?? [], today: today)) }
    }
}

/// A frozen copy of a matrix, kept when it is validated; versions are compared from these.
public struct MatrixSnapshot: Sendable, Equatable, Codable {
    public struct Action: Sendable, Equatable, Codable {
        public var code: String
        public var axis: String
        public var description: String
        public var lead: String
        public var partners: [String]
        public var startDate: String?
        public var deadline: String?
        public var indicators: [Indicator]
        public var budget: String?
        public var currency: String?
        public var fundingSource: String?
        public var status: String
        public var progress: Int
        public var weight: Double

        public init(code: String, axis: String, description: String, lead: String, partners: [String], startDate: String?, deadline: String?,
                    indicators: [Indicator], budget: String?, currency: String?, fundingSource: String?, status: String, progress: Int, weight: Double) {
            self.code = code
            self.axis = axis
            self.description = description
            self.lead = lead
            self.partners = partners
            self.startDate = startDate
            self.deadline = deadline
            self.indicators = indicators
            self.budget = budget
            self.currency = currency
            self.fundingSource = fundingSource
            self.status = status
            self.progress = progress
            self.weight = weight
        }
    }

    public struct Indicator: Sendable, Equatable, Codable {
        public var name: String
        public var unit: String?
        public var baseline: String?
        public var target: String?
        public var current: String?
        public var live: String?

        public init(name: String, unit: String? = nil, baseline: String? = nil, target: String? = nil, current: String? = nil, live: String? = nil) {
            self.name = name
            self.unit = unit
            self.baseline = baseline
            self.target = target
            self.current = current
            self.live = live
        }
    }

    public var titleFrench: String
    public var titleEnglish: String
    public var theme: String
    public var actions: [Action]

    public init(titleFrench: String, titleEnglish: String, theme: String, actions: [Action]) {
        self.titleFrench = titleFrench
        self.titleEnglish = titleEnglish
        self.theme = theme
        self.actions = actions
    }
}

/// What differs between two versions of a matrix, action by action.
public struct MatrixComparison: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case added(MatrixSnapshot.Action)
        case removed(MatrixSnapshot.Action)
        case changed(code: String, fields: [FieldChange])
    }

    public struct FieldChange: Sendable, Equatable {
        public var field: String
        public var before: String
        public var after: String
    }

    public var changes: [Change]
    public var titleChanged: Bool

    /// Compares `old` with `new`; actions are matched on their code.
    public static func compare(_ old: MatrixSnapshot, _ new: MatrixSnapshot) -> MatrixComparison {
        var changes: [Change] = []
        let oldByCode = Dictionary(old.actions.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let newCodes = Set(new.actions.map(\.code))
        for action in new.actions {
            guard let before = oldByCode[action.code] else { changes.append(.added(action)); continue }
            let fields = fieldChanges(before, action)
            if !fields.isEmpty { changes.append(.changed(code: action.code, fields: fields)) }
        }
        for action in old.actions where !newCodes.contains(action.code) { changes.append(.removed(action)) }
        return MatrixComparison(changes: changes, titleChanged: old.titleFrench != new.titleFrench || old.titleEnglish != new.titleEnglish)
    }

    static func fieldChanges(_ a: MatrixSnapshot.Action, _ b: MatrixSnapshot.Action) -> [FieldChange] {
        // Each part of the indicators is compared on its own, so that a page can name it.
        func part(_ indicators: [MatrixSnapshot.Indicator], _ value: (MatrixSnapshot.Indicator) -> String?) -> String {
            indicators.map { value($0) ?? "" }.joined(separator: "; ")
        }
        let indicatorParts: [(String, (MatrixSnapshot.Indicator) -> String?)] = [
            ("indicator", { $0.name }), ("indicator_unit", { $0.unit }), ("indicator_baseline", { $0.baseline }),
            ("indicator_target", { $0.target }), ("indicator_current", { $0.current }), ("indicator_live", { $0.live }),
        ]
        var pairs: [(String, String, String)] = [
            ("axis", a.axis, b.axis), ("action", a.description, b.description), ("lead_institution", a.lead, b.lead),
            ("partner_institutions", a.partners.joined(separator: ", "), b.partners.joined(separator: ", ")),
            ("start_date", a.startDate ?? "", b.startDate ?? ""), ("deadline", a.deadline ?? "", b.deadline ?? ""),
        ]
        pairs += indicatorParts.map { ($0.0, part(a.indicators, $0.1), part(b.indicators, $0.1)) }
        pairs += [
            ("budget", [a.budget, a.currency].compactMap { $0 }.joined(separator: " "), [b.budget, b.currency].compactMap { $0 }.joined(separator: " ")),
            ("funding_source", a.fundingSource ?? "", b.fundingSource ?? ""), ("status", a.status, b.status),
            ("progress", String(a.progress), String(b.progress)), ("weight", String(a.weight), String(b.weight)),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { FieldChange(field: $0.0, before: $0.1, after: $0.2) }
    }
}
