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
        #expect(scan.problems == ["{{figure nope}}", "{{figure returns style=loud}}"])
        let replaced = FigureToken.replace(in: text) { _ in "plus de 15 000" }
        #expect(replaced.hasPrefix("Au total, plus de 15 000 retours"))
    }
}
