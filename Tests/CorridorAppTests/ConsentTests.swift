import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct ConsentTests {
    @Test func consentIsRecordedWithdrawnAndDecidesWhatAPartnerSees() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let today = Day(corridor.clock.now())
            let households = DemoCases.generate(households: 30, seed: 5, today: today)
            _ = try await CaseService(app.serviceContext(actor: .commandLine("test"))).commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let family = try #require(households.first { $0.members.count >= 2 && $0.fields.status != .closed })
            let other = try #require(households.first { $0.caseNumber != family.caseNumber })
            let number = try #require(family.caseNumber?.description)
            let partner = try await corridor.makeInstitution("ANADER")
            let partnerID = try partner.requireID().uuidString.lowercased()
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))

            // The form presumes nothing: no answer chosen, no partner ticked.
            let page = try await worker.get("/cases/\(number)/members/1/consent")
            #expect(page.status == .ok && page.text.contains("Pas de réponse enregistrée"))
            #expect(!page.text.contains("name=\"answer\" value=\"given\" checked") && !page.text.contains("name=\"answer\" value=\"refused\" checked"))
            #expect(!page.text.contains("checked"))

            // Missing answer: refused, what was chosen kept.
            let missing = try await worker.post("/cases/\(number)/members/1/consent", ["purpose": "sharing", "method": "signed", "recorded_on": today.iso])
            #expect(missing.status == .unprocessableEntity && missing.text.contains("value=\"sharing\" selected"))
            let noPartner = try await worker.post("/cases/\(number)/members/1/consent", ["purpose": "sharing", "answer": "given", "method": "signed", "recorded_on": today.iso])
            #expect(noPartner.status == .unprocessableEntity && noPartner.text.contains("au moins une institution"))

            // A partner institution's case worker sees nothing before the household shares.
            let partnerUser = try await corridor.makeUser(.caseworker, institution: try partner.requireID())
            let partnerBrowser = try await corridor.browser(signedInAs: partnerUser)
            #expect(try await partnerBrowser.get("/cases/\(number)").status == .notFound)
            #expect(!(try await partnerBrowser.get("/cases").text.contains(number)))

            let shared = try await worker.post("/cases/\(number)/members/1/consent",
                                               ["purpose": "sharing", "answer": "given", "method": "signed", "recorded_on": today.iso, "partners[]": partnerID])
            #expect(shared.status == .seeOther && shared.location == "/cases/\(number)/members/1/consent?notice=consent_recorded")
            let list = try await partnerBrowser.get("/cases")
            #expect(list.text.contains(number) && !list.text.contains(other.caseNumber!.description))
            let detail = try await partnerBrowser.get("/cases/\(number)")
            #expect(detail.status == .ok && detail.text.contains(family.members[0].givenNames))
            #expect(!detail.text.contains(family.members[1].givenNames))
            #expect(detail.text.contains(family.members.count == 2 ? "n&#39;est pas affiché" : "ne sont pas affichés"))
            #expect(try await partnerBrowser.get("/cases/\(other.caseNumber!.description)").status == .notFound)
            let export = try await partnerBrowser.get("/cases/export?format=csv")
            #expect(export.text.contains(family.members[0].givenNames) && !export.text.contains(family.members[1].givenNames))
            #expect(!export.text.contains(other.members[0].familyName + ",") || other.members[0].familyName == family.members[0].familyName)
            // The API says the same, with the answers in force.
            let token = try await corridor.apiToken(for: partnerUser)
            let api = try await apiRequest(app, .GET, "/api/v1/cases/\(number)", token: token)
            #expect(api.status == .ok && api.text.contains("\"sharing\":\"given\"") && !api.text.contains(family.members[1].givenNames))
            let apiList = try await apiRequest(app, .GET, "/api/v1/cases", token: token)
            #expect(apiList.text.contains(number) && !apiList.text.contains(other.caseNumber!.description))
            // Agency staff see everyone.
            #expect(try await worker.get("/cases/\(number)").text.contains(family.members[1].givenNames))
            // Nor can the partner reach the others another way: their edit form, their protected
            // details, a status change, a file import, the follow-ups of other households.
            #expect(try await partnerBrowser.get("/cases/\(number)/members/2/edit").status == .notFound)
            #expect(try await partnerBrowser.post("/cases/\(number)/members/2/edit", ["given_names": "X"]).status == .notFound)
            #expect(try await partnerBrowser.get("/cases/\(other.caseNumber!.description)/edit").status == .notFound)
            #expect(try await partnerBrowser.get("/cases/\(number)/members/2/consent").status == .notFound)
            #expect(try await partnerBrowser.post("/cases/\(other.caseNumber!.description)/transitions", ["to": "closed"]).status == .notFound)
            #expect(try await partnerBrowser.upload("/cases/import", field: "file", fileName: "x.csv", data: Data("case_number\n".utf8)).status == .forbidden)
            let partnerFollowUps = try await ProfilingQueries(database: app.db).dueFollowUps(today: today, horizon: 400, partnerInstitution: try partner.requireID())
            #expect(partnerFollowUps.allSatisfy { $0.caseNumber == number })
            let apiOther = try await apiRequest(app, .GET, "/api/v1/cases/\(other.caseNumber!.description)/members", token: token)
            #expect(apiOther.status == .notFound)

            // Withdrawn: the partner sees nothing again; the history keeps both.
            let consent = try #require(try await MemberConsentModel.query(on: app.db).filter(\.$purpose == "sharing").first())
            let future = try await worker.post("/cases/\(number)/members/1/consent/\(try consent.requireID())/withdraw", ["withdrawn_on": today.adding(days: 2).iso])
            #expect(future.status == .unprocessableEntity)
            let withdrawn = try await worker.post("/cases/\(number)/members/1/consent/\(try consent.requireID())/withdraw", ["withdrawn_on": today.iso])
            #expect(withdrawn.status == .seeOther)
            #expect(try await partnerBrowser.get("/cases/\(number)").status == .notFound)
            let again = try await worker.post("/cases/\(number)/members/1/consent/\(try consent.requireID())/withdraw", ["withdrawn_on": today.iso])
            #expect(again.status == .unprocessableEntity)
            let history = try await worker.get("/cases/\(number)/members/1/consent")
            #expect(history.text.contains("Retiré le") && history.text.contains("ANADER"))

            // The person's file carries the history; the audit names purposes, never the person.
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let file = try await admin.get("/cases/\(number)/members/1/file.json")
            #expect(file.text.contains("\"purpose\" : \"sharing\"") && file.text.contains("\"withdrawnOn\""))
            let entries = try await AuditEntryModel.query(on: app.db).filter(\.$entityType == "consent").all()
            #expect(entries.count == 2 && entries.allSatisfy { !$0.detail.contains(family.members[0].givenNames) })
        }
    }

    @Test func aRefusedOrWithdrawnMonitoringConsentTakesTheHouseholdOutOfFollowUps() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let today = Day(corridor.clock.now())
            let queries = ProfilingQueries(database: app.db)
            let households = DemoCases.generate(households: 200, seed: 8, today: today)
            _ = try await CaseService(app.serviceContext(actor: .commandLine("test"))).commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let due = try await queries.dueFollowUps(today: today, horizon: 400)
            let first = try #require(due.first)
            let service = ConsentService(context: app.serviceContext(actor: .commandLine("test")))
            try await service.record(number: first.caseNumber, member: 1, ConsentDraft(purpose: .monitoring, answer: .given, method: .oralWitnessed, recordedOn: today))
            #expect(try await queries.dueFollowUps(today: today, horizon: 400).contains { $0.caseNumber == first.caseNumber })
            let consent = try #require(try await MemberConsentModel.query(on: app.db).first())
            try await service.withdraw(number: first.caseNumber, member: 1, consent: try consent.requireID(), on: today)
            #expect(!(try await queries.dueFollowUps(today: today, horizon: 400).contains { $0.caseNumber == first.caseNumber }))
            // Given again, then refused: the latest answer is the one in force.
            try await service.record(number: first.caseNumber, member: 1, ConsentDraft(purpose: .monitoring, answer: .given, method: .signed, recordedOn: today))
            #expect(try await queries.dueFollowUps(today: today, horizon: 400).contains { $0.caseNumber == first.caseNumber })
            let second = try #require(due.first { $0.caseNumber != first.caseNumber })
            try await service.record(number: second.caseNumber, member: 1, ConsentDraft(purpose: .monitoring, answer: .refused, method: .signed, recordedOn: today))
            let after = try await queries.dueFollowUps(today: today, horizon: 400)
            #expect(!after.contains { $0.caseNumber == second.caseNumber } && after.contains { $0.caseNumber == first.caseNumber })
            #expect(try await MemberConsentModel.query(on: app.db).count() == 3)
        }
    }
}

