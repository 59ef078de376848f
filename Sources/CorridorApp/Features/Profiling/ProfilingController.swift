import CorridorCore
import Fluent
import Foundation
import Vapor

/// The profiling report, interview forms, Kobo imports and mappings, follow-ups, and the API summary.
struct ProfilingController: Sendable {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("profiling", action: .viewProfiling, use: report)
        web.get("profiling", "export", action: .viewProfiling, use: export)
        web.get("profiling", "interviews", "export", action: .importInterviews, use: exportInterviews)
        web.get("profiling", "interviews", "new", action: .recordInterviews, use: newInterview)
        web.post("profiling", "interviews", "new", action: .recordInterviews, use: createInterview)
        web.get("profiling", "import", action: .importInterviews, use: importPage)
        web.on(.POST, ["profiling", "import"], action: .importInterviews, body: .collect(maxSize: "50mb"), use: validateImport)
        web.post("profiling", "import", "confirm", action: .importInterviews, use: confirmImport)
        web.post("profiling", "mappings", action: .importInterviews, use: saveMapping)
        web.get("profiling", "mappings", "download", action: .importInterviews, use: downloadMapping)
        web.get("profiling", "questionnaires", ":code", "xlsform.xlsx", action: .importInterviews, use: downloadXLSForm)
        web.on(.POST, ["profiling", "mappings", "upload"], action: .importInterviews, body: .collect(maxSize: "1mb"), use: uploadMapping)
        web.get("followups", action: .viewFollowUps, use: followUps)
        web.get("profiling", "weights", action: .viewProfiling, use: weightsPage)
        web.get("profiling", "weights", "download", action: .viewProfiling, use: downloadWeights)
        web.on(.POST, ["profiling", "weights"], action: .importInterviews, body: .collect(maxSize: "1mb"), use: uploadWeights)
        api.get("profiling", "summary", action: .viewProfiling, use: summaryAPI)
    }

    private func questionnaire(_ req: Request, _ code: String) async throws -> Questionnaire {
        guard let questionnaire = try await req.profilingCatalog.questionnaire(code) else { throw Abort(.notFound) }
        return questionnaire
    }

    @Sendable func report(_ req: Request) async throws -> HTML {
        var filter = try req.query.decode(ProfilingFilter.self)
        if filter.question == nil { filter.question = "reasons_leaving" }
        let questionnaire = try await questionnaire(req, "profiling_return")
        let queries = ProfilingQueries(database: req.db)
        var summary: ProfilingQueries.Summary?
        if let question = questionnaire.question(filter.question ?? ""), question.type.hasChoices {
            summary = try await queries.summary(questionnaire, question: question, filter: filter, language: req.language)
        }
        var cross: (Question, [ProfilingQueries.CrossCell])?
        if let rows = questionnaire.question(filter.question ?? ""), let columns = questionnaire.question(filter.cross ?? ""), columns.type.hasChoices, rows.type.hasChoices {
            cross = (columns, try await queries.crossTab(questionnaire, rows: rows, columns: columns, filter: filter))
        }
        let principal = req.currentUser?.principal
        let model = ProfilingReportModel(questionnaire: questionnaire, filter: filter, summary: summary, cross: cross.map { (question: $0.0, cells: $0.1) },
                                         scores: try await queries.scoresByRound(filter: filter),
                                         distributions: try await queries.distributions(filter: filter), canImport: Policy.allows(principal, .importInterviews),
                                         canRecord: Policy.allows(principal, .recordInterviews))
        return ProfilingPages.report(model, req.pageContext())
    }

    @Sendable func summaryAPI(_ req: Request) async throws -> ProfilingQueries.Summary {
        let filter = try req.query.decode(ProfilingFilter.self)
        let questionnaire = try await questionnaire(req, "profiling_return")
        guard let question = questionnaire.question(filter.question ?? ""), question.type.hasChoices else {
            throw Abort(.unprocessableEntity, reason: "error.unknown_question")
        }
        return try await ProfilingQueries(database: req.db).summary(questionnaire, question: question, filter: filter, language: req.language)
    }

    /// The interviews themselves (one row each), in the shape the Kobo importer reads back.
    @Sendable func exportInterviews(_ req: Request) async throws -> Response {
        let format = (try? req.query.get(String.self, at: "format")) ?? "csv"
        guard format == "csv" || format == "xlsx" else { throw Abort(.badRequest) }
        let code = req.query[String.self, at: "questionnaire"] ?? "profiling_return"
        let questionnaire = try await questionnaire(req, code)
        var since: Date?
        if let text = req.query[String.self, at: "updated_since"], !text.isEmpty {
            guard let parsed = Instant.parse(text) else { throw Abort(.badRequest, reason: "error.date_format") }
            since = parsed
        }
        let export = try await ProfilingQueries(database: req.db).interviewTable(questionnaire, updatedSince: since)
        let table = TabularExport(sheetName: questionnaire.title.text(req.language), headers: export.headers, rows: export.rows)
        try await AuditLog.record(AuditEvent(action: .export, entityType: "interview", entityID: code, detail: "\(format), \(export.rows.count) rows"), req.serviceContext)
        if format == "xlsx" { return FileDownload.response(try table.xlsx(), name: "interviews-\(code).xlsx", type: FileDownload.xlsx) }
        return FileDownload.response(Data(table.csv(delimiter: FileDownload.csvSeparator(req)).utf8), name: "interviews-\(code).csv", type: FileDownload.csv)
    }

    @Sendable func export(_ req: Request) async throws -> Response {
        let filter = try req.query.decode(ProfilingFilter.self)
        let format = (try? req.query.get(String.self, at: "format")) ?? "csv"
        guard format == "csv" || format == "xlsx" else { throw Abort(.badRequest) }
        let questionnaire = try await questionnaire(req, "profiling_return")
        guard let question = questionnaire.question(filter.question ?? "reasons_leaving"), question.type.hasChoices else { throw Abort(.notFound) }
        let summary = try await ProfilingQueries(database: req.db).summary(questionnaire, question: question, filter: filter, language: req.language)
        let table = TabularExport(sheetName: "profiling", headers: ["question", "choice", "label", "count", "n", "share", "ci_low", "ci_high"], rows: summary.choices.map {
            [summary.question, $0.choice, $0.label, String($0.count), String($0.n), String(format: "%.4f", $0.share), String(format: "%.4f", $0.ciLow), String(format: "%.4f", $0.ciHigh)]
        })
        try await AuditLog.record(AuditEvent(action: .export, entityType: "profiling_report", entityID: summary.question, detail: "\(format), \(filter.query())"),
                                  req.serviceContext)
        if format == "xlsx" {
            return FileDownload.response(try table.xlsx(), name: "profiling-\(summary.question).xlsx", type: FileDownload.xlsx)
        }
        return FileDownload.response(Data(table.csv().utf8), name: "profiling-\(summary.question).csv", type: FileDownload.csv)
    }

    @Sendable func newInterview(_ req: Request) async throws -> HTML {
        let code = req.query[String.self, at: "questionnaire"] ?? "profiling_return"
        let questionnaire = try await questionnaire(req, code)
        var answers: Answers = ["_interviewed_on": [Day(req.now).iso]]
        if let round = req.query[String.self, at: "round"] { answers["round"] = [round] }
        // Consent is never answered in advance: the interviewer records what the person said.
        return ProfilingPages.interviewForm(questionnaire, answers: answers, caseNumber: req.query[String.self, at: "case"],
                                            memberNumber: req.query[Int.self, at: "member"], errors: [:], req.pageContext())
    }

    @Sendable func createInterview(_ req: Request) async throws -> Response {
        let code = req.query[String.self, at: "questionnaire"] ?? "profiling_return"
        let questionnaire = try await questionnaire(req, code)
        var answers: Answers = [:]
        for question in questionnaire.questions {
            if question.type == .multipleChoice {
                answers[question.code] = (try? req.content.get([String].self, at: question.code)) ?? []
            } else if let value = try? req.content.get(String.self, at: question.code) {
                answers[question.code] = [value]
            }
        }
        let caseNumber = (try? req.content.get(String.self, at: "case_number"))?.nilIfEmpty
        let memberNumber = (try? req.content.get(String.self, at: "member_number")).flatMap { Int($0) }
        let interviewedText = (try? req.content.get(String.self, at: "interviewed_on")) ?? ""
        var errors: [String: String] = [:]
        let interviewedOn = Day(iso: interviewedText)
        if interviewedOn == nil { errors["interviewed_on"] = req.t("case.error.date_format") }
        if code == "reintegration_monitoring", caseNumber == nil { errors["case_number"] = req.t("case.error.required") }
        // The person must be one the reader reaches (their offices; for a partner, by consent):
        // otherwise the answer is the same as for a person who does not exist.
        if let caseNumber, errors["case_number"] == nil {
            let view = try await req.caseQueries.detail(caseNumber.uppercased())
            if !(view?.members.contains { $0.memberNumber == (memberNumber ?? 1) } ?? false) { errors["case_number"] = req.t("interview.error.unknown_member") }
        }
        do {
            guard errors.isEmpty, let interviewedOn else { throw ProfilingError.invalid([]) }
            let table = try await req.profilingCatalog.weightTable()
            _ = try await ProfilingService(req.serviceContext).record(
                .init(answers: answers, interviewedOn: interviewedOn, caseNumber: caseNumber, memberNumber: caseNumber == nil ? nil : (memberNumber ?? 1), source: "form"),
                questionnaire: questionnaire, table: table)
            return req.redirect(to: caseNumber.map { "/cases/\($0.uppercased())?notice=saved" } ?? "/profiling?notice=saved", redirectType: .normal)
        } catch let error as ProfilingError {
            switch error {
            case .invalid(let issues): for issue in issues where errors[issue.field] == nil { errors[issue.field] = req.t(issue.code) }
            case .unknownMember: errors["case_number"] = req.t("interview.error.unknown_member")
            case .unknownQuestionnaire: throw Abort(.notFound)
            }
            answers["_interviewed_on"] = [interviewedText]
            let page = ProfilingPages.interviewForm(questionnaire, answers: answers, caseNumber: caseNumber, memberNumber: memberNumber, errors: errors, req.pageContext())
            return try await HTMLPage(status: .unprocessableEntity, html: page).encodeResponse(for: req)
        }
    }

    @Sendable func importPage(_ req: Request) async throws -> HTML {
        let questionnaires = try await req.profilingCatalog.questionnaires()
        return ProfilingPages.importPage(KoboImportModel(questionnaires: questionnaires, questionnaireCode: req.query[String.self, at: "questionnaire"] ?? "profiling_return",
                                                         source: req.query[String.self, at: "source"] ?? "kobo"), req.pageContext())
    }

    struct Upload: Content {
        var file: File?
        var questionnaire: String?
        var source: String?
    }

    @Sendable func validateImport(_ req: Request) async throws -> Response {
        let upload = try req.content.decode(Upload.self)
        let catalog = req.profilingCatalog
        let questionnaires = try await catalog.questionnaires()
        let code = upload.questionnaire ?? "profiling_return"
        let source = KoboMapping.sourceName(upload.source)
        var model = KoboImportModel(questionnaires: questionnaires, questionnaireCode: code, source: source)
        guard let file = upload.file, file.data.readableBytes > 0 else {
            model.error = req.t("import.error.no_file")
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        let questionnaire = try await questionnaire(req, code)
        let data = Data(buffer: file.data)
        do {
            let mapping = try await ProfilingQueries(database: req.db).mapping(source: source, questionnaireCode: code)
            let read = try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: mapping)
            model.read = read
            model.fileName = file.filename
            model.uploadID = try req.corridor.uploads.keep(data, owner: req.currentUser?.id)
            return try await ProfilingPages.importPage(model, req.pageContext()).encodeResponse(for: req)
        } catch let error as TabularFileError {
            model.error = error.message(req.catalogue)
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct Confirmation: Content {
        var id: String?
        var source: String?
        var questionnaire: String?
        var file_name: String?
        /// Ticked on the report: write the valid submissions, leaving the rejected rows out.
        var skip_rejected: String?
    }

    @Sendable func confirmImport(_ req: Request) async throws -> Response {
        let form = try req.content.decode(Confirmation.self)
        let catalog = req.profilingCatalog
        let code = form.questionnaire ?? "profiling_return"
        let source = KoboMapping.sourceName(form.source)
        var model = KoboImportModel(questionnaires: try await catalog.questionnaires(), questionnaireCode: code, source: source)
        let store = req.corridor.uploads
        guard let id = form.id, let data = try store.load(id, owner: req.currentUser?.id) else {
            model.error = req.t("import.error.expired")
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        let questionnaire = try await questionnaire(req, code)
        let mapping = try await ProfilingQueries(database: req.db).mapping(source: source, questionnaireCode: code)
        let read = try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: mapping)
        // Read again: a column or a choice left unmapped would be answers dropped.
        // Rejected rows are left out only when the person chose so on the report.
        guard !read.hasUnmapped, read.issues.isEmpty || form.skip_rejected != nil else {
            model.read = read
            model.fileName = form.file_name
            model.uploadID = id
            if !read.hasUnmapped { model.error = req.t("import.error.rejected_not_skipped") }
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        model.done = try await ProfilingService(req.serviceContext).importSubmissions(read, questionnaire: questionnaire, table: try await catalog.weightTable(),
                                                                               source: source, fileName: form.file_name ?? id)
        store.discard(id, owner: req.currentUser?.id)
        return try await ProfilingPages.importPage(model, req.pageContext()).encodeResponse(for: req)
    }

    /// Adds the choices made on the import report to the saved mapping of the source form.
    @Sendable func saveMapping(_ req: Request) async throws -> Response {
        let source = KoboMapping.sourceName(try? req.content.get(String.self, at: "source"))
        let code = (try? req.content.get(String.self, at: "questionnaire")) ?? "profiling_return"
        let questionnaire = try await questionnaire(req, code)
        let chosen = (try? req.content.get([String: String].self, at: "q")) ?? [:]
        var mapping = try await ProfilingQueries(database: req.db).mapping(source: source, questionnaireCode: code)
        for (column, question) in chosen {
            if question == KoboMapping.ignoreChoice {
                if !mapping.ignored.contains(column) { mapping.ignored.append(column) }
                mapping.questions[column] = nil
            } else if questionnaire.question(question) != nil {
                mapping.questions[column] = question
                mapping.ignored.removeAll { $0 == column }
            }
        }
        let choices = (try? req.content.get([String: [String: String]].self, at: "c")) ?? [:]
        for (questionCode, values) in choices {
            guard let question = questionnaire.question(questionCode) else { continue }
            for (value, code) in values where code == KoboMapping.ignoreChoice || question.allChoices.contains(where: { $0.code == code }) {
                mapping.choices[questionCode, default: [:]][value] = code
            }
        }
        try await ProfilingService(req.serviceContext).saveMapping(source: source, questionnaireCode: code, mapping)
        // Submissions a field source holds for this mapping are applied as soon as it is complete.
        if let id = try await FieldSourceQueries(database: req.db).source(named: source, questionnaireCode: code),
           try await HeldSubmissionModel.query(on: req.db).filter(\.$sourceID == id).count() > 0 {
            let outcome = try await FieldSourceService(req.serviceContext, application: req.application).applyHeld(id)
            return req.redirect(to: "/profiling/sources/\(id.uuidString)?notice=pull_\(outcome.outcome)", redirectType: .normal)
        }
        return req.redirect(to: "/profiling/import?source=\(source)&questionnaire=\(code)&notice=mapping_saved", redirectType: .normal)
    }

    @Sendable func downloadMapping(_ req: Request) async throws -> Response {
        let source = KoboMapping.sourceName(req.query[String.self, at: "source"])
        let code = try await questionnaire(req, req.query[String.self, at: "questionnaire"] ?? "profiling_return").code
        let mapping = try await ProfilingQueries(database: req.db).mapping(source: source, questionnaireCode: code)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return FileDownload.response(try encoder.encode(mapping), name: "mapping-\(source)-\(code).json", type: "application/json")
    }

    struct MappingUpload: Content {
        var mapping: File?
        var source: String?
        var questionnaire: String?
    }

    @Sendable func uploadMapping(_ req: Request) async throws -> Response {
        let upload = try req.content.decode(MappingUpload.self)
        let source = KoboMapping.sourceName(upload.source)
        let code = upload.questionnaire ?? "profiling_return"
        let questionnaire = try await questionnaire(req, code)
        guard let file = upload.mapping, let mapping = try? JSONDecoder().decode(KoboMapping.self, from: Data(buffer: file.data)) else {
            var model = KoboImportModel(questionnaires: try await req.profilingCatalog.questionnaires(), questionnaireCode: code, source: source)
            model.error = req.t("kobo.error.mapping_file")
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        let unknown = mapping.questions.values.filter { questionnaire.question($0) == nil } + mapping.choices.keys.filter { questionnaire.question($0) == nil }
        guard unknown.isEmpty else {
            var model = KoboImportModel(questionnaires: try await req.profilingCatalog.questionnaires(), questionnaireCode: code, source: source)
            model.error = req.t("kobo.error.unknown_codes", ["codes": unknown.sorted().joined(separator: ", ")])
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        try await ProfilingService(req.serviceContext).saveMapping(source: source, questionnaireCode: code, mapping)
        // Submissions a field source holds for this mapping are applied as soon as it is complete.
        if let id = try await FieldSourceQueries(database: req.db).source(named: source, questionnaireCode: code),
           try await HeldSubmissionModel.query(on: req.db).filter(\.$sourceID == id).count() > 0 {
            let outcome = try await FieldSourceService(req.serviceContext, application: req.application).applyHeld(id)
            return req.redirect(to: "/profiling/sources/\(id.uuidString)?notice=pull_\(outcome.outcome)", redirectType: .normal)
        }
        return req.redirect(to: "/profiling/import?source=\(source)&questionnaire=\(code)&notice=mapping_saved", redirectType: .normal)
    }

    /// The monitoring rounds due, filtered by office, round, lateness and caseworker, a page at a time.
    struct FollowUpFilter: Content, Sendable {
        var office: String?
        var round: Int?
        var overdue: String?
        var mine: String?
        var page: Int?
        static let pageSize = 50

        func matches(_ item: ProfilingQueries.FollowUp) -> Bool {
            (round == nil || item.round == round) && (overdue != "1" || item.overdue)
        }
    }

    @Sendable func followUps(_ req: Request) async throws -> HTML {
        let filter = (try? req.query.decode(FollowUpFilter.self)) ?? FollowUpFilter()
        let user = try req.requireUser()
        let office = filter.office?.trimmingCharacters(in: .whitespaces).uppercased().nilIfEmpty
        let all = try await ProfilingQueries(database: req.db).dueFollowUps(today: Day(req.now), caseworkerID: filter.mine == "1" ? user.id : nil, office: office,
                                                                            partnerInstitution: user.institutionID, offices: Policy.caseOffices(user.principal))
        let matching = all.filter(filter.matches)
        let pages = max(1, (matching.count + FollowUpFilter.pageSize - 1) / FollowUpFilter.pageSize)
        let page = min(max(1, filter.page ?? 1), pages)
        let shown = Array(matching.dropFirst((page - 1) * FollowUpFilter.pageSize).prefix(FollowUpFilter.pageSize))
        return ProfilingPages.followUps(FollowUpsModel(items: shown, total: matching.count, overdue: matching.filter(\.overdue).count, page: page, pageCount: pages,
                                                       filter: filter), req.pageContext())
    }

    @Sendable func weightsPage(_ req: Request) async throws -> HTML {
        let table = try await req.profilingCatalog.weightTable()
        let questionnaire = try await req.profilingCatalog.questionnaire("reintegration_monitoring")
        return ProfilingPages.weights(table, questionnaire: questionnaire, canUpload: Policy.allows(req.currentUser?.principal, .importInterviews), error: nil, req.pageContext())
    }

    /// The questionnaire as an XLSForm, to deploy in KoboToolbox or ODK Central as it is.
    @Sendable func downloadXLSForm(_ req: Request) async throws -> Response {
        let questionnaire = try await questionnaire(req, req.parameters.get("code") ?? "")
        return FileDownload.response(try XLSForm.workbook(questionnaire), name: XLSForm.fileName(questionnaire),
                                     type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    }

    @Sendable func downloadWeights(_ req: Request) async throws -> Response {
        guard let table = try await req.profilingCatalog.weightTable() else { throw Abort(.notFound) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return FileDownload.response(try encoder.encode(table), name: "weights-\(table.version).json", type: "application/json")
    }

    struct WeightsUpload: Content { var table: File? }

    @Sendable func uploadWeights(_ req: Request) async throws -> Response {
        let upload = try req.content.decode(WeightsUpload.self)
        let current = try await req.profilingCatalog.weightTable()
        let questionnaire = try await req.profilingCatalog.questionnaire("reintegration_monitoring")
        guard let file = upload.table, let table = try? JSONDecoder().decode(WeightTable.self, from: Data(buffer: file.data)) else {
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.weights(current, questionnaire: questionnaire, canUpload: true, error: req.t("weights.error.file"), req.pageContext())).encodeResponse(for: req)
        }
        do {
            try await ProfilingService(req.serviceContext).saveWeightTable(table)
            return req.redirect(to: "/profiling/weights?notice=saved", redirectType: .normal)
        } catch ProfilingError.invalid(let issues) {
            let message = issues.map { $0.code.hasPrefix("profiling.") ? req.t($0.code) : $0.code }.joined(separator: req.language == .fr ? " ; " : "; ")
            return try await HTMLPage(status: .unprocessableEntity, html: ProfilingPages.weights(current, questionnaire: questionnaire, canUpload: true, error: message, req.pageContext())).encodeResponse(for: req)
        }
    }
}
