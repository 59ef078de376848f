import Foundation
import Testing
@testable import CorridorCore

/// How a questionnaire's rules are written in an XLSForm (the shipped forms are checked in the
/// app's tests and with pyxform in CI).
@Suite struct XLSFormWritingTests {
    @Test func conditionsBecomeXPath() {
        #expect(XLSForm.relevant(SkipCondition(question: "a", equals: "yes")) == "${a} = 'yes'")
        #expect(XLSForm.relevant(SkipCondition(question: "a", includes: "x", excludes: "y")) == "selected(${a}, 'x') and not(selected(${a}, 'y'))")
        #expect(XLSForm.relevant(SkipCondition(question: "a")) == "${a} != ''")
        #expect(XLSForm.relevant(SkipCondition(question: "a", equals: "l'eau")) == "${a} = \"l'eau\"")
        // A group met twice is two pages with names of their own.
        let split = Questionnaire(code: "q", version: 1, title: .init(fr: "Q", en: "Q"), questions: [
            Question(code: "a", type: .text, label: .init(fr: "A", en: "A"), group: "g"),
            Question(code: "b", type: .text, label: .init(fr: "B", en: "B")),
            Question(code: "c", type: .text, label: .init(fr: "C", en: "C"), group: "g"),
        ])
        #expect(XLSForm.survey(split).rows.filter { $0[0] == "begin_group" }.map { $0[1] } == ["g", "g_2"])
    }

}
