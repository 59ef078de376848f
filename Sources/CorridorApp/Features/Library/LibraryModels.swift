import Fluent
import Foundation

/// A document of the public library. The file is kept in the database, so that a backup
/// carries it and a restore brings it back with its row.
final class LibraryDocumentModel: Model, @unchecked Sendable {
    static let schema = "library_documents"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    /// `LibraryKind`.
    @Field(key: "kind") var kind: String
    /// `fr`, `en` or `fr_en`.
    @Field(key: "language") var language: String
    /// The document's own date, `YYYY-MM-DD`.
    @Field(key: "published_on") var publishedOn: String
    @Field(key: "file_name") var fileName: String
    /// `LibraryDocumentType`.
    @Field(key: "file_type") var fileType: String
    @Field(key: "size") var size: Int
    @Field(key: "content") var content: Data
    /// `draft` (the communications role only) or `published` (everyone).
    @Field(key: "status") var status: String
    @Field(key: "added_by") var addedBy: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreateLibraryDocuments: AsyncMigration {
    var name: String { "2026-12-06-04-create-library-documents" }

    func prepare(on database: any Database) async throws {
        try await database.schema("library_documents")
            .id()
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("kind", .string, .required)
            .field("language", .string, .required)
            .field("published_on", .string, .required)
            .field("file_name", .string, .required)
            .field("file_type", .string, .required)
            .field("size", .int, .required)
            .field("content", .data, .required)
            .field("status", .string, .required)
            .field("added_by", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("library_documents").delete()
    }
}

enum LibraryMigrations {
    static let all: [any Migration] = [CreateLibraryDocuments()]
}
