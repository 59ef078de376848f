import Foundation

/// One person of a household file, as typed in a form, sent to the API or read from a file.
public struct MemberDraft: Sendable, Equatable, Codable {
    public var memberNumber: Int
    public var relationship: Relationship
    public var givenNames: String
    public var familyName: String
    public var sex: Sex
    public var birthDate: BirthDate?
    public var nationality: String
    public var documentType: DocumentType
    public var documentNumber: String?
    public var phone: String?
    public var languages: String?
    public var originRegion: String?
    public var originDepartment: String?
    public var educationLevel: EducationLevel?
    public var occupation: String?
    public var leftCountryOn: Day?
    public var route: [String]
    public var stay: HostCountryStay?
    public var vulnerabilities: [Vulnerability]
    /// Consent answers a file carries for the member (nil: the file has none).
    public var consent: [ConsentDraft]? = nil

    public init(
        memberNumber: Int, relationship: Relationship, givenNames: String, familyName: String, sex: Sex,
        birthDate: BirthDate?, nationality: String, documentType: DocumentType = .none, documentNumber: String? = nil,
        phone: String? = nil, languages: String? = nil, originRegion: String? = nil, originDepartment: String? = nil,
        educationLevel: EducationLevel? = nil, occupation: String? = nil, leftCountryOn: Day? = nil,
        route: [String] = [], stay: HostCountryStay? = nil, vulnerabilities: [Vulnerability] = []
    ) {
        self.memberNumber = memberNumber
        self.relationship = relationship
        self.givenNames = givenNames
        self.familyName = familyName
        self.sex = sex
        self.birthDate = birthDate
        self.nationality = nationality
        self.documentType = documentType
        self.documentNumber = documentNumber
        self.phone = phone
        self.languages = languages
        self.originRegion = originRegion
        self.originDepartment = originDepartment
        self.educationLevel = educationLevel
        self.occupation = occupation
        self.leftCountryOn = leftCountryOn
        self.route = route
        self.stay = stay
        self.vulnerabilities = vulnerabilities
    }

    /// What search compares: names and document number, folded.
    public var searchText: String {
        SearchText.fold([givenNames, familyName, documentNumber ?? ""].joined(separator: " "))
    }
}

/// The checks every member passes through, whatever its source.
public enum MemberRules {
    /// Normalises and checks a member; returns the issues found (empty when valid).
    public static func check(_ member: inout MemberDraft, registeredOn: Day?) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        member.givenNames = member.givenNames.trimmedWhitespace
        member.familyName = member.familyName.trimmedWhitespace
        if member.givenNames.isEmpty { issues.append(.init("given_names", "case.error.required")) }
        if member.familyName.isEmpty { issues.append(.init("family_name", "case.error.required")) }
        if member.givenNames.count > 200 { issues.append(.init("given_names", "case.error.too_long")) }
        if member.familyName.count > 200 { issues.append(.init("family_name", "case.error.too_long")) }
        member.nationality = member.nationality.trimmedWhitespace.uppercased()
        if !Countries.isKnown(member.nationality) { issues.append(.init("nationality", "case.error.unknown_country")) }
        member.route = member.route.map { $0.trimmedWhitespace.uppercased() }.filter { !$0.isEmpty }
        if member.route.contains(where: { !Countries.isKnown($0) }) { issues.append(.init("route", "case.error.unknown_country")) }
        if let birth = member.birthDate, let registeredOn {
            let birthDay = birth.exact ?? Day(year: birth.year, month: 1, day: 1)
            if let birthDay, birthDay > registeredOn { issues.append(.init("birth_date", "case.error.birth_after_registration")) }
        }
        // One leaves the country before asking, abroad, to come back; and after being born.
        if let left = member.leftCountryOn {
            if let registeredOn, left > registeredOn { issues.append(.init("left_country_on", "case.error.left_after_registration")) }
            if let birth = member.birthDate?.exact, left < birth { issues.append(.init("left_country_on", "case.error.left_before_birth")) }
        }
        member.documentNumber = member.documentNumber?.nilIfEmpty
        if member.documentType != .none, member.documentNumber == nil { issues.append(.init("document_number", "case.error.document_number_required")) }
        if member.documentType == .none, member.documentNumber != nil { issues.append(.init("document_number", "case.error.document_number_without_type")) }
        if let region = member.originRegion?.nilIfEmpty {
            if let known = CoteDIvoire.region(named: region) {
                member.originRegion = known.name
                if let department = member.originDepartment?.nilIfEmpty {
                    if let canonical = CoteDIvoire.department(named: department, in: known) {
                        member.originDepartment = canonical
                    } else {
                        issues.append(.init("origin_department", "case.error.unknown_department"))
                    }
                } else {
                    member.originDepartment = nil
                }
            } else {
                issues.append(.init("origin_region", "case.error.unknown_region"))
            }
        } else {
            member.originRegion = nil
            if member.originDepartment?.nilIfEmpty != nil { issues.append(.init("origin_region", "case.error.region_required_for_department")) }
            member.originDepartment = nil
        }
        for keyPath in [\MemberDraft.phone, \MemberDraft.languages, \MemberDraft.occupation] {
            member[keyPath: keyPath] = member[keyPath: keyPath]?.nilIfEmpty
        }
        return issues
    }
}
