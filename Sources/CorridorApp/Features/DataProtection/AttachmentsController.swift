import CorridorCore
import Fluent
import Foundation
import Vapor

/// `GET|POST /cases/<number>/attachments` (the list and the upload form),
/// `GET /cases/<number>/attachments/<id>` (a download, audited) and
/// `POST /cases/<number>/attachments/<id>/delete`.
struct AttachmentsController: Sendable {
    /// What the upload route reads of a body: the largest attachment the setting allows, and
    /// the form around it.
    static let bodyLimit = ByteCount(value: (AttachmentRules.largestLimitMegabytes + 1) * 1_048_576)

    func register(web: any RoutesBuilder) {
        let cases = web.grouped("cases")
        cases.get(":number", "attachments", action: .viewCases, use: listPage)
        cases.on(.POST, [":number", "attachments"], action: .editCases, body: .collect(maxSize: Self.bodyLimit), use: upload)
        cases.get(":number", "attachments", ":attachment", action: .viewCases, use: download)
        cases.post(":number", "attachments", ":attachment", "delete", action: .editCases, use: delete)
    }

    struct UploadForm: Content {
        var kind: String?
        var member: String?
        var protected: String?
        var file: File?
    }

    /// The attachments of `view` for the case page.
    static func forCasePage(_ req: Request, view: CaseQueries.CaseView) async throws -> AttachmentsModel {
        let rows = try await AttachmentQueries(database: req.db).list(caseNumber: view.caseNumber)
        let visible = AttachmentsModel.visible(rows, view: view, principal: req.currentUser?.principal, readsByConsent: req.readsByConsent)
        return model(req, view: view, visible: visible)
    }

    /// The case as this reader sees it (a partner institution's user: the people who share with
    /// their institution) and the attachments they may see of it.
    private func visible(_ req: Request) async throws -> (CaseQueries.CaseView, AttachmentsModel.Visible) {
        guard let number = req.parameters.get("number"), let view = try await req.caseQueries.detail(number.uppercased()) else { throw Abort(.notFound) }
        let rows = try await AttachmentQueries(database: req.db).list(caseNumber: view.caseNumber)
        return (view, AttachmentsModel.visible(rows, view: view, principal: req.currentUser?.principal, readsByConsent: req.readsByConsent))
    }

    private func model(_ req: Request, form: UploadForm = UploadForm(), errors: [String: String] = [:]) async throws -> AttachmentsModel {
        let (view, visible) = try await visible(req)
        return Self.model(req, view: view, visible: visible, form: form, errors: errors)
    }

    /// The model of the list for `view` (the case page shows the same list).
    static func model(_ req: Request, view: CaseQueries.CaseView, visible: AttachmentsModel.Visible, form: UploadForm = UploadForm(),
                      errors: [String: String] = [:]) -> AttachmentsModel {
        let principal = req.currentUser?.principal
        return AttachmentsModel(view: view, visible: visible, canEdit: Policy.allows(principal, .editCases),
                                canProtect: Policy.allows(principal, .handleProtectedAttachments),
                                limitMegabytes: req.corridor.configuration.attachmentMaxMegabytes,
                                householdAllowed: !req.readsByConsent, form: form, errors: errors)
    }

    @Sendable func listPage(_ req: Request) async throws -> HTML {
        AttachmentPages.list(try await model(req), req.pageContext())
    }

    @Sendable func upload(_ req: Request) async throws -> Response {
        let (view, _) = try await visible(req)
        let form = (try? req.content.decode(UploadForm.self)) ?? UploadForm()
        let memberNumber = form.member.flatMap { Int($0) }
        // A partner institution's user attaches only to the people they see.
        if let memberNumber, !view.members.contains(where: { $0.memberNumber == memberNumber }) { throw Abort(.notFound) }
        if req.readsByConsent, memberNumber == nil { throw Abort(.forbidden) }
        let upload = AttachmentService.Upload(kind: form.kind.flatMap(AttachmentKind.init(rawValue:)), member: memberNumber,
                                              isProtected: form.protected == "1", fileName: form.file?.filename ?? "",
                                              data: form.file.map { Data(buffer: $0.data) } ?? Data())
        do {
            try await AttachmentService(context: req.serviceContext).add(number: view.caseNumber, upload,
                                                                        limitBytes: req.corridor.configuration.attachmentMaxBytes)
            return req.redirect(to: "/cases/\(view.caseNumber)/attachments?notice=attachment_added", redirectType: .normal)
        } catch CaseError.invalid(let issues) {
            let context = req.pageContext()
            var kept = form
            kept.file = nil
            let model = try await model(req, form: kept, errors: Layout.fieldErrors(issues, context))
            return try await HTMLPage(status: .unprocessableEntity, html: AttachmentPages.list(model, context)).encodeResponse(for: req)
        }
    }

    private func attachment(_ req: Request) async throws -> (CaseQueries.CaseView, AttachmentQueries.Row) {
        let (view, visible) = try await visible(req)
        guard let id = req.parameters.get("attachment", as: UUID.self), let row = visible.shown.first(where: { $0.id == id }) else {
            throw Abort(.notFound)
        }
        return (view, row)
    }

    @Sendable func download(_ req: Request) async throws -> Response {
        let (view, row) = try await attachment(req)
        guard let data = try await AttachmentService(context: req.serviceContext).open(row, caseNumber: view.caseNumber) else {
            // The row outlived its file (a backup taken while it was being deleted).
            throw Abort(.gone, reason: "error.attachment_file_missing")
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: row.mediaType)
        headers.replaceOrAdd(name: .contentDisposition, value: FileDownload.disposition(row.fileName))
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable func delete(_ req: Request) async throws -> Response {
        let (view, row) = try await attachment(req)
        try await AttachmentService(context: req.serviceContext).delete(row, caseNumber: view.caseNumber)
        return req.redirect(to: "/cases/\(view.caseNumber)/attachments?notice=attachment_deleted", redirectType: .normal)
    }
}

struct AttachmentsModel: Sendable {
    struct Visible: Sendable {
        var shown: [AttachmentQueries.Row]
        /// Protected attachments the reader may not open (a line says how many there are).
        var protectedHidden: Int
    }

    var view: CaseQueries.CaseView
    var visible: Visible
    var canEdit: Bool
    var canProtect: Bool
    var limitMegabytes: Int
    /// Whether an attachment may be of the whole household (not for a partner institution's user).
    var householdAllowed: Bool
    var form: AttachmentsController.UploadForm
    var errors: [String: String]

    /// The one rule of who sees which attachment: protected ones the protection officer alone;
    /// a partner institution's user those of the people they see, and none of the household's
    /// (a paper of the whole household names people who do not share with them).
    static func visible(_ rows: [AttachmentQueries.Row], view: CaseQueries.CaseView, principal: Principal?, readsByConsent: Bool) -> Visible {
        let members = Set(view.members.map(\.memberNumber))
        let reachable = rows.filter { row in
            guard let number = row.memberNumber else { return !readsByConsent }
            return members.contains(number)
        }
        let mayProtected = Policy.allows(principal, .handleProtectedAttachments)
        return Visible(shown: reachable.filter { !$0.isProtected || mayProtected },
                       protectedHidden: mayProtected ? 0 : reachable.filter(\.isProtected).count)
    }
}
