import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct ProfilingRouteTests {
    /// A small Kobo export in the shape of the sample: 10 respondents, 9 left for economic reasons.
    static func export(count: Int = 10, economic: Int = 9, startUUID: Int = 0) -> String {
        var lines = [#""start";"consentement";"g_identite/sexe";"g_identite/age";"g_identite/pays_accueil";"g_identite/date_retour";"g_depart/raisons";"g_depart/raisons/economic";"g_depart/raisons/family";"g_retour/intention";"_id";"_uuid";"_submission_time";"_index""#]
        for index in 0..<count {
            let reasons = index < economic ? "economic family" : "family"
            lines.append("\"2024-05-01\";\"oui\";\"\(index % 2 == 0 ? "femme" : "homme")\";\"\(20 + index)\";\"MAR\";\"2024-04-2\(index % 9)\";\"\(reasons)\";\"\(index < economic ? 1 : 0)\";\"1\";\"rester\";\"\(index)\";\"uuid-\(startUUID + index)\";\"2024-05-01\";\"\(index + 1)\"")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Questions asked under one condition are grouped under one sentence naming the answer
    /// that applies, marked for the script that hides them; the script is served.
    @Test func skipLogicIsSaidOnceWithItsAnswer() async throws {
        try await TestCorridor.run { corridor in
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let form = try await me.get("/profiling/interviews/new?questionnaire=profiling_return")
            #expect(form.status == .ok)
            #expect(form.text.contains("Seulement si la réponse à « La personne accepte-t-elle l&#39;entretien ? » est « Oui » :"))
            let groups = form.text.components(separatedBy: "class=\"conditional\"").count - 1
            let questions = form.text.components(separatedBy: "class=\"question\"").count - 1
            #expect(groups >= 1 && groups < questions / 2, "\(groups) groups for \(questions) questions")
            #expect(form.text.contains("data-question=\"consent\" data-equals=\"yes\""))
            #expect(!form.text.contains("value=\"yes\" selected"), "no consent answer is pre-selected")
            #expect(form.text.contains("<script src=\"/assets/corridor.js\" defer></script>"))
            let script = try await me.get("/assets/corridor.js")
            #expect(script.status == .ok && script.text.contains(".conditional[data-question]"))
            #expect(script.headers.first(name: .contentType)?.hasPrefix("text/javascript") == true)
        }
    }

    /// The follow-ups due come a page at a time and filter by round, lateness and office.
    @Test func followUpsArePagedAndFiltered() async throws {
        try await TestCorridor.run { corridor in
            let today = Day(corridor.clock.now())
            let households = DemoCases.generate(households: 400, seed: 21, today: today)
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let all = try await ProfilingQueries(database: corridor.app.db).dueFollowUps(today: today)
            #expect(all.count > 50, "enough rounds due to page (\(all.count))")
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let first = try await worker.get("/followups")
            #expect(first.status == .ok)
            #expect(first.text.components(separatedBy: "followups.record").count == 1)
            #expect(first.text.components(separatedBy: "&amp;round=").count - 1 <= 50, "one page of 50")
            #expect(first.text.contains("Page 1 sur") && first.text.contains("rel=\"next\""))
            let overdue = try await worker.get("/followups?overdue=1")
            let expectedOverdue = all.filter(\.overdue).count
            #expect(overdue.text.contains("\(LocaleFormatting(.fr).integer(expectedOverdue)) suivis à faire"))
            let second = try await worker.get("/followups?round=2")
            let rounds = second.text.matches(of: /&amp;round=(\d)"/).map { String($0.1) }
            #expect(!rounds.isEmpty && rounds.allSatisfy { $0 == "2" })
            let elsewhere = try await worker.get("/followups?office=SEN")
            #expect(elsewhere.text.contains("0 suivis à faire"))
        }
    }

    @Test func importIsIdempotentAndTheReportAPIAndExportAgree() async throws {
        try await TestCorridor.run { corridor in
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let report = try await me.upload("/profiling/import", field: "file", fileName: "kobo.csv", data: Data(Self.export().utf8))
            #expect(report.status == .ok)
            let id = try #require(report.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            let done = try await me.post("/profiling/import/confirm", ["id": String(id), "source": "kobo", "questionnaire": "profiling_return", "file_name": "kobo.csv"])
            #expect(done.text.contains("10 entretien(s) créé(s)"))

            // A later export holding the earlier submissions and two new ones.
            let later = Self.export(count: 12, economic: 9)
            let second = try await me.upload("/profiling/import", field: "file", fileName: "kobo2.csv", data: Data(later.utf8))
            let secondID = try #require(second.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            let again = try await me.post("/profiling/import/confirm", ["id": String(secondID), "source": "kobo", "questionnaire": "profiling_return"])
            #expect(again.text.contains("2 entretien(s) créé(s), 0 mis à jour, 10 inchangé(s)"))
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 12)

            let page = try await me.get("/profiling?question=reasons_leaving")
            #expect(page.text.contains("n = 12"))
            #expect(page.text.contains("<td class=\"number\">9</td><td class=\"number\">75\u{202F}%</td>"))
            let english = try await me.get("/profiling?question=reasons_leaving&lang=en")
            #expect(english.text.contains("Seek better economic opportunities") && english.text.contains("75%"))

            let token = try await corridor.apiToken(for: try await corridor.makeUser(.meOfficer))
            let api = try await apiRequest(corridor.app, .GET, "/api/v1/profiling/summary?question=reasons_leaving", token: token)
            struct Summary: Decodable { struct Figure: Decodable { var choice: String; var count: Int; var n: Int; var share: Double; var ciLow: Double; var ciHigh: Double }; var n: Int; var choices: [Figure] }
            let summary = try JSONDecoder().decode(Summary.self, from: Data(api.text.utf8))
            let economic = try #require(summary.choices.first { $0.choice == "economic" })
            let expected = Proportion(count: 9, n: 12)
            #expect(economic.count == 9 && economic.n == 12 && summary.n == 12)
            #expect(abs(economic.ciLow - expected.low) < 1e-9 && abs(economic.ciHigh - expected.high) < 1e-9)
            let family = try #require(summary.choices.first { $0.choice == "family" })
            #expect(family.count == 12, "multiple choice: every respondent chose family too; shares are of respondents")

            let csv = try await me.get("/profiling/export?question=reasons_leaving&format=csv")
            #expect(csv.text.contains("reasons_leaving,economic,") && csv.text.contains(",9,12,0.7500,\(String(format: "%.4f", expected.low)),\(String(format: "%.4f", expected.high))"))

            let women = try await apiRequest(corridor.app, .GET, "/api/v1/profiling/summary?question=reasons_leaving&sex=female", token: token)
            #expect(women.text.contains(#""n":6"#))
        }
    }

    @Test func mappingsAreSavedAndReused() async throws {
        try await TestCorridor.run { corridor in
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let text = "\"motif\";\"_uuid\"\n\"economic\";\"u1\"\n"
            let first = try await me.upload("/profiling/import", field: "file", fileName: "k.csv", data: Data(text.utf8))
            #expect(first.text.contains("<code>motif</code>"), "the unknown column is reported")
            #expect(try await me.post("/profiling/mappings", ["source": "kobo", "questionnaire": "profiling_return", "q[motif]": "main_reason"]).status == .seeOther)
            let mapping = try await me.get("/profiling/mappings/download?source=kobo&questionnaire=profiling_return")
            #expect(mapping.text.contains("\"motif\" : \"main_reason\""))
            let second = try await me.upload("/profiling/import", field: "file", fileName: "k.csv", data: Data(text.utf8))
            #expect(!second.text.contains("colonne(s) non reconnue(s)"))
            #expect(second.text.contains("<code>motif</code> → <code>main_reason</code>"))

            // An unknown choice is mapped from the report too, then recognised.
            let withChoice = "\"motif\";\"_uuid\"\n\"argent\";\"u2\"\n"
            let third = try await me.upload("/profiling/import", field: "file", fileName: "k.csv", data: Data(withChoice.utf8))
            #expect(third.text.contains("name=\"c[main_reason][argent]\""))
            // Until it is mapped or explicitly left out, the unknown choice blocks the import.
            #expect(!third.text.contains("action=\"/profiling/import/confirm\""))
            #expect(third.text.contains("Associez chaque réponse non reconnue"))
            #expect(try await me.post("/profiling/mappings", ["source": "kobo", "questionnaire": "profiling_return", "c[main_reason][argent]": KoboMapping.ignoreChoice]).status == .seeOther)
            let ignored = try await me.upload("/profiling/import", field: "file", fileName: "k.csv", data: Data(withChoice.utf8))
            #expect(ignored.text.contains("action=\"/profiling/import/confirm\""), "an answer explicitly left out no longer blocks")
            #expect(try await me.post("/profiling/mappings", ["source": "kobo", "questionnaire": "profiling_return", "c[main_reason][argent]": "economic"]).status == .seeOther)
            let fourth = try await me.upload("/profiling/import", field: "file", fileName: "k.csv", data: Data(withChoice.utf8))
            #expect(!fourth.text.contains("c[main_reason][argent]") && fourth.text.contains("1 soumissions lisibles"))
        }
    }

    @Test func monitoringFormScoresCompleteSurveysOnly() async throws {
        try await TestCorridor.run { corridor in
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let number = try await CaseWorkflowTests.register(worker)
            var answers: [String: String] = ["case_number": number, "member_number": "1", "interviewed_on": "2026-09-01", "round": "1"]
            let questions = ["income_sources": "several", "employment": "employed", "debt": "none", "food_security": "never", "access_to_work": "yes",
                             "housing": "adequate", "health_access": "yes", "children_education": "schooled", "documentation": "complete",
                             "access_services": "yes", "belonging": "high", "community_participation": "often", "discrimination": "never",
                             "wish_to_leave": "none", "distress": "none"]
            for (key, value) in questions { answers[key] = value }
            var incomplete = answers
            incomplete["distress"] = nil
            let refused = try await worker.post("/profiling/interviews/new?questionnaire=reintegration_monitoring", incomplete)
            #expect(refused.status == .unprocessableEntity, "every indicator is required in the form")
            #expect(refused.text.contains("value=\"several\" selected"), "what was typed is kept")
            let saved = try await worker.post("/profiling/interviews/new?questionnaire=reintegration_monitoring", answers)
            #expect(saved.status == .seeOther)
            let score = try #require(try await ReintegrationScoreModel.query(on: corridor.app.db).first())
            #expect(score.composite == 1 && score.tableVersion == "default-2026.1")
            let casePage = try await worker.get("/cases/\(number)")
            #expect(casePage.text.contains("Trajectoire de réintégration"))

            // An imported survey missing an indicator is kept, without a score.
            let table = try #require(try await corridor.app.profilingCatalog.weightTable())
            var partial = questions.mapValues { [$0] }
            partial["distress"] = nil
            #expect(ReintegrationScore.compute(partial, table: table) == nil)
        }
    }

    @Test func followUpsListTheRoundsDue() async throws {
        try await TestCorridor.run { corridor in
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let number = try await CaseWorkflowTests.register(worker)
            var version = 1
            for (status, day) in [("counselled", "2026-03-03"), ("approved", "2026-03-04"), ("travel_ready", "2026-03-05"), ("departed", "2026-03-06"), ("arrived", "2026-03-06")] {
                #expect(try await worker.post("/cases/\(number)/transitions", ["to": status, "occurred_on": day, "version": String(version)]).status == .seeOther)
                version += 1
            }
            let page = try await worker.get("/followups")
            #expect(page.text.contains(number))
            #expect(page.text.contains("6 juin 2026"), "round 1, three months after arrival, overdue on 21 September")
            #expect(page.text.contains("6 septembre 2026"))
            #expect(!page.text.contains("6 mars 2027"), "round 3 is not due yet")
        }
    }
}
