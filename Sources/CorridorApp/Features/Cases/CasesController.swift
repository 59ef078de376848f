import CorridorCore
import Fluent
import Foundation
import Vapor

/// The caseload pages: list, case page, forms, transitions, assistance, protected details.
struct CasesController: Sendable {
    func register(web: any RoutesBuilder) {
        let cases = web.grouped("cases")
        cases.get(action: .viewCases, use: list)
        cases.get("new", action: .editCases, use: newPage)
        cases.post("new", action: .editCases, use: create)
        cases.get(":number", action: .viewCases, use: detail)
        cases.get(":number", "edit", action: .editCases, use: editPage)
        cases.post(":number", "edit", action: .editCases, use: update)
        cases.get(":number", "members", "new", action: .editCases, use: newMemberPage)
        cases.post(":number", "members", "new", action: .editCases, use: createMember)
        cases.get(":number", "members", ":member", "edit", action: .editCases, use: editMemberPage)
        cases.post(":number", "members", ":member", "edit", action: .editCases, use: updateMember)
        cases.post(":number", "transitions", action: .editCases, use: transition)
        cases.post(":number", "assistance", action: .editCases, use: addAssistance)
        cases.get(":number", "protected", action: .viewProtected, use: protectedPage)
        cases.post(":number", "protected", ":member", action: .editProtected, use: saveProtected)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(CaseFilter.self)
        let user = try req.requireUser()
        let queries = req.caseQueries
        let page = try await queries.list(filter, userID: user.id, now: req.now)
        let principal = user.principal
        let model = CaseListModel(filter: filter, page: page, caseworkers: try await queries.caseworkers(),
                                  offices: try await OfficeQueries(database: req.db).options(req.language),
                                  canEdit: Policy.allows(principal, .editCases), canImport: Policy.allows(principal, .importCases),
                                  canExport: Policy.allows(principal, .exportCases))
        return CasePages.list(model, req.pageContext())
    }

    @Sendable func detail(_ req: Request) async throws -> HTML {
        let view = try await loadCase(req)
        return CasePages.detail(try await detailModel(req, view), req.pageContext())
    }

    @Sendable func newPage(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        // A new case is registered for the writer's own office (the first of theirs).
        let header = CaseHeaderForm(office: Policy.caseOffices(user.principal)?.offices.sorted().first ?? "CIV", registered_on: Day(req.now).iso, caseworker: user.role == .caseworker ? user.id.uuidString : nil)
        var member = MemberForm()
        member.nationality = "CIV"
        let model = CaseFormModel(caseNumber: nil, header: header, member: member, caseworkers: try await CaseQueries(database: req.db).caseworkers(),
                                      offices: try await OfficeQueries(database: req.db).options(req.language))
        return CasePages.caseForm(model, req.pageContext())
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try NewCaseForm.decode(from: req)
        let (header, headerIssues) = form.header.draft()
        let (member, memberIssues) = form.member.draft(memberNumber: 1)
        do {
            guard headerIssues.isEmpty, memberIssues.isEmpty, let member else {
                throw CaseError.invalid(headerIssues + memberIssues + (try await CaseService(req.serviceContext).check(header)))
            }
            // Before a new person is registered, the people already stored who look like them.
            let reviewed = (try? req.content.get(String.self, at: "matches_reviewed")) == "1"
            if !reviewed, let section = try await LikelyMatchesSection.render(for: member, hostCountry: header.hostCountry, req) {
                let model = CaseFormModel(caseNumber: nil, header: form.header, member: form.member,
                                          caseworkers: try await CaseQueries(database: req.db).caseworkers(),
                                      offices: try await OfficeQueries(database: req.db).options(req.language), beforeSubmit: section)
                return try await HTMLPage(status: .ok, html: CasePages.caseForm(model, req.pageContext())).encodeResponse(for: req)
            }
            let created = try await CaseService(req.serviceContext).create(header, principal: member)
            let linkTo = (try? req.content.get(String.self, at: "link_to")).flatMap(UUID.init(uuidString:))
            if let linkTo, try await LikelyMatchesSection.link(newCase: created, to: linkTo, req) {
                return req.redirect(to: "/cases/\(created.caseNumber)?notice=case_registered_linked", redirectType: .normal)
            }
            return req.redirect(to: "/cases/\(created.caseNumber)?notice=case_registered", redirectType: .normal)
        } catch CaseError.invalid(let issues) {
            let context = req.pageContext()
            let model = CaseFormModel(caseNumber: nil, header: form.header, member: form.member,
                                      caseworkers: try await CaseQueries(database: req.db).caseworkers(),
                                      offices: try await OfficeQueries(database: req.db).options(req.language), errors: Layout.fieldErrors(issues, context))
            return try await HTMLPage(status: .unprocessableEntity, html: CasePages.caseForm(model, context)).encodeResponse(for: req)
        }
    }

