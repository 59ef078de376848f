import Foundation

/// The household-level fields of a row; every row of one case must agree on them.
public struct CaseFields: Sendable, Equatable {
    public var hostCountry: String
    public var office: String
    public var registeredOn: Day
    public var departureDate: Day?
    public var arrivalDate: Day?
    public var status: CaseStatus
    public var closureReason: ClosureReason?

    public init(hostCountry: String, office: String, registeredOn: Day, departureDate: Day? = nil, arrivalDate: Day? = nil,
                status: CaseStatus = .registered, closureReason: ClosureReason? = nil) {
        self.hostCountry = hostCountry
        self.office = office
        self.registeredOn = registeredOn
        self.departureDate = departureDate
        self.arrivalDate = arrivalDate
        self.status = status
        self.closureReason = closureReason
    }
}

/// One household read from a file, ready to write.
public struct ImportedCase: Sendable, Equatable {
    public var caseNumber: CaseNumber?
    public var fields: CaseFields
    public var members: [MemberDraft]
    public var lines: [Int]
    /// Trafficking details and medical notes by member number, for the members whose row
    /// holds any (protected columns, imported by the protection role only).
    public var protectedDetails: [Int: ProtectedDraft]

    public init(caseNumber: CaseNumber?, fields: CaseFields, members: [MemberDraft], lines: [Int], protectedDetails: [Int: ProtectedDraft] = [:]) {
        self.caseNumber = caseNumber
        self.fields = fields
        self.members = members
        self.lines = lines
        self.protectedDetails = protectedDetails
    }

    /// Adds a later part of the same household.
    public mutating func join(_ part: ImportedCase) {
        members += part.members
        lines += part.lines
        protectedDetails.merge(part.protectedDetails) { first, _ in first }
    }
}

/// A member's trafficking details and medical notes, kept apart from the member's record.
public struct ProtectedDraft: Sendable, Equatable {
    public var exploitationForm: String?
    public var identifiedOn: Day?
    public var identifiedPlace: String?
    public var identifiedBy: String?
    public var referral: String?
    public var medicalNotes: String?

    public init(exploitationForm: String? = nil, identifiedOn: Day? = nil, identifiedPlace: String? = nil, identifiedBy: String? = nil,
                referral: String? = nil, medicalNotes: String? = nil) {
        self.exploitationForm = exploitationForm
        self.identifiedOn = identifiedOn
        self.identifiedPlace = identifiedPlace
        self.identifiedBy = identifiedBy
        self.referral = referral
        self.medicalNotes = medicalNotes
    }

    public var isEmpty: Bool { self == ProtectedDraft() }
}

/// What an import would do: the households to write and every rejected row.
public struct CaseImportPlan: Sendable, Equatable {
    public var cases: [ImportedCase]
    public var issues: [ImportIssue]
    public var rowCount: Int

    public init(cases: [ImportedCase], issues: [ImportIssue], rowCount: Int) {
        self.cases = cases
        self.issues = issues
        self.rowCount = rowCount
    }

    public var rejectedLines: Set<Int> { Set(issues.map(\.line)) }
    public var acceptedRowCount: Int { cases.reduce(0) { $0 + $1.members.count } }
}

/// Reads the canonical case template: one row per member, households grouped by case number.
public enum CaseImportReader {
    /// The template's columns, in order; the first 19 are those of the template, the others optional.
    public static let columns: [String] = [
        "case_number", "member", "relationship", "given_names", "family_name", "sex", "birth_date", "nationality",
        "host_country", "office", "registered_on", "departure_date", "arrival_date", "status", "origin_region",
        "origin_department", "document_type", "document_number", "vulnerabilities",
        "closure_reason", "phone", "languages", "education_level", "occupation", "left_country_on", "route", "stay",
        "consent_assistance", "consent_sharing", "consent_monitoring", "consent_method", "consent_date", "consent_partners",
    ]

    /// The consent columns: the answer in force per purpose (`given`, `refused`, `withdrawn`),
    /// how and when the answers were obtained, the partners a sharing consent names (acronyms).
    public static let consentColumns = ["consent_assistance", "consent_sharing", "consent_monitoring", "consent_method", "consent_date", "consent_partners"]

