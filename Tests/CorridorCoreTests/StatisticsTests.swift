import Foundation
import Testing
@testable import CorridorCore

@Suite struct FigureTextTests {
    @Test func headlinesRoundDownToTwoSignificantDigits() {
        #expect(FigureText.headline(15_214, .fr) == "plus de 15\u{202F}000")
        #expect(FigureText.headline(2_274, .fr) == "plus de 2\u{202F}200")
        #expect(FigureText.headline(15_000, .fr) == "15\u{202F}000")
        #expect(FigureText.headline(28, .fr) == "28")
        #expect(FigureText.headline(99, .en) == "99")
        #expect(FigureText.headline(100, .en) == "100")
        #expect(FigureText.headline(101, .en) == "more than 100")
        #expect(FigureText.headline(15_214, .en) == "more than 15,000")
        #expect(FigureText.headline(1_999_999, .en) == "more than 1,900,000")
    }

    @Test func percentagesRoundToTheNearestWholePercent() {
        #expect(FigureText.percent(0.9166, .fr) == "92\u{202F}%")
        #expect(FigureText.percent(0.9166, .en) == "92%")
        #expect(FigureText.percent(0.875, .en) == "88%")
    }

    @Test func periodsArePhrasedNaturally() {
        let today = Day(year: 2026, month: 11, day: 28)!
        let jan2017 = Day(year: 2017, month: 1, day: 1), aug2024 = Day(year: 2024, month: 8, day: 31)
        #expect(FigureText.period(from: jan2017, to: aug2024, today: today, .fr) == "Entre janvier 2017 et août 2024")
        #expect(FigureText.period(from: jan2017, to: aug2024, today: today, .en) == "Between January 2017 and August 2024")
        #expect(FigureText.period(from: Day(year: 2021, month: 1, day: 1), to: today, today: today, .fr) == "Depuis janvier 2021")
        #expect(FigureText.period(from: Day(year: 2021, month: 1, day: 1), to: nil, today: today, .en) == "Since January 2021")
    }

    @Test func periodsNameExactlyTheDaysCounted() {
        let today = Day(year: 2026, month: 12, day: 3)!
        func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }
        #expect(FigureText.period(from: day(2026, 11, 3), to: day(2026, 11, 3), today: today, .fr) == "Le 3 novembre 2026")
        #expect(FigureText.period(from: day(2026, 11, 3), to: day(2026, 11, 3), today: today, .en) == "On 3 November 2026")
        #expect(FigureText.period(from: day(2026, 11, 15), to: day(2026, 11, 30), today: today, .fr) == "Du 15 au 30 novembre 2026")
        #expect(FigureText.period(from: day(2026, 11, 1), to: day(2026, 11, 15), today: today, .fr) == "Du 1er au 15 novembre 2026")
        #expect(FigureText.period(from: day(2026, 10, 15), to: day(2026, 11, 3), today: today, .en) == "From 15 October to 3 November 2026")
        #expect(FigureText.period(from: day(2025, 12, 20), to: day(2026, 1, 3), today: today, .fr) == "Du 20 décembre 2025 au 3 janvier 2026")
        #expect(FigureText.period(from: day(2026, 11, 15), to: nil, today: today, .fr) == "Depuis le 15 novembre 2026")
        #expect(FigureText.period(from: day(2026, 11, 15), to: today, today: today, .en) == "Since 15 November 2026")
        #expect(FigureText.period(from: day(2026, 11, 1), to: day(2026, 11, 30), today: today, .fr) == "En novembre 2026")
        #expect(FigureText.period(from: day(2025, 1, 1), to: day(2025, 12, 31), today: today, .en) == "In 2025")
        #expect(FigureText.period(from: nil, to: day(2024, 8, 15), today: today, .fr) == "Jusqu'au 15 août 2024")
        #expect(FigureText.period(from: nil, to: day(2024, 8, 31), today: today, .fr) == "Jusqu'en août 2024")
    }

    /// Over random periods, the sentence read back names exactly the days counted (a range that
    /// reaches today counts up to today).
    @Test func periodSentencesReadBackToThePeriod() {
        var random = SeededGenerator(seed: 20261203)
        for _ in 0..<3_000 {
            let today = Day(year: 2020, month: 1, day: 1)!.adding(days: Int.random(in: 0...3_650, using: &random))
            var from: Day? = Bool.random(using: &random) || Int.random(in: 0...4, using: &random) > 0
                ? today.adding(days: -Int.random(in: 0...1_500, using: &random)) : nil
            var to: Day? = Int.random(in: 0...5, using: &random) > 0 ? (from ?? today.adding(days: -800)).adding(days: Int.random(in: 0...800, using: &random)) : nil
            // Month and year boundaries, as people choose them.
            if Int.random(in: 0...2, using: &random) == 0, let start = from { from = Day(year: start.year, month: Int.random(in: 0...3, using: &random) == 0 ? 1 : start.month, day: 1) }
            if Int.random(in: 0...2, using: &random) == 0, let end = to {
                let last = Int.random(in: 0...3, using: &random) == 0 ? Day(year: end.year, month: 12, day: 31)! : Day(year: end.year, month: end.month, day: 1)!.adding(days: 31)
                to = Day(year: last.year, month: last.month, day: 1)!.adding(days: -1)
            }
            if let start = from, let end = to, end < start { to = start }
            var expected: (Day?, Day?) = (from, to.flatMap { $0 >= today ? nil : $0 })
            if let start = expected.0, expected.1 == nil, start >= today { expected.1 = start }
            for language in Language.allCases {
                let text = FigureText.period(from: from, to: to, today: today, language)
                let read = PeriodReader.read(text, language)
                #expect(read?.0 == expected.0 && read?.1 == expected.1, "\(language): \(text) for \(from?.iso ?? "…")–\(to?.iso ?? "…") on \(today.iso)")
            }
        }
    }

    @Test func pressReleaseSentences() {
        let today = Day(year: 2026, month: 11, day: 28)!
        let filters = FigureFilters(from: Day(year: 2017, month: 1, day: 1), to: Day(year: 2024, month: 8, day: 31), nationality: "CIV")
        #expect(FigureSentence.write(.returns, filters: filters, value: 15_214, n: nil, choiceLabel: nil, today: today, .fr)
                == "Entre janvier 2017 et août 2024, plus de 15\u{202F}000 ressortissants de Côte d'Ivoire ont été aidés à rentrer.")
        #expect(FigureSentence.write(.returns, filters: filters, value: 15_214, n: nil, choiceLabel: nil, today: today, .en)
                == "Between January 2017 and August 2024, more than 15,000 nationals of Côte d'Ivoire were helped to return.")
        let morocco = FigureFilters(from: Day(year: 2021, month: 1, day: 1), to: today, hostCountry: "MAR", vulnerability: "vot")
        #expect(FigureSentence.write(.returns, filters: morocco, value: 28, n: nil, choiceLabel: nil, today: today, .fr)
                == "Depuis janvier 2021, 28 victimes de la traite ont été aidées à rentrer du Maroc.")
        let share = FigureSentence.write(.profilingShare, filters: FigureFilters(), value: 0.92, n: 240, choiceLabel: "Chercher de meilleures opportunités économiques", today: today, .fr)
        #expect(share == "Au total, 92\u{202F}% des personnes interrogées à leur retour ont cité « chercher de meilleures opportunités économiques » (n = 240).")
        #expect(FigureText.fromCountry("DZA", .fr) == "d’Algérie" && FigureText.fromCountry("TUN", .fr) == "de Tunisie")
    }
}

