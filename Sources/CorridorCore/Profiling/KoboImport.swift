import Foundation

/// How the columns and choices of a field form map to a questionnaire's codes, saved per
/// source form and exchanged as JSON: `{"questions": {...}, "choices": {...}}`.
public struct KoboMapping: Sendable, Codable, Equatable {
    public var questions: [String: String]
    public var choices: [String: [String: String]]
    /// Columns deliberately left out (notes, calculations Corridor does not keep): listed here,
    /// they no longer block an import.
    public var ignored: [String]

    public init(questions: [String: String] = [:], choices: [String: [String: String]] = [:], ignored: [String] = []) {
        self.questions = questions
        self.choices = choices
        self.ignored = ignored
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        questions = try container.decodeIfPresent([String: String].self, forKey: .questions) ?? [:]
        choices = try container.decodeIfPresent([String: [String: String]].self, forKey: .choices) ?? [:]
        ignored = try container.decodeIfPresent([String].self, forKey: .ignored) ?? []
    }
}

/// One submission read from an export.
public struct KoboSubmission: Sendable, Equatable {
    public var line: Int
    /// The submission's lasting key: `meta/rootUuid` when the export has it (an edited
    /// submission gets a new `_uuid` and keeps its root), else `_uuid`, ODK Central's `KEY` or
    /// `instanceID`; without the `uuid:` prefix.
    public var uuid: String
    public var answers: Answers
    /// When the interview took place: the form's `today`, else `start`, else when it was
    /// submitted (`_submission_time`, ODK Central's `SubmissionDate`).
    public var interviewedOn: Day?

    public init(line: Int, uuid: String, answers: Answers, interviewedOn: Day? = nil) {
        self.line = line
        self.uuid = uuid
        self.answers = answers
        self.interviewedOn = interviewedOn
    }
}

public struct KoboReadResult: Sendable, Equatable {
    public var submissions: [KoboSubmission]
    public var issues: [ImportIssue]
    /// Columns that are neither metadata nor mapped to a question: reported, never dropped silently.
    public var unmappedColumns: [String]
    /// The column each question was read from.
    public var columnsByQuestion: [String: String]
    public var rowCount: Int
    /// Answers that are none of their question's choices and that the mapping neither maps
    /// nor ignores, once each: like an unmapped column, they block writing until mapped.
    public var unmappedChoices: [UnmappedChoice] = []

    /// Whether anything in the file is neither mapped nor explicitly ignored.
    public var hasUnmapped: Bool { !unmappedColumns.isEmpty || !unmappedChoices.isEmpty }

    mutating func noteUnmapped(question: String, value: String) {
        let choice = UnmappedChoice(question: question, value: value)
        if !unmappedChoices.contains(choice) { unmappedChoices.append(choice) }
    }
}

/// An answer the mapping does not know: the question's code and the value as exported.
public struct UnmappedChoice: Sendable, Equatable, Hashable {
    public var question: String
    public var value: String
}

/// Reads KoboToolbox CSV exports: `;` or `,`, quoted cells, CRLF, names or labels with group
/// paths, an optional HXL row, select-multiple summary and per-choice columns, metadata columns.
public enum KoboCSVReader {
    public static let metadataColumns: Set<String> = [
        "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index",
        "__version__", "_version_", "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
        "_xform_id_string", "meta/instanceid", "meta/instanceID", "formhub/uuid", "_attachments", "_geolocation", "_parent_index",
        "_submission__uuid", "_submission__id", "meta/rootuuid", "rootuuid", "meta/deprecatedid", "deprecatedid", "instanceid",
        "meta/instancename", "instancename",
        // ODK Central's CSV export.
        "submissiondate", "key", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected", "status",
        "reviewstate", "deviceid", "edits", "formversion", "meta-instanceid", "meta.instanceid", "parent_key",
    ]

    /// The characters KoboToolbox and ODK put between a group and a question's name, as the
    /// export settings choose ("/" by default, "." or "-", or none).
    public static let groupSeparators: [Character] = ["/", ".", "-"]

    /// The question a column holds, if any: the saved mapping first, then the question's code,
    /// its aliases or its label, compared without case or accents.
    public static func question(forColumn column: String, in questionnaire: Questionnaire, mapping: KoboMapping,
                                separator: Character = "/") -> Question? {
        let last = lastComponent(column, separator)
        if let code = mapping.questions[column] ?? mapping.questions[last] { return questionnaire.question(code) }
        let name = SearchText.fold(last)
        let whole = SearchText.fold(column)
        return questionnaire.questions.first { question in
            SearchText.fold(question.code) == name || (question.aliases ?? []).contains { SearchText.fold($0) == name }
                || SearchText.fold(question.label.fr) == whole || SearchText.fold(question.label.en) == whole
        }
    }

    static func lastComponent(_ column: String, _ separator: Character = "/") -> String {
        column.split(separator: separator).last.map(String.init) ?? column
    }

