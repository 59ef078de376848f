import Foundation

/// A questionnaire written as an XLSForm (https://xlsform.org): the `survey`, `choices` and
/// `settings` sheets that KoboToolbox and ODK Central take as they are, so that field teams
/// collect on KoboCollect or ODK Collect with Corridor's own questionnaire.
///
/// Every question keeps its code as its `name` and every choice its code, so the exports of the
/// deployed form map back to the questionnaire exactly (`KoboCSVReader` finds each column by the
/// last part of its group path). Labels are in French and English (`label::Français (fr)`,
/// `label::English (en)`), skip logic becomes `relevant`, ranges and "not in the future" become
/// `constraint`, and the questionnaire's version is the form's `version`.
public enum XLSForm {
    /// The languages of the form, as KoboToolbox names them in column headers.
    public static let languages: [(language: Language, name: String)] = [(.fr, "Français (fr)"), (.en, "English (en)")]

    static let yesNoList = "yes_no"
    static let countryList = "countries"

    /// The form's sheets, in the order XLSForm expects them.
    public static func sheets(_ questionnaire: Questionnaire) -> [TabularExport] {
        [survey(questionnaire), choices(questionnaire), settings(questionnaire)]
    }

    /// The form as an `.xlsx` workbook.
    public static func workbook(_ questionnaire: Questionnaire) throws -> Data {
        try TabularExport.workbook(sheets(questionnaire))
    }

    /// The file name of a questionnaire's form: `profiling_return-v1.xlsx`.
    public static func fileName(_ questionnaire: Questionnaire) -> String {
        "\(questionnaire.code)-v\(questionnaire.version).xlsx"
    }

    static func labelHeaders(_ column: String) -> [String] { languages.map { "\(column)::\($0.name)" } }

    static func survey(_ questionnaire: Questionnaire) -> TabularExport {
        let headers = ["type", "name"] + labelHeaders("label") + ["required", "relevant", "constraint"] + labelHeaders("constraint_message") + ["appearance"]
        func row(type: String, name: String, label: LocalizedText? = nil, required: Bool = false, relevant: String = "",
                 constraint: String = "", message: LocalizedText? = nil, appearance: String = "") -> [String] {
            [type, name] + languages.map { label?.text($0.language) ?? "" } + [required ? "yes" : "", relevant, constraint]
                + languages.map { constraint.isEmpty ? "" : message?.text($0.language) ?? "" } + [appearance]
        }
        // When the interview began and ended, and its day: the import dates interviews by `today`.
        var rows = [row(type: "start", name: "start"), row(type: "end", name: "end"), row(type: "today", name: "today")]
        var index = 0
        var groupNames: Set<String> = []
        let questions = questionnaire.questions
        while index < questions.count {
            let groupCode = questions[index].group
            var end = index + 1
            if let groupCode { while end < questions.count, questions[end].group == groupCode { end += 1 } }
            let members = questions[index..<end]
            // A condition every question of the group shares is the group's: the form then skips
            // the whole page.
            let shared = groupCode != nil && members.allSatisfy { $0.relevant == members.first?.relevant } ? members.first?.relevant : nil
            // A group met again further on is a second page of its own: names are unique in a form.
            var groupName = groupCode ?? ""
            if let groupCode {
                var counter = 2
                while !groupNames.insert(groupName).inserted { groupName = "\(groupCode)_\(counter)"; counter += 1 }
                let label = questionnaire.groups?.first { $0.code == groupCode }?.label ?? LocalizedText(fr: groupCode, en: groupCode)
                rows.append(row(type: "begin_group", name: groupName, label: label, relevant: shared.map { relevant($0) } ?? ""))
            }
            for question in members {
                let condition = shared == nil ? question.relevant.map { relevant($0) } ?? "" : ""
                let (check, message) = constraint(question)
                rows.append(row(type: type(question), name: question.code, label: question.label, required: question.required == true,
                                relevant: condition, constraint: check, message: message, appearance: appearance(question)))
            }
            if groupCode != nil { rows.append(row(type: "end_group", name: groupName)) }
            index = end
        }
        return TabularExport(sheetName: "survey", headers: headers, rows: rows)
    }