@Suite struct DisclosureControlTests {
    let policy = DisclosurePolicy(threshold: 5)

    @Test func smallCellsAreSuppressedAndProtected() {
        let result = policy.protect([[10, 3, 20], [8, 12, 0], [0, 7, 9]])
        #expect(result.cells[0][1] == nil, "3 < 5: primary suppression")
        #expect(result.cells[1][2] == 0 && result.cells[2][0] == 0, "zeros are shown")
        // Row 0 and column 1 now hold one suppressed cell each: a second one is suppressed in both.
        #expect(result.cells[0].filter { $0 == nil }.count >= 2)
        #expect((0..<3).filter { result.cells[$0][1] == nil }.count >= 2)
        #expect(result.grandTotal == 69)
    }

    @Test func aLoneSmallCellHidesItsTotalWhenNothingElseCan() {
        let result = policy.protect([[3, 0], [0, 0]])
        #expect(result.cells[0][0] == nil)
        #expect(result.rowTotals[0] == nil && result.columnTotals[0] == nil)
    }

    /// Random tables: no published cell from 1 to k−1, and no suppressed cell is the only
    /// unknown of a row or a column whose total is published.
    @Test(arguments: 0..<300)
    func randomTablesHoldTheProperties(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed) &* 7_919 &+ 13)
        let rows = Int.random(in: 1...8, using: &random), columns = Int.random(in: 1...8, using: &random)
        let k = Int.random(in: 2...10, using: &random)
        let table = (0..<rows).map { _ in (0..<columns).map { _ in
            random.weighted([(0, 3), (Int.random(in: 1...12, using: &random), 5), (Int.random(in: 13...300, using: &random), 4)])
        } }
        let result = DisclosurePolicy(threshold: k).protect(table)
        for row in 0..<rows {
            for column in 0..<columns {
                if let value = result.cells[row][column] {
                    #expect(value == 0 || value >= k, "published small cell \(value) < \(k)")
                    #expect(value == table[row][column], "published cells are exact")
                } else {
                    #expect(table[row][column] > 0, "zeros are never suppressed")
                }
            }
            let unknown = result.cells[row].filter { $0 == nil }.count
            #expect(!(unknown == 1 && result.rowTotals[row] != nil), "row \(row) leaks its suppressed cell")
            if let total = result.rowTotals[row] { #expect(total == table[row].reduce(0, +)) }
        }
        for column in 0..<columns {
            let unknown = (0..<rows).filter { result.cells[$0][column] == nil }.count
            #expect(!(unknown == 1 && result.columnTotals[column] != nil), "column \(column) leaks its suppressed cell")
        }
        let hiddenRowTotals = result.rowTotals.filter { $0 == nil }.count
        #expect(!(hiddenRowTotals == 1 && result.grandTotal != nil))
        let hiddenColumnTotals = result.columnTotals.filter { $0 == nil }.count
        #expect(!(hiddenColumnTotals == 1 && result.grandTotal != nil))
        if let grand = result.grandTotal { #expect(grand == table.flatMap { $0 }.reduce(0, +)) }
    }
}

