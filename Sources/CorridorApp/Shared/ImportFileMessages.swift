import CorridorCore

extension TabularFileError {
    /// The sentence an importer shows when a whole file is refused.
    func message(_ catalogue: Catalogue) -> String {
        switch self {
        case .empty: return catalogue.text("import.error.empty")
        case .missingColumns(let columns): return catalogue.text("import.error.missing_columns", ["columns": columns.joined(separator: ", ")])
        case .malformed(let line): return catalogue.text("import.error.malformed", ["line": String(line)])
        }
    }
}
