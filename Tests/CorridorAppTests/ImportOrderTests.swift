import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import CorridorApp

/// A case file imports the same whatever the order of its rows: spreadsheet users sort by name,
/// by date of birth or by office, and a household's members then lie anywhere in the file.
@Suite struct ImportOrderTests {
    /// 1 600 people in about 950 households: sorted or shuffled, more than the 1 000 parts of
    /// households a batch holds, so that a household's rows fall in different batches.
    static func generated(today: Day) -> (header: String, rows: [String]) {
        var lines: [String] = []
        SyntheticData(seed: 41, today: today).generate(individuals: 1_600, cases: { lines.append($0) }, interviews: { _ in })
        return (lines[0], Array(lines.dropFirst()))
    }

    /// Every member as stored, with its household's fields, sorted: what two imports must share.
    static func records(_ db: any Database) async throws -> [String] {
        struct Row: Decodable { var line: String }
        let rows = try await db.sqlDatabase.raw("""
            SELECT c.case_number || '|' || m.member_number || '|' || m.given_names || '|' || m.family_name || '|' || c.status || '|' ||
                   c.host_country || '|' || c.member_count || '|' || c.principal_name AS line
            FROM case_members m JOIN return_cases c ON c.id = m.case_id
            """).all(decoding: Row.self)
        return rows.map(\.line).sorted()
    }

    @Test func rowsInAnyOrderGiveTheSameCases() async throws {
        var generator = SeededGenerator(seed: 7)
        let today = Day(TestCorridor.start)
        let file = Self.generated(today: today)
        let orders: [(String, [String])] = [
            ("grouped", file.rows),
            // By family name (the fifth column), as a spreadsheet sorts.
            ("by name", file.rows.sorted { $0.split(separator: ",", omittingEmptySubsequences: false)[4] < $1.split(separator: ",", omittingEmptySubsequences: false)[4] }),
            ("shuffled", file.rows.shuffled(using: &generator)),
        ]
        var expected: [String]?
        for (name, rows) in orders {
            try await TestCorridor.run { corridor in
                let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                let data = Data(([file.header] + rows).joined(separator: "\n").utf8)
                let dryRun = try await service.importCases(from: .data(data), fileName: "\(name).csv", write: false)
                let report = try await service.importCases(from: .data(data), fileName: "\(name).csv", write: true)
                #expect(report.issues.isEmpty, "\(name): \(report.issues.prefix(3))")
                #expect(report.households == dryRun.households, "\(name): the preview counts the households the import writes")
                #expect(report.outcome.casesCreated == report.households, "\(name)")
                #expect(report.outcome.casesUpdated == 0, "\(name): a household spread over the file is created once, not updated")
                let records = try await Self.records(corridor.app.db)
                #expect(records.count == file.rows.count, "\(name): every row is a member")
                if let expected { #expect(records == expected, "\(name) differs from the grouped file") } else { expected = records }
                // The return counts and the search words follow.
                let stored = try await CaseDerivedData.stored(on: corridor.app.db)
                let recount = try await CaseDerivedData.recount(on: corridor.app.db)
                #expect(ReturnSummary.difference(from: recount, to: stored).isEmpty, "\(name): the summary equals a recount")
                // Importing the same file again changes nothing.
                let again = try await service.importCases(from: .data(data), fileName: "\(name).csv", write: true)
                #expect(again.outcome.casesCreated == 0 && again.outcome.casesUpdated == 0, "\(name): idempotent")
            }
        }
    }

    /// A database refusal never reaches the user as driver text: it names the lines.
    @Test func aRefusedWriteIsALocalisedMessageNamingTheLines() throws {
        let error = CaseImportWriteError(firstLine: 12, lastLine: 40, underlying: "constraintUniqueFailed: UNIQUE constraint failed: return_cases.case_number")
        let catalogue = try #require(try CatalogueLoader.loadAll()[.fr])
        let message = error.message(catalogue)
        #expect(message.contains("12") && message.contains("40"))
        #expect(!message.contains("UNIQUE") && !message.contains("constraint"))
        #expect(message.contains("Rien n'a été importé"))
    }
}
