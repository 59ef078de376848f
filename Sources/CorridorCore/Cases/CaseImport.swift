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

    public init(caseNumber: CaseNumber?, fields: CaseFields, members: [MemberDraft], lines: [Int]) {
        self.caseNumber = caseNumber
        self.fields = fields
        self.members = members
        self.lines = lines
    }
}

/// A rejected row: the line, the column at fault, a catalogue key for the reason, the value read.
public struct ImportIssue: Sendable, Equatable, Hashable {
    public var line: Int
    public var column: String
    public var code: String
    public var value: String

    public init(line: Int, column: String, code: String, value: String) {
        self.line = line
        self.column = column
        self.code = code
        self.value = value
    }
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

public enum CaseImportError: Error, Sendable, Equatable {
    case empty
    case missingColumns([String])
    case malformed(line: Int)
}

/// Reads the canonical case template: one row per member, households grouped by case number.
public enum CaseImportReader {
    /// The template's columns, in order; the first 19 are those of the template, the others optional.
    public static let columns: [String] = [
        "case_number", "member", "relationship", "given_names", "family_name", "sex", "birth_date", "nationality",
        "host_country", "office", "registered_on", "departure_date", "arrival_date", "status", "origin_region",
        "origin_department", "document_type", "document_number", "vulnerabilities",
        "closure_reason", "phone", "languages", "education_level", "occupation", "left_country_on", "route", "stay",
    ]

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
    ]

    /// The column a header names, or nil.
    public static func column(forHeader header: String) -> String? {
        let key = CSVRows.key(header)
        if columns.contains(key) { return key }
        return aliases[key]
    }

    /// Text of a file: UTF-8 (with or without byte-order mark), else Windows-1252 as French
    /// spreadsheet software saves it.
    public static func text(of data: Data) -> String {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(data: bytes, encoding: .utf8) { return text }
        return String(data: bytes, encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// `;` when the header line has more semicolons than commas, else `,`.
    public static func delimiter(of text: String) -> UnicodeScalar {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r" }
        let semicolons = firstLine.filter { $0 == ";" }.count
        let commas = firstLine.filter { $0 == "," }.count
        return semicolons > commas ? ";" : ","
    }

    /// Validates a whole file and groups its rows into households. `today` bounds dates.
    public static func plan(text: String, today: Day) throws(CaseImportError) -> CaseImportPlan {
        let reader = try CSVRows(text)
        let index = reader.positions(column(forHeader:))
        let missing = required.subtracting(index.keys).sorted()
        if !missing.isEmpty { throw .missingColumns(missing) }

        var issues: [ImportIssue] = []
        var rows: [(line: Int, number: CaseNumber?, fields: CaseFields, member: MemberDraft)] = []
        var line = 1
        while let cells = reader.next() {
            line += 1
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            let result = readRow(cells, index: index, line: line, today: today)
            switch result {
            case .success(let row): rows.append((line, row.0, row.1, row.2))
            case .failure(let rowIssues): issues += rowIssues.issues
            }
        }
        if reader.failed { throw .malformed(line: line + 1) }
        let rowCount = line - 1

        // Group into households: by case number; rows without one start a new household at
        // member 1 and are joined by the following numberless rows.
        var cases: [ImportedCase] = []
        var positionByNumber: [CaseNumber: Int] = [:]
        var currentUnnumbered: Int?
        for row in rows {
            let position: Int?
            if let number = row.number {
                currentUnnumbered = nil
                position = positionByNumber[number]
            } else {
                position = row.member.memberNumber == 1 ? nil : currentUnnumbered
            }
            if let position {
                var household = cases[position]
                if let issue = conflict(household, row.fields, line: row.line) {
                    issues.append(issue)
                    continue
                }
                if household.members.contains(where: { $0.memberNumber == row.member.memberNumber }) {
                    issues.append(ImportIssue(line: row.line, column: "member", code: "import.error.duplicate_member", value: String(row.member.memberNumber)))
                    continue
                }
                household.members.append(row.member)
                household.lines.append(row.line)
                cases[position] = household
            } else {
                cases.append(ImportedCase(caseNumber: row.number, fields: row.fields, members: [row.member], lines: [row.line]))
                if let number = row.number { positionByNumber[number] = cases.count - 1 } else { currentUnnumbered = cases.count - 1 }
            }
        }
        issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        return CaseImportPlan(cases: cases, issues: issues, rowCount: rowCount)
    }

    struct RowIssues: Error { var issues: [ImportIssue] }

    private static func readRow(_ cells: [String], index: [String: Int], line: Int, today: Day)
        -> Result<(CaseNumber?, CaseFields, MemberDraft), RowIssues> {
        var issues: [ImportIssue] = []
        func cell(_ column: String) -> String {
            guard let position = index[column], position < cells.count else { return "" }
            return cells[position].trimmingCharacters(in: .whitespacesAndNewlines)
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

        if let registeredOn, let status, issues.isEmpty,
           let problem = CaseStateMachine.datesProblem(status: status, registeredOn: registeredOn, departure: departure, arrival: arrival) {
            fail(problem.field, problem.rawValue)
        }

        guard issues.isEmpty, let memberNumber, let relationship, let sex, let registeredOn, let status, let documentType else {
            return .failure(RowIssues(issues: issues))
        }
        var member = MemberDraft(
            memberNumber: memberNumber, relationship: relationship, givenNames: cell("given_names"), familyName: cell("family_name"),
            sex: sex, birthDate: birth, nationality: nationality, documentType: documentType, documentNumber: cell("document_number"),
            phone: cell("phone"), languages: cell("languages"), originRegion: cell("origin_region"), originDepartment: cell("origin_department"),
            educationLevel: education, occupation: cell("occupation"), leftCountryOn: leftOn, route: route, stay: stay,
            vulnerabilities: vulnerabilityList.known)
        for issue in MemberRules.check(&member, registeredOn: registeredOn) {
            issues.append(ImportIssue(line: line, column: issue.field, code: issue.code, value: cell(issue.field)))
        }
        guard issues.isEmpty else { return .failure(RowIssues(issues: issues)) }
        let fields = CaseFields(hostCountry: hostCountry, office: office, registeredOn: registeredOn, departureDate: departure,
                                arrivalDate: arrival, status: status, closureReason: closure)
        return .success((number, fields, member))
    }

    /// A row whose household fields differ from the first row of its case.
    private static func conflict(_ household: ImportedCase, _ fields: CaseFields, line: Int) -> ImportIssue? {
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