    @Sendable func editPage(_ req: Request) async throws -> HTML {
        try await req.requireVisibleCase()
        let view = try await loadCase(req)
        let header = CaseHeaderForm(host_country: view.hostCountry, office: view.office, registered_on: view.registeredOn,
                                    caseworker: view.caseworkerID?.uuidString, version: view.version)
        let model = CaseFormModel(caseNumber: view.caseNumber, header: header, member: nil, caseworkers: try await CaseQueries(database: req.db).caseworkers(),
                                      offices: try await OfficeQueries(database: req.db).options(req.language))
        return CasePages.caseForm(model, req.pageContext())
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try caseNumber(req)
        var form = try req.content.decode(CaseHeaderForm.self)
        let (header, issues) = form.draft()
        do {
            guard issues.isEmpty else { throw CaseError.invalid(issues) }
            var draft = header
            // The office changes only when the form names another (a handover).
            if draft.office.trimmingCharacters(in: .whitespaces).isEmpty { draft.office = (try await loadCase(req)).office }
            try await CaseService(req.serviceContext).updateHeader(number: number, draft, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/cases/\(number)?notice=saved", redirectType: .normal)
        } catch let error as CaseError {
            let context = req.pageContext()
            let view = try await loadCase(req)
            var model = CaseFormModel(caseNumber: number, header: form, member: nil, caseworkers: try await CaseQueries(database: req.db).caseworkers(),
                                      offices: try await OfficeQueries(database: req.db).options(req.language))
            switch error {
            case .invalid(let issues): model.errors = Layout.fieldErrors(issues, context)
            case .conflict:
                model.conflict = view
                form.version = view.version
                model.header = form
            case .notFound, .transition: throw Abort(.notFound)
            }
            return try await HTMLPage(status: error.isConflict ? .conflict : .unprocessableEntity, html: CasePages.caseForm(model, context)).encodeResponse(for: req)
        }
    }

    @Sendable func newMemberPage(_ req: Request) async throws -> HTML {
        try await req.requireVisibleCase()
        let view = try await loadCase(req)
        var form = MemberForm()
        form.nationality = "CIV"
        form.relationship = Relationship.child.rawValue
        return CasePages.memberForm(MemberFormModel(caseNumber: view.caseNumber, memberNumber: nil, form: form, version: view.version), req.pageContext())
    }

    @Sendable func editMemberPage(_ req: Request) async throws -> HTML {
        try await req.requireVisibleCase()
        let view = try await loadCase(req)
        guard let number = req.parameters.get("member", as: Int.self), let member = view.members.first(where: { $0.memberNumber == number }) else {
            throw Abort(.notFound)
        }
        return CasePages.memberForm(MemberFormModel(caseNumber: view.caseNumber, memberNumber: number, form: MemberForm(member), version: view.version), req.pageContext())
    }

    @Sendable func createMember(_ req: Request) async throws -> Response { try await saveMember(req, memberNumber: nil) }

    @Sendable func updateMember(_ req: Request) async throws -> Response {
        guard let number = req.parameters.get("member", as: Int.self) else { throw Abort(.notFound) }
        return try await saveMember(req, memberNumber: number)
    }

    private func saveMember(_ req: Request, memberNumber: Int?) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try caseNumber(req)
        let form = try req.content.decode(MemberForm.self)
        let version = try req.content.get(Int?.self, at: "version") ?? -1
        let (draft, issues) = form.draft(memberNumber: memberNumber ?? 0)
        do {
            guard let draft, issues.isEmpty else { throw CaseError.invalid(issues) }
            _ = try await CaseService(req.serviceContext).saveMember(number: number, draft, isNew: memberNumber == nil, expectedVersion: version)
            return req.redirect(to: "/cases/\(number)?notice=saved", redirectType: .normal)
        } catch let error as CaseError {
            let context = req.pageContext()
            let view = try await loadCase(req)
            var model = MemberFormModel(caseNumber: number, memberNumber: memberNumber, form: form, version: version)
            switch error {
            case .invalid(let issues): model.errors = Layout.fieldErrors(issues, context)
            case .conflict:
                model.conflict = view
                model.version = view.version
            case .notFound, .transition: throw Abort(.notFound)
            }
            return try await HTMLPage(status: error.isConflict ? .conflict : .unprocessableEntity, html: CasePages.memberForm(model, context)).encodeResponse(for: req)
        }
    }

