import CorridorCore
import Foundation
import Vapor

/// `corridor figures INDICATOR [--from D] [--to D] [--nationality X] … [--lang fr|en]`
struct FigureCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "indicator", help: "returns, people_returned, registrations, cases_open, vot_identified, assistance_items, profiling_share or reintegration_score.") var indicator: String
        @Option(name: "from", help: "First day, YYYY-MM-DD.") var from: String?
        @Option(name: "to", help: "Last day, YYYY-MM-DD.") var to: String?
        @Option(name: "host-country", help: "ISO3 code of the host country.") var hostCountry: String?
        @Option(name: "nationality", help: "ISO3 code of the nationality.") var nationality: String?
        @Option(name: "sex", help: "female, male or other.") var sex: String?
        @Option(name: "age-group", help: "0-17, 18-24, 25-34, 35-49 or 50+.") var ageGroup: String?
        @Option(name: "region", help: "Region of origin.") var region: String?
        @Option(name: "vulnerability", help: "A vulnerability code, e.g. vot.") var vulnerability: String?
        @Option(name: "office", help: "ISO3 code of the office.") var office: String?
        @Option(name: "question", help: "For profiling_share: the question code.") var question: String?
        @Option(name: "choice", help: "For profiling_share: the choice code.") var choice: String?
        @Option(name: "lang", help: "fr (default) or en.") var lang: String?
    }
    var help: String { "Prints a key figure with its exact value, headline and press-release sentence." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let indicator = Indicator(rawValue: signature.indicator) else {
            throw CommandFailure("unknown indicator \(signature.indicator) (expected one of: \(Indicator.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let language = Language(code: signature.lang ?? "fr") else { throw CommandFailure("--lang must be fr or en") }
        let query = FigureQuery(indicator: indicator.rawValue, from: signature.from, to: signature.to, host_country: signature.hostCountry,
                                                  nationality: signature.nationality, sex: signature.sex, age_group: signature.ageGroup, region: signature.region,
                                                  vulnerability: signature.vulnerability, office: signature.office, assistance_type: nil,
                                                  question: signature.question, choice: signature.choice)
        do {
            let output = try await app.figurePublisher.publish(indicator, try query.filters(), for: .staff(.admin), language: language)
            context.console.print("value: \(output.value)\(output.n.map { " (n = \($0))" } ?? "")")
            context.console.print("exact: \(output.exact)")
            context.console.print("headline: \(output.headline)")
            context.console.print(output.sentence)
        } catch let error as AbortError {
            throw CommandFailure(app.corridor.catalogue(.en).text(error.reason))
        }
    }
}

/// `corridor summary check|rebuild`
struct SummaryCommandGroup: AsyncCommandGroup {
    var help: String { "Compares the return counts kept for dashboards with a recount of the cases, or recounts them." }
    var commands: [String: any AnyAsyncCommand] { ["check": Check(), "rebuild": Rebuild()] }

    struct Check: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Recounts the cases and compares with the summary; exits 1 when a count differs." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let stored = try await CaseDerivedData.stored(on: app.db)
            let recount = try await CaseDerivedData.recount(on: app.db)
            let differences = ReturnSummary.difference(from: recount, to: stored)
            for (cell, delta) in differences.sorted(by: { $0.key < $1.key }).prefix(20) {
                context.console.print("\(cell.slice)\t\(cell.period)\t\(cell.hostCountry)\t\(cell.office)\t\(cell.a)\t\(cell.b)\tstored \(stored[cell] ?? 0), counted \(recount[cell] ?? 0) (\(delta > 0 ? "+" : "")\(delta))")
            }
            guard differences.isEmpty else {
                throw CommandFailure("\(differences.count) cell(s) differ from a recount: run `corridor summary rebuild`")
            }
            context.console.print("the summary equals a recount: \(stored.count) cells, \(recount.values.reduce(0, +)) counted")
        }
    }

    struct Rebuild: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Recounts the summary and the search words from the cases, in one transaction." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            try await app.db.writeTransaction { db in try await CaseDerivedData.rebuild(on: db) }
            context.console.print("rebuilt: \(try await CaseDerivedData.stored(on: app.db).count) cells")
        }
    }
}