    static func choices(_ questionnaire: Questionnaire) -> TabularExport {
        var rows: [[String]] = []
        var listed: Set<String> = []
        for question in questionnaire.questions {
            let list = listName(question)
            guard let list, listed.insert(list).inserted else { continue }
            if question.type == .country {
                for country in Countries.sorted(.fr) { rows.append([list, country.code, country.french, country.english]) }
            } else {
                for choice in question.allChoices { rows.append([list, choice.code] + languages.map { choice.label.text($0.language) }) }
            }
        }
        return TabularExport(sheetName: "choices", headers: ["list_name", "name"] + labelHeaders("label"), rows: rows)
    }

    static func settings(_ questionnaire: Questionnaire) -> TabularExport {
        TabularExport(sheetName: "settings", headers: ["form_title", "form_id", "version", "default_language"],
                      rows: [[questionnaire.title.fr, questionnaire.code, String(questionnaire.version), languages[0].name]])
    }

    /// The choice list a question draws from: its own, or the shared yes/no and country lists.
    static func listName(_ question: Question) -> String? {
        switch question.type {
        case .yesNo: return yesNoList
        case .country: return countryList
        case .singleChoice, .multipleChoice: return question.code
        case .integer, .decimal, .date, .text: return nil
        }
    }

    static func type(_ question: Question) -> String {
        switch question.type {
        case .singleChoice, .yesNo: return "select_one \(listName(question) ?? question.code)"
        case .multipleChoice: return "select_multiple \(question.code)"
        case .country: return question.multiple == true ? "select_multiple \(countryList)" : "select_one \(countryList)"
        case .integer: return "integer"
        case .decimal: return "decimal"
        case .date: return "date"
        case .text: return "text"
        }
    }

    static func appearance(_ question: Question) -> String {
        // Two hundred countries: a list to search rather than a page of buttons.
        guard question.type == .country else { return "" }
        return question.multiple == true ? "minimal" : "minimal autocomplete"
    }

    /// What `AnswerRules` refuses, said in the form so that the phone refuses it first.
    static func constraint(_ question: Question) -> (String, LocalizedText?) {
        switch question.type {
        case .integer, .decimal:
            let bounds = [question.minimum.map { ". >= \(number($0))" }, question.maximum.map { ". <= \(number($0))" }].compactMap { $0 }
            guard !bounds.isEmpty else { return ("", nil) }
            let range: LocalizedText
            switch (question.minimum, question.maximum) {
            case let (minimum?, maximum?): range = LocalizedText(fr: "Entre \(number(minimum)) et \(number(maximum)).", en: "Between \(number(minimum)) and \(number(maximum)).")
            case let (minimum?, nil): range = LocalizedText(fr: "Au moins \(number(minimum)).", en: "At least \(number(minimum)).")
            case let (nil, maximum?): range = LocalizedText(fr: "Au plus \(number(maximum)).", en: "At most \(number(maximum)).")
            case (nil, nil): return ("", nil)
            }
            return (bounds.joined(separator: " and "), range)
        case .date:
            return (". <= today()", LocalizedText(fr: "La date ne peut pas être dans le futur.", en: "The date cannot be in the future."))
        case .text:
            return ("string-length(.) <= 2000", LocalizedText(fr: "2 000 caractères au plus.", en: "2,000 characters at most."))
        case .singleChoice, .multipleChoice, .yesNo, .country:
            return ("", nil)
        }
    }

    /// A skip condition as an XPath expression of XLSForm.
    static func relevant(_ condition: SkipCondition) -> String {
        let field = "${\(condition.question)}"
        var parts: [String] = []
        if let equals = condition.equals { parts.append("\(field) = \(literal(equals))") }
        if let includes = condition.includes { parts.append("selected(\(field), \(literal(includes)))") }
        if let excludes = condition.excludes { parts.append("not(selected(\(field), \(literal(excludes))))") }
        if parts.isEmpty { parts.append("\(field) != ''") }
        return parts.joined(separator: " and ")
    }

    /// An XPath string literal: in single quotes, or double quotes when the text has one.
    static func literal(_ text: String) -> String {
        text.contains("'") ? "\"\(text.replacingOccurrences(of: "\"", with: ""))\"" : "'\(text)'"
    }

    /// `110` rather than `110.0`.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
