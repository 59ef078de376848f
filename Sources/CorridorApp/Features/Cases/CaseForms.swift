import CorridorCore
import Foundation
import Vapor

/// A member as the form sends it: every field a string, so that what was typed comes back.
struct MemberForm: Content, Sendable {
    var relationship: String?
    var given_names: String?
    var family_name: String?
    var sex: String?
    var birth_date: String?
    var nationality: String?
    var document_type: String?
    var document_number: String?
    var phone: String?
    var languages: String?
    var origin_region: String?
    var origin_department: String?
    var education_level: String?
    var occupation: String?
    var left_country_on: String?
    var route: String?
    var stay: String?
    var vulnerabilities: [String]?

    init() {}

    init(_ member: CaseQueries.MemberView) {
        relationship = member.relationship
        given_names = member.givenNames
        family_name = member.familyName
        sex = member.sex
        birth_date = member.birthDate ?? member.birthYear.map(String.init)
        nationality = member.nationality
        document_type = member.documentType
        document_number = member.documentNumber
        phone = member.phone
        languages = member.languages
        origin_region = member.originRegion
        origin_department = member.originDepartment
        education_level = member.educationLevel
        occupation = member.occupation
        left_country_on = member.leftCountryOn
        route = member.route.joined(separator: " ")
        stay = member.stay
        vulnerabilities = member.vulnerabilities
    }

    /// The draft, or the problems of shape (unknown codes, malformed dates).
    func draft(memberNumber: Int) -> (MemberDraft?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        func required<T: CaseCode>(_ field: String, _ text: String?, _ type: T.Type) -> T? {
            guard let text = text?.nilIfEmpty else { issues.append(FieldIssue(field, "case.error.required")); return nil }
            guard let value = T(code: text) else { issues.append(FieldIssue(field, "case.error.unknown_code")); return nil }
            return value
        }
        func optional<T: CaseCode>(_ field: String, _ text: String?, _ type: T.Type) -> T? {
            guard let text = text?.nilIfEmpty else { return nil }
            guard let value = T(code: text) else { issues.append(FieldIssue(field, "case.error.unknown_code")); return nil }
            return value
        }
        let relationship = required("relationship", relationship ?? (memberNumber == 1 ? "principal" : nil), Relationship.self)
        let sex = required("sex", sex, Sex.self)
        var birth: BirthDate?
        if let text = birth_date?.nilIfEmpty {
            birth = BirthDate(text: text)
            if birth == nil { issues.append(FieldIssue("birth_date", "case.error.birth_date_format")) }
        }
        var leftOn: Day?
        if let text = left_country_on?.nilIfEmpty {
            leftOn = Day(iso: text)
            if leftOn == nil { issues.append(FieldIssue("left_country_on", "case.error.date_format")) }
        }
        let documentType = optional("document_type", document_type, DocumentType.self) ?? DocumentType.none
        let education = optional("education_level", education_level, EducationLevel.self)
        let stay = optional("stay", stay, HostCountryStay.self)
        let list = Vulnerability.parseList((vulnerabilities ?? []).joined(separator: "|"))
        if !list.unknown.isEmpty { issues.append(FieldIssue("vulnerabilities", "case.error.unknown_code")) }
        guard let relationship, let sex else {
            // Check the rest anyway, so that the form reports every problem at once.
            var provisional = MemberDraft(memberNumber: memberNumber, relationship: .other, givenNames: given_names ?? "", familyName: family_name ?? "",
                                          sex: .other, birthDate: birth, nationality: nationality ?? "", documentType: documentType,
                                          documentNumber: document_number, originRegion: origin_region, originDepartment: origin_department)
            issues += MemberRules.check(&provisional, registeredOn: nil)
            return (nil, issues)
        }
        let draft = MemberDraft(
            memberNumber: memberNumber, relationship: relationship, givenNames: given_names ?? "", familyName: family_name ?? "",
            sex: sex, birthDate: birth, nationality: nationality ?? "", documentType: documentType, documentNumber: document_number,
            phone: phone, languages: languages, originRegion: origin_region, originDepartment: origin_department,
            educationLevel: education, occupation: occupation, leftCountryOn: leftOn,
            route: (route ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "|" }).map(String.init),
            stay: stay, vulnerabilities: list.known)
        return (issues.isEmpty ? draft : nil, issues)
    }
}

