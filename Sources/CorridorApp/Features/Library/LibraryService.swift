import CorridorCore
import Fluent
import Foundation

/// The library's writes (the communications role and administrators) and reads.
struct LibraryService: Sendable {
    let context: ServiceContext

    /// Twenty megabytes: a report with its figures, a workbook of a year's data.
    static let maximumBytes = 20 << 20

    enum LibraryError: Error, Equatable {
        case invalid([FieldIssue])
        case notFound
    }

    /// Stores a document as a draft; every problem of the form and the file is reported at once.
    func add(_ draft: LibraryDraft, data: Data) async throws -> UUID {
        let (type, issues) = LibraryRules.check(draft, data: data, limitBytes: Self.maximumBytes, today: Day(context.now))
        guard issues.isEmpty, let type else { throw LibraryError.invalid(issues) }
        let row = LibraryDocumentModel()
        row.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        row.description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        row.kind = draft.kind
        row.language = draft.language
        row.publishedOn = draft.publishedOn
        row.fileName = LibraryRules.downloadName(draft.fileName, type: type)
        row.fileType = type.rawValue
        row.size = data.count
        row.content = data
        row.status = "draft"
        row.addedBy = context.user?.name ?? context.actor.label
        row.createdAt = context.now
        row.updatedAt = context.now
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            try await row.create(on: db)
            try await AuditLog.append(AuditEvent(action: .create, entityType: "library_document", entityID: try row.requireID().uuidString,
                                                 changedFields: ["title", "file"], detail: "\(row.fileName), \(row.size) bytes"), by: actor, at: now, on: db)
        }
        return try row.requireID()
    }

    /// Publishes a draft, or takes a published document back to draft.
    func setPublished(_ id: UUID, _ published: Bool) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let row = try await LibraryDocumentModel.find(id, on: db) else { throw LibraryError.notFound }
            row.status = published ? "published" : "draft"
            row.updatedAt = now
            try await row.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "library_document", entityID: id.uuidString, changedFields: ["status"],
                                                 detail: row.status), by: actor, at: now, on: db)
        }
    }

    func delete(_ id: UUID) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let row = try await LibraryDocumentModel.find(id, on: db) else { throw LibraryError.notFound }
            try await row.delete(on: db)
            try await AuditLog.append(AuditEvent(action: .delete, entityType: "library_document", entityID: id.uuidString, detail: row.fileName),
                                      by: actor, at: now, on: db)
        }
    }
}

/// The library as its pages read it: the file's bytes only for a download.
struct LibraryQueries: Sendable {
    let database: any Database

    struct Entry: Sendable, Equatable {
        var id: UUID
        var title: String
        var description: String
        var kind: String
        var language: String
        var publishedOn: String
        var fileName: String
        var fileType: String
        var size: Int
        var status: String
    }

    struct Filter: Codable, Sendable {
        var q: String?
        var kind: String?
        var language: String?
        var year: String?
    }

    /// Documents, newest first: the published ones (or all, for who manages the library),
    /// matching the search words (in the title or description, accents and case aside) and filters.
    func list(_ filter: Filter, includeDrafts: Bool) async throws -> [Entry] {
        var query = LibraryDocumentModel.query(on: database)
        if !includeDrafts { query = query.filter(\.$status == "published") }
        if let kind = filter.kind?.nilIfEmpty { query = query.filter(\.$kind == kind) }
        if let language = filter.language?.nilIfEmpty { query = query.filter(\.$language == language) }
        if let year = filter.year?.nilIfEmpty, year.count == 4, Int(year) != nil {
            query = query.filter(\.$publishedOn >= "\(year)-01-01").filter(\.$publishedOn <= "\(year)-12-31")
        }
        // The library holds tens of documents, not thousands: the rows are read without their
        // files and the words are matched here, folded.
        let rows = try await query.field(\.$id).field(\.$title).field(\.$description).field(\.$kind).field(\.$language).field(\.$publishedOn)
            .field(\.$fileName).field(\.$fileType).field(\.$size).field(\.$status)
            .sort(\.$publishedOn, .descending).sort(\.$title).all()
        let words = SearchText.words(filter.q ?? "")
        return rows.compactMap { row -> Entry? in
            let text = SearchText.fold(row.title + " " + row.description)
            guard words.allSatisfy({ text.contains($0) }) else { return nil }
            return Entry(id: row.id!, title: row.title, description: row.description, kind: row.kind, language: row.language,
                         publishedOn: row.publishedOn, fileName: row.fileName, fileType: row.fileType, size: row.size, status: row.status)
        }
    }

    /// A document with its bytes, if the reader may have it.
    func file(_ id: UUID, includeDrafts: Bool) async throws -> LibraryDocumentModel? {
        guard let row = try await LibraryDocumentModel.find(id, on: database) else { return nil }
        return includeDrafts || row.status == "published" ? row : nil
    }

    /// The years documents are dated in, for the filter.
    func years() async throws -> [String] {
        let rows = try await LibraryDocumentModel.query(on: database).filter(\.$status == "published").field(\.$publishedOn).all()
        return Array(Set(rows.map { String($0.publishedOn.prefix(4)) })).sorted(by: >)
    }
}
