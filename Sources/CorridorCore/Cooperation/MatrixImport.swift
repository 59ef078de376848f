import Foundation

/// An institution as the importers match it: by acronym, or by its full name.
public struct InstitutionReference: Sendable, Equatable {
    public var id: String
    public var acronym: String
    public var name: String

    public init(id: String, acronym: String, name: String) {
        self.id = id
        self.acronym = acronym
        self.name = name
    }
}

/// One action read from a matrix file.
public struct ImportedAction: Sendable, Equatable {
    public var line: Int
    public var code: String
    public var axis: String
    public var description: String
    public var leadID: String
    public var partnerIDs: [String]
    public var startDate: Day?
    public var deadline: Day?
    public var indicator: String?
    public var baseline: String?
    public var target: String?
    public var budget: Decimal?
    public var currency: Currency?
    public var fundingSource: String?
    public var status: ActionStatus
    public var progress: Int
}

public struct MatrixImportPlan: Sendable, Equatable {
    public var actions: [ImportedAction]
    public var issues: [ImportIssue]
    public var rowCount: Int
}

/// Reads the canonical matrix template: one row per action.
public enum MatrixImportReader {
    public static let columns = [
        "code", "axis", "action", "lead_institution", "partner_institutions", "start_date", "deadline", "indicator",
        "baseline", "target", "budget", "currency", "funding_source", "status", "progress",
    ]
    static let required: Set<String> = ["code", "axis", "action", "lead_institution"]
    static let aliases: [String: String] = [
        "axe": "axis", "axe_strategique": "axis", "objectif": "axis", "action_prevue": "action", "activite": "action",
        "institution_chef_de_file": "lead_institution", "chef_de_file": "lead_institution", "responsable": "lead_institution",
        "institution_responsable": "lead_institution", "partenaires": "partner_institutions", "institutions_partenaires": "partner_institutions",
        "date_de_debut": "start_date", "debut": "start_date", "date_debut": "start_date", "echeance": "deadline", "date_limite": "deadline",
        "indicateur": "indicator", "valeur_de_reference": "baseline", "reference": "baseline", "cible": "target", "valeur_cible": "target",
        "devise": "currency", "source_de_financement": "funding_source", "financement": "funding_source", "statut": "status",
        "progression": "progress", "avancement": "progress",
    ]

    /// What an export calls each column; both languages fold to names the reader knows.
    public static let labels: [String: (fr: String, en: String)] = [
        "code": ("Code", "Code"),
        "axis": ("Axe", "Axis"),
        "action": ("Action", "Action"),
        "lead_institution": ("Institution chef de file", "Lead institution"),
        "partner_institutions": ("Institutions partenaires", "Partner institutions"),
        "start_date": ("Date de début", "Start date"),
        "deadline": ("Échéance", "Deadline"),
        "indicator": ("Indicateur", "Indicator"),
        "baseline": ("Valeur de référence", "Baseline"),
        "target": ("Cible", "Target"),
        "budget": ("Budget", "Budget"),
        "currency": ("Devise", "Currency"),
        "funding_source": ("Source de financement", "Funding source"),
        "status": ("Statut", "Status"),
        "progress": ("Progression", "Progress"),
    ]

    public static func label(_ column: String, _ language: Language) -> String {
        labels[column].map { language == .fr ? $0.fr : $0.en } ?? column
    }

    public static func column(forHeader header: String) -> String? {
        let key = CSVRows.key(header)
        if columns.contains(key) { return key }
        return aliases[key]
    }

