import CorridorCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct CatalogueTests {
    let catalogues: [Language: Catalogue]

    init() throws { catalogues = try CatalogueLoader.loadAll() }

    @Test func frenchAndEnglishHaveTheSameKeys() throws {
        let fr = try #require(catalogues[.fr]), en = try #require(catalogues[.en])
        #expect(Catalogue.missingKeys(fr, en) == [])
        for (key, value) in fr.strings { #expect(!value.isEmpty, "fr: \(key) is empty") }
        for (key, value) in en.strings { #expect(!value.isEmpty, "en: \(key) is empty") }
    }

    /// Every literal key the code asks for exists in both catalogues.
    @Test func everyKeyUsedInTheCodeExists() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CorridorApp")
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var keys = Set<String>()
        let patterns = [#/[.\s(]t\("([a-z0-9_.-]+)"(?!\s*\+)/#, #/reason: "(error\.[a-z0-9_]+)"/#, #/return "((?:account|form|login|password|tokens)\.[a-z0-9_.]+)"/#]
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for pattern in patterns {
                for match in text.matches(of: pattern) where !match.1.hasSuffix(".") { keys.insert(String(match.1)) }
            }
        }
        #expect(keys.count > 50)
        for language in Language.allCases {
            let catalogue = try #require(catalogues[language])
            for key in keys.sorted() { #expect(catalogue.strings[key] != nil, "\(language.rawValue): missing \(key)") }
        }
    }

    /// Keys built from values (roles, kinds, actions, error codes, sections) exist too.
    @Test func everyComposedKeyExists() throws {
        var keys: [String] = []
        keys += Role.allCases.flatMap { ["role.\($0.rawValue)", "role.\($0.rawValue).description"] }
        keys += InstitutionKind.allCases.map { "kind.\($0.rawValue)" }
        keys += AuditAction.allCases.map { "audit.action.\($0.rawValue)" }
        keys += Language.allCases.map { "language.\($0.rawValue)" }
        keys += PageContext.sections.map(\.key)
        keys += PageContext.sections.filter { $0.path != "/" }.map { "home.section" + $0.path.replacingOccurrences(of: "/", with: ".") }
        for status in [400, 401, 403, 404, 405, 409, 413, 422, 429, 500] {
            let code = CorridorErrorMiddleware.code(for: HTTPResponseStatus(statusCode: status))
            keys += ["error.\(code)", "error.title.\(code)"]
        }
        keys += ["return_case", "case_member", "case_assistance", "case_protected"].map { "case.entity.\($0)" }
        keys += CaseStatus.allCases.map(\.catalogueKey) + CaseStatus.allCases.filter { $0 != .registered }.map { "transition.to.\($0.rawValue)" }
        keys += Relationship.allCases.map(\.catalogueKey) + Sex.allCases.map(\.catalogueKey) + DocumentType.allCases.map(\.catalogueKey)
        keys += Vulnerability.allCases.map(\.catalogueKey) + EducationLevel.allCases.map(\.catalogueKey) + HostCountryStay.allCases.map(\.catalogueKey)
        keys += ClosureReason.allCases.map(\.catalogueKey) + AssistanceType.allCases.map(\.catalogueKey)
        keys += AssistanceType.Phase.allCases.map { "assistance.phase.\($0.rawValue)" }
        keys += CaseStateMachine.Problem.allCases.map(\.rawValue) + CaseStateMachine.DateProblem.allCases.map(\.rawValue)
        keys += ["notice.case_registered", "notice.status_changed", "notice.member_erased", "notice.retention_done"]
        keys += ErasureReason.allCases.map(\.catalogueKey)
        keys += FigureToken.Problem.Reason.allCases.map { "news.token.\($0.rawValue)" }
        keys += ["axis", "action", "lead_institution", "partner_institutions", "start_date", "deadline", "indicator", "indicator_unit", "indicator_baseline",
                 "indicator_target", "indicator_current", "indicator_live", "budget", "funding_source", "status", "progress", "weight"].map { "version.field.\($0)" }
        keys += ["password.too_short", "password.too_long", "password.same_as_email", "password.mismatch", "password.same_as_current"]
        keys += ["saved", "password_changed", "token_revoked", "user_enabled", "user_disabled", "cannot_disable_self"].map { "notice.\($0)" }
        for language in Language.allCases {
            let catalogue = try #require(catalogues[language])
            for key in keys { #expect(catalogue.strings[key] != nil, "\(language.rawValue): missing \(key)") }
        }
    }
}

@Suite struct LanguageOfPagesTests {
    @Test func acceptLanguageChoosesEnglish() async throws {
        try await TestCorridor.run { corridor in
            let page = try await TestBrowser(app: corridor.app).get("/login", headers: ["Accept-Language": "en-GB,en;q=0.8"])
            #expect(page.text.contains("<html lang=\"en\">"))
            #expect(page.text.contains("Sign in"))
        }
    }

    @Test func languageQueryIsRememberedInACookie() async throws {
        try await TestCorridor.run { corridor in
            let browser = TestBrowser(app: corridor.app)
            let first = try await browser.get("/login?lang=en")
            #expect(first.text.contains("Sign in"))
            #expect(browser.cookies["lang"] == "en")
            #expect(try await browser.get("/login", headers: ["Accept-Language": "fr"]).text.contains("Sign in"))
        }
    }

    @Test func userPreferenceWinsOverTheBrowser() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            user.preferredLanguage = "en"
            try await user.update(on: corridor.app.db)
            let browser = try await corridor.browser(signedInAs: user)
            let home = try await browser.get("/?lang=fr", headers: ["Accept-Language": "fr"])
            #expect(home.text.contains("Welcome, Test caseworker"))
        }
    }
}
