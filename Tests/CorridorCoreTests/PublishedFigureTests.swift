import Foundation
import Testing
@testable import CorridorCore

/// The one rule by which a count becomes public text, whoever publishes it.
@Suite struct PublishedFigureTests {
    let today = Day(year: 2026, month: 11, day: 28)!

    @Test func smallCountsAreWrittenFewerThanKForThePublicInEveryForm() {
        for language in Language.allCases {
            let figure = PublishedFigure.publish(.returns, filters: FigureFilters(), value: 3, threshold: 5, audience: .everyone, today: today, language)
            let expected = language == .fr ? "moins de 5" : "fewer than 5"
            #expect(figure.isSuppressed)
            #expect(figure.suppressedBelow == 5)
            #expect(figure.exact == expected && figure.headline == expected && figure.sentence == expected)
        }
    }

    @Test func staffSeeExactSmallCounts() {
        let figure = PublishedFigure.publish(.returns, filters: FigureFilters(), value: 3, threshold: 5, audience: .staff(.meOfficer), today: today, .fr)
        #expect(!figure.isSuppressed)
        #expect(figure.exact == "3")
        #expect(figure.sentence.contains("3 personnes ont été aidées"))
    }

    @Test func zeroAndCountsAtTheThresholdAreShown() {
        let zero = PublishedFigure.publish(.registrations, filters: FigureFilters(), value: 0, threshold: 5, audience: .everyone, today: today, .en)
        #expect(!zero.isSuppressed && zero.exact == "0")
        let five = PublishedFigure.publish(.returns, filters: FigureFilters(), value: 5, threshold: 5, audience: .everyone, today: today, .en)
        #expect(!five.isSuppressed && five.headline == "5")
        let large = PublishedFigure.publish(.returns, filters: FigureFilters(), value: 15_214, threshold: 5, audience: .everyone, today: today, .fr)
        #expect(large.headline == "plus de 15\u{202F}000" && large.exact == "15\u{202F}214")
    }

    @Test func sharesRestingOnFewAnswersAreHiddenFromThePublic() {
        let few = PublishedFigure.publish(.profilingShare, filters: FigureFilters(question: "q", choice: "c"), value: 0.75, n: 4,
                                          threshold: 5, audience: .everyone, today: today, .fr)
        #expect(few.isSuppressed)
        // 10 answers, but only 2 people chose it: 2 people could be recognised.
        let rare = PublishedFigure.publish(.profilingShare, filters: FigureFilters(question: "q", choice: "c"), value: 0.2, n: 10,
                                           threshold: 5, audience: .everyone, today: today, .fr)
        #expect(rare.isSuppressed)
        let enough = PublishedFigure.publish(.profilingShare, filters: FigureFilters(question: "q", choice: "c"), value: 0.9166, n: 120,
                                             threshold: 5, audience: .everyone, today: today, .fr)
        #expect(!enough.isSuppressed && enough.headline == "92\u{202F}%" && enough.exact == "92\u{202F}%")
        let staff = PublishedFigure.publish(.profilingShare, filters: FigureFilters(question: "q", choice: "c"), value: 0.75, n: 4,
                                            threshold: 5, audience: .staff(.admin), today: today, .en)
        #expect(!staff.isSuppressed && staff.exact == "75%")
    }

    @Test func meanScoresOfFewerThanKPeopleAreHiddenAndKeepTwoDecimalsOtherwise() {
        let few = PublishedFigure.publish(.reintegrationScore, filters: FigureFilters(), value: 0.6349, n: 2,
                                          threshold: 5, audience: .everyone, today: today, .en)
        #expect(few.isSuppressed && few.exact == "fewer than 5")
        let score = PublishedFigure.publish(.reintegrationScore, filters: FigureFilters(), value: 0.6349, n: 12,
                                            threshold: 5, audience: .everyone, today: today, .en)
        #expect(!score.isSuppressed && score.exact == "0.63" && score.headline == "0.63")
        let staff = PublishedFigure.publish(.reintegrationScore, filters: FigureFilters(), value: 0.6349, n: 2,
                                            threshold: 5, audience: .staff(.meOfficer), today: today, .en)
        #expect(!staff.isSuppressed)
    }

    /// A focal point works for a ministry: exact ordinary counts, but sensitive ones (trafficking,
    /// medical needs, unaccompanied minors), shares and means under the public's control.
    @Test func aFocalPointReadsSensitiveSmallCountsAsThePublicDoes() {
        func published(_ indicator: Indicator, _ filters: FigureFilters, value: Double, n: Int? = nil, _ audience: FigureAudience) -> PublishedFigure {
            PublishedFigure.publish(indicator, filters: filters, value: value, n: n, threshold: 5, audience: audience, today: today, .fr)
        }
        let focal = FigureAudience.staff(.focalPoint)
        var libya = FigureFilters()
        libya.hostCountry = "LBY"
        libya.sex = "female"
        #expect(published(.votIdentified, libya, value: 2, focal).exact == "moins de 5")
        #expect(published(.votIdentified, libya, value: 2, .staff(.caseworker)).exact == "2")
        #expect(published(.returns, libya, value: 2, focal).exact == "2", "an ordinary count stays exact")
        for code in ["vot", "medical", "uasc"] {
            var filters = libya
            filters.vulnerability = code
            #expect(published(.returns, filters, value: 3, focal).isSuppressed, "\(code)")
            #expect(!published(.returns, filters, value: 3, .staff(.admin)).isSuppressed)
        }
        var elderly = libya
        elderly.vulnerability = "elderly"
        #expect(!published(.returns, elderly, value: 3, focal).isSuppressed)
        #expect(published(.profilingShare, FigureFilters(question: "q", choice: "c"), value: 0.75, n: 4, focal).isSuppressed)
        #expect(published(.reintegrationScore, FigureFilters(), value: 0.5, n: 3, focal).isSuppressed)
        #expect(!published(.votIdentified, libya, value: 12, focal).isSuppressed, "k or more is shown")
    }

    /// Over random counts, thresholds and audiences: the public never reads a count from 1 to
    /// k − 1 in any form, and staff always read the exact count.
    @Test func noSmallCountEverReachesThePublic() {
        var generator = SeededGenerator(seed: 20_261_202)
        for _ in 0..<2_000 {
            let threshold = Int.random(in: 1...20, using: &generator)
            let value = Int.random(in: 0...60, using: &generator)
            let indicator = [Indicator.returns, .registrations, .casesOpen, .votIdentified, .assistanceItems].randomElement(using: &generator)!
            let language = Language.allCases.randomElement(using: &generator)!
            let published = PublishedFigure.publish(indicator, filters: FigureFilters(), value: Double(value), threshold: threshold,
                                                    audience: .everyone, today: today, language)
            let small = value > 0 && value < threshold
            #expect(published.isSuppressed == small)
            if small {
                for text in [published.exact, published.headline, published.sentence] {
                    #expect(text == PublishedFigure.fewerThan(threshold, language))
                }
            }
            let staff = PublishedFigure.publish(indicator, filters: FigureFilters(), value: Double(value), threshold: threshold,
                                                audience: .staff(.meOfficer), today: today, language)
            #expect(!staff.isSuppressed && staff.exact == LocaleFormatting(language).integer(value))
        }
    }
}
