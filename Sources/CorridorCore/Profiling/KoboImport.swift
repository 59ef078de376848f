import CSV
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

    public static func read(text: String, questionnaire: Questionnaire, mapping: KoboMapping) throws(CaseImportError) -> KoboReadResult {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: CaseImportReader.delimiter(of: text))
        } catch {
            throw .malformed(line: 1)
        }
        guard let header = reader.next()?.map({ $0.trimmingCharacters(in: .whitespaces) }) else { throw .empty }
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
        while let cells = reader.next() {
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