    /// Trafficking details and medical notes: in the export of the protection role only, and
    /// imported only by that role (the file is refused whole otherwise).
    public static let protectedColumns = ["exploitation_form", "identified_on", "identified_place", "identified_by", "referral", "medical_notes"]

    static let required: Set<String> = [
        "member", "given_names", "family_name", "sex", "nationality", "host_country", "office", "registered_on",
    ]

    /// French (and a few other) header spellings, folded, mapped to the template's names.
    static let aliases: [String: String] = [
        "numero_dossier": "case_number", "numero_de_dossier": "case_number", "dossier": "case_number",
        "membre": "member", "numero_membre": "member",
        "lien": "relationship", "lien_de_parente": "relationship", "lien_parente": "relationship",
        "prenoms": "given_names", "prenom": "given_names",
        "nom": "family_name", "nom_de_famille": "family_name",
        "sexe": "sex",
        "date_naissance": "birth_date", "date_de_naissance": "birth_date",
        "nationalite": "nationality",
        "pays_accueil": "host_country", "pays_d_accueil": "host_country", "pays_hote": "host_country",
        "bureau": "office",
        "date_enregistrement": "registered_on", "date_d_enregistrement": "registered_on", "enregistre_le": "registered_on",
        "date_depart": "departure_date", "date_de_depart": "departure_date",
        "date_arrivee": "arrival_date", "date_d_arrivee": "arrival_date",
        "statut": "status",
        "region_origine": "origin_region", "region_d_origine": "origin_region",
        "departement_origine": "origin_department", "departement_d_origine": "origin_department",
        "type_document": "document_type", "type_de_document": "document_type",
        "numero_document": "document_number", "numero_de_document": "document_number",
        "vulnerabilites": "vulnerabilities",
        "motif_cloture": "closure_reason", "motif_de_cloture": "closure_reason",
        "telephone": "phone", "langues": "languages", "niveau_etudes": "education_level", "niveau_d_etudes": "education_level",
        "profession": "occupation", "date_depart_pays": "left_country_on", "itineraire": "route", "sejour": "stay",
        "consentement_assistance": "consent_assistance", "consentement_partage": "consent_sharing", "consentement_suivi": "consent_monitoring",
        "consentement_recueilli": "consent_method", "date_consentement": "consent_date", "partenaires_partage": "consent_partners",
    ]

    /// What an export calls each column, in French and English: the reader takes either, as
    /// well as the codes and the other spellings above.
    public static let labels: [String: (fr: String, en: String)] = [
        "case_number": ("Numéro de dossier", "Case number"),
        "member": ("Membre", "Member"),
        "relationship": ("Lien de parenté", "Relationship"),
        "given_names": ("Prénoms", "Given names"),
        "family_name": ("Nom de famille", "Family name"),
        "sex": ("Sexe", "Sex"),
        "birth_date": ("Date de naissance", "Date of birth"),
        "nationality": ("Nationalité", "Nationality"),
        "host_country": ("Pays d'accueil", "Host country"),
        "office": ("Bureau", "Office"),
        "registered_on": ("Date d'enregistrement", "Registered on"),
        "departure_date": ("Date de départ", "Departure date"),
        "arrival_date": ("Date d'arrivée", "Arrival date"),
        "status": ("Statut", "Status"),
        "origin_region": ("Région d'origine", "Region of origin"),
        "origin_department": ("Département d'origine", "Department of origin"),
        "document_type": ("Type de document", "Document type"),
        "document_number": ("Numéro de document", "Document number"),
        "vulnerabilities": ("Vulnérabilités", "Vulnerabilities"),
        "closure_reason": ("Motif de clôture", "Closure reason"),
        "phone": ("Téléphone", "Phone"),
        "languages": ("Langues", "Languages"),
        "education_level": ("Niveau d'études", "Education level"),
        "occupation": ("Profession", "Occupation"),
        "left_country_on": ("Date de départ du pays", "Left the country on"),
        "route": ("Itinéraire", "Route"),
        "stay": ("Séjour", "Stay abroad"),
        "exploitation_form": ("Forme d'exploitation", "Form of exploitation"),
        "identified_on": ("Identifié(e) le", "Identified on"),
        "identified_place": ("Lieu d'identification", "Place of identification"),
        "identified_by": ("Identifié(e) par", "Identified by"),
        "referral": ("Orientation", "Referral"),
        "medical_notes": ("Notes médicales", "Medical notes"),
        "consent_assistance": ("Consentement : assistance", "Consent: assistance"),
        "consent_sharing": ("Consentement : partage", "Consent: sharing"),
        "consent_monitoring": ("Consentement : suivi", "Consent: monitoring"),
        "consent_method": ("Consentement recueilli", "Consent obtained"),
        "consent_date": ("Date du consentement", "Consent date"),
        "consent_partners": ("Partenaires du partage", "Sharing partners"),
    ]

