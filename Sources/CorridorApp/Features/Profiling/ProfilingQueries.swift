import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Who a report is about: filters on the respondents.
struct ProfilingFilter: Content, Sendable {
    var question: String?
    var cross: String?
    var returned_from: String?
    var returned_to: String?
    var host_country: String?
    var sex: String?
    var age_group: String?
    var region: String?

    func query(question override: String? = nil) -> String {
        var items: [URLQueryItem] = []
        for (name, value) in [("question", override ?? question), ("cross", cross), ("returned_from", returned_from), ("returned_to", returned_to),
                              ("host_country", host_country), ("sex", sex), ("age_group", age_group), ("region", region)] {
            if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) }
        }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }
}

/// Reads of the profiling feature; every figure is counted in the database.
struct ProfilingQueries: Sendable {
    let database: any Database

    var sql: any SQLDatabase { get throws { try database.sqlDatabase } }

    struct ChoiceFigure: Content, Sendable {
        var choice: String
        var label: String
        var count: Int
        var n: Int
        var share: Double
        var ciLow: Double
        var ciHigh: Double
    }

    struct Summary: Content, Sendable {
        var questionnaire: String
        var question: String
        var label: String
        var n: Int
        var choices: [ChoiceFigure]
    }

    private func conditions(_ filter: ProfilingFilter) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = []
        func value(_ text: String?) -> String? { text?.trimmingCharacters(in: .whitespaces).nilIfEmpty }
        if let from = value(filter.returned_from).flatMap(Day.init(iso:)) { conditions.append("i.return_date >= \(bind: from.iso)") }
        if let to = value(filter.returned_to).flatMap(Day.init(iso:)) { conditions.append("i.return_date <= \(bind: to.iso)") }
        if let host = value(filter.host_country) { conditions.append("i.host_country = \(bind: host.uppercased())") }
        if let sex = value(filter.sex) { conditions.append("i.sex = \(bind: sex)") }
        if let group = value(filter.age_group) { conditions.append("i.age_group = \(bind: group)") }
        if let region = value(filter.region) { conditions.append("i.region_origin = \(bind: region)") }
        return conditions
    }

    /// For each choice of `question`: respondents who chose it, of the respondents who answered
    /// (for multiple choice the denominator is respondents, not answers), with the Wilson interval.
    func summary(_ questionnaire: Questionnaire, question: Question, filter: ProfilingFilter, language: Language) async throws -> Summary {
        let sql = try self.sql
        let extra = conditions(filter)
        let whereClause = SQLQueryString(" WHERE i.questionnaire_code = \(bind: questionnaire.code) AND a.question_code = \(bind: question.code)")
            + (extra.isEmpty ? "" : SQLQueryString(" AND ") + extra.joined(separator: " AND "))
        struct Total: Decodable { var n: Int }
        struct Row: Decodable { var value: String; var total: Int }
        let from = SQLQueryString(" FROM interview_answers a JOIN interviews i ON i.id = a.interview_id")
        let n = try await sql.raw("SELECT COUNT(DISTINCT a.interview_id) AS n" + from + whereClause).first(decoding: Total.self)?.n ?? 0
        let rows = try await sql.raw("SELECT a.value AS value, COUNT(DISTINCT a.interview_id) AS total" + from + whereClause + " GROUP BY a.value").all(decoding: Row.self)
        let counts = Dictionary(rows.map { ($0.value, $0.total) }, uniquingKeysWith: +)
        let choices = question.allChoices.map { choice -> ChoiceFigure in
            let proportion = Proportion(count: counts[choice.code] ?? 0, n: n)
            return ChoiceFigure(choice: choice.code, label: choice.label.text(language), count: proportion.count, n: n,
                                share: proportion.share, ciLow: proportion.low, ciHigh: proportion.high)
        }
        return Summary(questionnaire: questionnaire.code, question: question.code, label: question.label.text(language), n: n, choices: choices)
    }

    struct CrossCell: Sendable {
        var row: String
        var column: String
        var count: Int
    }

    /// Respondents by pair of answers to two questions.
    func crossTab(_ questionnaire: Questionnaire, rows: Question, columns: Question, filter: ProfilingFilter) async throws -> [CrossCell] {
        let sql = try self.sql
        let extra = conditions(filter)
        let query = SQLQueryString("""
            SELECT a.value AS r, b.value AS c, COUNT(DISTINCT a.interview_id) AS total
            FROM interview_answers a JOIN interview_answers b ON b.interview_id = a.interview_id JOIN interviews i ON i.id = a.interview_id
            WHERE i.questionnaire_code = \(bind: questionnaire.code) AND a.question_code = \(bind: rows.code) AND b.question_code = \(bind: columns.code)
            """) + (extra.isEmpty ? "" : SQLQueryString(" AND ") + extra.joined(separator: " AND ")) + " GROUP BY a.value, b.value"
        struct Row: Decodable { var r: String; var c: String; var total: Int }
        return try await sql.raw(query).all(decoding: Row.self).map { CrossCell(row: $0.r, column: $0.c, count: $0.total) }
    }

    struct ScoreRow: Content, Sendable {
        var round: Int
        var group: String
        var n: Int
        var economic: Double
        var social: Double
        var psychosocial: Double
        var composite: Double
        var tableVersions: String
    }

    /// Mean reintegration scores by round, overall and by sex.
    func scoresByRound(filter: ProfilingFilter) async throws -> [ScoreRow] {
        let sql = try self.sql
        let extra = conditions(filter)
        let whereClause = extra.isEmpty ? SQLQueryString("") : SQLQueryString(" WHERE ") + extra.joined(separator: " AND ")
        struct Row: Decodable { var round: Int?; var sex: String?; var n: Int; var economic: Double; var social: Double; var psychosocial: Double; var composite: Double; var versions: String? }
        let base = SQLQueryString("""
            SELECT i.round AS round, i.sex AS sex, COUNT(*) AS n, AVG(s.economic) AS economic, AVG(s.social) AS social,
                   AVG(s.psychosocial) AS psychosocial, AVG(s.composite) AS composite, MIN(s.table_version) AS versions
            FROM reintegration_scores s JOIN interviews i ON i.id = s.interview_id
            """) + whereClause + " GROUP BY i.round, i.sex ORDER BY i.round, i.sex"
        let rows = try await sql.raw(base).all(decoding: Row.self)
        var result: [ScoreRow] = []
        for round in Set(rows.compactMap(\.round)).sorted() {
            let inRound = rows.filter { $0.round == round }
            let n = inRound.reduce(0) { $0 + $1.n }
            func mean(_ key: KeyPath<Row, Double>) -> Double { inRound.reduce(0) { $0 + $1[keyPath: key] * Double($1.n) } / Double(max(n, 1)) }
            result.append(ScoreRow(round: round, group: "all", n: n, economic: mean(\.economic), social: mean(\.social), psychosocial: mean(\.psychosocial),
                                   composite: mean(\.composite), tableVersions: Set(inRound.compactMap(\.versions)).sorted().joined(separator: ", ")))
            for row in inRound {
                result.append(ScoreRow(round: round, group: row.sex ?? "unknown", n: row.n, economic: row.economic, social: row.social,
                                       psychosocial: row.psychosocial, composite: row.composite, tableVersions: row.versions ?? ""))
            }
        }
        return result
    }

    struct Distribution: Content, Sendable {
        var round: Int
        var dimension: String
        /// Surveys whose score falls in [0, 0.2), [0.2, 0.4), [0.4, 0.6), [0.6, 0.8), [0.8, 1].
        var bins: [Int]
    }

    /// How scores spread, per round and dimension, in five bands of 0.2.
    func distributions(filter: ProfilingFilter) async throws -> [Distribution] {
        let sql = try self.sql
        let extra = conditions(filter)
        let whereClause = extra.isEmpty ? SQLQueryString("") : SQLQueryString(" WHERE ") + extra.joined(separator: " AND ")
        var result: [Distribution] = []
        for dimension in ["economic", "social", "psychosocial", "composite"] {
            let bands = (0..<5).map { band -> String in
                let low = Double(band) / 5, high = Double(band + 1) / 5
                let upper = band == 4 ? "s.\(dimension) <= 1" : "s.\(dimension) < \(high)"
                return "SUM(CASE WHEN s.\(dimension) >= \(low) AND \(upper) THEN 1 ELSE 0 END) AS b\(band)"
            }.joined(separator: ", ")
            struct Row: Decodable { var round: Int?; var b0: Int?; var b1: Int?; var b2: Int?; var b3: Int?; var b4: Int? }
            let query = SQLQueryString("SELECT i.round AS round, \(unsafeRaw: bands) FROM reintegration_scores s JOIN interviews i ON i.id = s.interview_id")
                + whereClause + " GROUP BY i.round ORDER BY i.round"
            for row in try await sql.raw(query).all(decoding: Row.self) {
                guard let round = row.round else { continue }
                result.append(Distribution(round: round, dimension: dimension, bins: [row.b0, row.b1, row.b2, row.b3, row.b4].map { $0 ?? 0 }))
            }
        }
        return result.sorted { ($0.round, $0.dimension) < ($1.round, $1.dimension) }
    }

    struct TrajectoryPoint: Content, Sendable {
        var memberNumber: Int?
        var round: Int?
        var interviewedOn: String
        var economic: Double
        var social: Double
        var psychosocial: Double
        var composite: Double
        var tableVersion: String
    }

    /// A case's reintegration scores across rounds.
    func trajectory(caseNumber: String) async throws -> [TrajectoryPoint] {
        let interviews = try await InterviewModel.query(on: database).filter(\.$caseNumber == caseNumber.uppercased())
            .filter(\.$questionnaireCode == "reintegration_monitoring").sort(\.$round).all()
        let scores = try await ReintegrationScoreModel.query(on: database).filter(\.$interviewID ~~ interviews.compactMap(\.id)).all()
        return interviews.compactMap { interview in
            guard let score = scores.first(where: { $0.interviewID == interview.id }) else { return nil }
            return TrajectoryPoint(memberNumber: interview.memberNumber, round: interview.round, interviewedOn: interview.interviewedOn,
                                   economic: score.economic, social: score.social, psychosocial: score.psychosocial, composite: score.composite,
                                   tableVersion: score.tableVersion)
        }
    }

    struct FollowUp: Sendable {
        var caseNumber: String
        var principalName: String
        var office: String
        var arrivalDate: String
        var round: Int
        var due: Day
        var overdue: Bool
    }

    /// Monitoring rounds due within `horizon` days or overdue, for households that arrived in
    /// the last 15 months and are not closed, whose round has no interview yet.
    func dueFollowUps(today: Day, horizon: Int = 30, caseworkerID: UUID? = nil, office: String? = nil,
                      partnerInstitution: UUID? = nil, offices: OfficeScope? = nil) async throws -> [FollowUp] {
        let since = today.adding(days: -460).iso
        var query = ReturnCaseModel.query(on: database).filter(\.$arrivalDate >= since).filter(\.$status != CaseStatus.closed.rawValue)
        if let caseworkerID { query = query.filter(\.$caseworkerID == caseworkerID) }
        if let office { query = query.filter(\.$office == office) }
        // Need to know: the reader's offices' households only.
        if let offices, !offices.everyOffice {
            let codes = Array(offices.offices)
            query = codes.isEmpty ? query.filter(\.$id == UUID()) : query.group(.or) { $0.filter(\.$office ~~ codes).filter(\.$hostCountry ~~ codes) }
        }
        var cases = try await query.sort(\.$arrivalDate).limit(5_000).all()
        // A principal who refused or withdrew monitoring, or was anonymised, is not contacted.
        let caseIDs = cases.compactMap(\.id)
        var principals: [CaseMemberModel] = []
        for start in stride(from: 0, to: caseIDs.count, by: 500) {
            principals += try await CaseMemberModel.query(on: database).filter(\.$returnCase.$id ~~ Array(caseIDs[start..<min(start + 500, caseIDs.count)]))
                .filter(\.$relationship == Relationship.principal.rawValue).all()
        }
        let consent = try await ConsentQueries(database: database).states(memberIDs: principals.compactMap(\.id))
        // A partner institution's user follows up only households whose principal shares with it.
        let declined = Set(principals.filter { principal in
            let state = principal.id.flatMap { consent[$0] }
            if let partnerInstitution, !(state?.sharedWith(partnerInstitution.uuidString) ?? false) { return true }
            return principal.anonymisedOn != nil || !(state?.mayBeContactedForMonitoring ?? true)
        }.map { $0.$returnCase.id })
        let withPrincipal = Set(principals.map { $0.$returnCase.id })
        if partnerInstitution != nil { cases.removeAll { !($0.id.map(withPrincipal.contains) ?? false) } }
        cases.removeAll { $0.id.map(declined.contains) ?? false }
        let done = try await InterviewModel.query(on: database).filter(\.$questionnaireCode == "reintegration_monitoring")
            .filter(\.$caseNumber ~~ cases.map(\.caseNumber)).all()
        let doneRounds = Set(done.compactMap { interview in interview.round.map { "\(interview.caseNumber ?? "")#\($0)" } })
        let limit = today.adding(days: horizon)
        var result: [FollowUp] = []
        for record in cases {
            guard let arrival = record.arrivalDate.flatMap(Day.init(iso:)) else { continue }
            for round in FollowUpSchedule.rounds(arrival: arrival) where round.due <= limit && !doneRounds.contains("\(record.caseNumber)#\(round.number)") {
                result.append(FollowUp(caseNumber: record.caseNumber, principalName: record.principalName, office: record.office, arrivalDate: arrival.iso,
                                       round: round.number, due: round.due, overdue: round.due < today))
            }
        }
        return result.sorted { $0.due < $1.due }
    }

    func mapping(source: String, questionnaireCode: String) async throws -> KoboMapping {
        guard let model = try await KoboMappingModel.query(on: database).filter(\.$source == source).filter(\.$questionnaireCode == questionnaireCode).first() else {
            return KoboMapping()
        }
        return try JSONDecoder().decode(KoboMapping.self, from: Data(model.definition.utf8))
    }


    /// Every interview of a questionnaire as a row of an export the Kobo importer reads back:
    /// `_uuid` (the submission's key, or the interview's id), `today` (the interview date), then
    /// one column per question by its code, choices as codes separated by spaces. Interviews
    /// changed since `updatedSince` only, when given; the oldest interview first.
    func interviewTable(_ questionnaire: Questionnaire, updatedSince: Date? = nil) async throws -> (headers: [String], rows: [[String]]) {
        var query = InterviewModel.query(on: database).filter(\.$questionnaireCode == questionnaire.code)
        if let updatedSince { query = query.filter(\.$updatedAt >= updatedSince) }
        let interviews = try await query.sort(\.$interviewedOn).sort(\.$createdAt).all()
        let codes = questionnaire.questions.map(\.code)
        let rows = try interviews.map { interview -> [String] in
            let answers = try JSONDecoder().decode(Answers.self, from: Data(interview.answers.utf8))
            let key = try interview.externalUUID ?? interview.requireID().uuidString.lowercased()
            return [key, interview.interviewedOn] + codes.map { (answers[$0] ?? []).joined(separator: " ") }
        }
        return (["_uuid", "today"] + codes, rows)
    }
}

