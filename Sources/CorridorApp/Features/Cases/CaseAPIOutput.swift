import CorridorCore
import Foundation
import Vapor

// The JSON the cases API answers with. Field for field what the caseload queries read today,
// but separate types: a page model may change without changing the API, and the reverse.

/// One household of the caseload list.
struct CaseListItemOutput: Content, Sendable {
    var caseNumber: String
    var principalName: String
    var memberCount: Int
    var hostCountry: String
    var office: String
    var status: String
    var registeredOn: String
    var departureDate: String?
    var arrivalDate: String?
    var caseworkerName: String?
    var updatedAt: Date
    var version: Int

    init(_ view: CaseQueries.ListRow) {
        caseNumber = view.caseNumber
        principalName = view.principalName
        memberCount = view.memberCount
        hostCountry = view.hostCountry
        office = view.office
        status = view.status
        registeredOn = view.registeredOn
        departureDate = view.departureDate
        arrivalDate = view.arrivalDate
        caseworkerName = view.caseworkerName
        updatedAt = view.updatedAt
        version = view.version
    }
}

/// A member of a household.
struct MemberOutput: Content, Sendable {
    var memberNumber: Int
    var relationship: String
    var givenNames: String
    var familyName: String
    var sex: String
    var birthDate: String?
    var birthYear: Int?
    var birthEstimated: Bool
    var nationality: String
    var documentType: String
    var documentNumber: String?
    var phone: String?
    var languages: String?
    var originRegion: String?
    var originDepartment: String?
    var educationLevel: String?
    var occupation: String?
    var leftCountryOn: String?
    var route: [String]
    var stay: String?
    var vulnerabilities: [String]
    /// The day the person was anonymised (retention or erasure), when they were.
    var anonymisedOn: String?
    var consent: ConsentOutput

    /// The consent answers in force: `given`, `refused` or `withdrawn` per purpose (absent:
    /// no answer recorded), and the institutions a sharing consent in force names.
    struct ConsentOutput: Content, Sendable {
        var assistance: String?
        var sharing: String?
        var monitoring: String?
        var sharedWith: [String]

        init(_ state: ConsentState) {
            func word(_ purpose: ConsentPurpose) -> String? {
                state.current[purpose].map { $0.withdrawn ? "withdrawn" : $0.answer.rawValue }
            }
            assistance = word(.assistance)
            sharing = word(.sharing)
            monitoring = word(.monitoring)
            sharedWith = state.current[.sharing].map { $0.isGiven ? $0.partners.sorted() : [] } ?? []
        }
    }

    init(_ view: CaseQueries.MemberView) {
        memberNumber = view.memberNumber
        relationship = view.relationship
        givenNames = view.givenNames
        familyName = view.familyName
        sex = view.sex
        birthDate = view.birthDate
        birthYear = view.birthYear
        birthEstimated = view.birthEstimated
        nationality = view.nationality
        documentType = view.documentType
        documentNumber = view.documentNumber
        phone = view.phone
        languages = view.languages
        originRegion = view.originRegion
        originDepartment = view.originDepartment
        educationLevel = view.educationLevel
        occupation = view.occupation
        leftCountryOn = view.leftCountryOn
        route = view.route
        stay = view.stay
        vulnerabilities = view.vulnerabilities
        anonymisedOn = view.anonymisedOn
        consent = ConsentOutput(view.consent)
    }
}

/// A step of the lifecycle.
struct TransitionOutput: Content, Sendable {
    var fromStatus: String?
    var toStatus: String
    var occurredOn: String
    var closureReason: String?
    var note: String?
    var actor: String
    var recordedAt: Date

    init(_ view: CaseQueries.TransitionView) {
        fromStatus = view.fromStatus
        toStatus = view.toStatus
        occurredOn = view.occurredOn
        closureReason = view.closureReason
        note = view.note
        actor = view.actor
        recordedAt = view.recordedAt
    }
}

/// An item of assistance given.
struct AssistanceOutput: Content, Sendable {
    var type: String
    var phase: String
    var memberNumber: Int?
    var providedOn: String
    var description: String
    var amountCents: Int64?
    var currency: String?
    var actor: String

    init(_ view: CaseQueries.AssistanceView) {
        type = view.type
        phase = view.phase
        memberNumber = view.memberNumber
        providedOn = view.providedOn
        description = view.description
        amountCents = view.amountCents
        currency = view.currency
        actor = view.actor
    }
}

/// An edit recorded in the audit trail.
struct ChangeOutput: Content, Sendable {
    var at: Date
    var actor: String
    var entityType: String
    var entityID: String?
    var action: String
    var fields: [String]

    init(_ view: CaseQueries.ChangeView) {
        at = view.at
        actor = view.actor
        entityType = view.entityType
        entityID = view.entityID
        action = view.action
        fields = view.fields
    }
}

/// A case with its members, timeline and assistance; never its protected details.
struct CaseOutput: Content, Sendable {
    var caseNumber: String
    var office: String
    var hostCountry: String
    var status: String
    var closureReason: String?
    var registeredOn: String
    var departureDate: String?
    var arrivalDate: String?
    var caseworkerID: UUID?
    var caseworkerName: String?
    var version: Int
    var updatedAt: Date
    var members: [MemberOutput]
    var transitions: [TransitionOutput]
    var assistance: [AssistanceOutput]
    var membersWithProtectedDetails: [Int]
    var changes: [ChangeOutput]

    init(_ view: CaseQueries.CaseView) {
        caseNumber = view.caseNumber
        office = view.office
        hostCountry = view.hostCountry
        status = view.status
        closureReason = view.closureReason
        registeredOn = view.registeredOn
        departureDate = view.departureDate
        arrivalDate = view.arrivalDate
        caseworkerID = view.caseworkerID
        caseworkerName = view.caseworkerName
        version = view.version
        updatedAt = view.updatedAt
        members = view.members.map(MemberOutput.init)
        transitions = view.transitions.map(TransitionOutput.init)
        assistance = view.assistance.map(AssistanceOutput.init)
        membersWithProtectedDetails = view.membersWithProtectedDetails
        changes = view.changes.map(ChangeOutput.init)
    }
}
