import CorridorCore
import Fluent
import Foundation
import Vapor

/// *Données et ressources*: the public library (`/resources`, a download per document) and
/// its management (`/admin/library`, the communications role and administrators).
struct LibraryController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("resources", action: .viewPublic, use: list)
        web.get("resources", ":id", ":name", action: .viewPublic, use: download)
        web.get("admin", "library", action: .manageNews, use: manage)
        // A 20 MB file, multipart-encoded, with its fields.
        web.on(.POST, ["admin", "library"], action: .manageNews, body: .collect(maxSize: "21mb"), use: upload)
        web.post("admin", "library", ":id", "publish", action: .manageNews, use: publish)
        web.post("admin", "library", ":id", "unpublish", action: .manageNews, use: unpublish)
        web.post("admin", "library", ":id", "delete", action: .manageNews, use: delete)
    }

    private func managesLibrary(_ req: Request) -> Bool { Policy.allows(req.currentUser?.principal, .manageNews) }

    @Sendable func list(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(LibraryQueries.Filter.self)
        let queries = LibraryQueries(database: req.db)
        return LibraryPages.list(try await queries.list(filter, includeDrafts: false), years: try await queries.years(), filter: filter, req.pageContext())
    }

    @Sendable func download(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let row = try await LibraryQueries(database: req.db).file(id, includeDrafts: managesLibrary(req)),
              let type = LibraryDocumentType(rawValue: row.fileType) else { throw Abort(.notFound) }
        let response = FileDownload.response(row.content, name: row.fileName, type: type.mediaType)
        // A draft is nobody else's business, and no cache keeps it.
        if row.status != "published" { response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store") }
        return response
    }

    struct UploadForm: Content {
        var title: String?
        var description: String?
        var kind: String?
        var language: String?
        var published_on: String?
        var file: File?
    }

    @Sendable func manage(_ req: Request) async throws -> HTML {
        let documents = try await LibraryQueries(database: req.db).list(LibraryQueries.Filter(), includeDrafts: true)
        return LibraryPages.manage(documents, form: LibraryPages.Form(publishedOn: Day(req.now).iso), errors: [:], req.pageContext())
    }

    @Sendable func upload(_ req: Request) async throws -> Response {
        let form = (try? req.content.decode(UploadForm.self)) ?? UploadForm()
        let draft = LibraryDraft(title: form.title ?? "", description: form.description ?? "", kind: form.kind ?? "", language: form.language ?? "",
                                 publishedOn: form.published_on ?? "", fileName: form.file?.filename ?? "")
        do {
            _ = try await LibraryService(context: req.serviceContext).add(draft, data: form.file.map { Data(buffer: $0.data) } ?? Data())
            return req.redirect(to: "/admin/library?notice=library_added", redirectType: .normal)
        } catch LibraryService.LibraryError.invalid(let issues) {
            let context = req.pageContext()
            let documents = try await LibraryQueries(database: req.db).list(LibraryQueries.Filter(), includeDrafts: true)
            let kept = LibraryPages.Form(title: draft.title, description: draft.description, kind: draft.kind, language: draft.language, publishedOn: draft.publishedOn)
            return try await HTMLPage(status: .unprocessableEntity, html: LibraryPages.manage(documents, form: kept, errors: Layout.fieldErrors(issues, context), context))
                .encodeResponse(for: req)
        }
    }

    private func change(_ req: Request, notice: String, _ action: (LibraryService, UUID) async throws -> Void) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        do {
            try await action(LibraryService(context: req.serviceContext), id)
        } catch LibraryService.LibraryError.notFound {
            throw Abort(.notFound)
        }
        return req.redirect(to: "/admin/library?notice=\(notice)", redirectType: .normal)
    }

    @Sendable func publish(_ req: Request) async throws -> Response {
        try await change(req, notice: "library_published") { try await $0.setPublished($1, true) }
    }

    @Sendable func unpublish(_ req: Request) async throws -> Response {
        try await change(req, notice: "library_unpublished") { try await $0.setPublished($1, false) }
    }

    @Sendable func delete(_ req: Request) async throws -> Response {
        try await change(req, notice: "library_deleted") { try await $0.delete($1) }
    }
}