    /// A column's header in `language`, or its code when it has no label.
    public static func label(_ column: String, _ language: Language) -> String {
        guard let label = labels[column] else { return column }
        return language == .fr ? label.fr : label.en
    }

    private static let labelKeys: [String: String] = {
        var keys: [String: String] = [:]
        for (column, label) in labels {
            keys[CSVRows.key(label.fr)] = column
            keys[CSVRows.key(label.en)] = column
        }
        return keys
    }()

    /// The column a header names, or nil.
    public static func column(forHeader header: String) -> String? {
        let key = CSVRows.key(header)
        if columns.contains(key) || protectedColumns.contains(key) { return key }
        return aliases[key] ?? labelKeys[key]
    }

    /// Validates a whole file and groups its rows into households. `today` bounds dates.
    public static func plan(text: String, today: Day) throws(TabularFileError) -> CaseImportPlan {
        try plan(data: Data(text.utf8), today: today)
    }

    /// Validates a file held in memory (an upload) and groups its rows into households.
    public static func plan(data: Data, today: Day) throws(TabularFileError) -> CaseImportPlan {
        let reader: CSVStream
        do { reader = try CSVStream(data: data) } catch { throw .reading(error, line: 1) }
        var stream = try CaseImportStream(reader: reader, today: today)
        var cases: [ImportedCase] = []
        var issues: [ImportIssue] = []
        var positionByNumber: [CaseNumber: Int] = [:]
        while let batch = try stream.nextBatch(households: 1_000) {
            issues += batch.issues
            for household in batch.cases {
                // A household whose rows are apart in the file is one household.
                if let number = household.caseNumber, let position = positionByNumber[number] {
                    cases[position].join(household)
                } else {
                    if let number = household.caseNumber { positionByNumber[number] = cases.count }
                    cases.append(household)
                }
            }
        }
        issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        return CaseImportPlan(cases: cases, issues: issues, rowCount: stream.rowCount)
    }

    struct RowIssues: Error { var issues: [ImportIssue] }

