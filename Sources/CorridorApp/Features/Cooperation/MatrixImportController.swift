import CorridorCore
import Foundation
import Vapor

/// Upload pages for matrices (M&E officers) and institutions (administrators): validate,
/// report every problem, write all or nothing on confirmation.
struct MatrixImportController: Sendable {
    struct MatrixUpload: Content {
        var file: File?
        var title_fr: String?
        var title_en: String?
        var description_fr: String?
        var description_en: String?
        var theme: String?
        var country_a: String?
        var country_b: String?
        var project: String?

        var form: CooperationController.MatrixForm {
            .init(title_fr: title_fr, title_en: title_en, description_fr: description_fr, description_en: description_en, theme: theme,
                  country_a: country_a, country_b: country_b, project: project, version: nil)
        }
    }

    func register(web: any RoutesBuilder) {
        web.get("matrices", "import", action: .manageMatrices, use: page)
        web.on(.POST, ["matrices", "import"], action: .manageMatrices, body: .collect(maxSize: "20mb"), use: validate)
        web.post("matrices", "import", "confirm", action: .manageMatrices, use: confirm)
        web.get("admin", "institutions", "import", action: .importInstitutions, use: institutionsPage)
        web.on(.POST, ["admin", "institutions", "import"], action: .importInstitutions, body: .collect(maxSize: "20mb"), use: validateInstitutions)
        web.post("admin", "institutions", "import", "confirm", action: .importInstitutions, use: confirmInstitutions)
    }

    @Sendable func page(_ req: Request) async throws -> HTML {
        MatrixFormPages.importPage(MatrixImportModel(form: ["theme": MatrixTheme.traffickingInPersons.rawValue, "country_a": "CIV", "country_b": "MAR"]), req.pageContext())
    }

    @Sendable func validate(_ req: Request) async throws -> Response {
        let upload = try req.content.decode(MatrixUpload.self)
        let values = upload.form.values
        guard let file = upload.file, file.data.readableBytes > 0 else {
            let model = MatrixImportModel(form: values, fileError: req.t("import.error.no_file"))
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        let data = Data(buffer: file.data)
        do {
            let plan = try MatrixImportReader.plan(text: TabularText.table(data), institutions: try await CooperationQueries(database: req.db).institutionReferences())
            let id = plan.issues.isEmpty ? try req.corridor.uploads.keep(data, owner: req.currentUser?.id) : nil
            let model = MatrixImportModel(form: values, plan: plan, uploadID: id)
            return try await HTMLPage(status: plan.issues.isEmpty ? .ok : .unprocessableEntity, html: MatrixFormPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        } catch let error as TabularFileError {
            let model = MatrixImportModel(form: values, fileError: error.message(req.catalogue))
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct Confirmation: Content {
        var id: String?
        var title_fr: String?
        var title_en: String?
        var description_fr: String?
        var description_en: String?
        var theme: String?
        var country_a: String?
        var country_b: String?
        var project: String?
    }

    @Sendable func confirm(_ req: Request) async throws -> Response {
        let form = try req.content.decode(Confirmation.self)
        let store = req.corridor.uploads
        let matrixForm = CooperationController.MatrixForm(title_fr: form.title_fr, title_en: form.title_en, description_fr: form.description_fr,
                                                          description_en: form.description_en, theme: form.theme, country_a: form.country_a,
                                                          country_b: form.country_b, project: form.project, version: nil)
        guard let id = form.id, let data = try store.load(id, owner: req.currentUser?.id) else {
            let model = MatrixImportModel(form: matrixForm.values, fileError: req.t("import.error.expired"))
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
        let plan = try MatrixImportReader.plan(text: TabularText.table(data), institutions: try await CooperationQueries(database: req.db).institutionReferences())
        do {
            let matrixID = try await CooperationService(req.serviceContext).importMatrix(plan, matrixForm.draft, fileName: id)
            store.discard(id, owner: req.currentUser?.id)
            return req.redirect(to: "/matrices/\(matrixID.uuidString)?notice=saved", redirectType: .normal)
        } catch CooperationError.invalid(let issues) {
            var model = MatrixImportModel(form: matrixForm.values, plan: plan, uploadID: id)
            model.fileError = issues.map { req.t($0.code) }.joined(separator: " ")
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.importPage(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct Upload: Content {
        var file: File?
    }

    @Sendable func institutionsPage(_ req: Request) async throws -> HTML {
        MatrixFormPages.institutionsImport(issues: nil, count: nil, uploadID: nil, fileError: nil, done: nil, req.pageContext())
    }

    @Sendable func validateInstitutions(_ req: Request) async throws -> Response {
        guard let file = (try? req.content.decode(Upload.self))?.file, file.data.readableBytes > 0 else {
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.institutionsImport(
                issues: nil, count: nil, uploadID: nil, fileError: req.t("import.error.no_file"), done: nil, req.pageContext())).encodeResponse(for: req)
        }
        let data = Data(buffer: file.data)
        do {
            let plan = try InstitutionImportReader.plan(text: TabularText.table(data))
            let id = plan.issues.isEmpty ? try req.corridor.uploads.keep(data, owner: req.currentUser?.id) : nil
            let page = MatrixFormPages.institutionsImport(issues: plan.issues, count: plan.institutions.count, uploadID: id, fileError: nil, done: nil, req.pageContext())
            return try await HTMLPage(status: plan.issues.isEmpty ? .ok : .unprocessableEntity, html: page).encodeResponse(for: req)
        } catch let error as TabularFileError {
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.institutionsImport(
                issues: nil, count: nil, uploadID: nil, fileError: error.message(req.catalogue), done: nil, req.pageContext())).encodeResponse(for: req)
        }
    }

    struct InstitutionConfirmation: Content {
        var id: String?
    }

    @Sendable func confirmInstitutions(_ req: Request) async throws -> Response {
        let store = req.corridor.uploads
        guard let id = try req.content.decode(InstitutionConfirmation.self).id, let data = try store.load(id, owner: req.currentUser?.id) else {
            return try await HTMLPage(status: .unprocessableEntity, html: MatrixFormPages.institutionsImport(
                issues: nil, count: nil, uploadID: nil, fileError: req.t("import.error.expired"), done: nil, req.pageContext())).encodeResponse(for: req)
        }
        let plan = try InstitutionImportReader.plan(text: TabularText.table(data))
        guard plan.issues.isEmpty else { throw Abort(.unprocessableEntity) }
        let done = try await CooperationService(req.serviceContext).importInstitutions(plan.institutions, fileName: id)
        store.discard(id, owner: req.currentUser?.id)
        return try await MatrixFormPages.institutionsImport(issues: nil, count: nil, uploadID: nil, fileError: nil, done: done, req.pageContext()).encodeResponse(for: req)
    }
}