    @Sendable func transition(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try caseNumber(req)
        let form = try req.content.decode(TransitionForm.self)
        var errors: [String: String] = [:]
        do {
            guard let target = form.to.flatMap(CaseStatus.init(rawValue:)) else { throw CaseError.transition(.notAllowed) }
            guard let day = form.occurred_on?.nilIfEmpty.flatMap(Day.init(iso:)) else {
                throw CaseError.invalid([FieldIssue("occurred_on", "case.error.date_format")])
            }
            let reason = form.reason?.nilIfEmpty.flatMap { ClosureReason(code: $0) }
            try await CaseService(req.serviceContext).transition(number: number, to: target, on: day, reason: reason, note: form.note, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/cases/\(number)?notice=status_changed", redirectType: .normal)
        } catch let error as CaseError {
            switch error {
            case .invalid(let issues): errors = Layout.fieldErrors(issues, req.pageContext())
            case .transition(let problem):
                errors[problem == .reasonRequired ? "reason" : (problem == .notAllowed || problem == .reasonNotExpected ? "general" : "occurred_on")] = req.t(problem.rawValue)
            case .conflict: errors["general"] = req.t("case.conflict_reload")
            case .notFound: throw Abort(.notFound)
            }
            let view = try await loadCase(req)
            var model = try await detailModel(req, view)
            model.transitionErrors = errors
            model.transitionForm = form
            let status: HTTPResponseStatus = error.isConflict ? .conflict : .unprocessableEntity
            return try await HTMLPage(status: status, html: CasePages.detail(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    @Sendable func addAssistance(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try caseNumber(req)
        let form = try req.content.decode(AssistanceForm.self)
        let (draft, issues) = form.draft()
        do {
            guard let draft else { throw CaseError.invalid(issues) }
            try await CaseService(req.serviceContext).addAssistance(number: number, draft)
            return req.redirect(to: "/cases/\(number)?notice=saved", redirectType: .normal)
        } catch CaseError.invalid(let issues) {
            let view = try await loadCase(req)
            var model = try await detailModel(req, view)
            model.assistanceErrors = Layout.fieldErrors(issues, req.pageContext())
            model.assistanceForm = form
            return try await HTMLPage(status: .unprocessableEntity, html: CasePages.detail(model, req.pageContext())).encodeResponse(for: req)
        } catch CaseError.notFound {
            throw Abort(.notFound)
        }
    }

    /// The protected details of the members the reader sees (a partner's user: by consent).
    static func visible(_ details: [CaseQueries.ProtectedView], _ req: Request, number: String) async throws -> [CaseQueries.ProtectedView] {
        guard req.readsByConsent else { return details }
        let members = Set(try await req.caseQueries.detail(number)?.members.map(\.memberNumber) ?? [])
        return details.filter { members.contains($0.memberNumber) }
    }

    @Sendable func protectedPage(_ req: Request) async throws -> HTML {
        try await req.requireVisibleCase()
        let number = try caseNumber(req)
        guard var details = try await CaseQueries(database: req.db).protectedDetails(number) else { throw Abort(.notFound) }
        details = try await Self.visible(details, req, number: number)
        try await Self.auditProtectedRead(req, number: number)
        let model = ProtectedPageModel(caseNumber: number, details: details, canEdit: Policy.allows(req.currentUser?.principal, .editProtected))
        return CasePages.protectedPage(model, req.pageContext())
    }

    @Sendable func saveProtected(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try caseNumber(req)
        guard let member = req.parameters.get("member", as: Int.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(ProtectedForm.self)
        let (draft, issues) = form.draft()
        do {
            guard let draft else { throw CaseError.invalid(issues) }
            try await CaseService(req.serviceContext).saveProtected(number: number, memberNumber: member, draft, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/cases/\(number)/protected?notice=saved", redirectType: .normal)
        } catch let error as CaseError {
            guard var details = try await CaseQueries(database: req.db).protectedDetails(number) else { throw Abort(.notFound) }
            details = try await Self.visible(details, req, number: number)
            // The page shows protected content again: that is a read like any other.
            try await Self.auditProtectedRead(req, number: number)
            var model = ProtectedPageModel(caseNumber: number, details: details, canEdit: true)
            var form = form
            switch error {
            case .invalid(let issues): model.errors[member] = Layout.fieldErrors(issues, req.pageContext())
            case .conflict(let current):
                model.errors[member] = ["general": req.t("case.conflict_reload")]
                form.version = current
            case .notFound, .transition: throw Abort(.notFound)
            }
            model.forms[member] = form
            return try await HTMLPage(status: error.isConflict ? .conflict : .unprocessableEntity, html: CasePages.protectedPage(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    /// Every read of protected content is in the audit trail.
    static func auditProtectedRead(_ req: Request, number: String) async throws {
        try await AuditLog.record(AuditEvent(action: .readProtected, entityType: "case_protected", entityID: number), req.serviceContext)
    }

    private func caseNumber(_ req: Request) throws -> String {
        guard let number = req.parameters.get("number") else { throw Abort(.notFound) }
        return number.uppercased()
    }

    private func loadCase(_ req: Request) async throws -> CaseQueries.CaseView {
        let reveal = Policy.allows(req.currentUser?.principal, .viewProtected)
        guard let view = try await req.caseQueries.detail(try caseNumber(req), revealProtectedMarkers: reveal) else { throw Abort(.notFound) }
        return view
    }

    /// Everything the case page shows (also when it comes back with a form's errors).
    private func detailModel(_ req: Request, _ view: CaseQueries.CaseView) async throws -> CaseDetailModel {
        let principal = req.currentUser?.principal
        var model = CaseDetailModel(view: view, canEdit: Policy.allows(principal, .editCases),
                                    canViewProtected: Policy.allows(principal, .viewProtected), today: Day(req.now))
        // A partner institution's user sees the scores of the people who share with it only.
        let shown = Set(view.members.map(\.memberNumber))
        model.trajectory = try await ProfilingQueries(database: req.db).trajectory(caseNumber: view.caseNumber)
            .filter { !req.readsByConsent || $0.memberNumber.map(shown.contains) == true }
        model.canRecordInterviews = Policy.allows(principal, .recordInterviews)
        model.attachments = try await AttachmentsController.forCasePage(req, view: view)
        return model
    }
}

extension CaseError {
    var isConflict: Bool { if case .conflict = self { return true } else { return false } }
}
