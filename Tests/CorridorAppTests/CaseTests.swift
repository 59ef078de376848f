import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// The clock of the tests stands on 2026-09-21.
@Suite struct CaseWorkflowTests {
    static let household: [String: String] = [
        "host_country": "MAR", "office": "CIV", "registered_on": "2026-03-02",
        "given_names": "Awa Marie", "family_name": "Koné", "sex": "F", "birth_date": "1991-04-12", "nationality": "CIV",
        "document_type": "passport", "document_number": "P0001234", "origin_region": "Gôh", "origin_department": "Gagnoa",
    ]

    /// Registers a household through the form and returns its number.
    static func register(_ browser: TestBrowser, _ fields: [String: String] = household) async throws -> String {
        let response = try await browser.post("/cases/new", fields)
        #expect(response.status == .seeOther, "\(response.text.prefix(2000))")
        let location = try #require(response.location)
        return String(location.dropFirst("/cases/".count).prefix { $0 != "?" })
    }

    @Test func caseworkerTakesAHouseholdFromMoroccoToReintegration() async throws {
        try await TestCorridor.run { corridor in
            let worker = try await corridor.makeUser(.caseworker)
            let browser = try await corridor.browser(signedInAs: worker)
            let number = try await Self.register(browser)
            #expect(number.hasPrefix("CIV-2026-"))
            var version = 1
            let member = try await browser.post("/cases/\(number)/members/new", [
                "relationship": "child", "given_names": "Ali", "family_name": "Koné", "sex": "M", "birth_date": "2019",
                "nationality": "CIV", "document_type": "none", "version": String(version)])
            #expect(member.status == .seeOther)
            version += 1
            let steps: [(String, String)] = [
                ("counselled", "2026-03-10"), ("approved", "2026-03-20"), ("travel_ready", "2026-04-01"), ("departed", "2026-04-15"),
                ("arrived", "2026-04-15"), ("reintegration_planned", "2026-05-01"), ("reintegration_ongoing", "2026-06-01"),
            ]
            for (status, day) in steps {
                let response = try await browser.post("/cases/\(number)/transitions", ["to": status, "occurred_on": day, "version": String(version)])
                #expect(response.status == .seeOther, "\(status): \(response.status)")
                version += 1
            }
            let assistance = try await browser.post("/cases/\(number)/assistance", [
                "type": "economic", "provided_on": "2026-06-10", "description": "Kit de démarrage couture", "amount": "150 000", "currency": "XOF"])
            #expect(assistance.status == .seeOther)
            let page = try await browser.get("/cases/\(number)")
            #expect(page.text.contains("Réintégration en cours"))
            #expect(page.text.contains("15 avril 2026"))
            #expect(page.text.contains("Ali Koné"))
            #expect(page.text.contains("Kit de démarrage couture"))
            #expect(page.text.contains("150\u{202F}000 XOF"))
            #expect(page.text.contains("Marquer comme terminé"), "the next allowed step is offered")
            #expect(page.text.contains("Modifications") && page.text.contains("Membre 2"), "edits are in the timeline, in words")
            let view = try #require(try await CaseQueries(database: corridor.app.db).detail(number))
            #expect(view.departureDate == "2026-04-15" && view.arrivalDate == "2026-04-15")
            #expect(view.transitions.count == 8)
            #expect(try await AuditVerification.verify(on: corridor.app.db, anchor: corridor.app.corridor.auditAnchor).failure == nil)
        }
    }

