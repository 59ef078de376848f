import CSV
import Foundation

/// The rows of a CSV text, read one at a time, with `;` or `,` detected from the header line.
/// Every importer opens its file through here.
public struct CSVRows {
    private let reader: CSVReader
    /// The first row, trimmed.
    public let header: [String]

    public init(_ text: String, trimFields: Bool = true) throws(TabularFileError) {
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: trimFields, delimiter: TabularText.delimiter(of: text))
        } catch {
            throw .malformed(line: 1)
        }
        guard let first = reader.next() else { throw .empty }
        header = first.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    public func next() -> [String]? { reader.next() }

    /// Whether reading stopped on malformed input rather than at the end.
    public var failed: Bool { reader.error != nil }

    /// A header as importers compare it: accents, case, apostrophes and punctuation folded to
    /// `snake_case` ("Pays d'accueil" → `pays_d_accueil`).
    public static func key(_ header: String) -> String {
        let spaced = header.replacingOccurrences(of: "'", with: " ").replacingOccurrences(of: "\u{2019}", with: " ")
        let folded = SearchText.fold(spaced).map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return String(folded).split(separator: "_").joined(separator: "_")
    }

    /// The position of each known column: `column` maps a header to a column name, or nil.
    public func positions(_ column: (String) -> String?) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            if let known = column(name), index[known] == nil { index[known] = position }
        }
        return index
    }
}
