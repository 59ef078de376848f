import Foundation
import Testing
@testable import CorridorCore

@Suite struct LanguageResolutionTests {
    @Test func userPreferenceComesFirst() {
        #expect(Language.resolve(userPreference: .en, query: "fr", cookie: "fr", acceptLanguage: "fr") == .en)
    }

    @Test func thenQueryThenCookieThenAcceptLanguage() {
        #expect(Language.resolve(userPreference: nil, query: "en", cookie: "fr", acceptLanguage: "fr") == .en)
        #expect(Language.resolve(userPreference: nil, query: nil, cookie: "en", acceptLanguage: "fr") == .en)
        #expect(Language.resolve(userPreference: nil, query: "xx", cookie: nil, acceptLanguage: "en-GB,en;q=0.9") == .en)
        #expect(Language.resolve(userPreference: nil, query: nil, cookie: nil, acceptLanguage: nil) == .fr)
    }

    @Test func acceptLanguageHonoursQualities() {
        #expect(Language.fromAcceptLanguage("de-DE, en;q=0.5, fr;q=0.8") == .fr)
        #expect(Language.fromAcceptLanguage("de, es") == nil)
        #expect(Language.fromAcceptLanguage("fr;q=0, en;q=0.1") == .en)
    }
}

@Suite struct LocaleFormattingTests {
    @Test func frenchGroupsThousandsWithANarrowNoBreakSpace() {
        #expect(LocaleFormatting(.fr).integer(15_000) == "15\u{202F}000")
        #expect(LocaleFormatting(.fr).integer(1_234_567) == "1\u{202F}234\u{202F}567")
        #expect(LocaleFormatting(.fr).integer(28) == "28")
        #expect(LocaleFormatting(.en).integer(15_214) == "15,214")
        #expect(LocaleFormatting(.en).integer(-2_274) == "-2,274")
    }

    @Test func decimalsUseTheLanguagesSeparator() {
        #expect(LocaleFormatting(.fr).decimal(0, digits: 2) == "0,00")
        #expect(LocaleFormatting(.en).decimal(0.125, digits: 2) == "0.13")
        #expect(LocaleFormatting(.fr).decimal(1234.5, digits: 2) == "1\u{202F}234,50")
        #expect(LocaleFormatting(.en).decimal(-2.04, digits: 1) == "-2.0")
        #expect(LocaleFormatting(.en).decimal(-0.001, digits: 2) == "0.00")
        #expect(LocaleFormatting(.fr).decimal(2.0, digits: 0) == "2")
    }

    @Test func longDatesUseTheLanguagesMonthNames() {
        let date = Date(timeIntervalSince1970: 1_726_790_400) // 2024-09-20 UTC
        #expect(LocaleFormatting(.fr).longDate(date) == "20 septembre 2024")
        #expect(LocaleFormatting(.en).longDate(date) == "20 September 2024")
        let first = Date(timeIntervalSince1970: 1_704_067_200) // 2024-01-01
        #expect(LocaleFormatting(.fr).longDate(first) == "1er janvier 2024")
    }

    @Test func cataloguesFillPlaceholdersAndReportMissingKeys() {
        let fr = Catalogue(language: .fr, strings: ["a": "Bonjour {name}", "b": "x"])
        let en = Catalogue(language: .en, strings: ["a": "Hello {name}", "c": "y"])
        #expect(fr.text("a", ["name": "Awa"]) == "Bonjour Awa")
        #expect(fr.text("zzz") == "zzz")
        #expect(Catalogue.missingKeys(fr, en) == ["b", "c"])
    }
}
