import CorridorCore
import Fluent
import Foundation
import Testing
@testable import CorridorApp

/// KoboToolbox and ODK exports as their export settings really make them, built from the shipped
/// profiling questionnaire: every shape must give the same answers, with nothing unmapped.
@Suite struct KoboExportShapesTests {
    enum Values: String, CaseIterable { case codes, frenchLabels, englishLabels }
    enum SelectMultiple: String, CaseIterable { case summary, split, both }

    /// The answers of three respondents, as choice codes.
    static let respondents: [[String: [String]]] = [
        ["consent": ["yes"], "sex": ["male"], "age": ["48"], "region_origin": ["San-Pédro"], "host_country": ["LBY"], "return_date": ["2023-07-05"],
         "reasons_leaving": ["economic", "family"], "main_reason": ["economic"], "journey_financing": ["savings"], "journey_cost": ["1600000"],
         "months_abroad": ["9"], "journey_experiences": ["none"], "intentions": ["migrate_irregularly"]],
        ["consent": ["yes"], "sex": ["female"], "age": ["31"], "region_origin": ["Abidjan"], "host_country": ["TUN"], "return_date": ["2024-02-11"],
         "reasons_leaving": ["join_family"], "main_reason": ["join_family"], "journey_financing": ["family"], "journey_cost": ["900000"],
         "months_abroad": ["20"], "journey_experiences": ["detention", "extortion"], "intentions": ["undecided"]],
        ["consent": ["yes"], "sex": ["female"], "age": ["22"], "region_origin": ["Gbêkê"], "host_country": ["MAR"], "return_date": ["2024-03-01"],
         "reasons_leaving": ["education", "insecurity", "other"], "main_reason": ["education"], "journey_financing": ["loan"], "journey_cost": ["1200000"],
         "months_abroad": ["14"], "journey_experiences": ["violence"], "intentions": ["stay"]],
    ]

    /// Question, the form's name for it, and its group (as in the sample form).
    static let form: [(code: String, name: String, group: String?)] = [
        ("consent", "consentement", nil), ("sex", "sexe", "g_identite"), ("age", "age", "g_identite"), ("region_origin", "region_origine", "g_identite"),
        ("host_country", "pays_accueil", "g_identite"), ("return_date", "date_retour", "g_identite"), ("reasons_leaving", "raisons", "g_depart"),
        ("main_reason", "raison_principale", "g_depart"), ("journey_financing", "financement", "g_voyage"), ("journey_cost", "cout_fcfa", "g_voyage"),
        ("months_abroad", "mois_a_l_etranger", "g_voyage"), ("journey_experiences", "experiences", "g_voyage"), ("intentions", "intention", "g_retour"),
    ]

