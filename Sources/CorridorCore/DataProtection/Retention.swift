import Foundation

/// How long Corridor keeps what it holds, as the settings give it (`CORRIDOR_RETENTION_*`).
/// `corridor retention run` and the run inside `serve` apply it; the administrator's retention
/// page shows it as a table.
public struct RetentionPolicy: Sendable, Equatable {
    /// Years after a case was completed or closed before its people are anonymised (0: never).
    public var finishedCaseYears: Int
    /// Hours an uploaded file waits for its confirmation before it is deleted.
    public var uploadHours: Int
    /// Days a sign-in attempt (address and e-mail typed) is kept for throttling and review.
    public var signInAttemptDays: Int
    /// Days a revoked API token's row is kept (its name and dates) before it is deleted.
    public var revokedTokenDays: Int
    /// Hours between the runs `serve` makes itself (0: only on demand).
    public var everyHours: Int
    /// Days a message of the public contact form (a name, an address, a text) is kept.
    public var contactMessageDays: Int

    public init(finishedCaseYears: Int = 5, uploadHours: Int = 1, signInAttemptDays: Int = 90,
                revokedTokenDays: Int = 365, everyHours: Int = 24, contactMessageDays: Int = 180) {
        self.finishedCaseYears = finishedCaseYears
        self.uploadHours = uploadHours
        self.signInAttemptDays = signInAttemptDays
        self.revokedTokenDays = revokedTokenDays
        self.everyHours = everyHours
        self.contactMessageDays = contactMessageDays
    }

    /// Cases finished on or before this day are due for anonymisation today (nil: never).
    public func anonymiseFinishedOnOrBefore(today: Day) -> Day? {
        guard finishedCaseYears > 0 else { return nil }
        return today.addingYears(-finishedCaseYears)
    }

    public var uploadLifetime: TimeInterval { TimeInterval(uploadHours) * 3_600 }
}

extension Day {
    /// The same day `years` later (or earlier); 29 February becomes 28 February.
    public func addingYears(_ years: Int) -> Day {
        Day(year: year + years, month: month, day: day) ?? Day(year: year + years, month: month, day: 28)!
    }
}

/// What anonymising a person keeps so that every figure stays exact: the categories counted
/// (sex, nationality, region, vulnerabilities, route, education…), and a birth year chosen so
/// that the age at arrival, the only age any figure uses, is the age the exact birth date gave.
/// Names, document numbers, phones, the department, the exact birth date and the date of
/// departure from the country go; so do protected details and free-text notes.
public enum Anonymisation {
    /// The birth year to keep in place of a birth date. Corridor reads an estimated year as 1 July,
    /// so the year is the one that gives, from 1 July, the age on `arrival` that the exact date
    /// gave. Without an arrival (no figure counts the age) or an exact date, the year is kept.
    public static func birthYear(exact: Day?, year: Int?, arrival: Day?) -> Int? {
        guard let exact, let arrival else { return year ?? exact?.year }
        let age = BirthDate(exact: exact).age(on: arrival)
        // From 1 July of year y, the age on `arrival` is arrival.year - y, less one before 1 July.
        let beforeJuly = (arrival.month, arrival.day) < (7, 1)
        return arrival.year - age - (beforeJuly ? 1 : 0)
    }
}

/// Why a person's data was erased on request (kept in the audit trail with the request's reference).
public enum ErasureReason: String, CaseCode {
    /// The person asked for their data to be erased.
    case personsRequest = "persons_request"
    /// A parent or guardian asked on behalf of a minor or of a person who cannot ask.
    case guardianRequest = "guardian_request"
    /// The person was registered by mistake (a wrong household, a duplicate registration).
    case registeredInError = "registered_in_error"
    public static let cataloguePrefix = "erasure.reason"
}
