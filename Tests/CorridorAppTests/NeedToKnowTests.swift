import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// Need to know by office: case workers and protection officers reach the cases of their offices.
@Suite struct NeedToKnowTests {
    struct Setting {
        /// Held by the Tunis office (registered there, returning from Tunisia).
        var tunis: String
        /// Held by Abidjan, returning from a country other than Tunisia.
        var abidjan: String
        var households: [ImportedCase]
    }

    static func setting(_ corridor: TestCorridor) async throws -> Setting {
        let households = try await DataProtectionTests.importDemo(corridor, households: 30)
        let abidjan = try #require(households.first { $0.fields.hostCountry != "TUN" }?.caseNumber?.description)
        let context = corridor.app.serviceContext(actor: .commandLine("test"))
        // The Tunis office is one of the mission's offices (the table the case form offers).
        _ = try await OfficeService(context: context).save(id: nil, OfficeDraft(code: "TUN", city: "Tunis"), expectedVersion: nil)
        let service = CaseService(context)
        let record = try await service.create(CaseHeaderDraft(hostCountry: "TUN", office: "TUN", registeredOn: Day(corridor.clock.now()), caseworkerID: nil),
                                              principal: households[0].members[0])
        return Setting(tunis: record.caseNumber, abidjan: abidjan, households: households)
    }

    @Test func officesAreReadAndStoredAsAdministratorsTypeThem() {
        let parsed = OfficeScope.parse("civ, TUN;sen")
        #expect(parsed.unknown.isEmpty && parsed.scope.offices == ["CIV", "TUN", "SEN"])
        #expect(parsed.scope.stored == "|CIV|SEN|TUN|" && OfficeScope(stored: parsed.scope.stored) == parsed.scope)
        #expect(parsed.scope.display == "CIV, SEN, TUN")
        #expect(OfficeScope.parse("*").scope == .all && OfficeScope.parse("*").unknown.isEmpty && OfficeScope(stored: "*") == .all)
        #expect(OfficeScope.parse("CIV, Abidjan").unknown == ["ABIDJAN"])
        #expect(OfficeScope.parse("").scope == .none && OfficeScope(stored: "") == .none)
        // Held by the office, or returning from its country: both offices see a handed-over case.
        let tunis = OfficeScope(offices: ["TUN"])
        #expect(tunis.covers(office: "TUN", hostCountry: "TUN") && tunis.covers(office: "CIV", hostCountry: "TUN"))
        #expect(!tunis.covers(office: "CIV", hostCountry: "LBY"))
        #expect(Policy.caseOffices(Principal(role: .admin, offices: tunis)) == nil)
        #expect(Policy.caseOffices(Principal(role: .caseworker, offices: .all)) == nil)
        #expect(Policy.caseOffices(Principal(role: .protection, offices: tunis)) == tunis)
        #expect(Policy.caseOffices(nil) == OfficeScope.none)
    }

    @Test func everyRouteOfOneCaseAnswersAsIfTheCaseDidNotExistOutsideTheOffices() async throws {
        try await TestCorridor.run { corridor in
            let setting = try await Self.setting(corridor)
            var checked = 0
            for role in [Role.caseworker, .protection] {
                let user = try await corridor.makeUser(role, offices: "TUN")
                let browser = try await corridor.browser(signedInAs: user)
                let token = try await corridor.apiToken(for: user)
                for route in corridor.app.routes.all where route.path.contains(where: { $0 == .parameter("number") }) {
                    guard let action = RouteAccess.action(of: route), Policy.allows(Principal(role: role), action) else { continue }
                    func path(_ number: String) -> String {
                        "/" + route.path.map { component -> String in
                            switch component {
                            case .parameter("number"): return number
                            case .parameter("member"): return "1"
                            case .parameter: return UUID().uuidString
                            default: return component.description
                            }
                        }.joined(separator: "/")
                    }
                    let outside = path(setting.abidjan), inside = path(setting.tunis)
                    let isAPI = outside.hasPrefix("/api/v1")
                    func send(_ target: String) async throws -> TestingHTTPResponse {
                        if isAPI {
                            return try await apiRequest(corridor.app, route.method, target, token: token,
                                                        json: route.method == .GET || route.method == .DELETE ? nil : "{}")
                        }
                        return route.method == .GET ? try await browser.get(target) : try await browser.post(target)
                    }
                    let refused = try await send(outside)
                    #expect(refused.status == .notFound, "\(route.method) \(outside) as \(role.rawValue) of TUN: \(refused.status.code)")
                    // The same route on the office's own case is reached (whatever it then says).
                    if route.method == .GET, !route.path.contains(where: { if case .parameter(let name) = $0 { return name != "number" && name != "member" } else { return false } }) {
                        let reached = try await send(inside)
                        #expect(reached.status != .notFound && reached.status != .forbidden, "\(route.method) \(inside) as \(role.rawValue) of TUN: \(reached.status.code)")
                    }
                    checked += 1
                }
            }
            #expect(checked > 40)
        }
    }