    /// Demo households never share a number space with real ones.
    @Test func realCasesAreNotNumberedInTheDemoRange() async throws {
        try await TestCorridor.run { corridor in
            let households = DemoCases.generate(households: 40, seed: 3, today: Day(corridor.clock.now()))
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            #expect(households.allSatisfy { $0.caseNumber?.office == DemoCases.numberOffice })
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await Self.register(browser) == "CIV-2026-00001")
        }
    }

    /// Criteria in the address that cannot be applied are named, not silently dropped.
    @Test func unknownListFiltersAreSaid() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            let browser = try await corridor.browser(signedInAs: user)
            let page = try await browser.get("/cases?status=finished&host_country=ZZZ&registered_from=2026-13-01")
            #expect(page.status == .ok)
            #expect(page.text.contains("Statut « finished » : valeur inconnue"))
            #expect(page.text.contains("Pays d&#39;accueil « ZZZ » : pays inconnu"))
            #expect(page.text.contains("Enregistré à partir du « 2026-13-01 » : date illisible"))
            #expect(!(try await browser.get("/cases?status=arrived").text.contains("n&#39;ont pas été appliqués")))
            let english = try await browser.get("/cases?status=finished&lang=en")
            #expect(english.text.contains("Status “finished”: unknown value"))
            let api = try await apiRequest(corridor.app, .GET, "/api/v1/cases?status=finished", token: try await corridor.apiToken(for: user))
            #expect(api.status == .badRequest && api.text.contains(#""status":"#))
            #expect(try await apiRequest(corridor.app, .GET, "/api/v1/cases?status=arrived", token: try await corridor.apiToken(for: user)).status == .ok)
        }
    }

    @Test func forbiddenTransitionAndBadDatesAreExplained() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let number = try await Self.register(browser)
            let skip = try await browser.post("/cases/\(number)/transitions", ["to": "departed", "occurred_on": "2026-04-01", "version": "1"])
            #expect(skip.status == .unprocessableEntity)
            #expect(skip.text.contains("n&#39;est pas possible depuis le statut actuel") || skip.text.contains("n'est pas possible depuis le statut actuel"))
            let early = try await browser.post("/cases/\(number)/transitions", ["to": "counselled", "occurred_on": "2026-01-01", "version": "1"])
            #expect(early.status == .unprocessableEntity)
            #expect(early.text.contains("précéder l&#39;enregistrement") || early.text.contains("précéder l'enregistrement"))
            let close = try await browser.post("/cases/\(number)/transitions", ["to": "closed", "occurred_on": "2026-04-01", "version": "1"])
            #expect(close.status == .unprocessableEntity)
            #expect(close.text.contains("Indiquez le motif de clôture."))
            #expect(try await CaseQueries(database: corridor.app.db).detail(number)?.status == "registered")
        }
    }

    @Test func invalidCaseFormKeepsWhatWasTyped() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            var fields = Self.household
            fields["host_country"] = ""
            fields["birth_date"] = "12/04/1991"
            fields["origin_department"] = "Korhogo"
            fields["vulnerabilities[]"] = "vot"
            let response = try await browser.post("/cases/new", fields)
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("value=\"Awa Marie\""))
            #expect(response.text.contains("value=\"12/04/1991\""))
            #expect(response.text.contains("AAAA-MM-JJ"))
            #expect(response.text.contains("value=\"vot\" checked"))
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 0)
        }
    }

    @Test func concurrentEditsAreRefusedWithTheOtherChangesShown() async throws {
        try await TestCorridor.run { corridor in
            let first = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let second = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            let number = try await Self.register(first)
            let saved = try await first.post("/cases/\(number)/edit", ["host_country": "TUN", "registered_on": "2026-03-02", "version": "1"])
            #expect(saved.status == .seeOther)
            let stale = try await second.post("/cases/\(number)/edit", ["host_country": "LBY", "registered_on": "2026-03-02", "version": "1"])
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("Tunisie"), "the other person's value is shown")
            #expect(stale.text.contains("<option value=\"LBY\" selected>"), "this person's input is kept")
            #expect(try await CaseQueries(database: corridor.app.db).detail(number)?.hostCountry == "TUN")

            let token = try await corridor.apiToken(for: try await corridor.makeUser(.caseworker))
            let api = try await apiRequest(corridor.app, .PUT, "/api/v1/cases/\(number)", token: token,
                                           json: #"{"hostCountry":"DZA","registeredOn":"2026-03-02","version":1}"#)
            #expect(api.status == .conflict)
            #expect(api.text.contains(#""code":"conflict""#))
            #expect(api.text.contains(#""hostCountry":"TUN""#))
        }
    }

    @Test func searchIgnoresAccentsAndCase() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            var fields = Self.household
            fields["given_names"] = "Kouamé Éric"
            fields["family_name"] = "N'Guessan"
            let number = try await Self.register(browser, fields)
            var other = Self.household
            other["given_names"] = "Yao"
            other["family_name"] = "Bamba"
            other["document_number"] = "X9"
            _ = try await Self.register(browser, other)
            for query in ["kouame", "KOUAMÉ", "Kouamé", "nguessan", "eric kouame", "P0001234", number.lowercased()] {
                let page = try await browser.get("/cases?q=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                #expect(page.text.contains(number), "\(query)")
                #expect(!page.text.contains("Yao Bamba"), "\(query)")
            }
            let none = try await browser.get("/cases?q=zzzz")
            #expect(none.text.contains("Aucun dossier"))
        }
    }

    @Test func listFiltersByStatusHostAndVulnerability() async throws {
        try await TestCorridor.run { corridor in
            let worker = try await corridor.makeUser(.caseworker)
            let browser = try await corridor.browser(signedInAs: worker)
            var tunisia = Self.household
            tunisia["host_country"] = "TUN"
            tunisia["vulnerabilities[]"] = "domestic_worker"
            tunisia["given_names"] = "Fatou"
            tunisia["caseworker"] = worker.id?.uuidString ?? ""
            let a = try await Self.register(browser, tunisia)
            let b = try await Self.register(browser)
            let byHost = try await browser.get("/cases?host_country=TUN")
            #expect(byHost.text.contains(a) && !byHost.text.contains(b))
            let byVulnerability = try await browser.get("/cases?vulnerability=domestic_worker")
            #expect(byVulnerability.text.contains(a) && !byVulnerability.text.contains(b))
            let mine = try await browser.get("/cases?mine=1")
            #expect(mine.text.contains(a) && !mine.text.contains(b))
            let api = try await apiRequest(corridor.app, .GET, "/api/v1/cases?host_country=MAR", token: try await corridor.apiToken(for: worker))
            #expect(api.text.contains(b) && !api.text.contains(a))
            #expect(api.text.contains(#""total":1"#))
        }
    }
}

