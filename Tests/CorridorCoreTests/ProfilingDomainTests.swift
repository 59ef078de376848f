import Foundation
import Testing
@testable import CorridorCore

@Suite struct WilsonIntervalTests {
    @Test func knownValues() {
        let p = Proportion(count: 92, n: 100)
        #expect(p.share == 0.92)
        #expect(abs(p.low - 0.8500) < 0.00005, "\(p.low)")
        #expect(abs(p.high - 0.9589) < 0.00005, "\(p.high)")
        let half = Proportion(count: 50, n: 100)
        #expect(abs(half.low - 0.4038) < 0.00005 && abs(half.high - 0.5962) < 0.00005)
        let none = Proportion(count: 0, n: 10)
        #expect(none.low == 0 && abs(none.high - 0.2775) < 0.00005)
        let all = Proportion(count: 10, n: 10)
        #expect(abs(all.low - 0.7225) < 0.00005 && abs(all.high - 1) < 1e-9)
        #expect(Proportion(count: 0, n: 0).share == 0)
    }
}

@Suite struct QuestionnaireTests {
    static let questionnaire = Questionnaire(code: "q", version: 2, title: .init(fr: "Q", en: "Q"), questions: [
        Question(code: "consent", type: .yesNo, label: .init(fr: "C", en: "C"), required: true),
        Question(code: "reasons", type: .multipleChoice, label: .init(fr: "R", en: "R"),
                 choices: [Choice(code: "economic", label: .init(fr: "É", en: "E"), aliases: ["eco"]), Choice(code: "family", label: .init(fr: "F", en: "F"))],
                 relevant: SkipCondition(question: "consent", equals: "yes")),
        Question(code: "main", type: .singleChoice, label: .init(fr: "M", en: "M"),
                 choices: [Choice(code: "economic", label: .init(fr: "É", en: "E")), Choice(code: "family", label: .init(fr: "F", en: "F"))],
                 relevant: SkipCondition(question: "reasons")),
        Question(code: "age", type: .integer, label: .init(fr: "A", en: "A"), relevant: SkipCondition(question: "consent", equals: "yes"), minimum: 0, maximum: 110),
    ])

    @Test func skipLogicDropsAnswersOfSkippedQuestions() {
        let today = Day(year: 2026, month: 1, day: 1)!
        let refused = AnswerRules.check(["consent": ["non"], "reasons": ["eco"], "age": ["30"]], against: Self.questionnaire, today: today)
        #expect(refused.issues.isEmpty)
        #expect(refused.answers == ["consent": ["no"]])
        let given = AnswerRules.check(["consent": ["oui"], "reasons": ["eco", "family"], "main": ["family"], "age": ["30"]], against: Self.questionnaire, today: today)
        #expect(given.answers == ["consent": ["yes"], "reasons": ["economic", "family"], "main": ["family"], "age": ["30"]])
    }

    @Test func badAnswersAreNamed() {
        let today = Day(year: 2026, month: 1, day: 1)!
        let result = AnswerRules.check(["reasons": ["sport"], "age": ["200"]], against: Self.questionnaire, today: today)
        #expect(Set(result.issues.map(\.field)) == ["consent"], "without consent the rest is skipped")
        let bad = AnswerRules.check(["consent": ["yes"], "reasons": ["sport"], "age": ["200"]], against: Self.questionnaire, today: today)
        #expect(bad.issues.contains(FieldIssue("reasons", "profiling.error.choice")))
        #expect(bad.issues.contains(FieldIssue("age", "profiling.error.range")))
    }

    @Test func ageGroups() {
        #expect([17, 18, 24, 25, 34, 35, 49, 50, 80].map { AgeGroup(age: $0).rawValue } == ["0-17", "18-24", "18-24", "25-34", "25-34", "35-49", "35-49", "50+", "50+"])
    }

    @Test func followUpRoundsFromArrival() {
        let rounds = FollowUpSchedule.rounds(arrival: Day(year: 2024, month: 11, day: 30)!)
        #expect(rounds.map(\.due.iso) == ["2025-02-28", "2025-05-30", "2025-11-30"])
    }
}