@Suite struct FigureTokenTests {
    @Test func tokensAreReadAndReplaced() {
        let text = "Au total, {{figure returns nationality=CIV from=2017-01-01 to=2024-08-31 style=headline}} retours ; {{figure nope}} ; {{figure returns style=loud}}."
        let scan = FigureToken.scan(text)
        #expect(scan.tokens.count == 1)
        #expect(scan.tokens.first?.filters.nationality == "CIV" && scan.tokens.first?.filters.to == Day(year: 2024, month: 8, day: 31))
        #expect(scan.problems.map(\.source) == ["{{figure nope}}", "{{figure returns style=loud}}"])
        #expect(scan.problems.map(\.reason) == [.unknownIndicator, .unknownStyle] && scan.problems.last?.word == "style=loud")
        let more = FigureToken.scan("{{figure returns from=2024-13-01}} {{figure returns host_country=XYZ}} {{figure returns color=red}} {{figure returns from=2025-01-01 to=2024-01-01}} {{figure returns vulnerability=vip}}")
        #expect(more.problems.map(\.reason) == [.badDate, .unknownCountry, .unknownFilter, .emptyPeriod, .unknownVulnerability])
        #expect(more.tokens.isEmpty)
        let replaced = FigureToken.replace(in: text) { _ in "plus de 15 000" }
        #expect(replaced.hasPrefix("Au total, plus de 15 000 retours"))
    }
}

/// Reads a period sentence back into the days it names, independently of how it was written.
enum PeriodReader {
    struct Partial { var day: Int?; var month: Int?; var year: Int? }

    static func read(_ text: String, _ language: Language) -> (Day?, Day?)? {
        let months = language == .fr ? LocaleFormatting.frenchMonths : LocaleFormatting.englishMonths
        let words = text.lowercased().replacingOccurrences(of: "jusqu'", with: "jusqu' ").split(separator: " ").map(String.init)
        func partial(_ tokens: ArraySlice<String>) -> Partial {
            var result = Partial()
            for token in tokens {
                if let index = months.firstIndex(where: { $0.lowercased() == token }) { result.month = index + 1 }
                else if let number = Int(token.replacingOccurrences(of: "er", with: "")) { if number > 31 { result.year = number } else { result.day = number } }
            }
            return result
        }
        func first(_ p: Partial) -> Day? { p.year.flatMap { Day(year: $0, month: p.month ?? 1, day: p.day ?? 1) } }
        func last(_ p: Partial) -> Day? {
            guard let year = p.year else { return nil }
            if let day = p.day { return Day(year: year, month: p.month ?? 12, day: day) }
            let month = p.month ?? 12
            return Day(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1)?.adding(days: -1)
        }
        func split(_ separator: String) -> (Partial, Partial)? {
            guard let index = words.firstIndex(of: separator) else { return nil }
            return (partial(words[1..<index]), partial(words[(index + 1)...]))
        }
        let fr = language == .fr
        let rest = words.dropFirst()
        switch words.first ?? "" {
        case (fr ? "au" : "in") where words.count == 2 && words[1] == (fr ? "total" : "all"): return (nil, nil)
        case (fr ? "le" : "on"): let p = partial(rest); return (first(p), last(p))
        case (fr ? "depuis" : "since"): return (first(partial(rest)), nil)
        case "jusqu'", "up": return (nil, last(partial(rest)))
        case (fr ? "en" : "in"): let p = partial(rest); return (first(p), last(p))
        case (fr ? "entre" : "between"):
            guard let pair = split(fr ? "et" : "and") else { return nil }
            return (first(pair.0), last(pair.1))
        case (fr ? "du" : "from"), (fr ? "de" : "from"):
            guard let pair = split(fr ? (words[0] == "du" ? "au" : "à") : "to") else { return nil }
            let (a, b) = pair
            let start = Partial(day: a.day, month: a.month ?? (a.day == nil ? nil : b.month), year: a.year ?? b.year)
            return (first(start), last(b))
        default: return nil
        }
    }
}