    @Test func listsExportsFollowUpsAndTheAPIHoldTheOfficesCasesAndAHandedCaseStaysWithBoth() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let setting = try await Self.setting(corridor)
            let fromTunisia = setting.households.filter { $0.fields.hostCountry == "TUN" }.compactMap { $0.caseNumber?.description }
            let tunisUser = try await corridor.makeUser(.caseworker, offices: "TUN")
            let tunis = try await corridor.browser(signedInAs: tunisUser)
            let list = try await tunis.get("/cases")
            #expect(list.status == .ok && list.text.contains(setting.tunis) && !list.text.contains(setting.abidjan))
            for number in fromTunisia { #expect(list.text.contains(number)) }
            let export = try await tunis.get("/cases/export?format=csv")
            #expect(export.text.contains(setting.tunis) && !export.text.contains(setting.abidjan))
            let api = try await apiRequest(app, .GET, "/api/v1/cases", token: try await corridor.apiToken(for: tunisUser))
            #expect(api.text.contains(setting.tunis) && !api.text.contains(setting.abidjan))
            // A search finds nothing of another office, even by an exact case number.
            #expect(!(try await tunis.get("/cases?q=\(setting.abidjan)").text.contains("href=\"/cases/\(setting.abidjan)\"")))
            let followUps = try await tunis.get("/followups")
            #expect(followUps.status == .ok && !followUps.text.contains(setting.abidjan))

            // Nobody's offices yet: nothing; every office: everything, as for administrators.
            let newcomer = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection, offices: ""))
            let empty = try await newcomer.get("/cases")
            #expect(!empty.text.contains(setting.tunis) && !empty.text.contains(setting.abidjan))
            #expect(try await newcomer.get("/cases/\(setting.tunis)").status == .notFound)
            let regional = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker, offices: "*"))
            #expect(try await regional.get("/cases/\(setting.abidjan)").status == .ok)

            // Handed over to Abidjan: Tunis (the host country's office) and Abidjan both see it.
            let abidjanUser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker, offices: "CIV"))
            #expect(try await abidjanUser.get("/cases/\(setting.tunis)").status == .notFound)
            let record = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == setting.tunis).first())
            let handed = try await tunis.post("/cases/\(setting.tunis)/edit", ["host_country": "TUN", "office": "CIV", "registered_on": record.registeredOn,
                                                                               "version": String(record.version)])
            #expect(handed.status == .seeOther)
            #expect(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == setting.tunis).first()?.office == "CIV")
            #expect(try await tunis.get("/cases/\(setting.tunis)").status == .ok)
            #expect(try await abidjanUser.get("/cases/\(setting.tunis)").status == .ok)

            // A case is registered for one's own offices only, and the form says so.
            let member = setting.households[1].members[0]
            let refused = try await tunis.post("/cases/new", ["host_country": "LBY", "office": "CIV", "registered_on": Day(corridor.clock.now()).iso,
                                                              "given_names": member.givenNames, "family_name": member.familyName, "sex": "F",
                                                              "nationality": "CIV", "birth_date": "1990-01-01"])
            #expect(refused.status == .unprocessableEntity && refused.text.contains("ne relève pas de vos bureaux"))
            #expect(try await tunis.get("/cases/new").text.contains("value=\"TUN\" selected"))
        }
    }

    @Test func anInterviewIsRecordedOnlyForAPersonTheWriterReaches() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let setting = try await Self.setting(corridor)
            let tunis = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker, offices: "TUN"))
            var answers: [String: String] = ["member_number": "1", "interviewed_on": "2026-09-01", "round": "1"]
            for (key, value) in ["income_sources": "several", "employment": "employed", "debt": "none", "food_security": "never", "access_to_work": "yes",
                                 "housing": "adequate", "health_access": "yes", "children_education": "schooled", "documentation": "complete",
                                 "access_services": "yes", "belonging": "high", "community_participation": "often", "discrimination": "never",
                                 "wish_to_leave": "none", "distress": "none"] { answers[key] = value }
            answers["case_number"] = setting.abidjan
            let refused = try await tunis.post("/profiling/interviews/new?questionnaire=reintegration_monitoring", answers)
            // Answered as for a person who does not exist; nothing reaches the other office's case.
            #expect(refused.status == .unprocessableEntity && refused.text.contains("Aucun membre"))
            #expect(try await InterviewModel.query(on: app.db).count() == 0)
            answers["case_number"] = setting.tunis
            #expect(try await tunis.post("/profiling/interviews/new?questionnaire=reintegration_monitoring", answers).status == .seeOther)
            #expect(try await InterviewModel.query(on: app.db).count() == 1)
        }
    }

    @Test func theFileStoreKeepsToItsFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-store-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = FolderFileStore(folder: folder.appendingPathComponent("attachments"))
        for name in ["../escape", "a/b", ".hidden", ""] {
            #expect(throws: (any Error).self) { try store.write(Data("x".utf8), name: name, at: Date()) }
            #expect(try store.read(name) == nil)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("escape").path))
        try store.write(Data("x".utf8), name: "plain", at: Date())
        #expect(store.list().map(\.name) == ["plain"])
    }

    @Test func anImportWritesOnlyTheOfficesHouseholds() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let setting = try await Self.setting(corridor)
            let user = try await corridor.makeUser(.caseworker, offices: "TUN")
            let context = app.serviceContext(actor: .commandLine("test"), user: try CurrentUser(user))
            let header = "case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on,departure_date,arrival_date,status"
            let file = """
                \(header)
                ,1,principal,Awa,Diallo,F,1990-04-02,CIV,TUN,TUN,2026-09-01,,,registered
                ,1,principal,Yao,Konan,M,1985-01-20,CIV,LBY,CIV,2026-09-02,,,registered
                \(setting.abidjan),1,principal,Ama,Kouassi,F,1991-05-06,CIV,TUN,TUN,2026-09-03,,,registered

                """
            let report = try await CaseService(context).importCases(from: .data(Data(file.utf8)), fileName: "scoped.csv", write: true)
            let refused = report.issues.filter { $0.code == "import.error.office_not_yours" }
            // The Abidjan household, and the Abidjan case a row would have moved to Tunis.
            #expect(refused.map(\.line).sorted() == [3, 4])
            #expect(try await ReturnCaseModel.query(on: app.db).filter(\.$office == "TUN").count() == 2)
            let untouched = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == setting.abidjan).first())
            #expect(untouched.office == "CIV")
        }
    }
}