    static func isMetadata(_ column: String, _ separator: Character = "/") -> Bool {
        let folded = column.lowercased()
        return metadataColumns.contains(folded) || metadataColumns.contains(lastComponent(folded, separator))
            || metadataColumns.contains(lastComponent(folded, "/")) || column.hasPrefix("_")
    }

    /// The group separator of an export: the one under which most columns name a question.
    static func separator(of header: [String], questionnaire: Questionnaire, mapping: KoboMapping) -> Character {
        var best: (separator: Character, count: Int) = ("/", -1)
        for separator in groupSeparators {
            let count = header.filter { !isMetadata($0, separator) && question(forColumn: $0, in: questionnaire, mapping: mapping, separator: separator) != nil }.count
            if count > best.count { best = (separator, count) }
        }
        return best.separator
    }

    /// The first day of an ISO date or date-time (`2023-07-05T16:42:00.000+00:00`,
    /// `2023-07-05 16:42:00`), or of an Excel date already read as one.
    static func day(_ text: String) -> Day? {
        Day(iso: String(text.trimmingCharacters(in: .whitespaces).prefix(10)))
    }

    /// An export as uploaded: an XLSX workbook (a ZIP archive) or CSV text.
    public static func read(data: Data, questionnaire: Questionnaire, mapping: KoboMapping,
                            limits: WorkbookReader.Limits = .upload) throws(TabularFileError) -> KoboReadResult {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try read(workbook: data, questionnaire: questionnaire, mapping: mapping, limits: limits) }
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
    public static func read(workbook data: Data, questionnaire: Questionnaire, mapping: KoboMapping,
                            limits: WorkbookReader.Limits = .upload) throws(TabularFileError) -> KoboReadResult {
        let sheets: [WorkbookReader.Sheet]
        do { sheets = try WorkbookReader.sheets(of: data, limits: limits) } catch { throw .reading(error, line: 1) }
        guard let main = sheets.first else { throw .empty }
        var result = try read(table: main.rows, questionnaire: questionnaire, mapping: mapping)
        guard let mainHeader = main.rows.first else { return result }
        let indexColumn = mainHeader.firstIndex(of: "_index")
        let uuidColumn = mainHeader.firstIndex(of: "_uuid")
        var uuidByIndex: [String: String] = [:]
        if let indexColumn, let uuidColumn {
            for row in main.rows.dropFirst() where row.count > max(indexColumn, uuidColumn) { uuidByIndex[row[indexColumn]] = row[uuidColumn] }
        }
        // Repeat rows name their submission's `_uuid`, which an edited submission's key (its
        // root) may not be: join through the line each submission was read from.
        var positionByUUID: [String: Int] = [:]
        var positionByLine: [Int: Int] = [:]
        for (position, submission) in result.submissions.enumerated() {
            positionByUUID[submission.uuid] = position
            positionByLine[submission.line] = position
        }
        if let uuidColumn {
            for (offset, row) in main.rows.enumerated().dropFirst() where uuidColumn < row.count {
                if let position = positionByLine[offset + 1] { positionByUUID[row[uuidColumn].replacingOccurrences(of: "uuid:", with: "")] = position }
            }
        }
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
                    var codes = values
                    if question.type.hasChoices {
                        codes = []
                        for value in values {
                            switch choiceCode(value, question: question, mapping: mapping) {
                            case .code(let code): codes.append(code)
                            case .ignored: continue
                            case .unknown:
                                result.noteUnmapped(question: question.code, value: value)
                                result.issues.append(ImportIssue(line: offset + 2, column: "\(sheet.name)/\(header[index])", code: "profiling.error.unmapped_choice", value: value))
                            }
                        }
                    }
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
        // The key: the root of an edited submission first, then Kobo's `_uuid`, then ODK's.
        let keyColumns = ["meta/rootuuid", "meta.rootuuid", "meta-rootuuid", "rootuuid", "_uuid", "key", "meta/instanceid", "meta-instanceid",
                          "meta.instanceid", "instanceid"]
        let keyIndexes = keyColumns.compactMap { name in header.firstIndex { $0.lowercased() == name } }
        guard !keyIndexes.isEmpty else { throw .missingColumns(["_uuid"]) }
        let dateIndexes = ["today", "start", "_submission_time", "submissiondate"].compactMap { name in
            header.firstIndex { lastComponent($0.lowercased()) == name || $0.lowercased() == name }
        }
        let ignored = Set(mapping.ignored)
        let separator = self.separator(of: header, questionnaire: questionnaire, mapping: mapping)
        let headerSet = Set(header)

        // Which columns feed which question; per-choice columns of a select-multiple are
        // recognised by their parent column.
        var columnsByQuestion: [String: String] = [:]
        var indexByQuestion: [String: Int] = [:]
        var choiceColumns: [String: [(choice: String, index: Int)]] = [:]
        var unmapped: [String] = []
        for (index, column) in header.enumerated() {
            if isMetadata(column, separator) || ignored.contains(column) { continue }
            let parts = column.split(separator: separator).map(String.init)
            if parts.count > 1 {
                // A select-multiple's column per choice ("…/raisons/economic"), beside the
                // summary column or without it (the "split columns only" export option).
                let parent = parts.dropLast().joined(separator: String(separator))
                if let question = self.question(forColumn: parent, in: questionnaire, mapping: mapping, separator: separator), question.type == .multipleChoice,
                   headerSet.contains(parent) || mapping.choices[question.code]?[parts.last ?? ""] != nil || question.choice(matching: parts.last ?? "") != nil {
                    choiceColumns[question.code, default: []].append((parts.last ?? "", index))
                    if columnsByQuestion[question.code] == nil { columnsByQuestion[question.code] = parent }
                    continue
                }
            }
            if let question = self.question(forColumn: column, in: questionnaire, mapping: mapping, separator: separator), indexByQuestion[question.code] == nil {
                indexByQuestion[question.code] = index
                columnsByQuestion[question.code] = column
            } else {
                unmapped.append(column)
            }
        }

        var submissions: [KoboSubmission] = []
        var issues: [ImportIssue] = []
        var unmappedChoices: [UnmappedChoice] = []
        var seen: Set<String> = []
        var line = 1
        while let cells = rows.next() {
            line += 1
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            // The optional second row of HXL hashtags.
            if line == 2, cells.contains(where: { $0.hasPrefix("#") }), cells.allSatisfy({ $0.isEmpty || $0.hasPrefix("#") }) { continue }
            let uuid = keyIndexes.lazy.compactMap { index -> String? in
                guard index < cells.count else { return nil }
                let key = cells[index].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "uuid:", with: "")
                return key.isEmpty ? nil : key
            }.first ?? ""
            let interviewedOn = dateIndexes.lazy.compactMap { $0 < cells.count ? day(cells[$0]) : nil }.first
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
                    raw = columns.filter { $0.index < cells.count && ["1", "true", "TRUE", "True"].contains(cells[$0.index].trimmingCharacters(in: .whitespaces)) }.map(\.choice)
                }
                // Labels exported for a select-multiple hold spaces of their own: the whole cell
                // or a run of labels is matched before the words one by one.
                if question.type == .multipleChoice, raw.count > 1, let index = indexByQuestion[question.code], index < cells.count,
                   let labelled = labelledChoices(cells[index], question: question, mapping: mapping) {
                    raw = labelled
                }
                guard !raw.isEmpty else { continue }
                if question.type.hasChoices {
                    var codes: [String] = []
                    for value in raw {
                        switch choiceCode(value, question: question, mapping: mapping) {
                        case .code(let code): codes.append(code)
                        case .ignored: continue
                        case .unknown:
                            let choice = UnmappedChoice(question: question.code, value: value)
                            if !unmappedChoices.contains(choice) { unmappedChoices.append(choice) }
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
                submissions.append(KoboSubmission(line: line, uuid: uuid, answers: answers, interviewedOn: interviewedOn))
            } else {
                issues += rowIssues
            }
        }
        return KoboReadResult(submissions: submissions, issues: issues, unmappedColumns: unmapped, columnsByQuestion: columnsByQuestion, rowCount: line - 1,
                              unmappedChoices: unmappedChoices)
    }

