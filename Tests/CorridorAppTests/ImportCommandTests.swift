import ConsoleKit
import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import CorridorApp

/// Every import command has one shape: dry run by default, `--commit` to write, nothing written
/// when a row is rejected unless `--skip-rejected`, exit 0 / 1 / 2.
@Suite struct ImportCommandTests {
    func reporting(commit: Bool, skip: Bool) throws -> ImportReporting {
        ImportReporting(console: Terminal(), catalogue: try #require(try CatalogueLoader.loadAll()[.en]), commit: commit, skipRejected: skip)
    }

    func exitCode(_ body: () throws -> Bool) -> Int32? {
        do { _ = try body(); return nil } catch let failure as CommandFailure { return failure.exitCode } catch { return -1 }
    }

    @Test func theDecisionToWriteIsTheSameForEveryImporter() throws {
        #expect(try reporting(commit: false, skip: false).mayWrite(rejected: 0, accepted: 5) == false, "a dry run writes nothing and succeeds")
        #expect(exitCode { try reporting(commit: false, skip: false).mayWrite(rejected: 2, accepted: 5) } == 1, "a dry run with rejected rows exits 1")
        #expect(exitCode { try reporting(commit: true, skip: false).mayWrite(rejected: 2, accepted: 5) } == 1, "rejected rows stop --commit")
        #expect(try reporting(commit: true, skip: true).mayWrite(rejected: 2, accepted: 5) == true, "--skip-rejected writes the accepted rows")
        #expect(try reporting(commit: true, skip: false).mayWrite(rejected: 0, accepted: 5) == true)
        #expect(CommandFailure("cannot read x").exitCode == 2, "a failure before the first row exits 2")
    }

    /// `import cases --commit` without `--skip-rejected`: one bad row, and nothing of the file is written.
    @Test func aCaseFileWithARejectedRowIsRolledBackWhole() async throws {
        try await TestCorridor.run { corridor in
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            let csv = """
                case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on,status
                CIV-2019-09001,1,principal,Koffi,N'Guessan,M,1985-05-05,CIV,LBY,CIV,2019-02-01,registered
                CIV-2019-09002,1,principal,Aya,Koné,Q,1988,CIV,LBY,CIV,2019-02-01,registered
                """
            let refused = try await service.importCases(from: .data(Data(csv.utf8)), fileName: "bad.csv", write: true, onlyIfClean: true)
            #expect(!refused.written && refused.rejectedLines == [3] && refused.outcome.casesCreated == 0)
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 0, "nothing of the file is written")
            #expect(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "case_import").count() == 0)
            let skipped = try await service.importCases(from: .data(Data(csv.utf8)), fileName: "bad.csv", write: true, onlyIfClean: false)
            #expect(skipped.written && skipped.outcome.casesCreated == 1)
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 1)
        }
    }
}