@Suite struct ReintegrationScoreTests {
    let table = WeightTable(code: "t", version: "test-1", description: .init(fr: "", en: ""), dimensions: [
        .init(code: "economic", weight: 1, indicators: [.init(question: "income", weight: 1, scores: ["none": 0, "some": 0.5, "regular": 1]),
                                                        .init(question: "debt", weight: 3, scores: ["heavy": 0, "none": 1])]),
        .init(code: "social", weight: 1, indicators: [.init(question: "housing", weight: 1, scores: ["none": 0, "adequate": 1])]),
        .init(code: "psychosocial", weight: 2, indicators: [.init(question: "belonging", weight: 1, scores: ["low": 0, "high": 1])]),
    ])

    @Test func weightedMeansAndVersionLabel() throws {
        let score = try #require(ReintegrationScore.compute(["income": ["some"], "debt": ["none"], "housing": ["none"], "belonging": ["high"]], table: table))
        #expect(score.dimensions["economic"] == (0.5 + 3) / 4)
        #expect(score.dimensions["social"] == 0)
        #expect(score.dimensions["psychosocial"] == 1)
        #expect(abs(score.composite - (0.875 + 0 + 2) / 4) < 1e-12)
        #expect(score.tableVersion == "test-1")
    }

    @Test func incompleteSurveysGetNoScore() {
        #expect(ReintegrationScore.compute(["income": ["some"], "debt": ["none"], "housing": ["none"]], table: table) == nil)
        #expect(ReintegrationScore.compute(["income": ["unknown"], "debt": ["none"], "housing": ["none"], "belonging": ["high"]], table: table) == nil)
    }

    @Test func tablesAreChecked() {
        var bad = table
        bad.dimensions[0].indicators[0].scores["some"] = 1.5
        bad.dimensions[1].indicators[0].weight = 0
        #expect(bad.problems.count == 2)
        #expect(table.problems.isEmpty)
    }
}

@Suite struct KoboCSVReaderTests {
    static let questionnaire = QuestionnaireTests.questionnaire

    @Test func edgeCasesOfTheExportFormat() throws {
        let text = "\u{FEFF}\"start\";\"g/consent\";\"g/reasons\";\"g/reasons/eco\";\"g/reasons/family\";\"g/age\";\"note\";\"_id\";\"_uuid\";\"_submission_time\";\"_index\"\r\n"
            + "\"#date\";\"#consent\";\"#reasons\";\"\";\"\";\"#age\";\"\";\"\";\"\";\"\";\"\"\r\n"
            + "\"2024-01-01\";\"oui\";\"eco family\";\"1\";\"1\";\"30\";\"a; b\nsecond line\";\"1\";\"uuid-1\";\"2024\";\"1\"\r\n"
            + "\"2024-01-02\";\"oui\";\"\";\"\";\"\";\"41\";\"\";\"2\";\"uuid-2\";\"2024\";\"2\"\r\n"
            + "\"2024-01-03\";\"oui\";\"sport\";\"0\";\"0\";\"22\";\"\";\"3\";\"uuid-3\";\"2024\";\"3\"\r\n"
            + "\"2024-01-04\";\"oui\";\"eco\";\"1\";\"0\";\"22\";\"\";\"4\";\"uuid-1\";\"2024\";\"4\"\r\n"
        let result = try KoboCSVReader.read(text: TabularText.decode(Data(text.utf8)), questionnaire: Self.questionnaire, mapping: KoboMapping())
        #expect(result.rowCount == 5)
        #expect(result.submissions.map(\.uuid) == ["uuid-1", "uuid-2"], "the HXL row is skipped")
        #expect(result.submissions[0].answers["reasons"] == ["economic", "family"])
        #expect(result.submissions[1].answers["reasons"] == nil, "an empty select-multiple is unanswered")
        #expect(result.unmappedColumns == ["note"], "per-choice and metadata columns are not reported; unknown ones are")
        #expect(result.issues.contains(ImportIssue(line: 5, column: "g/reasons", code: "profiling.error.unmapped_choice", value: "sport")))
        #expect(result.issues.contains(ImportIssue(line: 6, column: "_uuid", code: "profiling.error.duplicate_uuid", value: "uuid-1")))
        #expect(result.unmappedChoices == [UnmappedChoice(question: "reasons", value: "sport")] && result.hasUnmapped, "an unknown answer blocks the import")
        // Left out explicitly in the mapping, the answer is dropped on purpose and blocks nothing.
        let ignoring = KoboMapping(choices: ["reasons": ["sport": KoboMapping.ignoreChoice]], ignored: ["note"])
        let again = try KoboCSVReader.read(text: TabularText.decode(Data(text.utf8)), questionnaire: Self.questionnaire, mapping: ignoring)
        #expect(!again.hasUnmapped)
        #expect(again.submissions.map(\.uuid) == ["uuid-1", "uuid-2", "uuid-3"])
        #expect(again.submissions[2].answers["reasons"] == [])
    }

