import CorridorCore
import Foundation
import Vapor

/// `corridor import cases FILE [--commit]`
struct ImportCommandGroup: AsyncCommandGroup {
    var help: String { "Imports records from files." }
    var commands: [String: any AnyAsyncCommand] { ["cases": Cases(), "matrix": Matrix(), "institutions": Institutions(), "kobo": Kobo()] }

    struct Matrix: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A CSV file in the matrix template (one row per action).") var file: String
            @Option(name: "title", help: "Title of the matrix (French).") var title: String?
            @Option(name: "title-en", help: "Title in English (default: the French title).") var titleEnglish: String?
            @Option(name: "theme", help: "trafficking_in_persons, migrant_workers, regular_pathways, return_and_reintegration or other.") var theme: String?
            @Option(name: "countries", help: "The two countries, ISO3, e.g. CIV,MAR (default).") var countries: String?
            @Option(name: "project", help: "The project the matrix comes from.") var project: String?
            @Flag(name: "commit", help: "Create the matrix (a draft, in one transaction). Without it, only the report is printed.") var commit: Bool
            @Flag(name: "skip-rejected", help: "With --commit: create it with the accepted rows, leaving the rejected ones out.") var skipRejected: Bool
        }
        var help: String { "Validates a matrix file, prints every rejected row, and with --commit creates the matrix as a draft." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            guard let title = signature.title else { throw CommandFailure("--title is required") }
            guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandFailure("cannot read \(signature.file)") }
            let reporting = ImportReporting(console: context.console, catalogue: app.corridor.catalogue(.en), commit: signature.commit, skipRejected: signature.skipRejected)
            var plan: MatrixImportPlan
            let institutions = try await CooperationQueries(database: app.db).institutionReferences()
            do {
                plan = try MatrixImportReader.plan(text: TabularText.table(data, limits: .commandLine), institutions: institutions)
            } catch {
                throw CommandFailure(error.message(reporting.catalogue))
            }
            let rejected = Set(plan.issues.map(\.line)).count
            reporting.printIssues(plan.issues)
            reporting.printSummary(rows: plan.rowCount, accepted: plan.actions.count, rejected: rejected, unit: "actions")
            guard try reporting.mayWrite(rejected: rejected, accepted: plan.actions.count) else { return }
            plan.issues = []
            let countries = (signature.countries ?? "CIV,MAR").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            let draft = MatrixDraft(titleFrench: title, titleEnglish: signature.titleEnglish ?? title, descriptionFrench: "", descriptionEnglish: "",
                                    theme: signature.theme ?? MatrixTheme.other.rawValue, countryA: countries.first ?? "CIV",
                                    countryB: countries.count > 1 ? countries[1] : "MAR", project: signature.project ?? "")
            do {
                let id = try await CooperationService(app.serviceContext(actor: .commandLine("import matrix")))
                    .importMatrix(plan, draft, fileName: (signature.file as NSString).lastPathComponent)
                context.console.print("committed: matrix \(id.uuidString) created with \(plan.actions.count) actions (draft)")
            } catch CooperationError.invalid(let issues) {
                throw CommandFailure(issues.map { "\($0.field): \(reporting.catalogue.text($0.code))" }.joined(separator: "; "))
            }
        }
    }

    struct Kobo: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A KoboToolbox CSV export (; or , separated).") var file: String
            @Option(name: "questionnaire", help: "profiling_return (default) or reintegration_monitoring.") var questionnaire: String?
            @Option(name: "mapping", help: "A mapping JSON file {\"questions\": {...}, \"choices\": {...}}; saved for the source.") var mapping: String?
            @Option(name: "source", help: "The name of the source form, under which the mapping is kept (default: kobo).") var source: String?
            @Flag(name: "commit", help: "Write the valid submissions (one transaction; matched on _uuid).") var commit: Bool
            @Flag(name: "skip-rejected", help: "With --commit: write the valid submissions, leaving the rejected rows out.") var skipRejected: Bool
        }
        var help: String { "Validates a KoboToolbox export against a questionnaire, reports unmapped columns and rejected rows, and with --commit imports it." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let code = signature.questionnaire ?? "profiling_return"
            let source = KoboMapping.sourceName(signature.source)
            let catalog = app.profilingCatalog
            guard let questionnaire = try await catalog.questionnaire(code) else { throw CommandFailure("unknown questionnaire \(code)") }
            guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandFailure("cannot read \(signature.file)") }
            let service = ProfilingService(app.serviceContext(actor: .commandLine("import kobo")))
            if let path = signature.mapping {
                guard let file = FileManager.default.contents(atPath: path), let mapping = try? JSONDecoder().decode(KoboMapping.self, from: file) else {
                    throw CommandFailure("\(path) is not a mapping file")
                }
                let unknown = mapping.questions.values.filter { questionnaire.question($0) == nil }
                guard unknown.isEmpty else { throw CommandFailure("the mapping names unknown questions: \(unknown.sorted().joined(separator: ", "))") }
                try await service.saveMapping(source: source, questionnaireCode: code, mapping)
            }
            let reporting = ImportReporting(console: context.console, catalogue: app.corridor.catalogue(.en), commit: signature.commit, skipRejected: signature.skipRejected)
            let mapping = try await ProfilingQueries(database: app.db).mapping(source: source, questionnaireCode: code)
            let read: KoboReadResult
            do {
                read = try KoboCSVReader.read(data: data, questionnaire: questionnaire, mapping: mapping, limits: .commandLine)
            } catch {
                throw CommandFailure(error.message(reporting.catalogue))
            }
            for column in read.unmappedColumns { context.console.print("unmapped column\t\(column)") }
            for choice in read.unmappedChoices { context.console.print("unmapped choice\t\(choice.question)\t\(choice.value)") }
            reporting.printIssues(read.issues)
            let rejected = Set(read.issues.map(\.line)).count
            reporting.printSummary(rows: read.rowCount, accepted: read.submissions.count, rejected: rejected, unit: "submissions")
            // An unmapped column would be answers dropped: no flag writes past it.
            if signature.commit, !read.unmappedColumns.isEmpty {
                throw CommandFailure("\(read.unmappedColumns.count) unmapped column(s): nothing written; map each to a question, or list it under \"ignored\" in the mapping (--mapping)", exitCode: 1)
            }
            if signature.commit, !read.unmappedChoices.isEmpty {
                throw CommandFailure("\(read.unmappedChoices.count) unmapped choice(s): nothing written; map each under \"choices\" in the mapping (--mapping), to a choice's code or to \"\(KoboMapping.ignoreChoice)\" to leave it out", exitCode: 1)
            }
            guard try reporting.mayWrite(rejected: rejected, accepted: read.submissions.count) else { return }
            let outcome = try await service.importSubmissions(read, questionnaire: questionnaire, table: try await catalog.weightTable(),
                                                              source: source, fileName: (signature.file as NSString).lastPathComponent)
            reporting.printIssues(outcome.rejected.filter { !read.issues.contains($0) })
            context.console.print("committed: \(outcome.created) created, \(outcome.updated) updated, \(outcome.unchanged) unchanged")
        }
    }

    struct Institutions: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A CSV file with columns acronym, name, country, kind.") var file: String
            @Flag(name: "commit", help: "Create or update the institutions (one transaction). Without it, only the report is printed.") var commit: Bool
            @Flag(name: "skip-rejected", help: "With --commit: write the accepted rows, leaving the rejected ones out.") var skipRejected: Bool
        }
        var help: String { "Validates an institution file, prints every rejected row, and with --commit creates or updates institutions by acronym." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            guard let data = FileManager.default.contents(atPath: signature.file) else { throw CommandFailure("cannot read \(signature.file)") }
            let reporting = ImportReporting(console: context.console, catalogue: app.corridor.catalogue(.en), commit: signature.commit, skipRejected: signature.skipRejected)
            let plan: (institutions: [ImportedInstitution], issues: [ImportIssue], rowCount: Int)
            do {
                plan = try InstitutionImportReader.plan(text: TabularText.table(data, limits: .commandLine))
            } catch {
                throw CommandFailure(error.message(reporting.catalogue))
            }
            let rejected = Set(plan.issues.map(\.line)).count
            reporting.printIssues(plan.issues)
            reporting.printSummary(rows: plan.rowCount, accepted: plan.institutions.count, rejected: rejected, unit: "institutions")
            guard try reporting.mayWrite(rejected: rejected, accepted: plan.institutions.count) else { return }
            let done = try await CooperationService(app.serviceContext(actor: .commandLine("import institutions")))
                .importInstitutions(plan.institutions, fileName: (signature.file as NSString).lastPathComponent)
            context.console.print("committed: \(done.created) institutions created, \(done.updated) updated")
        }
    }

    struct Cases: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A case file: CSV in the case template (comma or semicolon, UTF-8 or Windows-1252) or XLSX.") var file: String
            @Flag(name: "commit", help: "Write the accepted rows (in one transaction). Without it, only the report is printed.") var commit: Bool
            @Flag(name: "skip-rejected", help: "With --commit: write the accepted rows, leaving the rejected ones out.") var skipRejected: Bool
            @Flag(name: "protected", help: "Accept the protected columns of a protection officer's export (trafficking details, medical notes); the audit trail records it.")
            var protected: Bool
        }
        var help: String { "Validates a case file, prints every rejected row, and with --commit writes it in one transaction." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            guard FileManager.default.isReadableFile(atPath: signature.file) else { throw CommandFailure("cannot read \(signature.file)") }
            let reporting = ImportReporting(console: context.console, catalogue: app.corridor.catalogue(.en), commit: signature.commit, skipRejected: signature.skipRejected)
            let service = CaseService(app.serviceContext(actor: .commandLine("import cases")))
            let report: CaseImportReport
            do {
                // Without --skip-rejected a file with a rejected row is rolled back whole.
                report = try await service.importCases(from: .file(signature.file), fileName: (signature.file as NSString).lastPathComponent,
                                                       write: signature.commit, onlyIfClean: !signature.skipRejected, mayWriteProtected: signature.protected)
            } catch TabularFileError.protectedColumns(let columns) {
                throw CommandFailure("the file holds protected columns (\(columns.joined(separator: ", "))): give --protected to import them, or remove them from the file")
            } catch let error as TabularFileError {
                throw CommandFailure(error.message(reporting.catalogue))
            } catch let error as CaseImportWriteError {
                app.logger.error("case import refused by the database: \(error.underlying)")
                throw CommandFailure(error.message(reporting.catalogue))
            }
            reporting.printIssues(report.issues)
            reporting.printSummary(rows: report.rowCount, accepted: report.acceptedRows, rejected: report.rejectedLines.count,
                                   unit: "\(report.households) households")
            guard try reporting.mayWrite(rejected: report.rejectedLines.count, accepted: report.acceptedRows) else { return }
            let outcome = report.outcome
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
        let outcome = try await CaseService(app.serviceContext(actor: .commandLine("demo"))).commit(plan, fileName: "demo")
        context.console.print("demo data: \(outcome.casesCreated) cases created, \(outcome.casesUnchanged) already there (\(plan.rowCount) people)")
    }
}

