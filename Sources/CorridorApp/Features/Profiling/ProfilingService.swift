import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

enum ProfilingError: Error, Sendable {
    case invalid([FieldIssue])
    case unknownQuestionnaire
    case unknownMember
}

/// Writes of the profiling feature: interviews (typed or imported), mappings, weight tables.
struct ProfilingService: Sendable {
    let database: any Database
    let actor: AuditActor
    let now: Date

    init(_ context: ServiceContext) {
        database = context.database
        actor = context.actor
        now = context.now
    }

    struct InterviewDraft: Sendable {
        var answers: Answers
        var interviewedOn: Day
        var caseNumber: String?
        var memberNumber: Int?
        var source: String
        var externalUUID: String?
    }

    enum WriteResult: Sendable, Equatable { case created, updated, unchanged }

    /// Records one interview typed in the form.
    func record(_ draft: InterviewDraft, questionnaire: Questionnaire, table: WeightTable?) async throws -> UUID {
        let checked = AnswerRules.check(draft.answers, against: questionnaire, today: Day(now))
        guard checked.issues.isEmpty else { throw ProfilingError.invalid(checked.issues) }
        var checkedDraft = draft
        checkedDraft.answers = checked.answers
        let actor = self.actor, now = self.now, draft = checkedDraft
        return try await database.writeTransaction { db in
            let (id, _) = try await Self.write(draft, questionnaire: questionnaire, table: table, actor: actor, now: now, on: db)
            try await AuditLog.append(AuditEvent(action: .create, entityType: "interview", entityID: id.uuidString, changedFields: Array(draft.answers.keys).sorted()),
                                      by: actor, at: now, on: db)
            return id
        }
    }

    struct ImportOutcome: Sendable, Equatable {
        var created = 0
        var updated = 0
        var unchanged = 0
        var rejected: [ImportIssue] = []
    }

    /// Checks every submission, then writes the valid ones in one transaction, matched on
    /// their `_uuid`: the same export twice, or a later one, never duplicates an interview.
    func importSubmissions(_ read: KoboReadResult, questionnaire: Questionnaire, table: WeightTable?, source: String, fileName: String) async throws -> ImportOutcome {
        let prepared = Self.prepare(read, questionnaire: questionnaire, source: source, today: Day(now))
        let actor = self.actor, now = self.now, problems = prepared.rejected.count
        var outcome = try await database.writeTransaction { db -> ImportOutcome in
            let counts = try await Self.write(prepared.drafts, questionnaire: questionnaire, table: table, actor: actor, now: now, on: db)
            try await AuditLog.append(AuditEvent(action: .create, entityType: "interview_import", entityID: nil,
                                                 detail: "\(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged, \(problems) problems",
                                                 personalDetail: fileName),
                                      by: actor, at: now, on: db)
            return counts
        }
        outcome.rejected = prepared.rejected
        return outcome
    }

    /// What an import would write: the submissions that pass the questionnaire's rules as
    /// drafts (source `kobo:<source>`), and every problem of the others.
    struct PreparedImport: Sendable {
        var drafts: [InterviewDraft] = []
        var rejected: [ImportIssue] = []
    }

    static func prepare(_ read: KoboReadResult, questionnaire: Questionnaire, source: String, today: Day) -> PreparedImport {
        var prepared = PreparedImport()
        prepared.rejected = read.issues
        for submission in read.submissions {
            let checked = AnswerRules.check(submission.answers, against: questionnaire, today: today)
            if !checked.issues.isEmpty {
                prepared.rejected += checked.issues.map { ImportIssue(line: submission.line, column: read.columnsByQuestion[$0.field] ?? $0.field, code: $0.code,
                                                                    value: submission.answers[$0.field]?.joined(separator: " ") ?? "") }
                continue
            }
            // The day of the interview as the form recorded it (today, start, submission time),
            // else the return date it asks for, else the day of the import.
            let interviewed = submission.interviewedOn ?? checked.answers["return_date"]?.first.flatMap(Day.init(iso:)) ?? today
            prepared.drafts.append(InterviewDraft(answers: checked.answers, interviewedOn: interviewed, source: "kobo:\(source)", externalUUID: submission.uuid))
        }
        prepared.rejected.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        return prepared
    }

