import CorridorCore
import Foundation
import Testing
import Vapor
@testable import CorridorApp

/// Questionnaires go out as XLSForms that KoboToolbox and ODK Central take as they are, and the
/// deployed form's exports come back with nothing to map (pyxform checks the forms in CI:
/// scripts/check-exports).
@Suite struct XLSFormTests {
    static func shipped(_ code: String) throws -> Questionnaire {
        try #require(try ProfilingCatalog.loadShipped().questionnaires.first { $0.code == code })
    }

    /// The sheets of a form, read back.
    static func sheets(_ questionnaire: Questionnaire) throws -> [String: [[String]]] {
        Dictionary(uniqueKeysWithValues: try WorkbookReader.sheets(of: try XLSForm.workbook(questionnaire)).map { ($0.name, $0.rows) })
    }

    @Test(arguments: ["profiling_return", "reintegration_monitoring"])
    func everyQuestionAndChoiceKeepsItsCode(code: String) throws {
        let questionnaire = try Self.shipped(code)
        let sheets = try Self.sheets(questionnaire)
        let survey = try #require(sheets["survey"]), choices = try #require(sheets["choices"]), settings = try #require(sheets["settings"])
        #expect(Array(survey[0].prefix(4)) == ["type", "name", "label::Français (fr)", "label::English (en)"])
        #expect(settings[1].prefix(3) == [questionnaire.title.fr, questionnaire.code, String(questionnaire.version)])
        let rows = Dictionary(survey.dropFirst().map { ($0[1], $0) }, uniquingKeysWith: { first, _ in first })
        for question in questionnaire.questions {
            let row = try #require(rows[question.code], "\(question.code) is in the survey")
            #expect(row[2] == question.label.fr && row[3] == question.label.en)
            if question.type.hasChoices {
                let list = String(row[0].split(separator: " ").last ?? "")
                let names = choices.dropFirst().filter { $0[0] == list }.map { $0[1] }
                #expect(names == question.allChoices.map(\.code), "\(question.code): its choices by code")
            }
        }
        // Groups open and close in pairs, every one with its labels.
        let opened = survey.filter { $0[0] == "begin_group" }, closed = survey.filter { $0[0] == "end_group" }
        #expect(opened.count == questionnaire.groups?.count && closed.count == opened.count)
        #expect(opened.allSatisfy { !$0[2].isEmpty && !$0[3].isEmpty })
        #expect(survey.dropFirst().prefix(3).map { $0[0] } == ["start", "end", "today"], "the interview is dated by the form's `today`")
    }

    @Test func skipLogicRangesAndCountriesAreSaidInTheForm() throws {
        let questionnaire = try Self.shipped("profiling_return")
        let survey = try #require(try Self.sheets(questionnaire)["survey"])
        let header = survey[0]
        func cell(_ name: String, _ column: String) throws -> String {
            let row = try #require(survey.first { $0.count > 1 && $0[1] == name })
            let index = try #require(header.firstIndex(of: column))
            return index < row.count ? row[index] : ""
        }
        // The whole profile page depends on consent: the condition sits on its group.
        #expect(try cell("profile", "relevant") == "${consent} = 'yes'")
        #expect(try cell("sex", "relevant") == "")
        #expect(try cell("main_reason", "relevant") == "${reasons_leaving} != ''")
        #expect(try cell("age", "constraint") == ". >= 0 and . <= 110")
        #expect(try cell("age", "constraint_message::English (en)") == "Between 0 and 110.")
        #expect(try cell("return_date", "constraint") == ". <= today()")
        #expect(try cell("consent", "required") == "yes")
        #expect(try cell("consent", "type") == "select_one yes_no")
        #expect(try cell("transit_countries", "type") == "select_multiple countries")
        #expect(try cell("host_country", "type") == "select_one countries")
        #expect(try cell("host_country", "appearance") == "minimal autocomplete")
    }

    /// The deployed form's exports, in every group separator Kobo offers, come back with every
    /// column mapped and the same answers, with no mapping saved.
    @Test(arguments: ["/", ".", "-"])
    func theDeployedFormsExportsNeedNoMapping(separator: String) throws {
        let questionnaire = try Self.shipped("profiling_return")
        let survey = try #require(try Self.sheets(questionnaire)["survey"])
        // Each question's column: its groups' names, then its own.
        var path: [String] = []
        var columns: [String: String] = [:]
        for row in survey.dropFirst() {
            switch row[0] {
            case "begin_group": path.append(row[1])
            case "end_group": path.removeLast()
            default: columns[row[1]] = (path + [row[1]]).joined(separator: separator)
            }
        }
        let respondents = KoboExportShapesTests.respondents
        var header = ["start", "end", "today"]
        var cells = respondents.map { answers in ["", "", answers["return_date"]?.first ?? ""] }
        for question in questionnaire.questions {
            header.append(try #require(columns[question.code]))
            for (index, answers) in respondents.enumerated() { cells[index].append((answers[question.code] ?? []).joined(separator: " ")) }
        }
        header += ["_uuid", "_submission_time"]
        for index in cells.indices { cells[index] += ["form-\(index)", "2024-03-05T10:00:00"] }
        let data = try TabularExport(sheetName: questionnaire.code, headers: header, rows: cells).xlsx()
        let read = try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: KoboMapping())
        #expect(read.unmappedColumns.isEmpty && read.unmappedChoices.isEmpty, "\(read.unmappedColumns) \(read.unmappedChoices)")
        #expect(read.issues.isEmpty, "\(read.issues.prefix(3))")
        #expect(read.columnsByQuestion.count == questionnaire.questions.count)
        #expect(read.submissions.map { KoboExportShapesTests.normalised($0.answers, questionnaire) } == respondents.map { KoboExportShapesTests.normalised($0, questionnaire) })
    }

    @Test func theFormIsDownloadedByWhoImportsInterviews() async throws {
        try await TestCorridor.run { corridor in
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let response = try await officer.get("/profiling/questionnaires/reintegration_monitoring/xlsform.xlsx")
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.description.hasPrefix("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") == true)
            #expect(response.headers.first(name: .contentDisposition)?.contains("reintegration_monitoring-v1.xlsx") == true)
            let sheets = try WorkbookReader.sheets(of: Data(buffer: response.body))
            #expect(sheets.map(\.name) == ["survey", "choices", "settings"])
            #expect(try await officer.get("/profiling/questionnaires/nothing/xlsform.xlsx").status == .notFound)
            let page = try await officer.get("/profiling/import?lang=en")
            #expect(page.body.string.contains("/profiling/questionnaires/profiling_return/xlsform.xlsx"))
            let caseworker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await caseworker.get("/profiling/questionnaires/profiling_return/xlsform.xlsx").status == .forbidden)
        }
    }
}