@Suite struct ProtectedFieldTests {
    /// A unique string planted in trafficking details and medical notes must reach nobody
    /// but protection officers (and administrators on the protected page).
    @Test func protectedContentReachesOnlyTheRolesAllowed() async throws {
        try await TestCorridor.run { corridor in
            let secret = "SECRET-" + UUID().uuidString
            let protection = try await corridor.makeUser(.protection)
            let officer = try await corridor.browser(signedInAs: protection)
            let number = try await CaseWorkflowTests.register(officer)
            let saved = try await officer.post("/cases/\(number)/protected/1", [
                "exploitation_form": "travail forcé \(secret)", "identified_on": "2026-03-05", "identified_by": "OIM",
                "medical_notes": "note \(secret)", "version": "0"])
            #expect(saved.status == .seeOther)

            var users: [Role: UserModel] = [.protection: protection]
            for role in Role.allCases where role != .protection { users[role] = try await corridor.makeUser(role) }
            for role in Role.allCases {
                let user = try #require(users[role])
                let browser = try await corridor.browser(signedInAs: user)
                let token = try await corridor.apiToken(for: user)
                var everywhere: [String] = []
                for path in ["/cases", "/cases?q=kone", "/cases/\(number)", "/cases/export?format=csv", "/cases/\(number)/edit", "/admin/audit"] {
                    everywhere.append(try await browser.get(path).text)
                }
                let xlsx = try await browser.get("/cases/export?format=xlsx")
                everywhere.append(String(decoding: xlsx.body.readableBytesView, as: UTF8.self))
                for path in ["/api/v1/cases", "/api/v1/cases/\(number)", "/api/v1/cases/\(number)/members"] {
                    everywhere.append(try await apiRequest(corridor.app, .GET, path, token: token).text)
                }
                let leaked = everywhere.contains { $0.contains(secret) }
                let export = try await browser.get("/cases/export?format=csv").text
                #expect(export.contains(secret) == (role == .protection), "\(role): export")
                if role != .protection { #expect(!leaked, "\(role) saw protected content outside the protected page") }

                let protectedPage = try await browser.get("/cases/\(number)/protected")
                let allowed = role == .protection || role == .admin
                #expect(protectedPage.text.contains(secret) == allowed, "\(role): protected page")
                #expect(protectedPage.status == (allowed ? .ok : .forbidden))
                if Policy.allows(Principal(role: role), .viewCases) {
                    let casePage = try await browser.get("/cases/\(number)")
                    #expect(casePage.text.contains("Informations protégées"), "\(role) sees that the section exists")
                }
            }
            let reads = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "read_protected").all()
            #expect(reads.count == 2, "one audited read each for the protection officer and the administrator")
            let entries = try await AuditEntryModel.query(on: corridor.app.db).all()
            #expect(!entries.contains { $0.detail.contains(secret) || $0.changedFields.contains(secret) }, "the audit names fields, never content")
        }
    }
}