@Suite struct ConsentImportTests {
    static let header = "Numéro de dossier;Membre;Lien de parenté;Prénoms;Nom de famille;Sexe;Date de naissance;Nationalité;Pays d'accueil;Bureau;Date d'enregistrement;Statut;Consentement : assistance;Consentement : partage;Consentement : suivi;Consentement recueilli;Date du consentement;Partenaires du partage"

    @Test func aFileCarriesConsentInFrenchWordsAndIsCheckedRowByRow() async throws {
        try await TestCorridor.run { corridor in
            _ = try await corridor.makeInstitution("ANADER")
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            let bad = [
                Self.header,
                "CIV-2026-00001;1;principal;Awa;Koné;F;1990-04-02;CIV;TUN;CIV;2026-01-10;registered;donné;donné;refusé;oral_witnessed;2026-01-10;NOPE",
                "CIV-2026-00002;1;principal;Moussa;Koné;M;2012-04-02;CIV;TUN;CIV;2026-01-10;registered;donné;;;signed;2026-01-10;",
                "CIV-2026-00003;1;principal;Fanta;Bamba;F;1985-04-02;CIV;TUN;CIV;2026-01-10;registered;peut-être;donné;;signed;2026-01-10;",
            ].joined(separator: "\n")
            let refused = try await service.importCases(from: .data(Data(bad.utf8)), fileName: "bad.csv", write: true, onlyIfClean: true)
            #expect(Set(refused.issues.map { "\($0.line) \($0.column) \($0.code)" }) == [
                "2 consent_partners consent.error.unknown_partner", "3 consent_method consent.error.guardian_for_minor",
                "4 consent_assistance import.error.unknown_code", "4 consent_partners consent.error.partners_required",
            ])
            #expect(try await MemberConsentModel.query(on: corridor.app.db).count() == 0)
            #expect(try await ReturnCaseModel.query(on: corridor.app.db).count() == 0)

