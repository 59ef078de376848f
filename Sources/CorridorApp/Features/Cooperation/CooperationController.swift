import CorridorCore
import Fluent
import Foundation
import Vapor

/// Action matrices, actions and their follow-up, milestones, versions, the report, imports.
struct CooperationController: Sendable {
    struct MatrixForm: Content {
        var title_fr: String?
        var title_en: String?
        var description_fr: String?
        var description_en: String?
        var theme: String?
        var country_a: String?
        var country_b: String?
        var project: String?
        var version: Int?

        var draft: MatrixDraft {
            MatrixDraft(titleFrench: title_fr ?? "", titleEnglish: title_en ?? "", descriptionFrench: description_fr ?? "",
                        descriptionEnglish: description_en ?? "", theme: theme ?? "", countryA: country_a ?? "", countryB: country_b ?? "",
                        project: project ?? "")
        }

        var values: [String: String] {
            var values: [String: String] = [:]
            for (key, value) in [("title_fr", title_fr), ("title_en", title_en), ("description_fr", description_fr), ("description_en", description_en),
                                 ("theme", theme), ("country_a", country_a), ("country_b", country_b), ("project", project)] {
                if let value { values[key] = value }
            }
            if let version { values["version"] = String(version) }
            return values
        }
    }

    struct ActionForm: Content {
        var code: String?
        var axis: String?
        var description: String?
        var lead: String?
        var partners: [String]?
        var start_date: String?
        var deadline: String?
        var status: String?
        var progress: String?
        var weight: String?
        var budget: String?
        var currency: String?
        var funding_source: String?
        var indicator_name: String?
        var indicator_unit: String?
        var indicator_baseline: String?
        var indicator_target: String?
        var indicator_current: String?
        var indicator_live: String?
        var version: Int?

        func draft() -> (ActionDraft?, [FieldIssue]) {
            var issues: [FieldIssue] = []
            func day(_ field: String, _ text: String?) -> Day? {
                guard let text = text?.nilIfEmpty else { return nil }
                guard let day = Day(iso: text) else { issues.append(FieldIssue(field, "case.error.date_format")); return nil }
                return day
            }
            let start = day("start_date", start_date), end = day("deadline", deadline)
            let progressValue = Int(progress?.nilIfEmpty ?? "0")
            if progressValue == nil { issues.append(FieldIssue("progress", "matrix.error.progress")) }
            let weightValue = Double((weight?.nilIfEmpty ?? "1").replacingOccurrences(of: ",", with: "."))
            if weightValue == nil { issues.append(FieldIssue("weight", "matrix.error.weight")) }
            let indicator = indicator_name?.nilIfEmpty.map {
                IndicatorDraft(name: $0, unit: indicator_unit, baseline: indicator_baseline, target: indicator_target, current: indicator_current,
                               live: indicator_live?.nilIfEmpty.flatMap(LiveFigure.init(rawValue:)))
            }
            guard issues.isEmpty else { return (nil, issues) }
            return (ActionDraft(code: code ?? "", axis: axis ?? "", description: description ?? "", leadID: lead.flatMap(UUID.init(uuidString:)),
                                partnerIDs: (partners ?? []).compactMap(UUID.init(uuidString:)), startDate: start, deadline: end, indicator: indicator,
                                budget: budget?.nilIfEmpty, currency: currency?.nilIfEmpty.flatMap { Currency(code: $0) }, fundingSource: funding_source,
                                status: status.flatMap(ActionStatus.init(rawValue:)) ?? .notStarted, progress: progressValue ?? 0, weight: weightValue ?? 1), [])
        }

        var values: [String: String] {
            var values: [String: String] = [:]
            let pairs: [(String, String?)] = [
                ("code", code), ("axis", axis), ("description", description), ("lead", lead), ("start_date", start_date), ("deadline", deadline),
                ("status", status), ("progress", progress), ("weight", weight), ("budget", budget), ("currency", currency), ("funding_source", funding_source),
                ("indicator_name", indicator_name), ("indicator_unit", indicator_unit), ("indicator_baseline", indicator_baseline),
                ("indicator_target", indicator_target), ("indicator_current", indicator_current), ("indicator_live", indicator_live),
            ]
            for (key, value) in pairs { if let value { values[key] = value } }
            if let version { values["version"] = String(version) }
            return values
        }
    }