    enum ChoiceReading { case code(String), ignored, unknown }

    /// What an exported answer is: a choice's code (through the mapping, the code itself or a
    /// label), a value the mapping says to ignore, or unknown.
    static func choiceCode(_ value: String, question: Question, mapping: KoboMapping) -> ChoiceReading {
        if let mapped = mapping.choices[question.code]?[value] { return mapped == KoboMapping.ignoreChoice ? .ignored : .code(mapped) }
        if let choice = question.choice(matching: value) { return .code(choice.code) }
        return .unknown
    }
}

extension KoboCSVReader {
    /// A select-multiple cell of labels ("Raisons économiques Regroupement familial") split into
    /// the choices it names, longest label first; nil when the words are codes or unknown.
    static func labelledChoices(_ cell: String, question: Question, mapping: KoboMapping) -> [String]? {
        let words = cell.split(separator: " ").map(String.init)
        let codes = Set(question.allChoices.map(\.code))
        if words.allSatisfy({ word in mapping.choices[question.code]?[word] != nil || codes.contains(word) }) { return nil }
        var result: [String] = []
        var start = 0
        while start < words.count {
            var matched = false
            for end in stride(from: words.count, to: start, by: -1) {
                let candidate = words[start..<end].joined(separator: " ")
                if mapping.choices[question.code]?[candidate] != nil || question.choice(matching: candidate) != nil {
                    result.append(candidate)
                    start = end
                    matched = true
                    break
                }
            }
            if !matched { return nil }
        }
        return result
    }
}

extension KoboMapping {
    /// The value of the mapping form's "ignore this column" choice.
    public static let ignoreChoice = "__ignore__"

    /// The name a mapping is kept under: the source form's name, lower-case letters, digits,
    /// `-` and `_` only, "kobo" when none is given.
    public static func sourceName(_ raw: String?) -> String {
        let cleaned = String((raw ?? "").lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.prefix(60))
        return cleaned.isEmpty ? "kobo" : cleaned
    }
}