@Suite struct CaseImportRouteTests {
    static func file(rows: Int, badLines: Set<Int>) -> String {
        var lines = ["case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on,departure_date,arrival_date,status,origin_region,origin_department,document_type,document_number,vulnerabilities"]
        for index in 0..<rows {
            let line = index + 2
            let number = String(format: "CIV-2025-%05d", index / 2 + 1)
            let member = index % 2 + 1
            let sex = badLines.contains(line) ? "Z" : (member == 1 ? "F" : "M")
            lines.append("\(number),\(member),\(member == 1 ? "principal" : "child"),Nom\(index),Famille\(index / 2),\(sex),\(member == 1 ? "1990-01-01" : "2015"),CIV,MAR,CIV,2025-01-10,2025-02-01,2025-02-02,arrived,Abidjan,,none,,")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    @Test func uploadReportsEveryBadRowThenCommitsWholeAndReimportChangesNothing() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let data = Data(Self.file(rows: 400, badLines: [5, 77, 300]).utf8)
            let report = try await browser.upload("/cases/import", field: "file", fileName: "cases.csv", data: data)
            #expect(report.status == .ok)
            for line in [5, 77, 300] { #expect(report.text.contains("<tr><td>\(line)</td><td><code>sex</code>")) }
            #expect(report.text.contains("3 ligne(s) rejetée(s)"))
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 0, "nothing is written before confirmation")

            #expect(report.text.contains("name=\"skip_rejected\""), "leaving rejected rows out is offered as a choice")
            let id = try #require(report.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            // Confirmed without choosing to leave the rejected rows out: nothing is written.
            let refused = try await browser.post("/cases/import/confirm", ["id": String(id), "file_name": "cases.csv"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("a été importé : le fichier a des lignes rejetées"))
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 0)
            let done = try await browser.post("/cases/import/confirm", ["id": String(id), "file_name": "cases.csv", "skip_rejected": "1"])
            #expect(done.status == .ok)
            #expect(try await CaseMemberModel.query(on: corridor.app.db).count() == 397)
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 200)

            let again = try await browser.upload("/cases/import", field: "file", fileName: "cases.csv", data: data)
            let secondID = try #require(again.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            let versionsBefore = try await ReturnCaseModel.query(on: corridor.app.db).all().map(\.version)
            let unchanged = try await browser.post("/cases/import/confirm", ["id": String(secondID), "file_name": "cases.csv", "skip_rejected": "1"])
            #expect(unchanged.text.contains("0 dossier(s) créé(s), 0 mis à jour, 200 inchangé(s)"))
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).all().map(\.version) == versionsBefore)
            #expect(try await CaseMemberModel.query(on: corridor.app.db).count() == 397)
        }
    }

    @Test func unreadableFilesAreRefusedClearly() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let response = try await browser.upload("/cases/import", field: "file", fileName: "x.csv", data: Data("nom,prenom\nx,y\n".utf8))
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("Colonnes obligatoires absentes"))
        }
    }

    @Test func exportsNeutraliseFormulasAndAreAuditedAndMEOfficersHaveNone() async throws {
        try await TestCorridor.run { corridor in
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            var fields = CaseWorkflowTests.household
            fields["given_names"] = "=HYPERLINK(\"http://x\")"
            fields["phone"] = "+225 0102030405"
            _ = try await CaseWorkflowTests.register(worker, fields)
            let csv = try await worker.get("/cases/export?format=csv")
            #expect(csv.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            #expect(csv.text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))
            #expect(csv.text.contains("'+225 0102030405"))
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            #expect(try await me.get("/cases/export?format=csv").status == .forbidden, "M&E officers work on aggregates, not on the caseload")
            let xlsx = try await worker.get("/cases/export?format=xlsx")
            #expect(xlsx.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            #expect(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "export").count() == 2)
        }
    }
}

