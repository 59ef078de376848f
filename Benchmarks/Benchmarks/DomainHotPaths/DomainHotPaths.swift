import Benchmark
import CorridorCore
import Foundation

/// One megabyte of the canonical case file (generated, deterministic) and the same as text.
nonisolated(unsafe) let caseFile: Data = {
    var text = ""
    SyntheticData(seed: 1, today: Day(iso: "2026-11-01")!).generate(individuals: 7_200, cases: { text += $0 + "\n" }, interviews: { _ in })
    var data = Data(text.utf8)
    // Cut at a line end close to 1 MB, so that one iteration reads one megabyte.
    if data.count > 1_000_000, let end = data[1_000_000...].firstIndex(of: UInt8(ascii: "\n")) { data = data.prefix(end + 1) }
    return data
}()
nonisolated(unsafe) let caseText = String(decoding: caseFile, as: UTF8.self)
nonisolated(unsafe) let caseRows = caseFile.filter { $0 == UInt8(ascii: "\n") }.count - 1

/// A 200 × 50 table of counts with a realistic share of small cells.
let table: [[Int]] = {
    var generator = SystemRandomNumberGenerator()
    return (0..<200).map { _ in (0..<50).map { _ in Int.random(in: 0...10, using: &generator) < 3 ? Int.random(in: 0...4, using: &generator) : Int.random(in: 5...900, using: &generator) } }
}()

let benchmarks: @Sendable () -> Void = {
    let throughput = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(5))

    // One iteration reads 1 MB: throughput is in MB/s.
    Benchmark("CSV parsing, CSVStream (bytes, streamed), 1 MB", configuration: throughput) { benchmark in
        for _ in benchmark.scaledIterations {
            var reader = try CSVStream(data: caseFile)
            var fields = 0
            while let row = try reader.next() { fields += row.count }
            blackHole(fields)
        }
    }
    Benchmark("CSV parsing, CSV.swift (CSVRows), 1 MB", configuration: throughput) { benchmark in
        for _ in benchmark.scaledIterations {
            let reader = try CSVRows(caseText)
            var fields = 0
            while let row = reader.next() { fields += row.count }
            blackHole(fields)
        }
    }

    // One iteration reads, checks and groups every row of the megabyte: rows/s is the
    // throughput times the rows per megabyte (printed in the benchmark's name).
    Benchmark("Case validation (parse + checks + households), 1 MB = \(caseRows) rows", configuration: throughput) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try CaseImportReader.plan(data: caseFile, today: Day(iso: "2026-11-28")!))
        }
    }

    Benchmark("Disclosure control, 200 × 50 table", configuration: throughput) { benchmark in
        let policy = DisclosurePolicy(threshold: 5)
        for _ in benchmark.scaledIterations { blackHole(policy.protect(table)) }
    }

    Benchmark("Figure sentence, French and English", configuration: throughput) { benchmark in
        let filters = FigureFilters(from: Day(iso: "2020-01-01"), to: Day(iso: "2024-12-31"), hostCountry: "MAR")
        let today = Day(iso: "2026-11-28")!
        for _ in benchmark.scaledIterations {
            blackHole(FigureSentence.write(.returns, filters: filters, value: 15_214, n: nil, choiceLabel: nil, today: today, .fr))
            blackHole(FigureSentence.write(.returns, filters: filters, value: 2_274, n: nil, choiceLabel: nil, today: today, .en))
        }
    }

    Benchmark("Search words of a household (fold + split)", configuration: throughput) { benchmark in
        let members = [
            MemberDraft(memberNumber: 1, relationship: .principal, givenNames: "Adjoua Ama", familyName: "N'Guessan-Kouamé", sex: .female,
                        birthDate: nil, nationality: "CIV", documentType: .passport, documentNumber: "AB1234567"),
            MemberDraft(memberNumber: 2, relationship: .child, givenNames: "Éloïse", familyName: "Koné", sex: .female, birthDate: nil, nationality: "CIV"),
        ]
        for _ in benchmark.scaledIterations {
            blackHole(SearchText.terms(caseNumber: "CIV-2024-00123", searchTexts: members.map(\.searchText), vulnerabilities: ["vot"]))
        }
    }
}