    static func readRow(_ cells: [String], index: [String: Int], line: Int, today: Day) -> Result<ReadRow, RowIssues> {
        var issues: [ImportIssue] = []
        let cells = cells.map(\.trimmedWhitespace)
        func cell(_ column: String) -> String {
            guard let position = index[column], position < cells.count else { return "" }
            return cells[position]
        }
        func fail(_ column: String, _ code: String) { issues.append(ImportIssue(line: line, column: column, code: code, value: cell(column))) }
        func day(_ column: String, required: Bool = false) -> Day? {
            let text = cell(column)
            if text.isEmpty { if required { fail(column, "case.error.required") }; return nil }
            guard let value = Day(iso: text) else { fail(column, "import.error.date_format"); return nil }
            if value > today { fail(column, "case.error.date_in_future") }
            return value
        }
        func code<T: CaseCode>(_ column: String, _ type: T.Type, default fallback: T? = nil) -> T? {
            let text = cell(column)
            if text.isEmpty {
                if fallback == nil { fail(column, "case.error.required") }
                return fallback
            }
            guard let value = T(code: text) else { fail(column, "import.error.unknown_code"); return nil }
            return value
        }
        func country(_ column: String) -> String {
            let text = cell(column).uppercased()
            if text.isEmpty { fail(column, "case.error.required") } else if !Countries.isKnown(text) { fail(column, "case.error.unknown_country") }
            return text
        }

        var number: CaseNumber?
        let numberText = cell("case_number")
        if !numberText.isEmpty {
            number = CaseNumber(numberText)
            if number == nil { fail("case_number", "import.error.case_number_format") }
        }
        let memberNumber = Int(cell("member")).flatMap { (1...99).contains($0) ? $0 : nil }
        if memberNumber == nil { fail("member", "import.error.member_number") }
        let relationship = code("relationship", Relationship.self, default: memberNumber == 1 ? .principal : .other)
        let sex = code("sex", Sex.self)
        let birthText = cell("birth_date")
        var birth: BirthDate?
        if !birthText.isEmpty {
            birth = BirthDate(text: birthText)
            if birth == nil { fail("birth_date", "import.error.birth_date_format") }
        }
        let nationality = country("nationality")
        let hostCountry = country("host_country")
        let office = country("office")
        let registeredOn = day("registered_on", required: true)
        let departure = day("departure_date")
        let arrival = day("arrival_date")
        let status = code("status", CaseStatus.self, default: .registered)
        var closure: ClosureReason?
        if !cell("closure_reason").isEmpty { closure = code("closure_reason", ClosureReason.self) }
        if status == .closed, closure == nil { closure = .other }
        let documentType = code("document_type", DocumentType.self, default: DocumentType.none)
        let vulnerabilityList = Vulnerability.parseList(cell("vulnerabilities"))
        if !vulnerabilityList.unknown.isEmpty { fail("vulnerabilities", "import.error.unknown_vulnerability") }
        let education = cell("education_level").isEmpty ? nil : code("education_level", EducationLevel.self)
        let stay = cell("stay").isEmpty ? nil : code("stay", HostCountryStay.self)
        let leftOn = day("left_country_on")
        let route = cell("route").split(whereSeparator: { $0 == "|" || $0 == ";" || $0 == "," || $0 == " " }).map(String.init)

        let protected = protectedDetails(cell, index: index, fail: fail, day: { day($0) })

        // Every problem of a row is reported at once: the rules that join fields run on what
        // could be read, and say nothing of a field already found wrong.
        let failed = Set(issues.map(\.column))
        if let registeredOn, let status, failed.isDisjoint(with: ["registered_on", "departure_date", "arrival_date", "status"]),
           let problem = CaseStateMachine.datesProblem(status: status, registeredOn: registeredOn, departure: departure, arrival: arrival) {
            fail(problem.field, problem.rawValue)
        }
        var member = MemberDraft(
            memberNumber: memberNumber ?? 0, relationship: relationship ?? .other, givenNames: cell("given_names"), familyName: cell("family_name"),
            sex: sex ?? .female, birthDate: birth, nationality: nationality, documentType: documentType ?? .none,
            documentNumber: failed.contains("document_type") ? nil : cell("document_number"),
            phone: cell("phone"), languages: cell("languages"), originRegion: cell("origin_region"), originDepartment: cell("origin_department"),
            educationLevel: education, occupation: cell("occupation"), leftCountryOn: leftOn, route: route, stay: stay,
            vulnerabilities: vulnerabilityList.known)
        member.consent = consentAnswers(cell, fail: fail, day: { day($0) }, birth: birth, today: today)
        for issue in MemberRules.check(&member, registeredOn: failed.contains("registered_on") ? nil : registeredOn)
        where !failed.contains(issue.field) && !(issue.field == "document_number" && failed.contains("document_type")) {
            issues.append(ImportIssue(line: line, column: issue.field, code: issue.code, value: cell(issue.field)))
        }
        guard issues.isEmpty, memberNumber != nil, relationship != nil, sex != nil, let registeredOn, let status, documentType != nil else {
            return .failure(RowIssues(issues: issues))
        }
        let fields = CaseFields(hostCountry: hostCountry, office: office, registeredOn: registeredOn, departureDate: departure,
                                arrivalDate: arrival, status: status, closureReason: closure)
        return .success(ReadRow(number: number, fields: fields, member: member, protected: protected))
    }