/// `corridor generate --individuals N [--seed S] --out DIR`
struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "individuals", help: "How many people to write (households of 1 to 6).") var individuals: Int?
        @Option(name: "seed", help: "Seed of the generator (default 1): the same seed writes the same files.") var seed: Int?
        @Option(name: "out", help: "Folder for cases.csv and interviews-kobo.csv.") var out: String?
    }
    var help: String { "Writes a synthetic case CSV and Kobo-shaped profiling interviews for load tests (invented names, deterministic)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let individuals = signature.individuals, individuals > 0 else { throw CommandFailure("--individuals must be a positive number") }
        guard let out = signature.out else { throw CommandFailure("--out is required") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let casesPath = (out as NSString).appendingPathComponent("cases.csv")
        let koboPath = (out as NSString).appendingPathComponent("interviews-kobo.csv")
        guard FileManager.default.createFile(atPath: casesPath, contents: nil), FileManager.default.createFile(atPath: koboPath, contents: nil),
              let cases = FileHandle(forWritingAtPath: casesPath), let kobo = FileHandle(forWritingAtPath: koboPath) else {
            throw CommandFailure("cannot write in \(out)")
        }
        defer { try? cases.close(); try? kobo.close() }
        var caseBuffer = Data(), koboBuffer = Data()
        let started = Date()
        let generator = SyntheticData(seed: UInt64(signature.seed ?? 1), today: Day(context.application.corridor.timeSource.now()))
        try generator.generate(individuals: individuals, cases: { line in
            caseBuffer.append(contentsOf: line.utf8); caseBuffer.append(10)
            if caseBuffer.count > 1 << 20 { try cases.write(contentsOf: caseBuffer); caseBuffer.removeAll(keepingCapacity: true) }
        }, interviews: { line in
            koboBuffer.append(contentsOf: line.utf8); koboBuffer.append(contentsOf: [13, 10])
            if koboBuffer.count > 1 << 20 { try kobo.write(contentsOf: koboBuffer); koboBuffer.removeAll(keepingCapacity: true) }
        })
        try cases.write(contentsOf: caseBuffer)
        try kobo.write(contentsOf: koboBuffer)
        context.console.print("wrote \(individuals) individuals to \(casesPath) and interviews to \(koboPath) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