    /// Validates a whole file against the known institutions.
    public static func plan(text: String, institutions: [InstitutionReference]) throws(TabularFileError) -> MatrixImportPlan {
        let reader = try CSVRows(text)
        let index = reader.positions(column(forHeader:))
        let missing = required.subtracting(index.keys).sorted()
        if !missing.isEmpty { throw .missingColumns(missing) }

        var byKey: [String: InstitutionReference] = [:]
        for institution in institutions {
            byKey[SearchText.fold(institution.acronym)] = institution
            byKey[SearchText.fold(institution.name)] = institution
        }
        var actions: [ImportedAction] = []
        var issues: [ImportIssue] = []
        var codes: Set<String> = []
        var line = 1
        while let cells = reader.next() {
            line += 1
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            func cell(_ column: String) -> String {
                guard let position = index[column], position < cells.count else { return "" }
                return cells[position].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            var rowIssues: [ImportIssue] = []
            func fail(_ column: String, _ code: String, _ value: String? = nil) {
                rowIssues.append(ImportIssue(line: line, column: column, code: code, value: value ?? cell(column)))
            }
            let code = cell("code")
            if code.isEmpty { fail("code", "case.error.required") } else if codes.contains(code) { fail("code", "matrix.error.duplicate_code") }
            codes.insert(code)
            if cell("axis").isEmpty { fail("axis", "case.error.required") }
            if cell("action").isEmpty { fail("action", "case.error.required") }
            let lead = byKey[SearchText.fold(cell("lead_institution"))]
            if cell("lead_institution").isEmpty { fail("lead_institution", "case.error.required") } else if lead == nil { fail("lead_institution", "matrix.error.unknown_institution") }
            var partners: [String] = []
            for name in cell("partner_institutions").split(whereSeparator: { $0 == "|" || $0 == ";" }).map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                if let partner = byKey[SearchText.fold(name)] {
                    if partner.id != lead?.id, !partners.contains(partner.id) { partners.append(partner.id) }
                } else {
                    fail("partner_institutions", "matrix.error.unknown_institution", name)
                }
            }
            func day(_ column: String) -> Day? {
                let text = cell(column)
                guard !text.isEmpty else { return nil }
                guard let value = Day(iso: text) else { fail(column, "import.error.date_format"); return nil }
                return value
            }
            let start = day("start_date")
            let deadline = day("deadline")
            if let start, let deadline, deadline < start { fail("deadline", "matrix.error.deadline_before_start") }
            var budget: Decimal?
            if !cell("budget").isEmpty {
                let normalised = cell("budget").replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "")
                    .replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: ",", with: ".")
                if let value = Decimal(string: normalised), value >= 0 { budget = value } else { fail("budget", "case.error.amount_format") }
            }
            var currency: Currency?
            if !cell("currency").isEmpty {
                currency = Currency(code: cell("currency"))
                if currency == nil { fail("currency", "import.error.unknown_code") }
            }
            if budget != nil, currency == nil, cell("currency").isEmpty { fail("currency", "case.error.amount_and_currency") }
            var status = ActionStatus.notStarted
            if !cell("status").isEmpty {
                if let value = ActionStatus(code: cell("status")) { status = value } else { fail("status", "import.error.unknown_code") }
            }
            var progress = 0
            if !cell("progress").isEmpty {
                let text = cell("progress").replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)
                if let value = Int(text), (0...100).contains(value) { progress = value } else { fail("progress", "matrix.error.progress") }
            }
            if status == .completed, cell("progress").isEmpty { progress = 100 }
            guard rowIssues.isEmpty, let lead else { issues += rowIssues; continue }
            actions.append(ImportedAction(
                line: line, code: code, axis: cell("axis"), description: cell("action"), leadID: lead.id, partnerIDs: partners,
                startDate: start, deadline: deadline, indicator: cell("indicator").nilIfEmpty, baseline: cell("baseline").nilIfEmpty,
                target: cell("target").nilIfEmpty, budget: budget, currency: currency, fundingSource: cell("funding_source").nilIfEmpty,
                status: status, progress: progress))
        }
        if reader.failed { throw .malformed(line: line + 1) }
        return MatrixImportPlan(actions: actions, issues: issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) }, rowCount: line - 1)
    }
}

/// One institution read from an institutions file (`acronym, name, country, kind`).
public struct ImportedInstitution: Sendable, Equatable {
    public var line: Int
    public var acronym: String
    public var name: String
    public var country: String
    public var kind: InstitutionKind
}

public enum InstitutionImportReader {
    static let aliases: [String: String] = ["sigle": "acronym", "nom": "name", "pays": "country", "type": "kind", "categorie": "kind"]

    /// The columns of an institutions file, in order, and what an export calls them.
    public static let columns = ["acronym", "name", "country", "kind"]
    public static let labels: [String: (fr: String, en: String)] = [
        "acronym": ("Sigle", "Acronym"), "name": ("Nom", "Name"), "country": ("Pays", "Country"), "kind": ("Type", "Kind"),
    ]

    public static func label(_ column: String, _ language: Language) -> String {
        labels[column].map { language == .fr ? $0.fr : $0.en } ?? column
    }

    public static func plan(text: String) throws(TabularFileError) -> (institutions: [ImportedInstitution], issues: [ImportIssue], rowCount: Int) {
        let reader = try CSVRows(text)
        let index = reader.positions { name in
            let key = CSVRows.key(name)
            return ["acronym", "name", "country", "kind"].contains(key) ? key : aliases[key]
        }
        let missing = Set(["acronym", "name", "country", "kind"]).subtracting(index.keys).sorted()
        if !missing.isEmpty { throw .missingColumns(missing) }
        var result: [ImportedInstitution] = []
        var issues: [ImportIssue] = []
        var seen: Set<String> = []
        var line = 1
        while let cells = reader.next() {
            line += 1
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            func cell(_ column: String) -> String {
                guard let position = index[column], position < cells.count else { return "" }
                return cells[position].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            var rowIssues: [ImportIssue] = []
            let acronym = cell("acronym").uppercased()
            if acronym.isEmpty { rowIssues.append(ImportIssue(line: line, column: "acronym", code: "case.error.required", value: "")) }
            else if seen.contains(acronym) { rowIssues.append(ImportIssue(line: line, column: "acronym", code: "matrix.error.duplicate_code", value: acronym)) }
            if cell("name").isEmpty { rowIssues.append(ImportIssue(line: line, column: "name", code: "case.error.required", value: "")) }
            let country = cell("country").uppercased()
            if !Countries.isKnown(country) { rowIssues.append(ImportIssue(line: line, column: "country", code: "case.error.unknown_country", value: cell("country"))) }
            let kind = InstitutionKind(rawValue: SearchText.fold(cell("kind")).replacingOccurrences(of: " ", with: "_"))
            if kind == nil { rowIssues.append(ImportIssue(line: line, column: "kind", code: "import.error.unknown_code", value: cell("kind"))) }
            guard rowIssues.isEmpty, let kind else { issues += rowIssues; continue }
            seen.insert(acronym)
            result.append(ImportedInstitution(line: line, acronym: acronym, name: cell("name"), country: country, kind: kind))
        }
        return (result, issues, line - 1)
    }
}