    /// A row read whole: its household fields, its member, and the member's protected details
    /// when the file has those columns and they hold something.
    struct ReadRow {
        var number: CaseNumber?
        var fields: CaseFields
        var member: MemberDraft
        var protected: ProtectedDraft?
    }

    /// The consent columns of a row, nil when they are all empty. `withdrawn` is a consent given
    /// and withdrawn on the consent date. Partners are the acronyms the file names (the writer
    /// finds the institutions).
    private static func consentAnswers(_ cell: (String) -> String, fail: (String, String) -> Void, day: (String) -> Day?,
                                       birth: BirthDate?, today: Day) -> [ConsentDraft]? {
        let purposes: [(ConsentPurpose, String)] = [(.assistance, "consent_assistance"), (.sharing, "consent_sharing"), (.monitoring, "consent_monitoring")]
        guard consentColumns.contains(where: { !cell($0).isEmpty }) else { return nil }
        let method = cell("consent_method").isEmpty ? nil : ConsentMethod(code: cell("consent_method"))
        if !cell("consent_method").isEmpty, method == nil { fail("consent_method", "import.error.unknown_code") }
        let date = day("consent_date")
        let partners = cell("consent_partners").split(whereSeparator: { $0 == "|" || $0 == ";" || $0 == "," || $0 == " " }).map { String($0).uppercased() }
        var drafts: [ConsentDraft] = []
        for (purpose, column) in purposes {
            let text = CSVRows.key(cell(column))
            guard !text.isEmpty else { continue }
            let answer: ConsentAnswer?
            var withdrawn = false
            switch text {
            case "given", "donne", "oui", "yes": answer = .given
            case "refused", "refuse", "non", "no": answer = .refused
            case "withdrawn", "retire": answer = .given; withdrawn = true
            default: answer = nil; fail(column, "import.error.unknown_code")
            }
            guard let answer else { continue }
            var draft = ConsentDraft(purpose: purpose, answer: answer, method: method, recordedOn: date,
                                     partners: purpose == .sharing ? partners : [])
            if withdrawn { draft.withdrawnOn = date }
            let columns = ["answer": column, "method": "consent_method", "recorded_on": "consent_date", "partners": "consent_partners"]
            for issue in ConsentRules.check(draft, today: today, registeredOn: nil, birth: birth) where issue.code != "case.error.date_in_future" {
                fail(columns[issue.field] ?? column, issue.code)
            }
            drafts.append(draft)
        }
        if drafts.isEmpty, !partners.isEmpty { fail("consent_partners", "consent.error.partners_only_for_sharing") }
        return drafts
    }

    /// The protected columns of a row (trafficking details, medical notes), nil when the file
    /// has none or they are all empty.
    private static func protectedDetails(_ cell: (String) -> String, index: [String: Int], fail: (String, String) -> Void,
                                         day: (String) -> Day?) -> ProtectedDraft? {
        guard protectedColumns.contains(where: { index[$0] != nil }) else { return nil }
        let details = ProtectedDraft(
            exploitationForm: cell("exploitation_form").nilIfEmpty, identifiedOn: day("identified_on"),
            identifiedPlace: cell("identified_place").nilIfEmpty, identifiedBy: cell("identified_by").nilIfEmpty,
            referral: cell("referral").nilIfEmpty, medicalNotes: cell("medical_notes").nilIfEmpty)
        return details.isEmpty ? nil : details
    }

    /// A row whose household fields differ from the first row of its case.
    static func conflict(_ household: ImportedCase, _ fields: CaseFields, line: Int) -> ImportIssue? {
        let first = household.fields
        let checks: [(String, Bool, String)] = [
            ("host_country", first.hostCountry == fields.hostCountry, fields.hostCountry),
            ("office", first.office == fields.office, fields.office),
            ("registered_on", first.registeredOn == fields.registeredOn, fields.registeredOn.iso),
            ("departure_date", first.departureDate == fields.departureDate, fields.departureDate?.iso ?? ""),
            ("arrival_date", first.arrivalDate == fields.arrivalDate, fields.arrivalDate?.iso ?? ""),
            ("status", first.status == fields.status, fields.status.rawValue),
        ]
        guard let mismatch = checks.first(where: { !$0.1 }) else { return nil }
        return ImportIssue(line: line, column: mismatch.0, code: "import.error.household_mismatch", value: mismatch.2)
    }
}