/// The household fields as the form sends them.
struct CaseHeaderForm: Content, Sendable {
    var host_country: String?
    var office: String?
    var registered_on: String?
    var caseworker: String?
    var version: Int?

    func draft() -> (CaseHeaderDraft, [FieldIssue]) {
        var issues: [FieldIssue] = []
        var day: Day?
        if let text = registered_on?.nilIfEmpty {
            day = Day(iso: text)
            if day == nil { issues.append(FieldIssue("registered_on", "case.error.date_format")) }
        }
        var worker: UUID?
        if let text = caseworker?.nilIfEmpty {
            worker = UUID(uuidString: text)
            if worker == nil { issues.append(FieldIssue("caseworker", "case.error.unknown_caseworker")) }
        }
        return (CaseHeaderDraft(hostCountry: host_country ?? "", office: office ?? "", registeredOn: day, caseworkerID: worker), issues)
    }
}

/// A new case: the household fields and the principal applicant.
struct NewCaseForm: Content, Sendable {
    var header: CaseHeaderForm
    var member: MemberForm

    init(header: CaseHeaderForm, member: MemberForm) {
        self.header = header
        self.member = member
    }

    /// Both halves come flat in one form body.
    static func decode(from request: Request) throws -> NewCaseForm {
        NewCaseForm(header: try request.content.decode(CaseHeaderForm.self), member: try request.content.decode(MemberForm.self))
    }
}

struct TransitionForm: Content, Sendable {
    var to: String?
    var occurred_on: String?
    var reason: String?
    var note: String?
    var version: Int?
}

struct AssistanceForm: Content, Sendable {
    var type: String?
    var member: String?
    var provided_on: String?
    var description: String?
    var amount: String?
    var currency: String?

    func draft() -> (AssistanceDraft?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let kind = type?.nilIfEmpty.flatMap { AssistanceType(code: $0) }
        if kind == nil { issues.append(FieldIssue("type", "case.error.required")) }
        let day = provided_on?.nilIfEmpty.flatMap(Day.init(iso:))
        if day == nil { issues.append(FieldIssue("provided_on", "case.error.date_format")) }
        var cents: Int64?
        if let text = amount?.nilIfEmpty {
            let normalised = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "")
                .replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: ",", with: ".")
            if let value = Decimal(string: normalised), value >= 0 {
                cents = Int64(truncating: NSDecimalNumber(decimal: value * 100))
            } else {
                issues.append(FieldIssue("amount", "case.error.amount_format"))
            }
        }
        let currency = currency?.nilIfEmpty.flatMap { Currency(code: $0) }
        guard let kind, let day, issues.isEmpty else { return (nil, issues) }
        return (AssistanceDraft(type: kind, memberNumber: member.flatMap { Int($0) }, providedOn: day,
                                description: description ?? "", amountCents: cents, currency: currency), [])
    }
}

struct ProtectedForm: Content, Sendable {
    var exploitation_form: String?
    var identified_on: String?
    var identified_place: String?
    var identified_by: String?
    var referral: String?
    var medical_notes: String?
    var version: Int?

    func draft() -> (ProtectedDraft?, [FieldIssue]) {
        var day: Day?
        if let text = identified_on?.nilIfEmpty {
            day = Day(iso: text)
            if day == nil { return (nil, [FieldIssue("identified_on", "case.error.date_format")]) }
        }
        return (ProtectedDraft(exploitationForm: exploitation_form, identifiedOn: day, identifiedPlace: identified_place,
                               identifiedBy: identified_by, referral: referral, medicalNotes: medical_notes), [])
    }
}
