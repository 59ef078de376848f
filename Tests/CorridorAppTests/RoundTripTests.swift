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
