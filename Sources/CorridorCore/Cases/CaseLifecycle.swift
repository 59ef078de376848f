/// Where a return case stands. The order of the cases is the order of the lifecycle.
public enum CaseStatus: String, CaseCode, Comparable {
    case registered, counselled, approved
    case travelReady = "travel_ready"
    case departed, arrived
    case reintegrationPlanned = "reintegration_planned"
    case reintegrationOngoing = "reintegration_ongoing"
    case completed, closed
    public static let cataloguePrefix = "status"

    /// The lifecycle without `closed`, in order.
    public static let path: [CaseStatus] = [
        .registered, .counselled, .approved, .travelReady, .departed, .arrived,
        .reintegrationPlanned, .reintegrationOngoing, .completed,
    ]

    var position: Int { Self.path.firstIndex(of: self) ?? Self.path.count }

    public static func < (a: CaseStatus, b: CaseStatus) -> Bool { a.position < b.position }

    /// Whether the people of the case are home: arrival recorded.
    public var hasArrived: Bool { self != .closed && self >= .arrived }
}

/// The allowed moves of a case and the rules on their dates.
public enum CaseStateMachine {
    /// The next step forward, and `closed` from any state before `completed`.
    public static func allowedTargets(from status: CaseStatus) -> [CaseStatus] {
        switch status {
        case .completed, .closed:
            return []
        default:
            let next = CaseStatus.path[status.position + 1]
            return [next, .closed]
        }
    }

    public static func isAllowed(from: CaseStatus, to: CaseStatus) -> Bool {
        allowedTargets(from: from).contains(to)
    }

    public enum Problem: String, Error, Sendable, Equatable, CaseIterable {
        case notAllowed = "transition.error.not_allowed"
        case reasonRequired = "transition.error.reason_required"
        case reasonNotExpected = "transition.error.reason_not_expected"
        case beforeRegistration = "transition.error.before_registration"
        case beforePreviousStep = "transition.error.before_previous_step"
        case inTheFuture = "transition.error.in_the_future"
        case arrivalBeforeDeparture = "transition.error.arrival_before_departure"
    }

    /// The dates a transition is checked against.
    public struct Dates: Sendable, Equatable {
        public var registeredOn: Day
        public var departureDate: Day?
        public var arrivalDate: Day?
        /// The date of the latest transition so far.
        public var lastTransitionOn: Day?

        public init(registeredOn: Day, departureDate: Day? = nil, arrivalDate: Day? = nil, lastTransitionOn: Day? = nil) {
            self.registeredOn = registeredOn
            self.departureDate = departureDate
            self.arrivalDate = arrivalDate
            self.lastTransitionOn = lastTransitionOn
        }
    }

    /// Checks a transition; returns the dates after it (a departure or an arrival sets its date).
    public static func apply(
        from: CaseStatus, to: CaseStatus, on day: Day, today: Day, reason: ClosureReason?, dates: Dates
    ) throws(Problem) -> Dates {
        guard isAllowed(from: from, to: to) else { throw .notAllowed }
        if to == .closed, reason == nil { throw .reasonRequired }
        if to != .closed, reason != nil { throw .reasonNotExpected }
        if day > today { throw .inTheFuture }
        if day < dates.registeredOn { throw .beforeRegistration }
        if let last = dates.lastTransitionOn, day < last { throw .beforePreviousStep }
        var next = dates
        next.lastTransitionOn = day
        switch to {
        case .departed:
            next.departureDate = day
        case .arrived:
            if let departure = dates.departureDate, day < departure { throw .arrivalBeforeDeparture }
            next.arrivalDate = day
        default:
            break
        }
        return next
    }

    /// Consistency of the dates a case holds, whatever way they arrived (form or import).
    public static func datesProblem(status: CaseStatus, registeredOn: Day, departure: Day?, arrival: Day?) -> DateProblem? {
        if let departure, departure < registeredOn { return .departureBeforeRegistration }
        if let arrival, let departure, arrival < departure { return .arrivalBeforeDeparture }
        if let arrival, departure == nil { return arrival < registeredOn ? .arrivalBeforeDeparture : .departureMissing }
        if status != .closed {
            if status >= .departed, departure == nil { return .departureMissing }
            if status >= .arrived, arrival == nil { return .arrivalMissing }
            if status < .departed, departure != nil { return .departureTooEarly }
            if status < .arrived, arrival != nil { return .arrivalTooEarly }
        }
        return nil
    }