/// Households of a case file as they are read, a batch at a time, so that a file of any size
/// is validated and written with memory that does not grow with it. Rows of a household are
/// usually together; when a case number comes back later in the file, its rows are checked
/// against the first ones and given as a second part of the same household.
public struct CaseImportStream {
    private var reader: CSVStream
    private let index: [String: Int]
    private let today: Day
    /// Rows read so far (the header not counted).
    public private(set) var rowCount = 0
    private var line = 1
    private var pending: ImportedCase?
    private var pendingIsUnnumbered = false
    /// What was read of each numbered household: its fields and the member numbers seen,
    /// packed into 40 bytes, since a file may hold a million households.
    private var seen: [Int64: (fields: PackedFields, members: MemberSet)] = [:]

    /// A case number as one integer: three letters, the year and the sequence.
    public static func key(_ number: CaseNumber) -> Int64 {
        var value: Int64 = 0
        for byte in number.office.utf8.prefix(3) { value = value << 8 | Int64(byte) }
        return value << 32 | Int64(number.year) << 17 | Int64(number.sequence)
    }

    /// The household fields of a row in 24 bytes.
    struct PackedFields {
        var host: UInt32
        var office: UInt32
        var registered: Int32
        var departure: Int32
        var arrival: Int32
        var status: UInt8
        var closure: UInt8

        init(_ fields: CaseFields) {
            func letters(_ text: String) -> UInt32 { text.utf8.prefix(4).reduce(0) { $0 << 8 | UInt32($1) } }
            func day(_ day: Day?) -> Int32 { day.map { Int32($0.year * 10_000 + $0.month * 100 + $0.day) } ?? 0 }
            host = letters(fields.hostCountry)
            office = letters(fields.office)
            registered = day(fields.registeredOn)
            departure = day(fields.departureDate)
            arrival = day(fields.arrivalDate)
            status = UInt8(CaseStatus.allCases.firstIndex(of: fields.status) ?? 0)
            closure = fields.closureReason.flatMap { ClosureReason.allCases.firstIndex(of: $0) }.map(UInt8.init) ?? .max
        }