@Suite struct PageIntegrityTests {
    /// No page shows escaped markup: a fragment interpolated as text instead of HTML.
    @Test func pagesContainNoEscapedMarkup() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.admin)
            let browser = try await corridor.browser(signedInAs: admin)
            let number = try await CaseWorkflowTests.register(browser)
            for path in ["/", "/cases", "/cases/new", "/cases/\(number)", "/cases/\(number)/edit", "/cases/\(number)/members/1/edit",
                         "/cases/\(number)/members/new", "/cases/\(number)/protected", "/cases/import", "/admin/users", "/admin/users/new",
                         "/admin/institutions", "/admin/institutions/new", "/admin/audit", "/admin/audit/verify", "/account", "/account/password", "/account/tokens"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                for escaped in ["&lt;p", "&lt;a ", "&lt;div", "&lt;span", "&lt;li", "&lt;tr", "&lt;form", "&lt;section"] {
                    #expect(!page.text.contains(escaped), "\(path) shows \(escaped)")
                }
                #expect(page.text.firstMatch(of: /\{[a-z_]+\}/) == nil, "\(path) has an unfilled placeholder")
            }
        }
    }
}

@Suite struct AuditedSearchTests {
    /// The audit trail is not a second copy of personal data: an export's filter is kept, the
    /// words typed in the search box (a name, most often) are not.
    @Test func anExportRecordsItsCriteriaButNeverTheSearchWords() async throws {
        try await TestCorridor.run { corridor in
            let browser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let export = try await browser.get("/cases/export?format=csv&q=Aminata%20Tour%C3%A9&status=registered")
            #expect(export.status == .ok)
            let entry = try #require(try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == "export").first())
            #expect(entry.detail.contains("status=registered"))
            #expect(entry.detail.contains("search words, not recorded"))
            #expect(!entry.detail.contains("Aminata") && !entry.detail.contains("Tour"))
        }
    }
}

@Suite struct AccessRequestTests {
    @Test func aPersonsFileHoldsTheirRecordsAndOnlyTheProtectionRoleSeesProtectedDetails() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            try await service.saveProtected(number: "CIV-2024-00001", memberNumber: 1,
                                            ProtectedDraft(exploitationForm: "forced_labour", identifiedOn: Day(iso: "2024-02-01"), identifiedPlace: "Tanger",
                                                           identifiedBy: "OIM", referral: "CNLTP", medicalNotes: "Suivi psychologique"),
                                            expectedVersion: 0)
            let protection = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            let page = try await protection.get("/cases/CIV-2024-00001/members/1/file")
            #expect(page.status == .ok)
            #expect(page.text.contains("Dossier de Awa Fixture"))
            #expect(page.text.contains("Suivi psychologique") && page.text.contains("Tanger"))
            #expect(page.text.contains("Kit") == false, "assistance of another case is not in it")
            #expect(!page.text.contains("Ali Fixture") && !page.text.contains(">Ali<"), "another member's data is theirs")
            #expect(page.text.contains("Aucune réponse n&#39;a encore été enregistrée"), "no consent recorded, none presumed")
            let json = try await protection.get("/cases/CIV-2024-00001/members/1/file.json")
            #expect(json.headers.first(name: .contentDisposition)?.contains("corridor-file-CIV-2024-00001-1.json") == true)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body.readableBytesView)) as? [String: Any])
            #expect((object["person"] as? [String: Any])?["givenNames"] as? String == "Awa")
            #expect((object["protectedDetails"] as? [String: Any])?["medicalNotes"] as? String == "Suivi psychologique")
            #expect((object["protectedReads"] as? [Any])?.isEmpty == false, "the page read before is listed")

            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let adminPage = try await admin.get("/cases/CIV-2024-00001/members/1/file")
            #expect(adminPage.status == .ok && !adminPage.text.contains("Suivi psychologique"), "protected details for the protection role only")
            let caseworker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await caseworker.get("/cases/CIV-2024-00001/members/1/file").status == .forbidden)
            #expect(try await admin.get("/cases/CIV-2024-00001/members/9/file").status == .notFound)
            let audited = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "access_request").all()
            #expect(audited.count == 3 && audited.allSatisfy { $0.entityID == "CIV-2024-00001/1" })
        }
    }
}

/// The API's keyset pagination (`cursor=`): following `nextCursor` from the first page gives
/// every case once, in the order the numbered pages give them, whatever the sort and
/// direction — dates missing, equal timestamps of an import, names — on SQLite and PostgreSQL.
@Suite struct CaseCursorTests {
    struct Page: Decodable {
        var total: Int
        var page: Int?
        var items: [Item]
        var nextCursor: String?
        struct Item: Decodable { var caseNumber: String }
    }

