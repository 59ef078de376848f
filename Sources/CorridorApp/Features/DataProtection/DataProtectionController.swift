import CorridorCore
import Fluent
import Foundation
import Vapor

/// `GET|POST /cases/<number>/members/<n>/erase` (erasure on request) and `GET /admin/retention`,
/// `POST /admin/retention/run` (the retention policy, and running it now).
struct DataProtectionController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("cases", ":number", "members", ":member", "erase", action: .eraseOnRequest, use: erasePage)
        web.post("cases", ":number", "members", ":member", "erase", action: .eraseOnRequest, use: erase)
        web.get("cases", ":number", "members", ":member", "consent", action: .viewCases, use: consentPage)
        web.post("cases", ":number", "members", ":member", "consent", action: .editCases, use: recordConsent)
        web.post("cases", ":number", "members", ":member", "consent", ":consent", "withdraw", action: .editCases, use: withdrawConsent)
        web.get("admin", "retention", action: .manageRetention, use: retentionPage)
        web.post("admin", "retention", "run", action: .manageRetention, use: runRetention)
    }

    struct EraseForm: Content {
        var reason: String?
        var reference: String?
        var version: Int?
    }

    private func member(_ req: Request) async throws -> (CaseQueries.CaseView, CaseQueries.MemberView) {
        guard let number = req.parameters.get("number"), let memberNumber = req.parameters.get("member", as: Int.self),
              let view = try await req.caseQueries.detail(number.uppercased()),
              let member = view.members.first(where: { $0.memberNumber == memberNumber }) else { throw Abort(.notFound) }
        return (view, member)
    }

    @Sendable func erasePage(_ req: Request) async throws -> HTML {
        let (view, member) = try await member(req)
        var model = EraseModel(view: view, member: member, form: EraseForm(version: view.version))
        model.householdAttachments = try await Self.householdAttachments(req, view)
        return DataProtectionPages.erase(model, req.pageContext())
    }

    /// The household's own attachments (a family's form may name the person): erasing one
    /// member keeps them, so the page says how many there are, to be reviewed by hand.
    static func householdAttachments(_ req: Request, _ view: CaseQueries.CaseView) async throws -> Int {
        try await AttachmentQueries(database: req.db).list(caseNumber: view.caseNumber).filter { $0.memberNumber == nil }.count
    }

    @Sendable func erase(_ req: Request) async throws -> Response {
        let (view, member) = try await member(req)
        let form = try req.content.decode(EraseForm.self)
        let request = ErasureService.Request(reason: form.reason.flatMap(ErasureReason.init(rawValue:)), reference: form.reference ?? "")
        do {
            try await ErasureService(context: req.serviceContext).erase(number: view.caseNumber, member: member.memberNumber, request,
                                                                        expectedVersion: form.version ?? -1)
            return req.redirect(to: "/cases/\(view.caseNumber)?notice=member_erased", redirectType: .normal)
        } catch let error as CaseError {
            let context = req.pageContext()
            var model = EraseModel(view: view, member: member, form: form)
            model.householdAttachments = try await Self.householdAttachments(req, view)
            switch error {
            case .invalid(let issues): model.errors = Layout.fieldErrors(issues, context)
            case .conflict(let current):
                model.conflict = true
                model.form.version = current
            case .notFound, .transition: throw Abort(.notFound)
            }
            return try await HTMLPage(status: error.isConflict ? .conflict : .unprocessableEntity,
                                      html: DataProtectionPages.erase(model, context)).encodeResponse(for: req)
        }
    }

    struct ConsentForm: Content {
        var purpose: String?
        var answer: String?
        var method: String?
        var recorded_on: String?
        var partners: [String]?
        var withdrawn_on: String?

        var draft: ConsentDraft {
            ConsentDraft(purpose: purpose.flatMap(ConsentPurpose.init(rawValue:)), answer: answer.flatMap(ConsentAnswer.init(rawValue:)),
                         method: method.flatMap(ConsentMethod.init(rawValue:)), recordedOn: recorded_on.flatMap(Day.init(iso:)),
                         partners: (partners ?? []).filter { !$0.isEmpty })
        }
    }

    private func consentModel(_ req: Request, form: ConsentForm, errors: [String: String] = [:]) async throws -> ConsentModel {
        let (view, member) = try await member(req)
        guard let memberID = try await CaseMemberModel.query(on: req.db).join(ReturnCaseModel.self, on: \CaseMemberModel.$returnCase.$id == \ReturnCaseModel.$id)
            .filter(ReturnCaseModel.self, \.$caseNumber == view.caseNumber).filter(\.$memberNumber == member.memberNumber).first()?.id else { throw Abort(.notFound) }
        let institutions = try await AccountQueries(database: req.db).institutions(includeInactive: true)
        return ConsentModel(view: view, member: member, history: try await ConsentQueries(database: req.db).history(memberID: memberID),
                            institutions: institutions, form: form, errors: errors,
                            canEdit: Policy.allows(req.currentUser?.principal, .editCases), today: Day(req.now))
    }

    @Sendable func consentPage(_ req: Request) async throws -> HTML {
        DataProtectionPages.consent(try await consentModel(req, form: ConsentForm(recorded_on: Day(req.now).iso)), req.pageContext())
    }

    @Sendable func recordConsent(_ req: Request) async throws -> Response {
        let (view, member) = try await member(req)
        let form = try req.content.decode(ConsentForm.self)
        do {
            try await ConsentService(context: req.serviceContext).record(number: view.caseNumber, member: member.memberNumber, form.draft)
            return req.redirect(to: "/cases/\(view.caseNumber)/members/\(member.memberNumber)/consent?notice=consent_recorded", redirectType: .normal)
        } catch CaseError.invalid(let issues) {
            let context = req.pageContext()
            let model = try await consentModel(req, form: form, errors: Layout.fieldErrors(issues, context))
            return try await HTMLPage(status: .unprocessableEntity, html: DataProtectionPages.consent(model, context)).encodeResponse(for: req)
        }
    }

    @Sendable func withdrawConsent(_ req: Request) async throws -> Response {
        let (view, member) = try await member(req)
        guard let consentID = req.parameters.get("consent", as: UUID.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(ConsentForm.self)
        do {
            try await ConsentService(context: req.serviceContext).withdraw(number: view.caseNumber, member: member.memberNumber, consent: consentID,
                                                                          on: form.withdrawn_on.flatMap(Day.init(iso:)))
            return req.redirect(to: "/cases/\(view.caseNumber)/members/\(member.memberNumber)/consent?notice=consent_withdrawn", redirectType: .normal)
        } catch CaseError.invalid(let issues) {
            let context = req.pageContext()
            var model = try await consentModel(req, form: ConsentForm(recorded_on: Day(req.now).iso), errors: Layout.fieldErrors(issues, context))
            model.withdrawing = consentID
            model.withdrawnOn = form.withdrawn_on
            return try await HTMLPage(status: .unprocessableEntity, html: DataProtectionPages.consent(model, context)).encodeResponse(for: req)
        }
    }

    @Sendable func retentionPage(_ req: Request) async throws -> HTML {
        let policy = req.corridor.configuration.retention
        let preview = try await RetentionService(context: req.serviceContext, policy: policy).run(commit: false)
        let last = try await RetentionService.lastRun(on: req.db)
        return DataProtectionPages.retention(RetentionModel(policy: policy, preview: preview, lastRun: last.map(RetentionModel.LastRun.init),
                                                            notice: req.query[String.self, at: "notice"]), req.pageContext())
    }

    @Sendable func runRetention(_ req: Request) async throws -> Response {
        let report = try await RetentionService(context: req.serviceContext, policy: req.corridor.configuration.retention).run(commit: true)
        req.logger.notice("retention run from the administration page: \(report.auditDetail)")
        return req.redirect(to: "/admin/retention?notice=retention_done", redirectType: .normal)
    }
}

struct EraseModel: Sendable {
    var view: CaseQueries.CaseView
    var member: CaseQueries.MemberView
    var form: DataProtectionController.EraseForm
    var errors: [String: String] = [:]
    var conflict = false
    var householdAttachments = 0
}

struct ConsentModel: Sendable {
    var view: CaseQueries.CaseView
    var member: CaseQueries.MemberView
    var history: [ConsentQueries.Entry]
    var institutions: [AccountQueries.InstitutionRow]
    var form: DataProtectionController.ConsentForm
    var errors: [String: String]
    var canEdit: Bool
    var today: Day
    /// The answer whose withdrawal was refused (its form shows the error).
    var withdrawing: UUID?
    var withdrawnOn: String?
}

struct RetentionModel: Sendable {
    struct LastRun: Sendable {
        var at: Date
        var by: String
        var detail: String

        init(_ entry: AuditEntryModel) {
            at = Date(timeIntervalSince1970: Double(entry.occurredAtMilliseconds) / 1_000)
            by = entry.actorLabel
            detail = entry.detail
        }
    }

    var policy: RetentionPolicy
    var preview: RetentionService.Report
    var lastRun: LastRun?
    var notice: String?
}
