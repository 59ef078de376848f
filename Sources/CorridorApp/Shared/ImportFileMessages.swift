import CorridorCore

extension TabularFileError {
    /// The sentence an importer shows when a whole file is refused.
    func message(_ catalogue: Catalogue) -> String {
        switch self {
        case .empty: return catalogue.text("import.error.empty")
        case .missingColumns(let columns): return catalogue.text("import.error.missing_columns", ["columns": columns.joined(separator: ", ")])
        case .malformed(let line): return catalogue.text("import.error.malformed", ["line": String(line)])
        case .recordTooLong(let line, let megabytes):
            return catalogue.text("import.error.record_too_long", ["line": String(line), "megabytes": String(megabytes)])
        case .workbook(let problem):
            switch problem {
            case .notAWorkbook: return catalogue.text("import.error.not_a_workbook")
            case .missingPart(let part), .damagedPart(let part): return catalogue.text("import.error.damaged_workbook", ["part": part])
            case .tooLarge(let megabytes): return catalogue.text("import.error.workbook_too_large", ["megabytes": String(megabytes)])
            case .tooManyEntries(let count): return catalogue.text("import.error.workbook_entries", ["count": String(count)])
            case .tooManyRows(let count): return catalogue.text("import.error.too_many_rows", ["count": String(count)])
            case .tooManyColumns(let count): return catalogue.text("import.error.too_many_columns", ["count": String(count)])
            case .cellTooLong(let characters): return catalogue.text("import.error.cell_too_long", ["characters": String(characters)])
            }
        case .protectedColumns(let columns):
            return catalogue.text("import.error.protected_columns", ["columns": columns.map { CaseImportReader.label($0, catalogue.language) }.joined(separator: ", ")])
        }
    }
}