    @Test func followingTheCursorGivesThePagesInOrder() async throws {
        try await TestCorridor.run { corridor in
            // An instant with digits below the microsecond, as `Date()` gives (SQLite keeps the
            // Double, its driver reads it back rounded: the cursor must carry the stored value).
            corridor.clock.advance(by: 0.333_333_3)
            let today = Day(corridor.clock.now())
            // 140 households written by one import share one updated_at; some have not arrived.
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: DemoCases.generate(households: 140, seed: 12, today: today), issues: [], rowCount: 0), fileName: "demo")
            let worker = try await corridor.makeUser(.caseworker)
            let browser = try await corridor.browser(signedInAs: worker)
            corridor.clock.advance(by: 60)
            _ = try await CaseWorkflowTests.register(browser)
            let token = try await corridor.apiToken(for: worker)
            func get(_ path: String) async throws -> Page {
                let response = try await apiRequest(corridor.app, .GET, path, token: token)
                #expect(response.status == .ok, "\(path): \(response.text.prefix(300))")
                return try JSONDecoder().decode(Page.self, from: Data(response.text.utf8))
            }
            let arrivals = try await get("/api/v1/cases?sort=arrival_date&dir=asc")
            #expect(arrivals.total == 141)
            for criteria in ["sort=arrival_date&dir=asc", "sort=arrival_date&dir=desc", "sort=updated_at&dir=desc", "sort=updated_at&dir=asc",
                             "", "sort=principal_name&dir=asc", "sort=status&dir=desc", "status=registered&sort=case_number&dir=asc", "q=ko"] {
                var numbered: [String] = []
                var page = 1
                while true {
                    let result = try await get("/api/v1/cases?\(criteria)&page=\(page)")
                    numbered += result.items.map(\.caseNumber)
                    if result.items.count < CaseFilter.pageSize { break }
                    page += 1
                }
                var followed: [String] = []
                var result = try await get("/api/v1/cases?\(criteria)")
                followed += result.items.map(\.caseNumber)
                var pages = 1
                while let cursor = result.nextCursor {
                    result = try await get("/api/v1/cases?\(criteria)&cursor=\(cursor)&page=7")
                    #expect(result.page == nil)
                    followed += result.items.map(\.caseNumber)
                    pages += 1
                    if pages > 10 { break }
                }
                #expect(followed == numbered, "\(criteria)")
                #expect(Set(followed).count == followed.count && followed.count == result.total, "\(criteria): \(followed.count) of \(result.total)")
            }
            // A cursor of another sort, or not a cursor at all, is refused and named.
            let first = try await get("/api/v1/cases?sort=case_number&dir=asc")
            let cursor = try #require(first.nextCursor)
            let other = try await apiRequest(corridor.app, .GET, "/api/v1/cases?sort=case_number&dir=desc&cursor=\(cursor)", token: token)
            #expect(other.status == .badRequest && other.text.contains("cursor"))
            let forged = try await apiRequest(corridor.app, .GET, "/api/v1/cases?cursor=not-a-cursor", token: token)
            #expect(forged.status == .badRequest && forged.text.contains("cursor"))
            // A cursor of our shape with an instant that is not one (NaN, infinity, 1e300) is
            // refused, not converted (the conversion would stop the server).
            for value in ["nan", "inf", "-inf", "1e300", "-5"] {
                let crafted = CaseCursor(sort: "updated_at", dir: "desc", value: value, caseNumber: "CIV-2026-00001").encoded
                let answer = try await apiRequest(corridor.app, .GET, "/api/v1/cases?sort=updated_at&dir=desc&cursor=\(crafted)", token: token)
                #expect(answer.status == .badRequest, "\(value)")
                let page = try await browser.get("/cases?sort=updated_at&dir=desc&cursor=\(crafted)")
                #expect(page.status == .ok && !page.text.contains("filter.field"), "\(value)")
            }
            // The caseload page ignores a cursor (another sort's would read from the wrong place).
            let byPage = try await browser.get("/cases?sort=case_number&dir=desc&cursor=\(cursor)")
            #expect(byPage.status == .ok)
            let firstDescending = try await get("/api/v1/cases?sort=case_number&dir=desc")
            #expect(byPage.text.contains(firstDescending.items[0].caseNumber))
        }
    }
}
