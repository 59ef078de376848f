import CorridorCore
import Fluent
import Foundation
import Vapor

/// Import of the canonical case file (validate, report, confirm) and exports of the caseload.
struct CaseTransferController: Sendable {
    func register(web: any RoutesBuilder) {
        let cases = web.grouped("cases")
        cases.get("template.csv", action: .viewCases, use: template)
        cases.get("import", action: .importCases, use: importPage)
        cases.on(.POST, ["import"], action: .importCases, body: .collect(maxSize: "50mb"), use: validateUpload)
        cases.post("import", "confirm", action: .importCases, use: confirm)
        cases.get("export", action: .exportCases, use: export)
    }

    @Sendable func template(_ req: Request) async throws -> Response {
        // Headers only: an example row would too easily be imported as a real case. French
        // spreadsheet software expects semicolons.
        let body = TabularExport(sheetName: "cases", headers: Array(CaseImportReader.columns.prefix(19)), rows: [])
            .csv(delimiter: req.language == .fr ? ";" : ",")
        return FileDownload.response(Data(body.utf8), name: "corridor-cases-template.csv", type: FileDownload.csv)
    }

    @Sendable func importPage(_ req: Request) async throws -> HTML {
        CaseImportPages.upload(error: nil, req.pageContext())
    }

    struct Upload: Content {
        var file: File?
    }

    @Sendable func validateUpload(_ req: Request) async throws -> Response {
        // A partner institution's user sees people by consent: a file could name anyone.
        guard !req.readsByConsent else { throw Abort(.forbidden) }
        let upload = try? req.content.decode(Upload.self)
        guard let file = upload?.file, file.data.readableBytes > 0 else {
            return try await HTMLPage(status: .unprocessableEntity, html: CaseImportPages.upload(error: req.t("import.error.no_file"), req.pageContext())).encodeResponse(for: req)
        }
        let data = Data(buffer: file.data)
        let name = file.filename
        do {
            // The same reader, screening and writer as the command line, without writing.
            let report = try await CaseService(req.serviceContext).importCases(
                from: .data(data), fileName: name, write: false, mayWriteProtected: Policy.importsProtectedColumns(try req.requireUser().role))
            let id = try req.corridor.uploads.keep(data, owner: req.currentUser?.id)
            return try await CaseImportPages.report(ImportReportModel(id: id, fileName: name, report: report), req.pageContext()).encodeResponse(for: req)
        } catch let error as TabularFileError {
            return try await HTMLPage(status: .unprocessableEntity, html: CaseImportPages.upload(error: error.message(req.catalogue), req.pageContext())).encodeResponse(for: req)
        }
    }

    struct Confirmation: Content {
        var id: String?
        var file_name: String?
        /// Ticked on the report: write the accepted rows and leave the rejected ones out.
        var skip_rejected: String?
    }

    @Sendable func confirm(_ req: Request) async throws -> Response {
        // A partner institution's user sees people by consent: a file could name anyone.
        guard !req.readsByConsent else { throw Abort(.forbidden) }
        let form = try req.content.decode(Confirmation.self)
        let store = req.corridor.uploads
        guard let id = form.id, let data = try store.load(id, owner: req.currentUser?.id) else {
            return try await HTMLPage(status: .unprocessableEntity, html: CaseImportPages.upload(error: req.t("import.error.expired"), req.pageContext())).encodeResponse(for: req)
        }
        // Validated again: the file is the truth, not what the first page said.
        let report: CaseImportReport
        let name = form.file_name ?? id
        do {
            report = try await CaseService(req.serviceContext).importCases(
                from: .data(data), fileName: name, write: true, onlyIfClean: form.skip_rejected == nil,
                mayWriteProtected: Policy.importsProtectedColumns(try req.requireUser().role))
        } catch let error as TabularFileError {
            return try await HTMLPage(status: .unprocessableEntity, html: CaseImportPages.upload(error: error.message(req.catalogue), req.pageContext())).encodeResponse(for: req)
        } catch let error as CaseImportWriteError {
            req.logger.error("case import refused by the database: \(error.underlying)")
            return try await HTMLPage(status: .unprocessableEntity, html: CaseImportPages.upload(error: error.message(req.catalogue), req.pageContext())).encodeResponse(for: req)
        }
        guard report.written else {
            // Rows were rejected and leaving them out was not chosen: nothing was written.
            let model = ImportReportModel(id: id, fileName: name, report: report, error: req.t("import.error.rejected_not_skipped"))
            return try await HTMLPage(status: .unprocessableEntity, html: CaseImportPages.report(model, req.pageContext())).encodeResponse(for: req)
        }
        store.discard(id, owner: req.currentUser?.id)
        // The people it brought who look like people already stored, for review from the report.
        let matches = try await ImportMatches.find(createdCases: report.createdCaseNumbers, created: report.outcome.membersWritten, req)
        let context = req.pageContext()
        return try await CaseImportPages.done(report, matches: PeoplePages.importMatches(matches, context), context).encodeResponse(for: req)
    }

    @Sendable func export(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let filter = try req.query.decode(CaseFilter.self)
        try filter.checkUpdatedSince()
        let format = (try? req.query.get(String.self, at: "format")) ?? "csv"
        guard format == "csv" || format == "xlsx" else { throw Abort(.badRequest) }
        let table = try await CaseExport.table(filter: filter, user: user, database: req.db, now: req.now, language: req.language, catalogue: req.catalogue)
        let separator = FileDownload.csvSeparator(req)
        try await AuditLog.record(AuditEvent(action: .export, entityType: "return_case", entityID: nil, changedFields: CaseExport.columns(for: user.role),
                                             detail: "\(format), \(table.rows.count) rows, filter: \(filter.audited)"), req.serviceContext)
        let stamp = Day(req.now).iso
        if format == "xlsx" {
            return FileDownload.response(try table.xlsx(), name: "corridor-cases-\(stamp).xlsx", type: FileDownload.xlsx)
        }
        return FileDownload.response(Data(table.csv(delimiter: separator).utf8), name: "corridor-cases-\(stamp).csv", type: FileDownload.csv)
    }
}

/// The columns of an export, chosen by role: protected columns for protection officers only.
enum CaseExport {
    static func columns(for role: Role) -> [String] {
        Policy.exportIncludesProtectedColumns(role) ? CaseImportReader.columns + CaseImportReader.protectedColumns : CaseImportReader.columns
    }

    /// The filtered caseload, one row per member, headed in the reader's language (the importer
    /// reads either language's headers, so an export comes back in as it is).
    static func table(filter: CaseFilter, user: CurrentUser, database: any Database, now: Date, language: Language,
                      catalogue: Catalogue) async throws -> TabularExport {
        let columns = columns(for: user.role)
        let rows = try await CaseQueries(database: database, partnerInstitution: user.institutionID, offices: Policy.caseOffices(user.principal)).exportRows(
            filter, userID: user.id, now: now, includeProtected: Policy.exportIncludesProtectedColumns(user.role))
        return TabularExport(sheetName: catalogue.text("case.list_title"), headers: columns.map { CaseImportReader.label($0, language) },
                             rows: rows.map { row in columns.map { row.values[$0] ?? "" } })
    }
}
