import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct IndicatorTests {
    /// Three households counted by hand: A (Morocco, arrived 2024-03-10: a woman born 1990,
    /// victim of trafficking, and a boy born 2015), B (Tunisia, arrived 2023-06-01: a man born
    /// 1980), C (Morocco, registered 2024-05-01, not yet travelled: a woman born 1995, victim).
    static func load(_ corridor: TestCorridor) async throws {
        func member(_ number: Int, _ relationship: Relationship, _ given: String, _ sex: Sex, _ birth: String, _ vulnerabilities: [Vulnerability]) -> MemberDraft {
            MemberDraft(memberNumber: number, relationship: relationship, givenNames: given, familyName: "Fixture", sex: sex, birthDate: BirthDate(text: birth),
                        nationality: "CIV", originRegion: "Gôh", vulnerabilities: vulnerabilities)
        }
        let d = { (text: String) in Day(iso: text)! }
        let cases = [
            ImportedCase(caseNumber: CaseNumber("CIV-2024-00001"), fields: CaseFields(hostCountry: "MAR", office: "CIV", registeredOn: d("2024-01-05"),
                         departureDate: d("2024-03-09"), arrivalDate: d("2024-03-10"), status: .arrived),
                         members: [member(1, .principal, "Awa", .female, "1990-06-01", [.vot]), member(2, .child, "Ali", .male, "2015", [])], lines: []),
            ImportedCase(caseNumber: CaseNumber("CIV-2023-00001"), fields: CaseFields(hostCountry: "TUN", office: "CIV", registeredOn: d("2023-02-01"),
                         departureDate: d("2023-06-01"), arrivalDate: d("2023-06-01"), status: .reintegrationOngoing),
                         members: [member(1, .principal, "Yao", .male, "1980-02-02", [])], lines: []),
            ImportedCase(caseNumber: CaseNumber("CIV-2024-00002"), fields: CaseFields(hostCountry: "MAR", office: "CIV", registeredOn: d("2024-05-01")),
                         members: [member(1, .principal, "Ina", .female, "1995-01-01", [.vot])], lines: []),
        ]
        let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
        _ = try await service.commit(CaseImportPlan(cases: cases, issues: [], rowCount: 4), fileName: "fixture")
        try await service.addAssistance(number: "CIV-2023-00001", AssistanceDraft(type: .economic, memberNumber: 1, providedOn: d("2023-08-01"),
                                                                                 description: "Kit", amountCents: 10_000_000, currency: .XOF))
    }

    func value(_ corridor: TestCorridor, _ indicator: Indicator, _ filters: FigureFilters = FigureFilters()) async throws -> Double {
        try await IndicatorQueries(database: corridor.app.db).figure(indicator, filters, catalog: corridor.app.profilingCatalog, language: .fr).value
    }

    @Test func everyIndicatorAgainstHandCounts() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let d = { (text: String) in Day(iso: text)! }
            #expect(try await value(corridor, .returns) == 3)
            #expect(try await value(corridor, .returns, FigureFilters(hostCountry: "MAR")) == 2)
            #expect(try await value(corridor, .returns, FigureFilters(vulnerability: "vot")) == 1)
            #expect(try await value(corridor, .returns, FigureFilters(from: d("2024-01-01"), to: d("2024-12-31"))) == 2)
            #expect(try await value(corridor, .returns, FigureFilters(sex: "female")) == 1)
            #expect(try await value(corridor, .returns, FigureFilters(ageGroup: "0-17")) == 1)
            #expect(try await value(corridor, .returns, FigureFilters(ageGroup: "25-34")) == 1, "born June 1990, arrived March 2024: 33")
            #expect(try await value(corridor, .returns, FigureFilters(ageGroup: "35-49")) == 1)
            #expect(try await value(corridor, .registrations) == 3)
            #expect(try await value(corridor, .registrations, FigureFilters(hostCountry: "MAR")) == 2)
            #expect(try await value(corridor, .registrations, FigureFilters(from: d("2024-01-01"))) == 2)
            #expect(try await value(corridor, .casesOpen) == 3)
            #expect(try await value(corridor, .votIdentified) == 2)
            #expect(try await value(corridor, .votIdentified, FigureFilters(hostCountry: "TUN")) == 0)
            #expect(try await value(corridor, .assistanceItems) == 1)
        }
    }

    @Test func figuresAPIWritesTheSentence() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let token = try await corridor.apiToken(for: try await corridor.makeUser(.focalPoint))
            let response = try await apiRequest(corridor.app, .GET, "/api/v1/figures?indicator=returns&nationality=CIV&from=2017-01-01&to=2024-08-31&lang=en", token: token)
            #expect(response.status == .ok)
            #expect(response.text.contains(#""value":3"#))
            #expect(response.text.contains("Between January 2017 and August 2024, 3 nationals of Côte d'Ivoire were helped to return."))
            // A victim of trafficking is a sensitive count: a focal point reads it as the public does,
            // the agency's staff exactly.
            let path = "/api/v1/figures?indicator=returns&host_country=MAR&vulnerability=vot&from=2021-01-01"
            #expect(try await apiRequest(corridor.app, .GET, path, token: token).text.contains(#""exact":"moins de 5""#))
            let staff = try await corridor.apiToken(for: try await corridor.makeUser(.meOfficer))
            let french = try await apiRequest(corridor.app, .GET, path, token: staff)
            #expect(french.text.contains("Depuis janvier 2021, 1 victime de la traite a été aidée à rentrer du Maroc."))
            let bad = try await apiRequest(corridor.app, .GET, "/api/v1/figures?indicator=nope", token: token)
            #expect(bad.status == .unprocessableEntity)
        }
    }

    @Test func publicTableSuppressesSmallCellsAndShowsNoRecord() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let response = try await TestBrowser(app: corridor.app).get("/api/v1/public/returns?by=host_country,year")
            #expect(response.status == .ok)
            struct Table: Decodable { var rows: [String]; var columns: [String]; var cells: [[Int?]]; var total: Int?; var threshold: Int }
            let table = try JSONDecoder().decode(Table.self, from: Data(response.text.utf8))
            #expect(table.rows == ["MAR", "TUN"] && table.columns == ["2023", "2024"])
            #expect(table.cells.flatMap { $0 }.allSatisfy { $0 == nil || $0 == 0 }, "every non-zero cell is below 5")
            #expect(table.total == nil, "a total of 3 is below the threshold too")
            for secret in ["Awa", "Fixture", "CIV-2024-00001", "Ina"] { #expect(!response.text.contains(secret)) }
        }
    }
}

