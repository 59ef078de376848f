import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import CorridorApp

/// Every export comes back in: export → import into a fresh database → export gives the same
/// records, in CSV and XLSX, with French and English headers.
@Suite struct CaseRoundTripTests {
    /// An administrator's export (every column but the protected ones, which only protection
    /// officers export and the case importer does not read).
    static func export(_ corridor: TestCorridor, format: String, language: Language) async throws -> Data {
        let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
        let response = try await admin.get("/cases/export?format=\(format)&lang=\(language.rawValue)")
        #expect(response.status == .ok)
        return Data(buffer: response.body)
    }

    /// The cells of an export, whichever its format.
    static func rows(_ data: Data, format: String) throws -> [[String]] {
        if format == "xlsx" { return try #require(try WorkbookReader.sheets(of: data).first).rows }
        var stream = try CSVStream(data: data)
        var rows: [[String]] = []
        while let row = try stream.next() { rows.append(row) }
        return rows
    }

    @Test(arguments: [("csv", Language.fr), ("csv", Language.en), ("xlsx", Language.fr), ("xlsx", Language.en)])
    func casesComeBackAsTheyWent(format: String, language: Language) async throws {
        var first: Data?
        try await TestCorridor.run { corridor in
            let households = DemoCases.generate(households: 60, seed: 5, today: Day(corridor.clock.now()))
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            first = try await Self.export(corridor, format: format, language: language)
        }
        let exported = try #require(first)
        try await TestCorridor.run { corridor in
            let report = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .importCases(from: .data(exported), fileName: "export.\(format)", write: true)
            #expect(report.issues.isEmpty, "\(report.issues.prefix(3))")
            #expect(report.outcome.casesCreated == 60)
            let again = try await Self.export(corridor, format: format, language: language)
            let before = try Self.rows(exported, format: format), after = try Self.rows(again, format: format)
            #expect(before.count > 60, "one row per member, with the header")
            #expect(before.first?.first == (language == .fr ? "Numéro de dossier" : "Case number"), "headers in the reader's language")
            #expect(before == after)
            #expect(before.dropFirst().allSatisfy { !$0[1].isEmpty }, "every row names its member")
        }
    }
}

/// Institutions, matrices and interviews come back in as they went out, too.
@Suite struct RecordRoundTripTests {
    static func get(_ browser: TestBrowser, _ path: String) async throws -> Data {
        let response = try await browser.get(path)
        #expect(response.status == .ok, "\(path)")
        return Data(buffer: response.body)
    }

    static func rows(_ data: Data) throws -> [[String]] {
        let text = try TabularText.table(data)
        var stream = try CSVStream(data: Data(text.utf8))
        var rows: [[String]] = []
        while let row = try stream.next() { rows.append(row) }
        return rows
    }

    @Test(arguments: [("csv", Language.fr), ("csv", Language.en), ("xlsx", Language.fr), ("xlsx", Language.en)])
    func institutionsAndMatricesComeBack(format: String, language: Language) async throws {
        var institutions = Data(), matrix = Data()
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            institutions = try await Self.get(admin, "/admin/institutions/export?format=\(format)&lang=\(language.rawValue)")
            matrix = try await Self.get(admin, "/matrices/\(matrixID)/export?format=\(format)&lang=\(language.rawValue)")
        }
        try await TestCorridor.run { corridor in
            let service = CooperationService(corridor.app.serviceContext(actor: .commandLine("test")))
            let institutionPlan = try InstitutionImportReader.plan(text: TabularText.table(institutions))
            #expect(institutionPlan.issues.isEmpty, "\(institutionPlan.issues)")
            _ = try await service.importInstitutions(institutionPlan.institutions, fileName: "institutions.\(format)")
            let matrixPlan = try MatrixImportReader.plan(text: TabularText.table(matrix), institutions: try await CooperationQueries(database: corridor.app.db).institutionReferences())
            #expect(matrixPlan.issues.isEmpty, "\(matrixPlan.issues)")
            let id = try await service.importMatrix(matrixPlan, MatrixDraft(titleFrench: "Lutte contre la traite", titleEnglish: "Fight against trafficking",
                                                                            descriptionFrench: "", descriptionEnglish: "", theme: "trafficking_in_persons",
                                                                            countryA: "CIV", countryB: "MAR", project: ""), fileName: "matrix.\(format)")
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let institutionsAgain = try await Self.get(admin, "/admin/institutions/export?format=\(format)&lang=\(language.rawValue)")
            let matrixAgain = try await Self.get(admin, "/matrices/\(id)/export?format=\(format)&lang=\(language.rawValue)")
            // The administrator created by the test brings an institution of its own when its role needs one; compare the fixtures'.
            let before = try Self.rows(institutions), after = try Self.rows(institutionsAgain).filter { row in before.contains { $0.first == row.first } }
            #expect(before.count == 6 && before == after)
            #expect(before[0][0] == (language == .fr ? "Sigle" : "Acronym"))
            let matrixBefore = try Self.rows(matrix), matrixAfter = try Self.rows(matrixAgain)
            #expect(matrixBefore.count == 4 && matrixBefore == matrixAfter)
            #expect(matrixBefore[0][3] == (language == .fr ? "Institution chef de file" : "Lead institution"))
        }
    }

    @Test(arguments: ["csv", "xlsx"])
    func interviewsComeBack(format: String) async throws {
        var exported = Data()
        let questionnaire = try KoboExportShapesTests.questionnaire()
        let table = KoboExportShapesTests.table(questionnaire, separator: "/", values: .codes, selectMultiple: .both)
        let source = Data(TabularExport(sheetName: "x", headers: table[0], rows: Array(table.dropFirst())).csv(neutralise: false).utf8)
        func load(_ corridor: TestCorridor, _ data: Data) async throws {
            let catalog = corridor.app.profilingCatalog
            let stored = try #require(try await catalog.questionnaire("profiling_return"))
            let read = try KoboCSVReader.read(data: data, questionnaire: stored, mapping: KoboMapping())
            #expect(read.unmappedColumns.isEmpty && read.issues.isEmpty, "\(read.unmappedColumns) \(read.issues)")
            let outcome = try await ProfilingService(corridor.app.serviceContext(actor: .commandLine("test")))
                .importSubmissions(read, questionnaire: stored, table: try await catalog.weightTable(), source: "kobo", fileName: "in.\(format)")
            #expect(outcome.created == 3)
        }
        try await TestCorridor.run { corridor in
            try await load(corridor, source)
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            exported = try await Self.get(officer, "/profiling/interviews/export?format=\(format)")
        }
        try await TestCorridor.run { corridor in
            try await load(corridor, exported)
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let again = try await Self.get(officer, "/profiling/interviews/export?format=\(format)")
            let before = try Self.rows(exported), after = try Self.rows(again)
            #expect(before.count == 4 && before == after)
            #expect(before[0].prefix(2) == ["_uuid", "today"])
        }
    }
}
