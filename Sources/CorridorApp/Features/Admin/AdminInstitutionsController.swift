import CorridorCore
import Foundation
import Vapor

/// Administrator pages for the institutions users belong to.
struct AdminInstitutionsController: Sendable {
    struct InstitutionForm: Content {
        var name: String?
        var acronym: String?
        var country: String?
        var kind: String?
        var version: Int?

        var draft: InstitutionDraft {
            InstitutionDraft(name: name ?? "", acronym: acronym ?? "", country: country ?? "", kind: kind ?? "")
        }
    }

    func register(web: any RoutesBuilder) {
        let admin = web.grouped("admin", "institutions")
        admin.get(action: .manageInstitutions, use: list)
        admin.get("export", action: .manageInstitutions, use: export)
        admin.get("new", action: .manageInstitutions, use: newPage)
        admin.post("new", action: .manageInstitutions, use: create)
        admin.get(":institutionID", action: .manageInstitutions, use: editPage)
        admin.post(":institutionID", action: .manageInstitutions, use: update)
        admin.post(":institutionID", "disable", action: .manageInstitutions, use: disable)
        admin.post(":institutionID", "enable", action: .manageInstitutions, use: enable)
    }

    /// Every institution in the columns of the institutions file, so that it imports elsewhere as it is.
    @Sendable func export(_ req: Request) async throws -> Response {
        let format = (try? req.query.get(String.self, at: "format")) ?? "csv"
        guard format == "csv" || format == "xlsx" else { throw Abort(.badRequest) }
        let rows = try await AccountQueries(database: req.db).institutions().map { [$0.acronym, $0.name, $0.country, $0.kind] }
        let table = TabularExport(sheetName: req.t("institutions.title"),
                                  headers: InstitutionImportReader.columns.map { InstitutionImportReader.label($0, req.language) }, rows: rows)
        try await AuditLog.record(AuditEvent(action: .export, entityType: "institution", entityID: nil, detail: "\(format), \(rows.count) rows"), req.serviceContext)
        if format == "xlsx" { return FileDownload.response(try table.xlsx(), name: "corridor-institutions.xlsx", type: FileDownload.xlsx) }
        return FileDownload.response(Data(table.csv(delimiter: FileDownload.csvSeparator(req)).utf8), name: "corridor-institutions.csv", type: FileDownload.csv)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        AdminPages.institutions(try await AccountQueries(database: req.db).institutions(), req.pageContext())
    }

    @Sendable func newPage(_ req: Request) async throws -> HTML {
        AdminPages.institutionForm(InstitutionFormModel(form: InstitutionForm(country: "CIV", kind: InstitutionKind.ministry.rawValue)), req.pageContext())
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(InstitutionForm.self)
        do {
            _ = try await AccountService(req.serviceContext).createInstitution(form.draft)
            return req.redirect(to: "/admin/institutions?notice=saved", redirectType: .normal)
        } catch let error as AccountError {
            return try await invalid(req, form: form, existing: nil, error: error)
        }
    }

    @Sendable func editPage(_ req: Request) async throws -> HTML {
        guard let id = req.parameters.get("institutionID", as: UUID.self),
              let institution = try await AccountQueries(database: req.db).institution(id) else { throw Abort(.notFound) }
        let form = InstitutionForm(name: institution.name, acronym: institution.acronym, country: institution.country,
                                   kind: institution.kind, version: institution.version)
        return AdminPages.institutionForm(InstitutionFormModel(existing: institution, form: form), req.pageContext())
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("institutionID", as: UUID.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(InstitutionForm.self)
        do {
            _ = try await AccountService(req.serviceContext).updateInstitution(id: id, form.draft, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/admin/institutions?notice=saved", redirectType: .normal)
        } catch let error as AccountError {
            if error == .notFound { throw Abort(.notFound) }
            let existing = try await AccountQueries(database: req.db).institution(id)
            return try await invalid(req, form: form, existing: existing, error: error)
        }
    }

    @Sendable func disable(_ req: Request) async throws -> Response { try await setActive(req, false) }
    @Sendable func enable(_ req: Request) async throws -> Response { try await setActive(req, true) }

    private func setActive(_ req: Request, _ active: Bool) async throws -> Response {
        guard let id = req.parameters.get("institutionID", as: UUID.self) else { throw Abort(.notFound) }
        do {
            try await AccountService(req.serviceContext).setInstitutionActive(id: id, active: active)
        } catch AccountError.notFound {
            throw Abort(.notFound)
        }
        return req.redirect(to: "/admin/institutions?notice=saved", redirectType: .normal)
    }

    private func invalid(_ req: Request, form: InstitutionForm, existing: AccountQueries.InstitutionRow?, error: AccountError) async throws -> Response {
        var model = InstitutionFormModel(existing: existing, form: form)
        if let field = error.field { model.errors[field] = req.t(error.messageKey) } else { model.generalError = req.t(error.messageKey) }
        if error == .staleVersion, let existing { model.form.version = existing.version }
        return try await HTMLPage(status: .unprocessableEntity, html: AdminPages.institutionForm(model, req.pageContext())).encodeResponse(for: req)
    }
}

struct InstitutionFormModel: Sendable {
    var existing: AccountQueries.InstitutionRow?
    var form: AdminInstitutionsController.InstitutionForm
    var errors: [String: String] = [:]
    var generalError: String?
}