    public enum DateProblem: String, Error, Sendable, Equatable, CaseIterable {
        case departureBeforeRegistration = "case.error.departure_before_registration"
        case arrivalBeforeDeparture = "case.error.arrival_before_departure"
        case departureMissing = "case.error.departure_missing"
        case arrivalMissing = "case.error.arrival_missing"
        case departureTooEarly = "case.error.departure_for_status"
        case arrivalTooEarly = "case.error.arrival_for_status"

        public var field: String {
            switch self {
            case .departureBeforeRegistration, .departureMissing, .departureTooEarly: return "departure_date"
            case .arrivalBeforeDeparture, .arrivalMissing, .arrivalTooEarly: return "arrival_date"
            }
        }
    }
}

/// `<office country ISO3>-<year>-<5-digit sequence>`, e.g. `CIV-2024-00042`.
public struct CaseNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let office: String
    public let year: Int
    public let sequence: Int

    public init?(office: String, year: Int, sequence: Int) {
        guard office.count == 3, office.allSatisfy({ $0.isASCII && $0.isUppercase }),
              (1900...9999).contains(year), (1...99_999).contains(sequence) else { return nil }
        self.office = office
        self.year = year
        self.sequence = sequence
    }

    private init(checked office: String, year: Int, sequence: Int) {
        self.office = office
        self.year = year
        self.sequence = sequence
    }

    public init?(_ text: String) {
        // The usual shape, `CIV-2024-00042`, read from its bytes; anything else (surrounding spaces, other
        // lengths) by the general path below.
        let utf8 = text.utf8
        if utf8.count == 14, let fast = utf8.withContiguousStorageIfAvailable({ Self.parse($0) }) {
            guard let (office, year, sequence) = fast else { return nil }
            self = CaseNumber(checked: office, year: year, sequence: sequence)
            return
        }
        let parts = text.trimmingWhitespace().uppercased().split(separator: "-")
        guard parts.count == 3, parts[1].count == 4, parts[2].count == 5,
              let year = Int(parts[1]), let sequence = Int(parts[2]) else { return nil }
        self.init(office: String(parts[0]), year: year, sequence: sequence)
    }

    /// `LLL-YYYY-NNNNN` (office letters in either case) as its parts, nil when the bytes do not
    /// have that shape or the year or sequence is out of range.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (String, Int, Int)? {
        guard bytes[3] == UInt8(ascii: "-"), bytes[8] == UInt8(ascii: "-") else { return nil }
        var letters: [UInt8] = []
        for index in 0..<3 {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): letters.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): letters.append(byte - 32)
            default: return nil
            }
        }
        guard let year = bytes.decimal(4..<8), let sequence = bytes.decimal(9..<14), (1900...9999).contains(year), (1...99_999).contains(sequence) else { return nil }
        return (String(decoding: letters, as: UTF8.self), year, sequence)
    }

    public var description: String {
        let digits = String(sequence)
        return "\(office)-\(year)-\(String(repeating: "0", count: max(0, 5 - digits.count)))\(digits)"
    }

    /// The prefix shared by every number of one office and year, for finding the last one.
    public static func prefix(office: String, year: Int) -> String { "\(office)-\(year)-" }

    /// Keeps in `highest` the largest number of each office and year seen (for numbering
    /// counters after an import).
    public static func keepHighest(_ number: CaseNumber, in highest: inout [String: CaseNumber]) {
        let prefix = prefix(office: number.office, year: number.year)
        if highest[prefix].map({ $0.sequence < number.sequence }) ?? true { highest[prefix] = number }
    }

    /// The order of the written numbers (three capitals, four digits, five digits: the parts
    /// compare as the text does).
    public static func < (a: CaseNumber, b: CaseNumber) -> Bool { (a.office, a.year, a.sequence) < (b.office, b.year, b.sequence) }
}