    /// An export table: metadata, then the questions under `separator` (nil: no groups).
    static func table(_ questionnaire: Questionnaire, separator: String?, values: Values, selectMultiple: SelectMultiple, odk: Bool = false) -> [[String]] {
        var header: [String] = odk ? ["SubmissionDate", "start", "today"] : ["start", "end", "today"]
        var cells: [[String]] = respondents.map { answers in
            let day = answers["return_date"]?.first ?? ""
            return odk ? ["\(day)T17:00:00.000Z", "\(day)T16:42:00.000+00:00", day] : ["\(day)T16:42:00.000+00:00", "\(day)T16:58:00.000+00:00", day]
        }
        func text(_ question: Question, _ code: String) -> String {
            guard question.type.hasChoices, let choice = question.allChoices.first(where: { $0.code == code }) else {
                if question.type == .yesNo { return values == .codes ? (code == "yes" ? "oui" : "non") : values == .frenchLabels ? (code == "yes" ? "Oui" : "Non") : (code == "yes" ? "Yes" : "No") }
                return code
            }
            switch values {
            case .codes: return choice.code
            case .frenchLabels: return choice.label.fr
            case .englishLabels: return choice.label.en
            }
        }
        for entry in form {
            guard let question = questionnaire.question(entry.code) else { continue }
            let column = [entry.group, entry.name].compactMap { $0 }.joined(separator: separator ?? "")
            let name = separator == nil ? entry.name : column
            if question.type == .multipleChoice {
                if selectMultiple != .split {
                    header.append(name)
                    for (index, answers) in respondents.enumerated() { cells[index].append((answers[entry.code] ?? []).map { text(question, $0) }.joined(separator: " ")) }
                }
                if selectMultiple != .summary {
                    for choice in question.allChoices {
                        // Kobo names a choice column by the choice's code, or its label in a labels export.
                        header.append(name + (separator ?? "/") + (values == .codes ? choice.code : text(question, choice.code)))
                        for (index, answers) in respondents.enumerated() { cells[index].append((answers[entry.code] ?? []).contains(choice.code) ? "1" : "0") }
                    }
                }
            } else {
                header.append(name)
                for (index, answers) in respondents.enumerated() { cells[index].append((answers[entry.code] ?? []).map { text(question, $0) }.joined(separator: " ")) }
            }
        }
        if odk {
            header += ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
            for index in cells.indices { cells[index] += ["uuid:odk-\(index)", "uuid:odk-\(index)", "5", "enqueteur", "0", "0", "", "", "collect:1", "0", "1"] }
        } else {
            header += ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]
            for index in cells.indices { cells[index] += ["\(1000 + index)", "kobo-\(index)", "2024-03-05 10:00:00", "", "", "submitted_via_web", "enqueteur", "v1", "", "\(index + 1)"] }
        }
        return [header] + cells
    }

    static func questionnaire() throws -> Questionnaire {
        try #require(try ProfilingCatalog.loadShipped().questionnaires.first { $0.code == "profiling_return" })
    }

    static func normalised(_ answers: Answers, _ questionnaire: Questionnaire) -> Answers {
        AnswerRules.check(answers, against: questionnaire, today: Day(year: 2026, month: 12, day: 1)!).answers
            .mapValues { $0.sorted() }
    }

    @Test func everyExportShapeGivesTheSameAnswers() throws {
        let questionnaire = try Self.questionnaire()
        let expected = Self.respondents.map { Self.normalised($0, questionnaire) }
        for separator in ["/", ".", "-", nil] as [String?] {
            for values in Values.allCases {
                for layout in SelectMultiple.allCases {
                    let table = Self.table(questionnaire, separator: separator, values: values, selectMultiple: layout)
                    let shape = "separator \(separator ?? "none"), \(values), select-multiple \(layout)"
                    for format in ["csv", "xlsx"] {
                        let data = format == "csv"
                            ? Data(TabularExport(sheetName: "x", headers: table[0], rows: Array(table.dropFirst())).csv(delimiter: ";", neutralise: false).utf8)
                            : try TabularExport(sheetName: "Profilage", headers: table[0], rows: Array(table.dropFirst())).xlsx()
                        let read = try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: KoboMapping())
                        #expect(read.unmappedColumns.isEmpty, "\(shape), \(format): unmapped \(read.unmappedColumns)")
                        #expect(read.issues.isEmpty, "\(shape), \(format): \(read.issues.prefix(3))")
                        #expect(read.submissions.map { Self.normalised($0.answers, questionnaire) } == expected, "\(shape), \(format)")
                        #expect(read.submissions.map(\.interviewedOn?.iso) == Self.respondents.map { $0["return_date"]?.first }, "\(shape), \(format): the form's `today`")
                    }
                }
            }
        }
    }

    @Test func anODKCentralExportIsRead() throws {
        let questionnaire = try Self.questionnaire()
        let table = Self.table(questionnaire, separator: "-", values: .codes, selectMultiple: .both, odk: true)
        let csv = TabularExport(sheetName: "x", headers: table[0], rows: Array(table.dropFirst())).csv(neutralise: false)
        let read = try KoboCSVReader.read(data: Data(csv.utf8), questionnaire: questionnaire, mapping: KoboMapping())
        #expect(read.unmappedColumns.isEmpty, "\(read.unmappedColumns)")
        #expect(read.submissions.map(\.uuid) == ["odk-0", "odk-1", "odk-2"], "KEY, without its uuid: prefix")
        #expect(read.submissions.map { Self.normalised($0.answers, questionnaire) } == Self.respondents.map { Self.normalised($0, questionnaire) })
    }

    @Test func anUnknownColumnIsReportedUntilTheMappingIgnoresIt() throws {
        let questionnaire = try Self.questionnaire()
        var table = Self.table(questionnaire, separator: "/", values: .codes, selectMultiple: .summary)
        table[0].append("g_retour/note_enqueteur")
        for index in 1..<table.count { table[index].append("RAS") }
        let data = Data(TabularExport(sheetName: "x", headers: table[0], rows: Array(table.dropFirst())).csv(neutralise: false).utf8)
        #expect(try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: KoboMapping()).unmappedColumns == ["g_retour/note_enqueteur"])
        let ignoring = KoboMapping(ignored: ["g_retour/note_enqueteur"])
        #expect(try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: ignoring).unmappedColumns.isEmpty)
        // A mapping file without the new key still reads.
        let old = try JSONDecoder().decode(KoboMapping.self, from: Data(#"{"questions": {}, "choices": {}}"#.utf8))
        #expect(old.ignored.isEmpty)
    }

    /// Kobo gives an edited submission a new `_uuid` and keeps its root: the re-import updates.
    @Test func anEditedSubmissionUpdatesItsInterview() async throws {
        try await TestCorridor.run { corridor in
            let questionnaire = try Self.questionnaire()
            func export(uuid: String, intention: String) -> Data {
                var table = Self.table(questionnaire, separator: "/", values: .codes, selectMultiple: .summary)
                table[0].append("meta/rootUuid")
                let uuidColumn = table[0].firstIndex(of: "_uuid")!, intentionColumn = table[0].firstIndex(of: "g_retour/intention")!
                table[1][uuidColumn] = uuid
                table[1][intentionColumn] = intention
                for index in 1..<table.count { table[index].append("uuid:root-\(index)") }
                return Data(TabularExport(sheetName: "x", headers: table[0], rows: Array(table.dropFirst())).csv(neutralise: false).utf8)
            }
            let service = ProfilingService(corridor.app.serviceContext(actor: .commandLine("test")))
            let catalog = corridor.app.profilingCatalog
            let stored = try #require(try await catalog.questionnaire("profiling_return"))
            let first = try KoboCSVReader.read(data: export(uuid: "a-1", intention: "stay"), questionnaire: stored, mapping: KoboMapping())
            let created = try await service.importSubmissions(first, questionnaire: stored, table: try await catalog.weightTable(), source: "kobo", fileName: "1.csv")
            #expect(created.created == 3)
            let edited = try KoboCSVReader.read(data: export(uuid: "a-2", intention: "undecided"), questionnaire: stored, mapping: KoboMapping())
            let again = try await service.importSubmissions(edited, questionnaire: stored, table: try await catalog.weightTable(), source: "kobo", fileName: "2.csv")
            #expect(again.created == 0 && again.updated == 1 && again.unchanged == 2, "\(again)")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 3)
            let interview = try #require(try await InterviewModel.query(on: corridor.app.db).filter(\.$externalUUID == "root-1").first())
            #expect(interview.interviewedOn == "2023-07-05", "the interview date is the form's today")
        }
    }
}