    @Test func savedMappingsAreUsed() throws {
        let text = "\"Q_A\",\"raisons\",\"_uuid\"\n\"yes\",\"econ\",\"u1\"\n"
        let mapping = KoboMapping(questions: ["Q_A": "consent", "raisons": "reasons"], choices: ["reasons": ["econ": "economic"]])
        let result = try KoboCSVReader.read(text: text, questionnaire: Self.questionnaire, mapping: mapping)
        #expect(result.unmappedColumns.isEmpty)
        #expect(result.submissions.first?.answers == ["consent": ["yes"], "reasons": ["economic"]])
        let unmapped = try KoboCSVReader.read(text: text, questionnaire: Self.questionnaire, mapping: KoboMapping())
        #expect(unmapped.unmappedColumns == ["Q_A", "raisons"])
    }

    @Test func labelsAsHeadersAreRecognised() throws {
        let text = "\"C\";\"_uuid\"\n\"oui\";\"u1\"\n"
        let result = try KoboCSVReader.read(text: text, questionnaire: Self.questionnaire, mapping: KoboMapping())
        #expect(result.submissions.first?.answers["consent"] == ["yes"])
    }
}

@Suite struct KoboWorkbookTests {
    static let questionnaire: Questionnaire = {
        var q = QuestionnaireTests.questionnaire
        q.questions.append(Question(code: "transit", type: .country, label: .init(fr: "T", en: "T"), relevant: SkipCondition(question: "consent", equals: "yes")))
        return q
    }()

    @Test func repeatGroupsJoinTheirSubmission() throws {
        let main = TabularExport(sheetName: "Profilage", headers: ["g/consent", "g/reasons", "g/reasons/eco", "g/reasons/family", "_id", "_uuid", "_index"],
                                 rows: [["oui", "eco", "1", "0", "11", "uuid-a", "1"], ["oui", "family", "0", "1", "12", "uuid-b", "2"]])
        let legs = TabularExport(sheetName: "etapes", headers: ["etapes/transit", "_index", "_parent_index", "_submission__uuid"],
                                 rows: [["MLI", "1", "1", ""], ["DZA", "2", "1", "uuid-a"], ["NER", "3", "2", ""], ["TUN", "4", "9", ""]])
        let data = try TabularExport.workbook([main, legs])
        let result = try KoboCSVReader.read(data: data, questionnaire: Self.questionnaire, mapping: KoboMapping())
        #expect(result.submissions.count == 2)
        #expect(result.submissions[0].answers["transit"] == ["MLI", "DZA"])
        #expect(result.submissions[1].answers["transit"] == ["NER"])
        #expect(result.submissions[0].answers["reasons"] == ["economic"])
        #expect(result.issues.contains { $0.code == "profiling.error.orphan_repeat" && $0.value == "9" })
    }

    @Test func sharedStringsAndSparseCellsAreRead() throws {
        let shared = try WorkbookReader.parseSharedStrings(Data(#"<sst><si><t>Kouamé</t></si><si><r><t>N'Gu</t></r><r><t>essan</t></r></si></sst>"#.utf8))
        #expect(shared == ["Kouamé", "N'Guessan"])
        let sheet = try WorkbookReader.parseSheet(Data(#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row><row r="2"><c r="B2"><v>42</v></c><c r="C2" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#.utf8), shared: shared)
        #expect(sheet == [["Kouamé", "", "N'Guessan"], ["", "42", "x"]])
        #expect(WorkbookReader.columnIndex("AB12") == 27)
    }
}
