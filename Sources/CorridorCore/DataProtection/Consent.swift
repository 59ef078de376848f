import Foundation

/// What a person consents to, each answered and dated on its own.
public enum ConsentPurpose: String, CaseCode {
    /// The processing of their data for assistance (return and reintegration).
    case assistance
    /// Sharing their record with the partner institutions named (government institutions,
    /// reintegration partners).
    case sharing
    /// Being contacted for reintegration monitoring.
    case monitoring
    public static let cataloguePrefix = "consent.purpose"
}

public enum ConsentAnswer: String, CaseCode {
    case given, refused
    public static let cataloguePrefix = "consent.answer"
}

/// How the answer was obtained.
public enum ConsentMethod: String, CaseCode {
    /// A form signed by the person.
    case signed
    /// Said aloud, with a witness.
    case oralWitnessed = "oral_witnessed"
    /// Given by a parent or guardian (a minor, a person who cannot answer).
    case guardian
    public static let cataloguePrefix = "consent.method"
}

/// One answer as a form or a file gives it. Nothing has a default: an answer is what the
/// person said, recorded by someone, never presumed.
public struct ConsentDraft: Sendable, Equatable, Codable {
    public var purpose: ConsentPurpose?
    public var answer: ConsentAnswer?
    public var method: ConsentMethod?
    public var recordedOn: Day?
    /// For sharing: the institutions (identifiers) the answer names.
    public var partners: [String]
    /// A consent given then withdrawn on this day (a file's `withdrawn`).
    public var withdrawnOn: Day? = nil

    public init(purpose: ConsentPurpose? = nil, answer: ConsentAnswer? = nil, method: ConsentMethod? = nil, recordedOn: Day? = nil, partners: [String] = []) {
        self.purpose = purpose
        self.answer = answer
        self.method = method
        self.recordedOn = recordedOn
        self.partners = partners
    }
}

public enum ConsentRules {
    /// The problems of an answer: every part required, no date in the future, partners named
    /// when sharing is given (and only then), and a guardian's answer for a minor on the day it
    /// was given. (An answer may come before the registration: it is often asked at counselling.)
    public static func check(_ draft: ConsentDraft, today: Day, registeredOn: Day?, birth: BirthDate?) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if draft.purpose == nil { issues.append(FieldIssue("purpose", "case.error.required")) }
        if draft.answer == nil { issues.append(FieldIssue("answer", "case.error.required")) }
        if draft.method == nil { issues.append(FieldIssue("method", "case.error.required")) }
        if let day = draft.recordedOn {
            if day > today { issues.append(FieldIssue("recorded_on", "case.error.date_in_future")) }
        } else {
            issues.append(FieldIssue("recorded_on", "case.error.required"))
        }
        if draft.purpose == .sharing, draft.answer == .given, draft.partners.isEmpty {
            issues.append(FieldIssue("partners", "consent.error.partners_required"))
        }
        if draft.purpose != .sharing, !draft.partners.isEmpty { issues.append(FieldIssue("partners", "consent.error.partners_only_for_sharing")) }
        if let birth, let day = draft.recordedOn, birth.age(on: day) < 18, let method = draft.method, method != .guardian {
            issues.append(FieldIssue("method", "consent.error.guardian_for_minor"))
        }
        return issues
    }
}

/// A person's answers in force, one per purpose (the latest recorded, unless withdrawn).
public struct ConsentState: Sendable, Equatable {
    public struct Current: Sendable, Equatable {
        public var answer: ConsentAnswer
        public var partners: Set<String>
        public var withdrawn: Bool

        public init(answer: ConsentAnswer, partners: Set<String>, withdrawn: Bool) {
            self.answer = answer
            self.partners = partners
            self.withdrawn = withdrawn
        }

        public var isGiven: Bool { answer == .given && !withdrawn }
    }

    public var current: [ConsentPurpose: Current]

    public init(current: [ConsentPurpose: Current] = [:]) { self.current = current }

    /// A partner institution's users see the person's record only with a sharing consent in
    /// force that names their institution: no answer is no consent.
    public func sharedWith(_ institution: String) -> Bool {
        guard let sharing = current[.sharing], sharing.isGiven else { return false }
        return sharing.partners.contains(institution.lowercased())
    }

    /// A refused or withdrawn monitoring consent takes the person out of the follow-ups due;
    /// without an answer they stay (the case worker asks at the next contact).
    public var mayBeContactedForMonitoring: Bool {
        guard let monitoring = current[.monitoring] else { return true }
        return monitoring.isGiven
    }
}
