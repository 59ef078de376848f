import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The indicator engine's database side: every figure is counted by the database.
struct IndicatorQueries: Sendable {
    let database: any Database
    /// Keeps summary answers between requests (nil: always read).
    var cache: SummaryCache? = nil
    /// Today: a period that ends today or later is open-ended for the summary, since no date
    /// of a case may be in the future (nil: periods must end on a month's last day).
    var today: Day? = nil

    var sql: any SQLDatabase { get throws { try database.sqlDatabase } }

    struct Figure: Sendable {
        var value: Double
        var n: Int?
        var choiceLabel: String?
    }

    /// Age at arrival from the stored birth date (or 1 July of an estimated year).
    static let ageAtArrival: SQLQueryString = """
        (CAST(substr(c.arrival_date, 1, 4) AS INTEGER) - m.birth_year - CASE WHEN substr(c.arrival_date, 6, 5) < COALESCE(substr(m.birth_date, 6, 5), '07-01') THEN 1 ELSE 0 END)
        """

    static func ageCondition(_ group: String, age: SQLQueryString) -> SQLQueryString? {
        switch AgeGroup(rawValue: group) {
        case .under18?: return age + " < 18"
        case .from18to24?: return age + " BETWEEN 18 AND 24"
        case .from25to34?: return age + " BETWEEN 25 AND 34"
        case .from35to49?: return age + " BETWEEN 35 AND 49"
        case .over50?: return age + " >= 50"
        case nil: return nil
        }
    }

