import Foundation

/// How the columns and choices of a field form map to a questionnaire's codes, saved per
/// source form and exchanged as JSON: `{"questions": {...}, "choices": {...}}`.
public struct KoboMapping: Sendable, Codable, Equatable {
    public var questions: [String: String]
    public var choices: [String: [String: String]]

    public init(questions: [String: String] = [:], choices: [String: [String: String]] = [:]) {
        self.questions = questions
        self.choices = choices
    }
}

/// One submission read from an export.
public struct KoboSubmission: Sendable, Equatable {
    public var line: Int
    public var uuid: String
    public var answers: Answers
}

public struct KoboReadResult: Sendable, Equatable {
    public var submissions: [KoboSubmission]
    public var issues: [ImportIssue]
    /// Columns that are neither metadata nor mapped to a question: reported, never dropped silently.
    public var unmappedColumns: [String]
    /// The column each question was read from.
    public var columnsByQuestion: [String: String]
    public var rowCount: Int
}

/// Reads KoboToolbox CSV exports: `;` or `,`, quoted cells, CRLF, names or labels with group
/// paths, an optional HXL row, select-multiple summary and per-choice columns, metadata columns.
public enum KoboCSVReader {
    public static let metadataColumns: Set<String> = [
        "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index",
        "__version__", "_version_", "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
        "_xform_id_string", "meta/instanceid", "meta/instanceID", "formhub/uuid", "_attachments", "_geolocation", "_parent_index",
        "_submission__uuid", "_submission__id",
    ]

    /// The question a column holds, if any: the saved mapping first, then the question's code,
    /// its aliases or its label, compared without case or accents.
    public static func question(forColumn column: String, in questionnaire: Questionnaire, mapping: KoboMapping) -> Question? {
        if let code = mapping.questions[column] ?? mapping.questions[lastComponent(column)] { return questionnaire.question(code) }
        let name = SearchText.fold(lastComponent(column))
        let whole = SearchText.fold(column)
        return questionnaire.questions.first { question in
            SearchText.fold(question.code) == name || (question.aliases ?? []).contains { SearchText.fold($0) == name }
                || SearchText.fold(question.label.fr) == whole || SearchText.fold(question.label.en) == whole
        }
    }

    static func lastComponent(_ column: String) -> String {
        column.split(separator: "/").last.map(String.init) ?? column
    }

    static func isMetadata(_ column: String) -> Bool {
        metadataColumns.contains(column) || metadataColumns.contains(lastComponent(column)) || column.hasPrefix("_")
    }