        var fields: CaseFields {
            func letters(_ value: UInt32) -> String {
                String(decoding: stride(from: 24, through: 0, by: -8).map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }.filter { $0 != 0 }, as: UTF8.self)
            }
            func day(_ value: Int32) -> Day? { value == 0 ? nil : Day(year: Int(value / 10_000), month: Int(value / 100 % 100), day: Int(value % 100)) }
            return CaseFields(hostCountry: letters(host), office: letters(office), registeredOn: day(registered) ?? Day(year: 1900, month: 1, day: 1)!,
                              departureDate: day(departure), arrivalDate: day(arrival), status: CaseStatus.allCases[Int(status)],
                              closureReason: closure == .max ? nil : ClosureReason.allCases[Int(closure)])
        }
    }
    /// The highest number read for each office and year.
    public private(set) var highestNumbers: [String: CaseNumber] = [:]

    /// Member numbers 1–127 as bits.
    struct MemberSet {
        var low: UInt64 = 0
        var high: UInt64 = 0
        func contains(_ number: Int) -> Bool { number < 64 ? low & (1 << number) != 0 : high & (1 << (number - 64)) != 0 }
        mutating func insert(_ number: Int) { if number < 64 { low |= 1 << number } else { high |= 1 << (number - 64) } }
    }

    /// The original line of each record when the file is read in another order (`CaseFileOrder`).
    private let originalLines: [Int32]?

    public init(reader: CSVStream, today: Day, originalLines: [Int32]? = nil) throws(TabularFileError) {
        self.reader = reader
        self.today = today
        self.originalLines = originalLines
        let header: [String]
        do {
            guard let first = try self.reader.next() else { throw TabularFileError.empty }
            header = first.map { $0.trimmingCharacters(in: CharacterSet.whitespaces) }
        } catch { throw .reading(error, line: 1) }
        var index: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            if let known = CaseImportReader.column(forHeader: name), index[known] == nil { index[known] = position }
        }
        let missing = CaseImportReader.required.subtracting(index.keys).sorted()
        if !missing.isEmpty { throw .missingColumns(missing) }
        self.index = index
        protectedColumns = CaseImportReader.protectedColumns.filter { index[$0] != nil }
    }

    /// The protected columns the file has (trafficking details, medical notes).
    public let protectedColumns: [String]

    /// The next households (at least one unless the file has ended) and the rows rejected
    /// while reading them; nil once the file is read.
    public mutating func nextBatch(households limit: Int) throws(TabularFileError) -> (cases: [ImportedCase], issues: [ImportIssue])? {
        var cases: [ImportedCase] = []
        var issues: [ImportIssue] = []
        while cases.count < limit {
            let cells: [String]?
            do { cells = try reader.next() } catch { throw .reading(error, line: line + 1) }
            guard let cells else {
                if reader.failed { throw .malformed(line: line + 1) }
                if finished { return nil }
                finished = true
                if let pending { cases.append(pending); self.pending = nil }
                return (cases, issues)
            }
            line += 1
            rowCount += 1
            if cells.allSatisfy({ $0.trimmedWhitespace.isEmpty }) { continue }
            let at = originalLines.flatMap { rowCount <= $0.count ? Int($0[rowCount - 1]) : nil } ?? line
            switch CaseImportReader.readRow(cells, index: index, line: at, today: today) {
            case .failure(let rowIssues): issues += rowIssues.issues
            case .success(let row):
                if let household = add(row, line: at, issues: &issues) {
                    cases.append(household)
                }
            }
        }
        return (cases, issues)
    }

    private var finished = false

    /// Adds a valid row; returns a household that is complete.
    private mutating func add(_ row: CaseImportReader.ReadRow, line: Int, issues: inout [ImportIssue]) -> ImportedCase? {
        let number = row.number, fields = row.fields, member = row.member
        let protected = row.protected.map { [member.memberNumber: $0] } ?? [:]
        if let number { CaseNumber.keepHighest(number, in: &highestNumbers) }
        // A row of the household being read.
        if var household = pending, joins(household, number: number, member: member) {
            if let issue = CaseImportReader.conflict(household, fields, line: line) { issues.append(issue); return nil }
            if household.members.contains(where: { $0.memberNumber == member.memberNumber }) {
                issues.append(ImportIssue(line: line, column: "member", code: "import.error.duplicate_member", value: String(member.memberNumber)))
                return nil
            }
            household.members.append(member)
            household.lines.append(line)
            household.protectedDetails.merge(protected) { first, _ in first }
            pending = household
            if let number { seen[Self.key(number)]?.members.insert(member.memberNumber) }
            return nil
        }
        let complete = pending
        pending = nil
        // A row of a numbered household read earlier in the file.
        if let number, var earlier = seen[Self.key(number)] {
            let first = ImportedCase(caseNumber: number, fields: earlier.fields.fields, members: [], lines: [])
            if let issue = CaseImportReader.conflict(first, fields, line: line) { issues.append(issue); return complete }
            if earlier.members.contains(member.memberNumber) {
                issues.append(ImportIssue(line: line, column: "member", code: "import.error.duplicate_member", value: String(member.memberNumber)))
                return complete
            }
            earlier.members.insert(member.memberNumber)
            seen[Self.key(number)] = earlier
            pending = ImportedCase(caseNumber: number, fields: earlier.fields.fields, members: [member], lines: [line], protectedDetails: protected)
            pendingIsUnnumbered = false
            return complete
        }
        pending = ImportedCase(caseNumber: number, fields: fields, members: [member], lines: [line], protectedDetails: protected)
        pendingIsUnnumbered = number == nil
        if let number {
            var members = MemberSet()
            members.insert(member.memberNumber)
            seen[Self.key(number)] = (PackedFields(fields), members)
        }
        return complete
    }

    /// Whether a row belongs to the household being read: the same number, or no number and
    /// not member 1 after a household without number.
    private func joins(_ household: ImportedCase, number: CaseNumber?, member: MemberDraft) -> Bool {
        if let number { return household.caseNumber == number }
        return pendingIsUnnumbered && member.memberNumber != 1
    }
}