    /// Member-level conditions (`m` members, `c` cases).
    private func memberConditions(_ filters: FigureFilters, includeAge: Bool = true) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        if let nationality = filters.nationality { conditions.append("m.nationality = \(bind: nationality.uppercased())") }
        if let sex = filters.sex { conditions.append("m.sex = \(bind: Self.sexCode(sex))") }
        if let region = filters.region { conditions.append("m.origin_region = \(bind: CoteDIvoire.region(named: region)?.name ?? region)") }
        if let vulnerability = filters.vulnerability.flatMap({ Vulnerability(code: $0) }) {
            conditions.append("m.vulnerabilities LIKE \(bind: "%|\(vulnerability.rawValue)|%")")
        }
        if includeAge, let group = filters.ageGroup, let condition = Self.ageCondition(group, age: Self.ageAtArrival) { conditions.append(condition) }
        return conditions
    }

    private func caseConditions(_ filters: FigureFilters) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        if let host = filters.hostCountry { conditions.append("c.host_country = \(bind: host.uppercased())") }
        if let office = filters.office { conditions.append("c.office = \(bind: office.uppercased())") }
        return conditions
    }

    private func period(_ column: String, _ filters: FigureFilters) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        if let from = filters.from { conditions.append("\(unsafeRaw: column) >= \(bind: from.iso)") }
        if let to = filters.to { conditions.append("\(unsafeRaw: column) <= \(bind: to.iso)") }
        return conditions
    }

    private func count(_ base: SQLQueryString, _ conditions: [SQLQueryString]) async throws -> Int {
        struct Row: Decodable { var total: Int }
        let query = conditions.isEmpty ? base : base + " WHERE " + conditions.joined(separator: " AND ")
        return try await sql.raw(query).first(decoding: Row.self)?.total ?? 0
    }

    /// `useSummary: false` counts from the cases even when the summary could answer (tests compare both).
    func figure(_ indicator: Indicator, _ filters: FigureFilters, catalog: ProfilingCatalog? = nil, language: Language, useSummary: Bool = true) async throws -> Figure {
        if useSummary, let value = try await fromSummary(indicator, filters) { return Figure(value: Double(value)) }
        switch indicator {
        case .returns:
            let conditions: [SQLQueryString] = ["c.arrival_date IS NOT NULL"] + period("c.arrival_date", filters) + caseConditions(filters) + memberConditions(filters)
            return Figure(value: Double(try await count("SELECT COUNT(*) AS total FROM case_members m JOIN return_cases c ON c.id = m.case_id", conditions)))
        case .peopleReturned:
            // Linked records share `person_id`; a record never linked is a person of its own. So
            // the people are the returns, less the linked returns, plus the persons among them:
            // the returns come from the summary and the linked few through the person_id index,
            // never a distinct count over the caseload.
            let returns = try await figure(.returns, filters, language: language, useSummary: useSummary).value
            let conditions: [SQLQueryString] = ["m.person_id IS NOT NULL", "c.arrival_date IS NOT NULL"] + period("c.arrival_date", filters) + caseConditions(filters) + memberConditions(filters)
            // SQLite, without statistics, would read every return and probe its members (230 ms at
            // a million): it is told to start from the linked members' index.
            let members: SQLQueryString = try sql.dialect.name == "sqlite" ? "case_members m INDEXED BY case_members_person_idx" : "case_members m"
            let linked = try await count("SELECT COUNT(*) AS total FROM " + members + " JOIN return_cases c ON c.id = m.case_id", conditions)
            let persons = try await count("SELECT COUNT(DISTINCT m.person_id) AS total FROM " + members + " JOIN return_cases c ON c.id = m.case_id", conditions)
            return Figure(value: returns - Double(linked - persons))
        case .registrations:
            var conditions = period("c.registered_on", filters) + caseConditions(filters)
            let members = memberConditions(filters, includeAge: false)
            if !members.isEmpty {
                conditions.append("EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND " + members.joined(separator: " AND ") + ")")
            }
            return Figure(value: Double(try await count("SELECT COUNT(*) AS total FROM return_cases c", conditions)))
        case .casesOpen:
            let conditions: [SQLQueryString] = ["c.status NOT IN ('completed', 'closed')"] + caseConditions(filters)
            return Figure(value: Double(try await count("SELECT COUNT(*) AS total FROM return_cases c", conditions)))
        case .votIdentified:
            var vot = filters
            vot.vulnerability = "vot"
            let conditions = period("c.registered_on", filters) + caseConditions(filters) + memberConditions(vot, includeAge: false)
            return Figure(value: Double(try await count("SELECT COUNT(*) AS total FROM case_members m JOIN return_cases c ON c.id = m.case_id", conditions)))
        case .assistanceItems:
            var conditions = period("a.provided_on", filters) + caseConditions(filters)
            if let type = filters.assistanceType { conditions.append("a.assistance_type = \(bind: type)") }
            return Figure(value: Double(try await count("SELECT COUNT(*) AS total FROM case_assistance a JOIN return_cases c ON c.id = a.case_id", conditions)))
        case .profilingShare:
            guard let questionnaire = try await catalog?.questionnaire("profiling_return"),
                  let question = questionnaire.question(filters.question ?? ""), question.type.hasChoices,
                  let choice = question.allChoices.first(where: { $0.code == filters.choice }) else {
                throw Abort(.unprocessableEntity, reason: "error.unknown_question")
            }
            let profilingFilter = ProfilingFilter(question: question.code, returned_from: filters.from?.iso, returned_to: filters.to?.iso,
                                                  host_country: filters.hostCountry, sex: filters.sex, age_group: filters.ageGroup, region: filters.region)
            let summary = try await ProfilingQueries(database: database).summary(questionnaire, question: question, filter: profilingFilter, language: language)
            let figure = summary.choices.first { $0.choice == choice.code }
            return Figure(value: figure?.share ?? 0, n: summary.n, choiceLabel: choice.label.text(language))
        case .reintegrationScore:
            struct Row: Decodable { var mean: Double?; var n: Int }
            var conditions = period("i.interviewed_on", filters)
            if let host = filters.hostCountry { conditions.append("i.host_country = \(bind: host.uppercased())") }
            if let sex = filters.sex { conditions.append("i.sex = \(bind: sex)") }
            let base: SQLQueryString = "SELECT AVG(s.composite) AS mean, COUNT(*) AS n FROM reintegration_scores s JOIN interviews i ON i.id = s.interview_id"
            let query = conditions.isEmpty ? base : base + " WHERE " + conditions.joined(separator: " AND ")
            let row = try await sql.raw(query).first(decoding: Row.self)
            return Figure(value: row?.mean ?? 0, n: row?.n ?? 0)
        }
    }

    // MARK: From the summary

    /// The sex code stored for a filter value (`female` or `F`).
    static func sexCode(_ sex: String) -> String { ["female": "F", "male": "M", "other": "X"][sex] ?? sex.uppercased() }

    /// The member-level filters set, by dimension, with the values as the summary stores them.
    private func memberFilterValues(_ filters: FigureFilters) -> [String: String] {
        var values: [String: String] = [:]
        if let sex = filters.sex { values["sex"] = Self.sexCode(sex) }
        if let group = filters.ageGroup { values["age_group"] = group }
        if let region = filters.region { values["region"] = CoteDIvoire.region(named: region)?.name ?? region }
        if let nationality = filters.nationality { values["nationality"] = nationality.uppercased() }
        if let vulnerability = filters.vulnerability.flatMap(Vulnerability.init(code:)) { values["vulnerability"] = vulnerability.rawValue }
        return values
    }

    /// Conditions on `return_summary` for a slice, its period in months, host country and office.
    private func summaryConditions(_ slice: ReturnSummary.Slice, _ filters: FigureFilters) -> [SQLQueryString]? {
        var to = filters.to
        if let end = to, let today, end >= today { to = nil }
        guard let months = ReturnSummary.months(from: filters.from, to: to) else { return nil }
        var conditions: [SQLQueryString] = ["slice = \(bind: slice.rawValue)"]
        if let from = months.from { conditions.append("period >= \(bind: from)") }
        if let to = months.to { conditions.append("period <= \(bind: to)") }
        if let host = filters.hostCountry { conditions.append("host_country = \(bind: host.uppercased())") }
        if let office = filters.office { conditions.append("office = \(bind: office.uppercased())") }
        return conditions
    }

    /// A count the summary holds exactly, or nil when the figure must be counted from the cases
    /// (a period not made of whole months, or filters no slice combines).
    private func fromSummary(_ indicator: Indicator, _ filters: FigureFilters) async throws -> Int? {
        let members = memberFilterValues(filters)
        let slice: ReturnSummary.Slice
        var conditions: [SQLQueryString]
        switch indicator {
        case .returns:
            guard let chosen = ReturnSummary.Slice.forReturns(dimensions: Set(members.keys)),
                  let base = summaryConditions(chosen, filters) else { return nil }
            slice = chosen
            conditions = base
            for (dimension, value) in members.sorted(by: { $0.key < $1.key }) {
                guard let column = slice.column(for: dimension) else { return nil }
                conditions.append("\(ident: column) = \(bind: value)")
            }
        case .registrations:
            guard members.isEmpty, let base = summaryConditions(.registrations, filters) else { return nil }
            conditions = base
        case .votIdentified:
            guard members.keys.allSatisfy({ $0 == "vulnerability" }), let base = summaryConditions(.vot, filters) else { return nil }
            conditions = base
        case .casesOpen:
            guard members.isEmpty, var base = summaryConditions(.status, FigureFilters(hostCountry: filters.hostCountry, office: filters.office)) else { return nil }
            base.append("a NOT IN ('completed', 'closed')")
            conditions = base
        default:
            return nil
        }
        let query = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total FROM return_summary WHERE " + conditions.joined(separator: " AND ")
        return try await summaryRows("figure|\(indicator.rawValue)|\(filters)", query).first?.total ?? 0
    }

    /// Rows of a summary query, from the cache while the summary has not changed. The key names
    /// the question (what the query was built from), with today when periods depend on it.
    private func summaryRows(_ key: String, _ query: SQLQueryString) async throws -> [SummaryCache.SummaryRow] {
        guard let cache else { return try await sql.raw(query).all(decoding: SummaryCache.SummaryRow.self) }
        let version = try await CaseDerivedData.version(on: database)
        return try await cache.rows(key + "|\(today?.iso ?? "")", version: version) {
            try await sql.raw(query).all(decoding: SummaryCache.SummaryRow.self)
        }
    }

    /// Returns counted by two dimensions from the summary, or nil when it cannot answer.
    private func returnsTableFromSummary(by dimensions: [String], filters: FigureFilters) async throws -> [(r: String, k: String, total: Int)]? {
        let members = memberFilterValues(filters)
        guard let slice = ReturnSummary.Slice.forReturns(dimensions: Set(members.keys).union(dimensions)),
              var conditions = summaryConditions(slice, filters) else { return nil }
        for (dimension, value) in members.sorted(by: { $0.key < $1.key }) {
            guard let column = slice.column(for: dimension) else { return nil }
            conditions.append("\(ident: column) = \(bind: value)")
        }
        func expression(_ dimension: String) -> SQLQueryString? {
            switch dimension {
            case "host_country": return "host_country"
            case "year": return "substr(period, 1, 4)"
            case "month": return "period"
            case "quarter": return "substr(period, 1, 4) || '-Q' || CAST(((CAST(substr(period, 6, 2) AS INTEGER) + 2) / 3) AS TEXT)"
            default: return slice.column(for: dimension).map { "\(ident: $0)" }
            }
        }
        guard let first = expression(dimensions.first ?? "host_country") else { return nil }
        var second: SQLQueryString = "'total'"
        if dimensions.count > 1 {
            guard let expression = expression(dimensions[1]) else { return nil }
            second = expression
        }
        let query = "SELECT " + first + " AS r, " + second + " AS k, CAST(SUM(n) AS BIGINT) AS total FROM return_summary WHERE "
            + conditions.joined(separator: " AND ") + " GROUP BY 1, 2"
        return try await summaryRows("table|\(dimensions)|\(filters)", query).map { ($0.r ?? "", $0.k ?? "", $0.total) }
    }

    /// Returns counted by two dimensions, for public tables: `host_country`, `year`, `sex`,
    /// `age_group`, `region`, `nationality`.
    func returnsTable(by dimensions: [String], filters: FigureFilters, useSummary: Bool = true) async throws -> (rows: [String], columns: [String], counts: [[Int]]) {
        func expression(_ dimension: String) throws -> SQLQueryString {
            switch dimension {
            case "host_country": return "c.host_country"
            case "year": return "substr(c.arrival_date, 1, 4)"
            case "month": return "substr(c.arrival_date, 1, 7)"
            case "quarter":
                return "substr(c.arrival_date, 1, 4) || '-Q' || CAST(((CAST(substr(c.arrival_date, 6, 2) AS INTEGER) + 2) / 3) AS TEXT)"
            case "sex": return "m.sex"
            case "region": return "COALESCE(m.origin_region, '')"
            case "nationality": return "m.nationality"
            case "age_group":
                let age = Self.ageAtArrival
                return "CASE WHEN " + age + " < 18 THEN '0-17' WHEN " + age + " < 25 THEN '18-24' WHEN " + age + " < 35 THEN '25-34' WHEN " + age + " < 50 THEN '35-49' ELSE '50+' END"
            default: throw Abort(.badRequest, reason: "error.unknown_dimension")
            }
        }
        let rows: [(r: String, k: String, total: Int)]
        if useSummary, let summarised = try await returnsTableFromSummary(by: dimensions, filters: filters) {
            rows = summarised
        } else {
            let first = try expression(dimensions.first ?? "host_country")
            let second: SQLQueryString = dimensions.count > 1 ? try expression(dimensions[1]) : "'total'"
            let conditions: [SQLQueryString] = ["c.arrival_date IS NOT NULL"] + period("c.arrival_date", filters) + caseConditions(filters) + memberConditions(filters)
            let query = "SELECT " + first + " AS r, " + second + " AS k, COUNT(*) AS total FROM case_members m JOIN return_cases c ON c.id = m.case_id WHERE "
                + conditions.joined(separator: " AND ") + " GROUP BY 1, 2"
            struct Row: Decodable { var r: String?; var k: String?; var total: Int }
            rows = try await sql.raw(query).all(decoding: Row.self).map { ($0.r ?? "", $0.k ?? "", $0.total) }
        }
        let rowKeys = Array(Set(rows.map(\.r))).sorted()
        let columnKeys = Array(Set(rows.map(\.k))).sorted()
        let rowIndex = Dictionary(uniqueKeysWithValues: rowKeys.enumerated().map { ($1, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: columnKeys.enumerated().map { ($1, $0) })
        var counts = rowKeys.map { _ in columnKeys.map { _ in 0 } }
        for row in rows {
            guard let r = rowIndex[row.r], let k = columnIndex[row.k] else { continue }
            counts[r][k] += row.total
        }
        return (rowKeys, columnKeys, counts)
    }
}