    /// Writes prepared interviews inside the caller's transaction.
    static func write(_ drafts: [InterviewDraft], questionnaire: Questionnaire, table: WeightTable?, actor: AuditActor, now: Date,
                      on db: any Database) async throws -> ImportOutcome {
        var counts = ImportOutcome()
        for draft in drafts {
            switch try await write(draft, questionnaire: questionnaire, table: table, actor: actor, now: now, on: db).1 {
            case .created: counts.created += 1
            case .updated: counts.updated += 1
            case .unchanged: counts.unchanged += 1
            }
        }
        return counts
    }

    /// Inserts or updates one interview, its answer rows and its scores.
    private static func write(_ draft: InterviewDraft, questionnaire: Questionnaire, table: WeightTable?, actor: AuditActor, now: Date,
                              on db: any Database) async throws -> (UUID, WriteResult) {
        var draft = draft
        var existing: InterviewModel?
        if let uuid = draft.externalUUID {
            existing = try await InterviewModel.query(on: db).filter(\.$externalUUID == uuid).first()
        }
        // A person anonymised (retention, erasure) gets no free-text answer back from a file.
        var linked: CaseMemberModel?
        if let id = existing?.caseMemberID { linked = try await CaseMemberModel.find(id, on: db) }
        if linked == nil, let number = draft.caseNumber, let memberNumber = draft.memberNumber {
            linked = try await CaseMemberModel.query(on: db).join(ReturnCaseModel.self, on: \CaseMemberModel.$returnCase.$id == \ReturnCaseModel.$id)
                .filter(ReturnCaseModel.self, \.$caseNumber == number.uppercased()).filter(\.$memberNumber == memberNumber).first()
        }
        if linked?.anonymisedOn != nil {
            for question in questionnaire.questions where question.type == .text { draft.answers.removeValue(forKey: question.code) }
        }
        let answersText = String(decoding: try JSONEncoder.sorted.encode(draft.answers), as: UTF8.self)
        if let existing, existing.answers == answersText, existing.questionnaireVersion == questionnaire.version, let id = existing.id {
            return (id, .unchanged)
        }
        // Respondent attributes: from the answers, or from the case member the interview is about.
        var sex = draft.answers["sex"]?.first
        var age = draft.answers["age"]?.first.flatMap { Int($0) }
        var region = draft.answers["region_origin"]?.first.map { CoteDIvoire.region(named: $0)?.name ?? $0 }
        var host = draft.answers["host_country"]?.first
        var returnDate = draft.answers["return_date"]?.first
        var memberID: UUID?
        if let number = draft.caseNumber, let memberNumber = draft.memberNumber {
            guard let record = try await ReturnCaseModel.query(on: db).filter(\.$caseNumber == number.uppercased()).first(),
                  let member = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == record.requireID()).filter(\.$memberNumber == memberNumber).first()
            else { throw ProfilingError.unknownMember }
            memberID = member.id
            sex = sex ?? (member.sex == "F" ? "female" : member.sex == "M" ? "male" : "other")
            host = host ?? record.hostCountry
            region = region ?? member.originRegion
            returnDate = returnDate ?? record.arrivalDate
            if age == nil, let birth = member.birthYear, let reference = (returnDate.flatMap(Day.init(iso:)) ?? Optional(draft.interviewedOn)) {
                age = (member.birthDate.flatMap(Day.init(iso:)).map(BirthDate.init(exact:)) ?? BirthDate(estimatedYear: birth))?.age(on: reference)
            }
        }
        let model = existing ?? InterviewModel()
        model.questionnaireCode = questionnaire.code
        model.questionnaireVersion = questionnaire.version
        model.source = draft.source
        model.externalUUID = draft.externalUUID
        model.caseMemberID = memberID
        model.caseNumber = draft.caseNumber?.uppercased()
        model.memberNumber = draft.memberNumber
        model.interviewedOn = draft.interviewedOn.iso
        model.round = draft.answers["round"]?.first.flatMap { Int($0) }
        model.sex = sex
        model.ageGroup = age.map { AgeGroup(age: $0).rawValue }
        model.regionOrigin = region
        model.hostCountry = host
        model.returnDate = returnDate
        model.answers = answersText
        model.recordedBy = actor.label
        if existing == nil { model.createdAt = now }
        model.updatedAt = now
        try await model.save(on: db)
        let id = try model.requireID()
        if existing != nil {
            try await InterviewAnswerModel.query(on: db).filter(\.$interviewID == id).delete()
            try await ReintegrationScoreModel.query(on: db).filter(\.$interviewID == id).delete()
        }
        // One multi-row insert per interview: imports of thousands of interviews stay fast.
        let rows = draft.answers.sorted { $0.key < $1.key }.flatMap { question, values in values.map { (question, $0) } }
        if let sql = db as? any SQLDatabase, !rows.isEmpty {
            var insert = sql.insert(into: InterviewAnswerModel.schema).columns("id", "interview_id", "question_code", "value")
            for (question, value) in rows {
                insert = insert.values(SQLBind(UUID()), SQLBind(id), SQLBind(question), SQLBind(value))
            }
            try await insert.run()
        }
        if questionnaire.code == "reintegration_monitoring", let table, let score = ReintegrationScore.compute(draft.answers, table: table) {
            let row = ReintegrationScoreModel()
            row.interviewID = id
            row.tableVersion = score.tableVersion
            row.economic = score.dimensions["economic"] ?? 0
            row.social = score.dimensions["social"] ?? 0
            row.psychosocial = score.dimensions["psychosocial"] ?? 0
            row.composite = score.composite
            try await row.create(on: db)
        }
        return (id, existing == nil ? .created : .updated)
    }

    /// Saves the mapping of a source form (replacing the previous one).
    func saveMapping(source: String, questionnaireCode: String, _ mapping: KoboMapping) async throws {
        let text = String(decoding: try JSONEncoder.sorted.encode(mapping), as: UTF8.self)
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            let model = try await KoboMappingModel.query(on: db).filter(\.$source == source).filter(\.$questionnaireCode == questionnaireCode).first() ?? KoboMappingModel()
            if model.id == nil {
                model.source = source
                model.questionnaireCode = questionnaireCode
            }
            model.definition = text
            model.updatedAt = now
            try await model.save(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "kobo_mapping", entityID: "\(source)/\(questionnaireCode)",
                                                 changedFields: ["questions", "choices"]), by: actor, at: now, on: db)
        }
    }

    /// Stores a programme's own weight table as the newest version; scores of later surveys use it.
    func saveWeightTable(_ table: WeightTable) async throws {
        guard table.problems.isEmpty else { throw ProfilingError.invalid(table.problems.map { FieldIssue("table", $0) }) }
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            if try await WeightTableModel.query(on: db).filter(\.$code == table.code).filter(\.$version == table.version).count() > 0 {
                throw ProfilingError.invalid([FieldIssue("version", "profiling.error.table_version_exists")])
            }
            let model = WeightTableModel()
            model.code = table.code
            model.version = table.version
            model.definition = String(decoding: try JSONEncoder.sorted.encode(table), as: UTF8.self)
            model.createdAt = now
            try await model.create(on: db)
            try await AuditLog.append(AuditEvent(action: .create, entityType: "weight_table", entityID: table.version), by: actor, at: now, on: db)
        }
    }
}