            let good = [
                Self.header,
                "CIV-2026-00001;1;principal;Awa;Koné;F;1990-04-02;CIV;TUN;CIV;2026-01-10;registered;donné;donné;retiré;oral_witnessed;2026-01-10;anader",
                "CIV-2026-00001;2;child;Moussa;Koné;M;2012-04-02;CIV;TUN;CIV;2026-01-10;registered;donné;;;guardian;2026-01-10;",
            ].joined(separator: "\n")
            let report = try await service.importCases(from: .data(Data(good.utf8)), fileName: "good.csv", write: true)
            #expect(report.issues.isEmpty, "\(report.issues)")
            let stored = try await MemberConsentModel.query(on: corridor.app.db).all()
            #expect(stored.count == 4 && stored.filter { $0.withdrawnOn == "2026-01-10" && $0.purpose == "monitoring" }.count == 1)
            #expect(stored.first { $0.purpose == "sharing" }?.partners.isEmpty == false)
            // The same file again changes nothing; a later answer becomes the one in force.
            _ = try await service.importCases(from: .data(Data(good.utf8)), fileName: "good.csv", write: true)
            #expect(try await MemberConsentModel.query(on: corridor.app.db).count() == 4)
            let later = good.replacingOccurrences(of: "donné;donné;retiré", with: "donné;refusé;retiré")
            _ = try await service.importCases(from: .data(Data(later.utf8)), fileName: "later.csv", write: true)
            let sharing = try await MemberConsentModel.query(on: corridor.app.db).filter(\.$purpose == "sharing").sort(\.$recordedAt).all()
            #expect(sharing.map(\.answer) == ["given", "refused"] && sharing.map(\.isCurrent) == [0, 1])
        }
    }
}

@Suite struct ConsentAPITests {
    @Test func aScriptRecordsAndWithdrawsConsentThroughTheAPIUnderTheSameRules() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let today = Day(corridor.clock.now())
            let households = try await DataProtectionTests.importDemo(corridor, households: 20)
            let number = try #require(households.first?.caseNumber?.description)
            let anader = try await corridor.makeInstitution("ANADER").requireID().uuidString.lowercased()
            let token = try await corridor.apiToken(for: try await corridor.makeUser(.caseworker))
            let path = "/api/v1/cases/\(number)/members/1/consent"