@Suite struct PortalTests {
    /// Every public URL, crawled without signing in: no name, case number or document number
    /// of the fixture data, and small counts hidden.
    @Test func publicPagesRevealNoPersonAndHideSmallCounts() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let browser = TestBrowser(app: corridor.app)
            var pages: [String: String] = [:]
            for path in ["/", "/data", "/about", "/data/returns.csv", "/data/returns.hxl.csv", "/api/v1/public/returns", "/?lang=en", "/data?lang=en",
                         "/news", "/news/feed.xml", "/sitemap.xml"] {
                let response = try await browser.get(path)
                #expect(response.status == .ok, "\(path)")
                pages[path] = response.text
            }
            for (path, text) in pages {
                for secret in ["Awa", "Ali", "Yao", "Ina", "Fixture", "CIV-2024-00001", "CIV-2023-00001", "CIV-2024-00002"] {
                    #expect(!text.contains(secret), "\(path) shows \(secret)")
                }
            }
            #expect(pages["/"]?.contains("moins de 5") == true, "3 returns in all: below the threshold")
            #expect(pages["/?lang=en"]?.contains("fewer than 5") == true)
            #expect(pages["/"]?.contains("hreflang=\"en\"") == true)
            let hxl = try #require(pages["/data/returns.hxl.csv"])
            let lines = hxl.split(separator: "\r\n").map(String.init)
            #expect(lines[1] == "#country+code+v_iso3,#country+name,#date+year,#affected+returnees+ind")
            #expect(lines.dropFirst(2).allSatisfy { $0.hasSuffix(",") || $0.hasSuffix(",0") }, "every non-zero cell is suppressed")
        }
    }

    @Test func signedInPeopleKeepTheirHome() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let home = try await browser.get("/")
            #expect(home.text.contains("Bienvenue, Test caseworker"))
        }
    }
}

@Suite struct DashboardTests {
    @Test func dashboardTablesAndDownloads() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let focal = try await corridor.browser(signedInAs: try await corridor.makeUser(.focalPoint))
            let page = try await focal.get("/dashboard")
            #expect(page.status == .ok)
            #expect(page.text.contains("Retours par région d&#39;origine") || page.text.contains("Retours par région d'origine"))
            #expect(page.text.contains("<th scope=\"row\">Gôh</th><td class=\"number\">3</td>"), "all three returned people come from Gôh")
            #expect(page.text.contains("<th scope=\"row\">Bafing</th><td class=\"number\">0</td>"), "every region is listed")
            for secret in ["Awa", "Fixture", "CIV-2024-00001"] { #expect(!page.text.contains(secret)) }
            let hxl = try await focal.get("/dashboard/tables/returns_by_year_host.hxl.csv")
            let lines = hxl.text.split(separator: "\r\n").map(String.init)
            #expect(lines[0].hasSuffix("year,host_country,returns"))
            #expect(lines[1] == "#date+year,#country+code+v_iso3,#affected+returnees+ind")
            #expect(lines.contains("2024,MAR,2") && lines.contains("2023,TUN,1"))
            let xlsx = try await focal.get("/dashboard/tables/returns_by_vulnerability.xlsx")
            let sheets = try WorkbookReader.sheets(of: Data(xlsx.body.readableBytesView))
            #expect(sheets.first?.rows.first == ["vulnerability", "returns"])
            let vot = sheets.first?.rows.first { $0.first == "vot" }
            #expect(vot.map { $0.count == 1 || $0[1].isEmpty } == true, "a sensitive small count is left empty for a focal point: \(String(describing: vot))")
            let staff = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let exact = try WorkbookReader.sheets(of: Data(try await staff.get("/dashboard/tables/returns_by_vulnerability.xlsx").body.readableBytesView))
            #expect(exact.first?.rows.contains(["vot", "1"]) == true)
        }
    }
}