    struct FollowUpForm: Content {
        var text: String?
        var evidence_url: String?
        var occurred_on: String?
        var status: String?
        var progress: String?
        var indicator_value: String?
        var version: Int?
    }

    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        let matrices = web.grouped("matrices")
        matrices.get(action: .viewMatrices, use: list)
        matrices.get("new", action: .manageMatrices, use: newMatrixPage)
        matrices.post("new", action: .manageMatrices, use: createMatrix)
        matrices.get("template.csv", action: .viewMatrices, use: template)
        matrices.get(":matrixID", action: .viewMatrices, use: matrix)
        matrices.get(":matrixID", "edit", action: .manageMatrices, use: editMatrixPage)
        matrices.post(":matrixID", "edit", action: .manageMatrices, use: updateMatrix)
        matrices.post(":matrixID", "status", action: .manageMatrices, use: changeStatus)
        matrices.post(":matrixID", "revision", action: .manageMatrices, use: prepareRevision)
        matrices.post(":matrixID", "discard", action: .manageMatrices, use: discardRevision)
        matrices.get(":matrixID", "actions", "new", action: .manageMatrices, use: newActionPage)
        matrices.post(":matrixID", "actions", "new", action: .manageMatrices, use: createAction)
        matrices.post(":matrixID", "milestones", action: .manageMatrices, use: addMilestone)
        matrices.get(":matrixID", "versions", action: .viewMatrices, use: versions)
        matrices.get(":matrixID", "export", action: .viewMatrices, use: export)
        web.post("milestones", ":milestoneID", "done", action: .manageMatrices, use: completeMilestone)
        web.get("actions", ":actionID", action: .viewMatrices, use: action)
        web.get("actions", ":actionID", "edit", action: .manageMatrices, use: editActionPage)
        web.post("actions", ":actionID", "edit", action: .manageMatrices, use: updateAction)
        web.post("actions", ":actionID", "updates", action: .followUpActions, use: followUp)
        web.get("my-actions", action: .followUpActions, use: myActions)
        web.get("institutions", ":institutionID", action: .viewMatrices, use: institution)
        web.get("report", action: .viewMatrices, use: report)
        MatrixImportController().register(web: web)
        CooperationAPIController().register(api: api)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        let principal = req.currentUser?.principal
        let matrices = try await CooperationQueries(database: req.db).matrices(for: principal, today: Day(req.now))
        return MatrixPages.list(matrices, canManage: Policy.allows(principal, .manageMatrices), today: Day(req.now), req.pageContext())
    }

    @Sendable func matrix(_ req: Request) async throws -> HTML {
        try await matrixPage(req, errors: [:])
    }

    /// The matrix page; `form` keeps what was typed into the workshop form when it is shown again with errors.
    func matrixPage(_ req: Request, errors: [String: String], form: [String: String] = [:]) async throws -> HTML {
        let view = try await loadMatrix(req)
        let filter = try req.query.decode(MatrixFilter.self)
        var original: CooperationQueries.MatrixView?
        if let originalID = view.revisionOf {
            original = try await CooperationQueries(database: req.db).matrix(originalID, for: req.currentUser?.principal, today: Day(req.now))
        }
        let model = MatrixPageModel(matrix: view, filter: filter, institutions: try await AccountQueries(database: req.db).institutions(),
                                    canManage: Policy.allows(req.currentUser?.principal, .manageMatrices), today: Day(req.now), errors: errors,
                                    form: form, revised: original)
        return MatrixPages.matrix(model, req.pageContext())
    }

    @Sendable func newMatrixPage(_ req: Request) async throws -> HTML {
        MatrixFormPages.matrix(MatrixFormModel(matrixID: nil, form: ["theme": MatrixTheme.traffickingInPersons.rawValue, "country_a": "CIV", "country_b": "MAR"]), req.pageContext())
    }

    @Sendable func createMatrix(_ req: Request) async throws -> Response {
        let form = try req.content.decode(MatrixForm.self)
        do {
            let matrix = try await CooperationService(req.serviceContext).createMatrix(form.draft)
            return req.redirect(to: "/matrices/\(try matrix.requireID().uuidString)?notice=saved", redirectType: .normal)
        } catch CooperationError.invalid(let issues) {
            let model = MatrixFormModel(matrixID: nil, form: form.values, errors: Layout.fieldErrors(issues, req.pageContext()))
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.matrix(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    @Sendable func editMatrixPage(_ req: Request) async throws -> Response {
        let view = try await loadMatrix(req)
        guard MatrixStatus(rawValue: view.status)?.acceptsStructuralEdits == true else { return try await frozen(req, .validatedIsFrozen) }
        let form: [String: String] = [
            "title_fr": view.titleFrench, "title_en": view.titleEnglish, "description_fr": view.descriptionFrench, "description_en": view.descriptionEnglish,
            "theme": view.theme, "country_a": view.countryA, "country_b": view.countryB, "project": view.project, "version": String(view.version), "status": view.status,
        ]
        return try await MatrixFormPages.matrix(MatrixFormModel(matrixID: view.id, form: form), req.pageContext()).encodeResponse(for: req)
    }

    /// The matrix page with the reason a structural edit is refused (a validated version is revised through its next draft).
    private func frozen(_ req: Request, _ error: CooperationError) async throws -> Response {
        let page = try await matrixPage(req, errors: try Self.errors(error, req))
        return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
    }

    @Sendable func updateMatrix(_ req: Request) async throws -> Response {
        let id = try uuid(req, "matrixID")
        let form = try req.content.decode(MatrixForm.self)
        do {
            try await CooperationService(req.serviceContext).updateMatrix(id, form.draft, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/matrices/\(id.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            let errors = try Self.errors(error, req)
            let model = MatrixFormModel(matrixID: id, form: form.values, errors: errors)
            return try await HTMLPage(status: Self.status(error), html: MatrixFormPages.matrix(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct StatusForm: Content {
        var to: String?
        var version: Int?
        var workshop_date: String?
        var workshop_place: String?
        var institutions_present: String?
    }

    @Sendable func changeStatus(_ req: Request) async throws -> Response {
        let id = try uuid(req, "matrixID")
        let form = try req.content.decode(StatusForm.self)
        do {
            guard let target = form.to.flatMap(MatrixStatus.init(rawValue:)) else { throw CooperationError.transitionNotAllowed }
            let workshop = WorkshopDraft(date: form.workshop_date?.nilIfEmpty.flatMap(Day.init(iso:)), place: form.workshop_place ?? "",
                                         institutionsPresent: form.institutions_present ?? "")
            let revised = try await CooperationQueries(database: req.db).matrix(id, for: req.currentUser?.principal, today: Day(req.now))?.revisionOf
            try await CooperationService(req.serviceContext).setStatus(id, to: target, workshop: target == .validated ? workshop : nil, expectedVersion: form.version ?? -1)
            // A validated revision has been merged into the matrix it revised, and is gone.
            let shown = target == .validated ? revised ?? id : id
            return req.redirect(to: "/matrices/\(shown.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            var typed: [String: String] = [:]
            for (key, value) in [("workshop_date", form.workshop_date), ("workshop_place", form.workshop_place), ("institutions_present", form.institutions_present)] {
                if let value { typed[key] = value }
            }
            var errors = try Self.errors(error, req)
            if let date = form.workshop_date?.nilIfEmpty, Day(iso: date) == nil { errors["workshop_date"] = req.t("case.error.date_format") }
            let page = try await matrixPage(req, errors: errors, form: typed)
            return try await HTMLPage(status: Self.status(error), html: page).encodeResponse(for: req)
        }
    }

    @Sendable func prepareRevision(_ req: Request) async throws -> Response {
        let id = try uuid(req, "matrixID")
        let version = (try? req.content.get(Int.self, at: "version")) ?? -1
        do {
            let revisionID = try await CooperationService(req.serviceContext).prepareRevision(of: id, expectedVersion: version)
            return req.redirect(to: "/matrices/\(revisionID.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            return try await HTMLPage(status: Self.status(error), html: try await matrixPage(req, errors: try Self.errors(error, req))).encodeResponse(for: req)
        }
    }

    @Sendable func discardRevision(_ req: Request) async throws -> Response {
        let id = try uuid(req, "matrixID")
        let version = (try? req.content.get(Int.self, at: "version")) ?? -1
        do {
            let originalID = try await CooperationService(req.serviceContext).discardRevision(id, expectedVersion: version)
            return req.redirect(to: "/matrices/\(originalID.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            return try await HTMLPage(status: Self.status(error), html: try await matrixPage(req, errors: try Self.errors(error, req))).encodeResponse(for: req)
        }
    }

    @Sendable func newActionPage(_ req: Request) async throws -> Response {
        let view = try await loadMatrix(req)
        guard MatrixStatus(rawValue: view.status)?.acceptsStructuralEdits == true else { return try await frozen(req, .validatedIsFrozen) }
        let nextCode = view.actions.last.map { $0.code } ?? "1.1"
        let model = ActionFormModel(matrixID: view.id, actionID: nil, form: ["version": String(view.version), "axis": view.actions.last?.axis ?? "", "code": nextCode == "1.1" && view.actions.isEmpty ? "1.1" : ""],
                                    partners: [], institutions: try await AccountQueries(database: req.db).institutions(includeInactive: false))
        return try await MatrixFormPages.action(model, req.pageContext()).encodeResponse(for: req)
    }

    @Sendable func createAction(_ req: Request) async throws -> Response {
        try await saveAction(req, matrixID: try uuid(req, "matrixID"), actionID: nil)
    }

    @Sendable func editActionPage(_ req: Request) async throws -> Response {
        let action = try await loadAction(req)
        guard MatrixStatus(rawValue: action.matrixStatus)?.acceptsStructuralEdits == true else {
            return req.redirect(to: "/matrices/\(action.matrixID.uuidString)/edit", redirectType: .normal)
        }
        guard let matrixVersion = try await CooperationQueries(database: req.db).matrixVersion(action.matrixID) else { throw Abort(.notFound) }
        let indicator = action.indicators.first
        var form: [String: String] = [
            "code": action.code, "axis": action.axis, "description": action.description, "lead": action.leadID.uuidString,
            "status": action.status, "progress": String(action.progress), "weight": String(action.weight), "version": String(matrixVersion),
        ]
        for (key, value) in [("start_date", action.startDate), ("deadline", action.deadline), ("budget", action.budget), ("currency", action.currency),
                             ("funding_source", action.fundingSource), ("indicator_name", indicator?.name), ("indicator_unit", indicator?.unit),
                             ("indicator_baseline", indicator?.baseline), ("indicator_target", indicator?.target),
                             ("indicator_current", indicator?.liveFigure == nil ? indicator?.currentValue : nil), ("indicator_live", indicator?.liveFigure)] {
            if let value { form[key] = value }
        }
        let model = ActionFormModel(matrixID: action.matrixID, actionID: action.id, form: form, partners: Set(action.partnerIDs.map(\.uuidString)),
                                    institutions: try await AccountQueries(database: req.db).institutions(includeInactive: false),
                                    revisesValidatedAction: action.originActionID != nil)
        return try await MatrixFormPages.action(model, req.pageContext()).encodeResponse(for: req)
    }

    @Sendable func updateAction(_ req: Request) async throws -> Response {
        let action = try await loadAction(req)
        return try await saveAction(req, matrixID: action.matrixID, actionID: action.id, revisesValidatedAction: action.originActionID != nil)
    }

    private func saveAction(_ req: Request, matrixID: UUID, actionID: UUID?, revisesValidatedAction: Bool = false) async throws -> Response {
        let form = try req.content.decode(ActionForm.self)
        let (draft, issues) = form.draft()
        do {
            guard let draft else { throw CooperationError.invalid(issues) }
            let id = try await CooperationService(req.serviceContext).saveAction(matrixID: matrixID, actionID: actionID, draft, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/actions/\(id.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            let model = ActionFormModel(matrixID: matrixID, actionID: actionID, form: form.values, partners: Set(form.partners ?? []),
                                        institutions: try await AccountQueries(database: req.db).institutions(includeInactive: false),
                                        errors: try Self.errors(error, req), revisesValidatedAction: revisesValidatedAction)
            return try await HTMLPage(status: Self.status(error), html: MatrixFormPages.action(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    @Sendable func action(_ req: Request) async throws -> HTML {
        let action = try await loadAction(req)
        return MatrixPages.action(try await actionModel(req, action), req.pageContext())
    }

    private func actionModel(_ req: Request, _ action: CooperationQueries.ActionView) async throws -> ActionPageModel {
        let right = Policy.actionRight(req.currentUser?.principal, leadInstitutionID: action.leadID.uuidString, partnerInstitutionIDs: action.partnerIDs.map(\.uuidString))
        // No follow-up on an archived matrix, nor on the draft of a next version (the validated version is what is followed).
        let closed = action.matrixStatus == MatrixStatus.archived.rawValue || action.matrixRevisionOf != nil
        return ActionPageModel(action: action, updates: try await CooperationQueries(database: req.db).updates(actionID: action.id),
                               right: closed ? (right == .manage && action.matrixRevisionOf != nil ? .manage : .none) : right, today: Day(req.now))
    }

    @Sendable func followUp(_ req: Request) async throws -> Response {
        let action = try await loadAction(req)
        let form = try req.content.decode(FollowUpForm.self)
        var issues: [FieldIssue] = []
        let day = form.occurred_on?.nilIfEmpty.flatMap(Day.init(iso:))
        if day == nil { issues.append(FieldIssue("occurred_on", "case.error.date_format")) }
        var progress: Int?
        if let text = form.progress?.nilIfEmpty {
            progress = Int(text)
            if progress == nil { issues.append(FieldIssue("progress", "matrix.error.progress")) }
        }
        let status = form.status?.nilIfEmpty.flatMap(ActionStatus.init(rawValue:))
        // A partner's form carries no state fields; sending them anyway is refused by the service.
        let statusChange = status.flatMap { $0.rawValue == action.status ? nil : $0 }
        let progressChange = progress.flatMap { $0 == action.progress ? nil : $0 }
        let valueChange = form.indicator_value?.nilIfEmpty.flatMap { $0 == action.indicators.first?.currentValue ? nil : $0 }
        do {
            guard issues.isEmpty, let day else { throw CooperationError.invalid(issues) }
            try await CooperationService(req.serviceContext).followUp(
                actionID: action.id,
                FollowUpDraft(text: form.text ?? "", evidenceURL: form.evidence_url, occurredOn: day, status: statusChange, progress: progressChange, indicatorValue: valueChange),
                expectedVersion: form.version)
            return req.redirect(to: "/actions/\(action.id.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            if error == .forbidden { throw Abort(.forbidden, reason: "error.forbidden") }
            var model = try await actionModel(req, action)
            model.errors = try Self.errors(error, req)
            var values: [String: String] = [:]
            for (key, value) in [("text", form.text), ("evidence_url", form.evidence_url), ("occurred_on", form.occurred_on), ("status", form.status),
                                 ("progress", form.progress), ("indicator_value", form.indicator_value)] {
                if let value { values[key] = value }
            }
            model.form = values
            return try await HTMLPage(status: Self.status(error), html: MatrixPages.action(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct MilestoneForm: Content {
        var title: String?
        var due_on: String?
        var actions: [String]?
    }

    @Sendable func addMilestone(_ req: Request) async throws -> Response {
        let id = try uuid(req, "matrixID")
        let form = try req.content.decode(MilestoneForm.self)
        do {
            try await CooperationService(req.serviceContext).addMilestone(matrixID: id, title: form.title ?? "", dueOn: form.due_on?.nilIfEmpty.flatMap(Day.init(iso:)),
                                                                     actionIDs: (form.actions ?? []).compactMap(UUID.init(uuidString:)))
            return req.redirect(to: "/matrices/\(id.uuidString)?notice=saved", redirectType: .normal)
        } catch let error as CooperationError {
            return try await HTMLPage(status: Self.status(error), html: try await matrixPage(req, errors: try Self.errors(error, req))).encodeResponse(for: req)
        }
    }

    @Sendable func completeMilestone(_ req: Request) async throws -> Response {
        let id = try uuid(req, "milestoneID")
        let day = (try? req.content.get(String.self, at: "done_on")).flatMap(Day.init(iso:)) ?? Day(req.now)
        let matrixID: UUID
        do {
            matrixID = try await CooperationService(req.serviceContext).completeMilestone(id, on: day)
        } catch CooperationError.notFound {
            throw Abort(.notFound)
        }
        return req.redirect(to: "/matrices/\(matrixID.uuidString)?notice=saved", redirectType: .normal)
    }

    @Sendable func versions(_ req: Request) async throws -> HTML {
        let view = try await loadMatrix(req)
        var comparison: (String, String, MatrixComparison)?
        if let from = req.query[String.self, at: "from"], let to = req.query[String.self, at: "to"] {
            let queries = CooperationQueries(database: req.db)
            func snapshot(_ key: String) async throws -> MatrixSnapshot? {
                if key == "current" { return try await queries.currentSnapshot(matrixID: view.id, today: Day(req.now)) }
                // A draft of a next version is compared with the versions of the matrix it revises.
                return try await Int(key).asyncMap { try await queries.snapshot(matrixID: view.revisionOf ?? view.id, number: $0) } ?? nil
            }
            if let old = try await snapshot(from), let new = try await snapshot(to) {
                comparison = (from, to, MatrixComparison.compare(old, new))
            }
        }
        return MatrixFormPages.versions(view, comparison: comparison.map { (from: $0.0, to: $0.1, result: $0.2) }, req.pageContext())
    }

    @Sendable func myActions(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        guard let institutionID = user.institutionID, let institution = try await AccountQueries(database: req.db).institution(institutionID) else {
            return MatrixPages.myActions(led: [], partnered: [], dueSoon: [], institution: "—", req.pageContext())
        }
        let today = Day(req.now)
        let actions = try await CooperationQueries(database: req.db).actionsOfInstitution(institutionID, for: user.principal, today: today)
        let led = actions.filter { $0.leadID == institutionID }
        let partnered = actions.filter { $0.leadID != institutionID }
        let horizon = today.adding(days: 30)
        let dueSoon = led.filter { action in
            guard let deadline = action.deadline.flatMap(Day.init(iso:)), action.status != "completed", action.status != "cancelled" else { return false }
            return deadline <= horizon
        }
        return MatrixPages.myActions(led: led, partnered: partnered, dueSoon: dueSoon, institution: "\(institution.acronym) — \(institution.name)", req.pageContext())
    }

    @Sendable func institution(_ req: Request) async throws -> HTML {
        let id = try uuid(req, "institutionID")
        guard let institution = try await AccountQueries(database: req.db).institution(id) else { throw Abort(.notFound) }
        let actions = try await CooperationQueries(database: req.db).actionsOfInstitution(id, for: req.currentUser?.principal, today: Day(req.now))
        return MatrixPages.institution(institution, actions: actions, req.pageContext())
    }

    @Sendable func report(_ req: Request) async throws -> HTML {
        let today = Day(req.now)
        let queries = CooperationQueries(database: req.db)
        let matrices = try await queries.validatedMatrices(today: today)
        return MatrixFormPages.report(matrices, today: today, req.pageContext())
    }

    @Sendable func template(_ req: Request) async throws -> Response {
        let csv = TabularExport(sheetName: "matrix", headers: MatrixImportReader.columns, rows: []).csv(delimiter: req.language == .fr ? ";" : ",")
        return FileDownload.response(Data(csv.utf8), name: "corridor-matrix-template.csv", type: FileDownload.csv)
    }

    @Sendable func export(_ req: Request) async throws -> Response {
        let view = try await loadMatrix(req)
        let format = (try? req.query.get(String.self, at: "format")) ?? "csv"
        guard format == "csv" || format == "xlsx" else { throw Abort(.badRequest) }
        // `updated_since`: only the actions changed since then, for a script that refreshes.
        var actions = view.actions
        if let text = req.query[String.self, at: "updated_since"], !text.isEmpty {
            guard let since = Instant.parse(text) else { throw Abort(.badRequest, reason: "error.date_format") }
            let changed = try await CooperationQueries(database: req.db).actionIDs(of: view.id, updatedSince: since)
            actions = actions.filter { changed.contains($0.id) }
        }
        let rows = actions.map { action -> [String] in
            let indicator = action.indicators.first
            return [action.code, action.axis, action.description, action.leadAcronym, action.partners.joined(separator: "|"), action.startDate ?? "",
                    action.deadline ?? "", indicator?.name ?? "", indicator?.baseline ?? "", indicator?.target ?? "", action.budget ?? "",
                    action.currency ?? "", action.fundingSource ?? "", action.status, String(action.progress)]
        }
        let table = TabularExport(sheetName: view.title(req.language), headers: MatrixImportReader.columns.map { MatrixImportReader.label($0, req.language) }, rows: rows)
        try await AuditLog.record(AuditEvent(action: .export, entityType: "matrix", entityID: view.id.uuidString, detail: "\(format), \(rows.count) actions"),
                                  req.serviceContext)
        if format == "xlsx" {
            return FileDownload.response(try table.xlsx(), name: "matrix-\(Day(req.now).iso).xlsx", type: FileDownload.xlsx)
        }
        return FileDownload.response(Data(table.csv(delimiter: FileDownload.csvSeparator(req)).utf8), name: "matrix-\(Day(req.now).iso).csv", type: FileDownload.csv)
    }

    // MARK: Helpers

    private func uuid(_ req: Request, _ name: String) throws -> UUID {
        guard let id = req.parameters.get(name, as: UUID.self) else { throw Abort(.notFound) }
        return id
    }

    private func loadMatrix(_ req: Request) async throws -> CooperationQueries.MatrixView {
        guard let view = try await CooperationQueries(database: req.db).matrix(try uuid(req, "matrixID"), for: req.currentUser?.principal, today: Day(req.now)) else {
            throw Abort(.notFound)
        }
        return view
    }

    private func loadAction(_ req: Request) async throws -> CooperationQueries.ActionView {
        guard let view = try await CooperationQueries(database: req.db).action(try uuid(req, "actionID"), for: req.currentUser?.principal, today: Day(req.now)) else {
            throw Abort(.notFound)
        }
        return view
    }

    static func errors(_ error: CooperationError, _ req: Request) throws -> [String: String] {
        switch error {
        case .invalid(let issues): return Layout.fieldErrors(issues, req.pageContext())
        case .conflict: return ["general": req.t("matrix.error.conflict")]
        case .transitionNotAllowed: return ["general": req.t("matrix.error.transition")]
        case .validatedIsFrozen: return ["general": req.t("matrix.error.validated_frozen")]
        case .revisionOpen: return ["general": req.t("matrix.error.revision_open")]
        case .forbidden: throw Abort(.forbidden, reason: "error.forbidden")
        case .notFound: throw Abort(.notFound)
        }
    }

    static func status(_ error: CooperationError) -> HTTPResponseStatus {
        switch error {
        case .conflict, .validatedIsFrozen, .revisionOpen: return .conflict
        default: return .unprocessableEntity
        }
    }
}