    /// An export as uploaded: an XLSX workbook (a ZIP archive) or CSV text.
    public static func read(data: Data, questionnaire: Questionnaire, mapping: KoboMapping) throws(TabularFileError) -> KoboReadResult {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try read(workbook: data, questionnaire: questionnaire, mapping: mapping) }
        return try read(text: TabularText.decode(data), questionnaire: questionnaire, mapping: mapping)
    }

    public static func read(text: String, questionnaire: Questionnaire, mapping: KoboMapping) throws(TabularFileError) -> KoboReadResult {
        let reader = try CSVRows(text, trimFields: false)
        var table: [[String]] = [reader.header]
        while let row = reader.next() { table.append(row) }
        if reader.failed { throw .malformed(line: table.count + 1) }
        return try read(table: table, questionnaire: questionnaire, mapping: mapping)
    }

    /// Reads a Kobo XLSX export: the first sheet holds the submissions; every other sheet is a
    /// repeat group whose rows join their submission through `_submission__uuid` or
    /// `_parent_index`, their answers added to the submission's.
    public static func read(workbook data: Data, questionnaire: Questionnaire, mapping: KoboMapping) throws(TabularFileError) -> KoboReadResult {
        let sheets: [WorkbookReader.Sheet]
        do { sheets = try WorkbookReader.sheets(of: data) } catch { throw .malformed(line: 1) }
        guard let main = sheets.first else { throw .empty }
        var result = try read(table: main.rows, questionnaire: questionnaire, mapping: mapping)
        guard let mainHeader = main.rows.first else { return result }
        let indexColumn = mainHeader.firstIndex(of: "_index")
        let uuidColumn = mainHeader.firstIndex(of: "_uuid")
        var uuidByIndex: [String: String] = [:]
        if let indexColumn, let uuidColumn {
            for row in main.rows.dropFirst() where row.count > max(indexColumn, uuidColumn) { uuidByIndex[row[indexColumn]] = row[uuidColumn] }
        }
        var positionByUUID: [String: Int] = [:]
        for (position, submission) in result.submissions.enumerated() { positionByUUID[submission.uuid] = position }
        for sheet in sheets.dropFirst() {
            guard let header = sheet.rows.first else { continue }
            let parentUUID = header.firstIndex(of: "_submission__uuid")
            let parentIndex = header.firstIndex(of: "_parent_index")
            var columns: [(index: Int, question: Question)] = []
            for (index, column) in header.enumerated() where !isMetadata(column) {
                if let question = self.question(forColumn: column, in: questionnaire, mapping: mapping) {
                    columns.append((index, question))
                    result.columnsByQuestion[question.code] = result.columnsByQuestion[question.code] ?? "\(sheet.name)/\(column)"
                } else if !result.unmappedColumns.contains("\(sheet.name)/\(column)") {
                    result.unmappedColumns.append("\(sheet.name)/\(column)")
                }
            }
            for (offset, row) in sheet.rows.dropFirst().enumerated() {
                func cell(_ index: Int?) -> String? { index.flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil } }
                let uuid = cell(parentUUID).flatMap { $0.isEmpty ? nil : $0.replacingOccurrences(of: "uuid:", with: "") } ?? cell(parentIndex).flatMap { uuidByIndex[$0] }
                guard let uuid, let position = positionByUUID[uuid] else {
                    result.issues.append(ImportIssue(line: offset + 2, column: "\(sheet.name)/_parent_index", code: "profiling.error.orphan_repeat", value: cell(parentIndex) ?? ""))
                    continue
                }
                for (index, question) in columns {
                    guard let value = cell(index), !value.isEmpty else { continue }
                    let values = question.type == .multipleChoice || question.type == .country ? value.split(separator: " ").map(String.init) : [value]
                    let codes = question.type.hasChoices ? values.compactMap { mapping.choices[question.code]?[$0] ?? question.choice(matching: $0)?.code } : values
                    var answers = result.submissions[position].answers[question.code] ?? []
                    for code in codes where !answers.contains(code) { answers.append(code) }
                    result.submissions[position].answers[question.code] = answers
                }
            }
        }
        return result
    }

    /// Reads rows already split into cells; the first row holds the column names.
    public static func read(table: [[String]], questionnaire: Questionnaire, mapping: KoboMapping) throws(TabularFileError) -> KoboReadResult {
        var rows = table.makeIterator()
        guard let header = rows.next()?.map({ $0.trimmingCharacters(in: .whitespaces) }) else { throw .empty }
        guard let uuidIndex = header.firstIndex(where: { $0 == "_uuid" || $0 == "meta/instanceID" }) else { throw .missingColumns(["_uuid"]) }
        let headerSet = Set(header)

        // Which columns feed which question; per-choice columns of a select-multiple are
        // recognised by their parent column.
        var columnsByQuestion: [String: String] = [:]
        var indexByQuestion: [String: Int] = [:]
        var choiceColumns: [String: [(choice: String, index: Int)]] = [:]
        var unmapped: [String] = []
        for (index, column) in header.enumerated() {
            if isMetadata(column) { continue }
            let parts = column.split(separator: "/").map(String.init)
            if parts.count > 1 {
                let parent = parts.dropLast().joined(separator: "/")
                if headerSet.contains(parent), let question = self.question(forColumn: parent, in: questionnaire, mapping: mapping), question.type == .multipleChoice {
                    choiceColumns[question.code, default: []].append((parts.last ?? "", index))
                    continue
                }
            }
            if let question = self.question(forColumn: column, in: questionnaire, mapping: mapping), indexByQuestion[question.code] == nil {
                indexByQuestion[question.code] = index
                columnsByQuestion[question.code] = column
            } else {
                unmapped.append(column)
            }
        }

        var submissions: [KoboSubmission] = []
        var issues: [ImportIssue] = []
        var seen: Set<String> = []
        var line = 1
        while let cells = rows.next() {
            line += 1
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            // The optional second row of HXL hashtags.
            if line == 2, cells.contains(where: { $0.hasPrefix("#") }), cells.allSatisfy({ $0.isEmpty || $0.hasPrefix("#") }) { continue }
            let uuid = uuidIndex < cells.count ? cells[uuidIndex].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "uuid:", with: "") : ""
            guard !uuid.isEmpty else {
                issues.append(ImportIssue(line: line, column: "_uuid", code: "case.error.required", value: ""))
                continue
            }
            if seen.contains(uuid) {
                issues.append(ImportIssue(line: line, column: "_uuid", code: "profiling.error.duplicate_uuid", value: uuid))
                continue
            }
            seen.insert(uuid)
            var answers: Answers = [:]
            var rowIssues: [ImportIssue] = []
            for question in questionnaire.questions {
                var raw: [String] = []
                if let index = indexByQuestion[question.code], index < cells.count {
                    let value = cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
                    raw = question.type == .multipleChoice ? value.split(separator: " ").map(String.init) : (value.isEmpty ? [] : [value])
                } else if let columns = choiceColumns[question.code] {
                    raw = columns.filter { $0.index < cells.count && cells[$0.index].trimmingCharacters(in: .whitespaces) == "1" }.map(\.choice)
                }
                guard !raw.isEmpty else { continue }
                if question.type.hasChoices {
                    var codes: [String] = []
                    for value in raw {
                        if let code = mapping.choices[question.code]?[value] ?? question.choice(matching: value)?.code {
                            codes.append(code)
                        } else {
                            rowIssues.append(ImportIssue(line: line, column: columnsByQuestion[question.code] ?? question.code,
                                                         code: "profiling.error.unmapped_choice", value: value))
                        }
                    }
                    answers[question.code] = codes
                } else {
                    answers[question.code] = raw
                }
            }
            if rowIssues.isEmpty {
                submissions.append(KoboSubmission(line: line, uuid: uuid, answers: answers))
            } else {
                issues += rowIssues
            }
        }
        return KoboReadResult(submissions: submissions, issues: issues, unmappedColumns: unmapped, columnsByQuestion: columnsByQuestion, rowCount: line - 1)
    }
}

extension KoboMapping {
    /// The name a mapping is kept under: the source form's name, lower-case letters, digits,
    /// `-` and `_` only, "kobo" when none is given.
    public static func sourceName(_ raw: String?) -> String {
        let cleaned = String((raw ?? "").lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.prefix(60))
        return cleaned.isEmpty ? "kobo" : cleaned
    }
}