@Suite struct PeriodDimensionTests {
    @Test func quartersAndMonths() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let queries = IndicatorQueries(database: corridor.app.db)
            let quarters = try await queries.returnsTable(by: ["quarter"], filters: FigureFilters())
            #expect(quarters.rows == ["2023-Q2", "2024-Q1"])
            #expect(quarters.counts.map { $0.reduce(0, +) } == [1, 2])
            let months = try await queries.returnsTable(by: ["month", "sex"], filters: FigureFilters())
            #expect(months.rows == ["2023-06", "2024-03"] && months.columns == ["F", "M"])
        }
    }
}

@Suite struct ShareAndScoreIndicatorTests {
    @Test func profilingShareAndReintegrationScore() async throws {
        try await TestCorridor.run { corridor in
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let report = try await me.upload("/profiling/import", field: "file", fileName: "k.csv", data: Data(ProfilingRouteTests.export(count: 10, economic: 9).utf8))
            let id = try #require(report.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            _ = try await me.post("/profiling/import/confirm", ["id": String(id), "source": "kobo", "questionnaire": "profiling_return"])
            let catalog = corridor.app.profilingCatalog
            let queries = IndicatorQueries(database: corridor.app.db)
            let share = try await queries.figure(.profilingShare, FigureFilters(question: "reasons_leaving", choice: "economic"), catalog: catalog, language: .fr)
            #expect(share.value == 0.9 && share.n == 10)
            let questionnaire = try #require(try await catalog.questionnaire("reintegration_monitoring"))
            let table = try #require(try await catalog.weightTable())
            let service = ProfilingService(corridor.app.serviceContext(actor: .commandLine("test")))
            var answers: Answers = ["round": ["1"]]
            for question in questionnaire.questions where question.code != "round" { answers[question.code] = [question.allChoices.last?.code ?? ""] }
            _ = try await service.record(.init(answers: answers, interviewedOn: Day(year: 2026, month: 6, day: 1)!, source: "form"), questionnaire: questionnaire, table: table)
            for question in questionnaire.questions where question.code != "round" { answers[question.code] = [question.allChoices.first?.code ?? ""] }
            _ = try await service.record(.init(answers: answers, interviewedOn: Day(year: 2026, month: 6, day: 2)!, source: "form"), questionnaire: questionnaire, table: table)
            let score = try await queries.figure(.reintegrationScore, FigureFilters(), catalog: catalog, language: .fr)
            #expect(score.n == 2)
            #expect(abs(score.value - 0.5) < 1e-9, "one survey at 1, one at 0")
        }
    }
}

/// A focal point works for a ministry, outside the agency: sensitive small counts, shares and
/// means reach them under the public's disclosure control, wherever they read aggregates.
@Suite struct FocalPointDisclosureTests {
    @Test func sensitiveSmallCountsReachAFocalPointAsTheyReachThePublic() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let focal = try await corridor.makeUser(.focalPoint)
            let caseworker = try await corridor.makeUser(.caseworker)
            let focalToken = try await corridor.apiToken(for: focal), staffToken = try await corridor.apiToken(for: caseworker)
            let path = "/api/v1/figures?indicator=vot_identified&host_country=MAR&sex=female&lang=fr"
            let staff = try await apiRequest(corridor.app, .GET, path, token: staffToken)
            #expect(staff.text.contains("\"exact\":\"2\""))
            let outside = try await apiRequest(corridor.app, .GET, path, token: focalToken)
            #expect(outside.status == .ok)
            #expect(outside.text.contains("\"exact\":\"moins de 5\"") && !outside.text.contains("\"exact\":\"2\""))
            let ordinary = try await apiRequest(corridor.app, .GET, "/api/v1/figures?indicator=returns&host_country=MAR&lang=fr", token: focalToken)
            #expect(ordinary.text.contains("\"exact\":\"2\""), "an ordinary count stays exact for a focal point")

            // The dashboard's vulnerability table: suppressed for the focal point, exact for staff.
            let focalBrowser = try await corridor.browser(signedInAs: focal)
            let page = try await focalBrowser.get("/dashboard")
            #expect(page.status == .ok)
            #expect(page.text.contains("number suppressed"))
            let csv = try await focalBrowser.get("/dashboard/tables/returns_by_vulnerability.csv").text
            #expect(csv.contains("vot,\r\n") || csv.contains("vot,\n") || csv.contains("vot;\r\n") || csv.contains("vot;\n"), "\(csv)")
            let staffCSV = try await corridor.browser(signedInAs: caseworker).get("/dashboard/tables/returns_by_vulnerability.csv").text
            #expect(staffCSV.contains("vot,1") || staffCSV.contains("vot;1"), "\(staffCSV)")
        }
    }
}
