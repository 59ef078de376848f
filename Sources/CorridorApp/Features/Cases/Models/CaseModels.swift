import CorridorCore
import Fluent
import Foundation

/// A household file. Dates are stored as `YYYY-MM-DD` text: they are days, and the text
/// sorts and compares the same on SQLite and PostgreSQL.
final class ReturnCaseModel: Model, @unchecked Sendable {
    static let schema = "return_cases"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_number") var caseNumber: String
    @Field(key: "office") var office: String
    @Field(key: "host_country") var hostCountry: String
    @Field(key: "status") var status: String
    @OptionalField(key: "closure_reason") var closureReason: String?
    @Field(key: "registered_on") var registeredOn: String
    @OptionalField(key: "departure_date") var departureDate: String?
    @OptionalField(key: "arrival_date") var arrivalDate: String?
    @OptionalField(key: "caseworker_id") var caseworkerID: UUID?
    @Field(key: "principal_name") var principalName: String
    @Field(key: "member_count") var memberCount: Int
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The day every member was anonymised (retention or erasure); nil while anyone is named.
    @OptionalField(key: "anonymised_on") var anonymisedOn: String?

    @Children(for: \.$returnCase) var members: [CaseMemberModel]

    init() {}
}

final class CaseMemberModel: Model, @unchecked Sendable {
    static let schema = "case_members"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var returnCase: ReturnCaseModel
    @Field(key: "member_number") var memberNumber: Int
    @Field(key: "relationship") var relationship: String
    @Field(key: "given_names") var givenNames: String
    @Field(key: "family_name") var familyName: String
    @Field(key: "sex") var sex: String
    @OptionalField(key: "birth_date") var birthDate: String?
    @OptionalField(key: "birth_year") var birthYear: Int?
    @Field(key: "nationality") var nationality: String
    @Field(key: "document_type") var documentType: String
    @OptionalField(key: "document_number") var documentNumber: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "languages") var languages: String?
    @OptionalField(key: "origin_region") var originRegion: String?
    @OptionalField(key: "origin_department") var originDepartment: String?
    @OptionalField(key: "education_level") var educationLevel: String?
    @OptionalField(key: "occupation") var occupation: String?
    @OptionalField(key: "left_country_on") var leftCountryOn: String?
    @Field(key: "route") var route: String
    @OptionalField(key: "stay") var stay: String?
    /// `|vot|medical|`: bars on both sides so that one code is found with LIKE '%|vot|%'.
    @Field(key: "vulnerabilities") var vulnerabilities: String
    @Field(key: "search_text") var searchText: String
    /// The day the member was anonymised; their names, documents and exact dates are gone.
    @OptionalField(key: "anonymised_on") var anonymisedOn: String?
    /// The person this member is, when linked to other records (`PeopleService`); nil while
    /// the member is a person of their own.
    @OptionalField(key: "person_id") var personID: UUID?

    init() {}
}

/// Trafficking details and medical notes of one member, kept apart so that no list or
/// search query can reach them.
final class ProtectedDetailsModel: Model, @unchecked Sendable {
    static let schema = "case_protected_details"

    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "exploitation_form") var exploitationForm: String?
    @OptionalField(key: "identified_on") var identifiedOn: String?
    @OptionalField(key: "identified_place") var identifiedPlace: String?
    @OptionalField(key: "identified_by") var identifiedBy: String?
    @OptionalField(key: "referral") var referral: String?
    @OptionalField(key: "medical_notes") var medicalNotes: String?
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// A member's stored details, or a new empty record (version 0) for them.
    static func forMember(_ memberID: UUID, caseID: UUID, on db: any Database) async throws -> ProtectedDetailsModel {
        if let stored = try await query(on: db).filter(\.$memberID == memberID).first() { return stored }
        let fresh = ProtectedDetailsModel()
        fresh.memberID = memberID
        fresh.caseID = caseID
        fresh.version = 0
        return fresh
    }
}

final class CaseTransitionModel: Model, @unchecked Sendable {
    static let schema = "case_transitions"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "from_status") var fromStatus: String?
    @Field(key: "to_status") var toStatus: String
    @Field(key: "occurred_on") var occurredOn: String
    @OptionalField(key: "closure_reason") var closureReason: String?
    @OptionalField(key: "note") var note: String?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}

final class AssistanceItemModel: Model, @unchecked Sendable {
    static let schema = "case_assistance"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "member_id") var memberID: UUID?
    @Field(key: "assistance_type") var type: String
    @Field(key: "phase") var phase: String
    @Field(key: "provided_on") var providedOn: String
    @Field(key: "description") var description: String
    /// Hundredths of the currency unit.
    @OptionalField(key: "amount_cents") var amountCents: Int64?
    @OptionalField(key: "currency") var currency: String?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "recorded_at") var recordedAt: Date

    init() {}
}

/// The last sequence number given per office and year, so that numbers are never reused.
final class CaseNumberCounterModel: Model, @unchecked Sendable {
    static let schema = "case_number_counters"

    @ID(custom: "prefix", generatedBy: .user) var id: String?
    @Field(key: "last_sequence") var lastSequence: Int

    init() {}
}
