import CorridorCore
import Foundation
import Vapor

/// `corridor import cases FILE [--commit]`
struct ImportCommandGroup: AsyncCommandGroup {
    var help: String { "Imports records from files." }
    var commands: [String: any AnyAsyncCommand] { ["cases": Cases()] }

    struct Cases: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A CSV file in the case template (comma or semicolon, UTF-8 or Windows-1252).") var file: String
            @Flag(name: "commit", help: "Write the accepted rows (in one transaction). Without it, only the report is printed.") var commit: Bool
        }
        var help: String { "Validates a case file, prints every rejected row, and with --commit writes the rest in one transaction." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandFailure("cannot read \(signature.file)") }
            let english = app.corridor.catalogue(.en)
            let plan: CaseImportPlan
            do {
                plan = try CaseImportReader.plan(text: CaseImportReader.text(of: data), today: Day(app.corridor.timeSource.now()))
            } catch {
                throw CommandFailure(CaseImportPages.message(error, english))
            }
            for issue in plan.issues {
                context.console.print("line \(issue.line)\t\(issue.column)\t\(english.text(issue.code))\t\(issue.value)")
            }
            context.console.print("\(plan.rowCount) rows read, \(plan.acceptedRowCount) accepted in \(plan.cases.count) households, \(plan.rejectedLines.count) rejected")
            guard signature.commit else {
                context.console.print("nothing written (dry run): add --commit to import the accepted rows")
                return
            }
            let outcome = try await CaseService(application: app, actor: .commandLine("import cases"))
                .commit(plan, fileName: (signature.file as NSString).lastPathComponent)
            context.console.print("committed: \(outcome.casesCreated) cases created, \(outcome.casesUpdated) updated, \(outcome.casesUnchanged) unchanged")
        }
    }
}

/// `corridor demo [--cases N] [--seed S]`
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many households (default 300).") var cases: Int?
        @Option(name: "seed", help: "Seed of the generator (default 2026): the same seed gives the same data.") var seed: Int?
    }
    var help: String { "Loads synthetic return cases with invented names, so that a new installation shows a living system." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let count = signature.cases ?? 300
        guard (1...100_000).contains(count) else { throw CommandFailure("--cases must be from 1 to 100000") }
        let today = Day(app.corridor.timeSource.now())
        let households = DemoCases.generate(households: count, seed: UInt64(signature.seed ?? 2026), today: today)
        let plan = CaseImportPlan(cases: households, issues: [], rowCount: households.reduce(0) { $0 + $1.members.count })
        let outcome = try await CaseService(application: app, actor: .commandLine("demo")).commit(plan, fileName: "demo")
        context.console.print("demo data: \(outcome.casesCreated) cases created, \(outcome.casesUnchanged) already there (\(plan.rowCount) people)")
    }
}
