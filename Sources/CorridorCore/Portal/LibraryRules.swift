import Foundation

/// The documents of the public library (*Données et ressources*): reports, validated action
/// matrices, factsheets, data. What a document must be to be published.
public enum LibraryDocumentType: String, Sendable, CaseIterable, Codable {
    case pdf, xlsx, csv

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    public var fileExtension: String { rawValue }

    /// The type the bytes are, whatever the file's name says: a PDF's signature; a workbook
    /// Corridor's own reader opens; text without control characters for a `.csv` (only then:
    /// any text could pass for CSV).
    public static func recognise(_ data: Data, fileName: String) -> LibraryDocumentType? {
        if data.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return (try? WorkbookReader.sheets(of: data)).map { _ in .xlsx }
        }
        guard fileName.lowercased().hasSuffix(".csv"), !data.isEmpty else { return nil }
        let text = TabularText.decode(data)
        let controls = text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }
        return controls ? nil : .csv
    }
}

/// What a document is; its label is `library.kind.<code>` in the catalogues.
public enum LibraryKind: String, Sendable, CaseIterable, Codable {
    case report, matrix, factsheet, data, other
}

/// A document about to be stored, as typed on the form.
public struct LibraryDraft: Sendable, Equatable {
    public var title: String
    public var description: String
    public var kind: String
    public var language: String
    public var publishedOn: String
    public var fileName: String

    public init(title: String, description: String, kind: String, language: String, publishedOn: String, fileName: String) {
        self.title = title
        self.description = description
        self.kind = kind
        self.language = language
        self.publishedOn = publishedOn
        self.fileName = fileName
    }
}

public enum LibraryRules {
    public static let languages = ["fr", "en", "fr_en"]

    /// Every problem of a document: its fields, then its file (type by the bytes, size).
    public static func check(_ draft: LibraryDraft, data: Data, limitBytes: Int, today: Day) -> (type: LibraryDocumentType?, issues: [FieldIssue]) {
        var issues: [FieldIssue] = []
        let title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { issues.append(FieldIssue("title", "library.error.title_required")) }
        if title.count > 200 { issues.append(FieldIssue("title", "library.error.title_long")) }
        if draft.description.count > 2_000 { issues.append(FieldIssue("description", "library.error.description_long")) }
        if LibraryKind(rawValue: draft.kind) == nil { issues.append(FieldIssue("kind", "library.error.kind")) }
        if !languages.contains(draft.language) { issues.append(FieldIssue("language", "library.error.language")) }
        if let day = Day(iso: draft.publishedOn) {
            if day > today { issues.append(FieldIssue("published_on", "library.error.future")) }
        } else {
            issues.append(FieldIssue("published_on", "library.error.date"))
        }
        guard !data.isEmpty else { return (nil, issues + [FieldIssue("file", "library.error.no_file")]) }
        guard data.count <= limitBytes else { return (nil, issues + [FieldIssue("file", "library.error.too_large")]) }
        guard let type = LibraryDocumentType.recognise(data, fileName: draft.fileName) else { return (nil, issues + [FieldIssue("file", "library.error.type")]) }
        return (type, issues)
    }

    /// The name a download is offered under: the uploaded one, reduced to safe characters, with
    /// the type's extension.
    public static func downloadName(_ uploaded: String, type: LibraryDocumentType) -> String {
        let base = (uploaded as NSString).deletingPathExtension
        let safe = String(SearchText.fold(base).map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(80))
            .split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        return (safe.isEmpty ? "document" : safe) + "." + type.fileExtension
    }
}