            let shared = try await apiRequest(app, .POST, path, token: token,
                                              json: #"{"purpose":"sharing","answer":"given","method":"signed","recordedOn":"\#(today.iso)","partners":["anader"]}"#)
            #expect(shared.status == .created && shared.text.contains("\"sharing\":\"given\"") && shared.text.contains(anader))
            let audit = try await AuditEntryModel.query(on: app.db).filter(\.$entityType == "consent").all()
            #expect(audit.count == 1 && audit[0].entityID == "\(number)/1")

            // The page's rules: a partner is required and must exist, no date in the future.
            let unknown = try await apiRequest(app, .POST, path, token: token,
                                               json: #"{"purpose":"sharing","answer":"given","method":"signed","recordedOn":"\#(today.iso)","partners":["NOPE"]}"#)
            #expect(unknown.status == .unprocessableEntity && unknown.text.contains("partners"))
            let future = try await apiRequest(app, .POST, path, token: token,
                                              json: #"{"purpose":"monitoring","answer":"given","method":"signed","recordedOn":"\#(today.adding(days: 3).iso)"}"#)
            #expect(future.status == .unprocessableEntity)
            let malformed = try await apiRequest(app, .POST, path, token: token, json: #"{"purpose":"sharing","answer":"maybe"}"#)
            #expect(malformed.status == .badRequest)
            #expect(try await apiRequest(app, .POST, "/api/v1/cases/\(number)/members/42/consent", token: token,
                                         json: #"{"purpose":"monitoring","answer":"given","method":"signed","recordedOn":"\#(today.iso)"}"#).status == .notFound)

            let withdrawn = try await apiRequest(app, .POST, path + "/withdrawal", token: token, json: #"{"purpose":"sharing","withdrawnOn":"\#(today.iso)"}"#)
            #expect(withdrawn.status == .ok && !withdrawn.text.contains(anader))
            let again = try await apiRequest(app, .POST, path + "/withdrawal", token: token, json: #"{"purpose":"sharing","withdrawnOn":"\#(today.iso)"}"#)
            #expect(again.status == .unprocessableEntity)
            let none = try await apiRequest(app, .POST, path + "/withdrawal", token: token, json: #"{"purpose":"assistance","withdrawnOn":"\#(today.iso)"}"#)
            #expect(none.status == .unprocessableEntity)
            // Roles that do not edit cases cannot.
            let reader = try await corridor.apiToken(for: try await corridor.makeUser(.meOfficer))
            #expect(try await apiRequest(app, .POST, path, token: reader,
                                         json: #"{"purpose":"monitoring","answer":"given","method":"signed","recordedOn":"\#(today.iso)"}"#).status == .forbidden)
        }
    }
}

@Suite struct PartnerReachTests {
    @Test func aPartnersViewOfACaseHoldsNothingOfThePeopleLeftOut() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let households = try await DataProtectionTests.importDemo(corridor, households: 20)
            let family = try #require(households.first { $0.members.count >= 2 })
            let number = try #require(family.caseNumber?.description)
            let partner = try await corridor.makeInstitution("ANADER")
            let partnerID = try partner.requireID()
            let context = app.serviceContext(actor: .commandLine("test"))
            try await ConsentService(context: context).record(number: number, member: 1, ConsentDraft(
                purpose: .sharing, answer: .given, method: .signed, recordedOn: Day(corridor.clock.now()), partners: [partnerID.uuidString.lowercased()]))
            try await AuditLog.record(AuditEvent(action: .update, entityType: "case_member", entityID: "\(number)/2", changedFields: ["phone"]), context)
            let sql = try app.db.sqlDatabase
            try await sql.raw("UPDATE case_transitions SET note = \(bind: "parti voir " + family.members[1].givenNames)").run()

            let agency = try #require(try await CaseQueries(database: app.db).detail(number))
            #expect(agency.changes.contains { $0.entityID == "\(number)/2" } && agency.transitions.contains { $0.note != nil })
            let shared = try #require(try await CaseQueries(database: app.db, partnerInstitution: partnerID).detail(number))
            #expect(shared.members.map(\.memberNumber) == [1])
            #expect(!shared.changes.contains { $0.entityID == "\(number)/2" })
            #expect(shared.transitions.allSatisfy { $0.note == nil })
            let page = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker, institution: partnerID)).get("/cases/\(number)")
            #expect(page.status == .ok && !page.text.contains("parti voir"))
        }
    }
}
