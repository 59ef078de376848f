import CorridorCore
import Foundation
import Vapor

/// `corridor match dedup|link|caseload`: the record-linkage engine on files and on the
/// stored caseload (docs/MATCHING.md).
struct MatchCommandGroup: AsyncCommandGroup {
    var help: String { "Finds the records of one person: in one file, across two files, or in the stored caseload." }
    var commands: [String: any AnyAsyncCommand] { ["dedup": Dedup(), "link": Link(), "caseload": Caseload(), "sample": Sample()] }

    static func read(_ path: String) throws -> [MatchRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        do {
            return try LinkageFile.records(data)
        } catch {
            throw CommandFailure("\(path): \(error.description)")
        }
    }

    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func report(_ result: LinkageResult, records: Int) {
        let people = Set(result.clusters).count
        let text = "\(records) records, \(result.comparedPairs) pairs compared, \(result.pairs.count) pairs judged one person, \(people) people, \(result.reviewPairs.count) pairs to review\n\(result.model.summary)\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    struct Dedup: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file", help: "A CSV with rec_id and any of the case template's person columns.") var file: String
            @Option(name: "out", help: "Where to write the pairs judged one person (default: standard output).") var out: String?
            @Option(name: "clusters", help: "Where to write rec_id,cluster_id for every record.") var clusters: String?
            @Flag(name: "verbose", help: "Print the fitted model and counts on the error stream.") var verbose: Bool
        }
        var help: String { "Finds the records of one file that are one person; writes rec_id_1,rec_id_2,score." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let records = try MatchCommandGroup.read(signature.file)
            let result = await LinkageEngine.deduplicate(records)
            if signature.verbose { MatchCommandGroup.report(result, records: records.count) }
            try MatchCommandGroup.write(LinkageFile.pairsCSV(result, records: records), to: signature.out)
            if let clusters = signature.clusters { try MatchCommandGroup.write(LinkageFile.clustersCSV(result, records: records), to: clusters) }
        }
    }

    struct Link: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "first", help: "The first CSV.") var first: String
            @Argument(name: "second", help: "The second CSV.") var second: String
            @Option(name: "out", help: "Where to write the pairs judged one person (default: standard output).") var out: String?
            @Flag(name: "verbose", help: "Print the fitted model and counts on the error stream.") var verbose: Bool
        }
        var help: String { "Finds the records of two files that are one person; writes rec_id_1 (first file),rec_id_2 (second),score." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let first = try MatchCommandGroup.read(signature.first)
            let second = try MatchCommandGroup.read(signature.second)
            let result = await LinkageEngine.link(first, second)
            if signature.verbose { MatchCommandGroup.report(result, records: first.count + second.count) }
            try MatchCommandGroup.write(LinkageFile.pairsCSV(result, records: first + second, firstFileCount: first.count), to: signature.out)
        }
    }

    struct Sample: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "records", help: "Records of the deduplication file, and of each linking file (default 20000 and 10000).") var records: Int?
            @Option(name: "seed", help: "Seed of the generator (default 7).") var seed: Int?
            @Option(name: "out", help: "The folder to write dedup.csv, link-a.csv, link-b.csv and their truth files in.") var out: String?
        }
        var help: String { "Writes invented West-African registrations with the truth of who is who, to measure the engine." }

        func run(using context: CommandContext, signature: Signature) async throws {
            guard let out = signature.out else { throw CommandFailure("--out is required") }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let registry = WestAfricanRegistry(seed: UInt64(signature.seed ?? 7))
            let dedupCount = signature.records ?? 20_000
            let linkCount = signature.records.map { $0 / 2 } ?? 10_000
            let dedup = registry.dedup(count: dedupCount)
            let (first, second) = registry.link(count: linkCount)
            func truth(_ registrations: [WestAfricanRegistry.Registration]) -> String {
                "rec_id,person_id\n" + registrations.map { "\($0.record.id),P\($0.person)" }.joined(separator: "\n") + "\n"
            }
            let files = [
                ("dedup.csv", LinkageFile.recordsCSV(dedup.map(\.record))), ("dedup-truth.csv", truth(dedup)),
                ("link-a.csv", LinkageFile.recordsCSV(first.map(\.record))), ("link-b.csv", LinkageFile.recordsCSV(second.map(\.record))),
                ("link-truth.csv", truth(first + second)),
            ]
            for (name, text) in files { try MatchCommandGroup.write(text, to: (out as NSString).appendingPathComponent(name)) }
            context.console.print("wrote \(dedup.count) records to dedup.csv and \(first.count) + \(second.count) to link-a.csv and link-b.csv in \(out)")
        }
    }

    struct Caseload: AsyncCommand {
        struct Signature: CommandSignature {
            @Flag(name: "commit", help: "Record the candidate pairs for review (without it, only count them).") var commit: Bool
        }
        var help: String { "Finds the stored caseload's records that are likely one person; with --commit, records them for review." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let service = PeopleService(app.serviceContext(actor: .commandLine("match caseload")))
            let summary = try await service.runCaseload(commit: signature.commit)
            context.console.print("""
            \(summary.records) records, \(summary.comparedPairs) pairs compared in \(String(format: "%.1f", summary.seconds)) s
            \(summary.judgedSame) pairs judged one person, \(summary.toReview) more to review; \(summary.people) people
            \(signature.commit ? "\(summary.newCandidates) new candidate pairs recorded for review at /duplicates" : "nothing recorded (add --commit to record the candidate pairs)")
            """)
        }
    }
}
