import Foundation

/// A questionnaire is data: versioned, with questions, choices, labels in both languages,
/// the names field tools use for them, and skip logic.
public struct Questionnaire: Sendable, Codable, Equatable {
    public var code: String
    public var version: Int
    public var title: LocalizedText
    public var questions: [Question]
    /// The pages a field form shows (XLSForm groups), in order; questions name theirs.
    public var groups: [QuestionGroup]?

    public func question(_ code: String) -> Question? { questions.first { $0.code == code } }
}

/// A page of a field form: the questions that name it are shown together.
public struct QuestionGroup: Sendable, Codable, Equatable {
    public var code: String
    public var label: LocalizedText
}

public struct LocalizedText: Sendable, Codable, Equatable {
    public var fr: String
    public var en: String

    public init(fr: String, en: String) { self.fr = fr; self.en = en }
    public func text(_ language: Language) -> String { language == .fr ? fr : en }
}

public enum QuestionType: String, Sendable, Codable {
    case singleChoice = "single_choice"
    case multipleChoice = "multiple_choice"
    case integer, decimal, date, text, country
    case yesNo = "yes_no"

    public var hasChoices: Bool { self == .singleChoice || self == .multipleChoice || self == .yesNo }
}

public struct Choice: Sendable, Codable, Equatable {
    public var code: String
    public var label: LocalizedText
    /// Names a field tool may use for this choice (e.g. Kobo's `homme` for `male`).
    public var aliases: [String]?
}

/// Shows a question only when another question's answer is, or includes, a value.
public struct SkipCondition: Sendable, Codable, Equatable {
    public var question: String
    public var equals: String?
    public var includes: String?
    public var excludes: String?

    public func holds(_ answers: [String: [String]]) -> Bool {
        let values = answers[question] ?? []
        if let equals, values.first != equals { return false }
        if let includes, !values.contains(includes) { return false }
        if let excludes, values.contains(excludes) { return false }
        return equals != nil || includes != nil || excludes != nil || !values.isEmpty
    }
}

public struct Question: Sendable, Codable, Equatable {
    public var code: String
    public var type: QuestionType
    public var label: LocalizedText
    public var choices: [Choice]?
    public var required: Bool?
    public var relevant: SkipCondition?
    /// Names a field tool may use for this question.
    public var aliases: [String]?
    public var minimum: Double?
    public var maximum: Double?
    /// The group (page) the question belongs to, by its code.
    public var group: String?
    /// For a country question: whether several countries may be given (transit countries).
    public var multiple: Bool?

    /// The choices, `yes`/`no` for a yes-no question.
    public var allChoices: [Choice] {
        if type == .yesNo {
            return [Choice(code: "yes", label: .init(fr: "Oui", en: "Yes"), aliases: ["oui", "1", "true"]),
                    Choice(code: "no", label: .init(fr: "Non", en: "No"), aliases: ["non", "0", "false"])]
        }
        return choices ?? []
    }

    /// The choice a field value designates, by code or alias, ignoring case and accents.
    public func choice(matching raw: String) -> Choice? {
        let wanted = SearchText.fold(raw)
        // Codes and aliases first; then the labels of either language, as a Kobo export "with labels" gives them.
        return allChoices.first { SearchText.fold($0.code) == wanted || ($0.aliases ?? []).contains { SearchText.fold($0) == wanted } }
            ?? allChoices.first { SearchText.fold($0.label.fr) == wanted || SearchText.fold($0.label.en) == wanted }
    }
}

/// Answers by question code; a multiple-choice answer holds several codes, others one value.
public typealias Answers = [String: [String]]

/// The checks of one interview against its questionnaire.
public enum AnswerRules {
    /// Normalises answers (choice codes, numbers, dates, countries), drops those of questions
    /// skipped by their conditions, and returns the problems by question.
    public static func check(_ raw: Answers, against questionnaire: Questionnaire, today: Day) -> (answers: Answers, issues: [FieldIssue]) {
        var answers: Answers = [:]
        var issues: [FieldIssue] = []
        for question in questionnaire.questions {
            let values = (raw[question.code] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            if let condition = question.relevant, !condition.holds(answers) { continue }
            if values.isEmpty {
                if question.required == true { issues.append(FieldIssue(question.code, "case.error.required")) }
                continue
            }
            switch question.type {
            case .singleChoice, .yesNo:
                guard values.count == 1, let choice = question.choice(matching: values[0]) else { issues.append(FieldIssue(question.code, "profiling.error.choice")); continue }
                answers[question.code] = [choice.code]
            case .multipleChoice:
                var codes: [String] = []
                for value in values {
                    guard let choice = question.choice(matching: value) else { issues.append(FieldIssue(question.code, "profiling.error.choice")); codes = []; break }
                    if !codes.contains(choice.code) { codes.append(choice.code) }
                }
                if !codes.isEmpty { answers[question.code] = codes }
            case .integer, .decimal:
                let text = values[0].replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "").replacingOccurrences(of: ",", with: ".")
                guard let number = Double(text), question.type == .decimal || number.rounded() == number else { issues.append(FieldIssue(question.code, "profiling.error.number")); continue }
                if let minimum = question.minimum, number < minimum { issues.append(FieldIssue(question.code, "profiling.error.range")); continue }
                if let maximum = question.maximum, number > maximum { issues.append(FieldIssue(question.code, "profiling.error.range")); continue }
                answers[question.code] = [question.type == .integer ? String(Int(number)) : String(number)]
            case .date:
                let text = String(values[0].prefix(10))
                guard let day = Day(iso: text) else { issues.append(FieldIssue(question.code, "case.error.date_format")); continue }
                if day > today { issues.append(FieldIssue(question.code, "case.error.date_in_future")); continue }
                answers[question.code] = [day.iso]
            case .country:
                let codes = values.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "|" }) }.map { String($0).uppercased() }
                guard codes.allSatisfy(Countries.isKnown) else { issues.append(FieldIssue(question.code, "case.error.unknown_country")); continue }
                answers[question.code] = codes
            case .text:
                answers[question.code] = [String(values.joined(separator: " ").prefix(2_000))]
            }
        }
        return (answers, issues)
    }
}

/// Age groups at the event, as the statistics use them.
public enum AgeGroup: String, Sendable, CaseIterable, Codable {
    case under18 = "0-17"
    case from18to24 = "18-24"
    case from25to34 = "25-34"
    case from35to49 = "35-49"
    case over50 = "50+"

    public init(age: Int) {
        switch age {
        case ..<18: self = .under18
        case 18...24: self = .from18to24
        case 25...34: self = .from25to34
        case 35...49: self = .from35to49
        default: self = .over50
        }
    }
}
