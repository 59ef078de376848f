import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct DataProtectionTests {
    /// Every figure the cases give, counted from the summary and from the members, for a set of
    /// filters that cover each dimension (age groups included: the birth year kept must give them).
    static func figures(_ app: Application) async throws -> [String: Double] {
        var filters: [(String, FigureFilters)] = [("all", FigureFilters()), ("since2017", FigureFilters(from: Day(iso: "2017-01-01")))]
        for group in AgeGroup.allCases { filters.append(("age \(group.rawValue)", FigureFilters(ageGroup: group.rawValue))) }
        for sex in ["female", "male"] { filters.append(("sex \(sex)", FigureFilters(sex: sex))) }
        for host in ["MAR", "LBY", "TUN"] { filters.append(("host \(host)", FigureFilters(hostCountry: host))) }
        var vot = FigureFilters()
        vot.vulnerability = "vot"
        filters.append(("vot", vot))
        var region = FigureFilters()
        region.region = CoteDIvoire.regions.first?.name
        filters.append(("region", region))
        var values: [String: Double] = [:]
        let queries = IndicatorQueries(database: app.db, today: Day(app.corridor.timeSource.now()))
        for indicator in [Indicator.returns, .registrations, .casesOpen, .votIdentified, .assistanceItems] {
            for (name, filter) in filters {
                for useSummary in [true, false] {
                    let figure = try await queries.figure(indicator, filter, language: .fr, useSummary: useSummary)
                    values["\(indicator.rawValue) \(name) \(useSummary ? "summary" : "members")"] = figure.value
                }
            }
        }
        return values
    }

    static func importDemo(_ corridor: TestCorridor, households: Int = 300) async throws -> [ImportedCase] {
        let cases = DemoCases.generate(households: households, seed: 21, today: Day(corridor.clock.now()))
        _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            .commit(CaseImportPlan(cases: cases, issues: [], rowCount: 0), fileName: "demo")
        return cases
    }

    @Test func retentionAnonymisesFinishedCasesAndEveryFigureStaysTheSame() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let households = try await Self.importDemo(corridor)
            let policy = RetentionPolicy(finishedCaseYears: 5)
            let cutoff = try #require(policy.anonymiseFinishedOnOrBefore(today: Day(corridor.clock.now())))
            let due = try await RetentionService.casesDue(finishedOnOrBefore: cutoff, on: app.db)
            #expect(due.count > 20, "the demo data has cases finished more than five years ago")
            let dueNumbers = Set(due.map(\.caseNumber))
            let kept = try #require(households.first { household in
                let number = household.caseNumber?.description ?? ""
                return !dueNumbers.contains(number) && household.fields.status == .completed
            })
            // Protected details and a note on one case due, to see them go.
            let first = try #require(due.first)
            let context = app.serviceContext(actor: .commandLine("test"))
            try await CaseService(context).saveProtected(number: first.caseNumber, memberNumber: 1,
                                                         ProtectedDraft(exploitationForm: "forced labour", medicalNotes: "asthma"), expectedVersion: 0)
            let publicBefore = try await TestBrowser(app: app).get("/api/v1/public/returns?by=host_country,year").text
            let csvBefore = try await TestBrowser(app: app).get("/data/returns.csv").text
            let before = try await Self.figures(app)
            let storedBefore = try await CaseDerivedData.stored(on: app.db)

            // A dry run counts and changes nothing.
            let service = RetentionService(context: context, policy: policy)
            let dry = try await service.run(commit: false)
            #expect(!dry.committed && dry.casesDue.count == due.count && dry.membersAnonymised > due.count - 1)
            let named = try await CaseMemberModel.query(on: app.db).filter(\.$anonymisedOn == nil).count()
            #expect(named == households.reduce(0) { $0 + $1.members.count })

            let report = try await service.run(commit: true)
            #expect(report.committed && report.casesDue == dry.casesDue && report.membersAnonymised == dry.membersAnonymised)
            let sql = try #require(app.db as? any SQLDatabase)
            for number in dueNumbers {
                let record = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == number).first())
                #expect(record.anonymisedOn == Day(corridor.clock.now()).iso && record.principalName.isEmpty)
                for member in try await CaseMemberModel.query(on: app.db).filter(\.$returnCase.$id == record.requireID()).all() {
                    #expect(member.givenNames.isEmpty && member.familyName.isEmpty && member.birthDate == nil && member.documentNumber == nil
                            && member.phone == nil && member.leftCountryOn == nil && member.searchText.isEmpty && member.anonymisedOn != nil)
                }
                let notes = try await CaseTransitionModel.query(on: app.db).filter(\.$caseID == record.requireID()).all().compactMap(\.note)
                #expect(notes.isEmpty)
                struct Term: Decodable { var term: String }
                let terms = try await sql.raw("SELECT term FROM case_terms WHERE case_id = \(bind: try record.requireID())").all(decoding: Term.self)
                let household = try #require(households.first { $0.caseNumber?.description == number })
                let names = Set(household.members.flatMap { SearchText.fold($0.givenNames + " " + $0.familyName).split(separator: " ").map(String.init) })
                #expect(names.isDisjoint(with: terms.map(\.term)), "no name of \(number) can be searched for")
            }
            #expect(try await ProtectedDetailsModel.query(on: app.db).count() == 0)
            // A case finished within the five years keeps its names.
            let keptRecord = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == kept.caseNumber!.description).first())
            #expect(keptRecord.anonymisedOn == nil && keptRecord.principalName == CaseService.displayName(kept.members[0]))

            // Every figure, the public table and the published file are what they were.
            #expect(try await Self.figures(app) == before)
            #expect(try await CaseDerivedData.stored(on: app.db) == storedBefore)
            #expect(try await CaseDerivedData.recount(on: app.db) == storedBefore)
            let publicAfter = try await TestBrowser(app: app).get("/api/v1/public/returns?by=host_country,year").text
            // The same table (the encoder does not sort its keys: compare what it says).
            let parse = { (text: String) in try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary }
            #expect(try parse(publicAfter) == parse(publicBefore) && parse(publicBefore)?["total"] != nil)
            #expect(try await TestBrowser(app: app).get("/data/returns.csv").text == csvBefore)

            // Each case has its entry, the run one with its counts; no entry names anyone.
            let entries = try await AuditEntryModel.query(on: app.db).all()
            #expect(entries.filter { $0.action == "anonymised" }.count == due.count)
            let run = try #require(entries.last { $0.action == "retention_run" })
            #expect(run.detail.contains("cases=\(due.count)"))
            let familyNames = Set(households.filter { dueNumbers.contains($0.caseNumber?.description ?? "") }.flatMap { $0.members.map(\.familyName) })
            for entry in entries where entry.action == "anonymised" || entry.action == "retention_run" {
                #expect(familyNames.allSatisfy { !entry.detail.contains($0) })
            }
            #expect(try await AuditVerification.verify(on: app.db, anchor: app.corridor.auditAnchor).failure == nil)

            // Run again: nothing left to do. An import of the old file puts no name back.
            #expect(try await service.run(commit: true).casesDue.isEmpty)
            let plan = CaseImportPlan(cases: households.filter { dueNumbers.contains($0.caseNumber?.description ?? "") }, issues: [], rowCount: 0)
            _ = try? await CaseService(context).commit(plan, fileName: "old export")
            #expect(try await CaseMemberModel.query(on: app.db).filter(\.$anonymisedOn != nil).filter(\.$givenNames != "").count() == 0)
        }
    }

    @Test func retentionDeletesExpiredSessionsOldAttemptsRevokedTokensAndUploads() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let user = try await corridor.makeUser(.caseworker)
            _ = try await corridor.browser(signedInAs: user)
            #expect(try await TestBrowser(app: app).signIn(user.email).status == .seeOther)
            let token = try await APITokenModel.query(on: app.db).count()
            _ = try await corridor.apiToken(for: user)
            let stored = try #require(try await APITokenModel.query(on: app.db).first())
            stored.revokedAt = corridor.clock.now()
            try await stored.update(on: app.db)
            let upload = try app.corridor.uploads.keep(Data("a,b\n".utf8), owner: nil)
            // A message of the contact form now, another in 45 days: only the first is 60 days old then.
            let visitor = TestBrowser(app: app)
            #expect(try await visitor.post("/contact", ContactTests.message).status == .seeOther)
            let policy = RetentionPolicy(signInAttemptDays: 30, revokedTokenDays: 60, contactMessageDays: 60)
            let service = RetentionService(context: app.serviceContext(actor: .commandLine("test")), policy: policy)
            let early = try await service.run(commit: true)
            #expect(early.sessionsDeleted == 0 && early.uploadsDeleted == 0 && early.tokensDeleted == 0 && early.signInAttemptsDeleted == 0)
            #expect(try app.corridor.uploads.load(upload, owner: nil) != nil)

            corridor.clock.advance(by: 45 * 86_400)
            #expect(try await visitor.post("/contact", ContactTests.message).status == .seeOther)
            corridor.clock.advance(by: 16 * 86_400)
            let dry = try await service.run(commit: false)
            #expect(dry.contactMessagesDeleted == 1)
            #expect(dry.sessionsDeleted >= 1 && dry.uploadsDeleted == 1 && dry.tokensDeleted == token + 1 && dry.signInAttemptsDeleted >= 1)
            #expect(try await SessionModel.query(on: app.db).count() >= 1, "a dry run deletes nothing")
            let report = try await service.run(commit: true)
            #expect(report.sessionsDeleted == dry.sessionsDeleted && report.uploadsDeleted == 1 && report.tokensDeleted == dry.tokensDeleted)
            #expect(try await SessionModel.query(on: app.db).count() == 0)
            #expect(try await LoginAttemptModel.query(on: app.db).count() == 0)
            #expect(try await APITokenModel.query(on: app.db).count() == 0)
            let messagesLeft = try await ContactMessageModel.query(on: app.db).count()
            #expect(report.contactMessagesDeleted == 1 && messagesLeft == 1, "the newer message stays")
            #expect(app.corridor.files.list().isEmpty)
        }
    }

    @Test func erasureOnRequestRemovesOnePersonAndKeepsTheFigures() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let households = try await Self.importDemo(corridor, households: 120)
            let household = try #require(households.first { $0.members.count >= 2 && $0.fields.arrivalDate != nil })
            let number = try #require(household.caseNumber?.description)
            let erased = household.members[1]
            let before = try await Self.figures(app)
            let protection = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            let page = try await protection.get("/cases/\(number)/members/2/erase")
            #expect(page.status == .ok && page.text.contains(erased.givenNames) && page.text.contains("name=\"_csrf\""))
            let version = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == number).first()).version

            // No reference: refused, what was chosen kept.
            let missing = try await protection.post("/cases/\(number)/members/2/erase", ["reason": "persons_request", "reference": " ", "version": String(version)])
            #expect(missing.status == .unprocessableEntity && missing.text.contains("value=\"persons_request\" selected"))
            // A stale version: the erasure is refused, to be confirmed again.
            let stale = try await protection.post("/cases/\(number)/members/2/erase", ["reason": "persons_request", "reference": "DP-2026-014", "version": String(version - 1)])
            #expect(stale.status == .conflict)
            #expect(try await CaseMemberModel.query(on: app.db).filter(\.$anonymisedOn != nil).count() == 0)

            let done = try await protection.post("/cases/\(number)/members/2/erase", ["reason": "persons_request", "reference": "DP-2026-014", "version": String(version)])
            #expect(done.status == .seeOther && done.location == "/cases/\(number)?notice=member_erased")
            let members = try await CaseMemberModel.query(on: app.db).join(ReturnCaseModel.self, on: \CaseMemberModel.$returnCase.$id == \ReturnCaseModel.$id)
                .filter(ReturnCaseModel.self, \.$caseNumber == number).sort(\.$memberNumber).all()
            #expect(members[1].givenNames.isEmpty && members[1].familyName.isEmpty && members[1].documentNumber == nil && members[1].anonymisedOn != nil)
            #expect(members[0].givenNames == household.members[0].givenNames && members[0].anonymisedOn == nil, "the rest of the household stays")
            let record = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == number).first())
            #expect(record.anonymisedOn == nil)
            #expect(try await Self.figures(app) == before)

            let entry = try #require(try await AuditEntryModel.query(on: app.db).filter(\.$action == "erased").first())
            #expect(entry.entityID == "\(number)/2" && entry.detail == "persons_request" && entry.personalText == "reference DP-2026-014")
            let all = try await AuditEntryModel.query(on: app.db).all()
            #expect(all.allSatisfy { !$0.detail.contains(erased.givenNames) && !$0.changedFields.contains(erased.givenNames) })

            let casePage = try await protection.get("/cases/\(number)")
            #expect(casePage.text.contains("Anonymisé le") && !casePage.text.contains("/cases/\(number)/members/2/edit"))
            #expect(try await protection.get("/cases/\(number)/members/2/erase").text.contains("ont été effacées le"))
            let again = try await protection.post("/cases/\(number)/members/2/erase", ["reason": "persons_request", "reference": "DP-2026-015", "version": String(record.version)])
            #expect(again.status == .unprocessableEntity)
            // An edit of the erased person is refused; an import of an older file leaves them erased.
            await #expect(throws: CaseError.self) {
                _ = try await CaseService(app.serviceContext(actor: .commandLine("test"))).saveMember(number: number, erased, isNew: false, expectedVersion: record.version)
            }
            _ = try await CaseService(app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: [household], issues: [], rowCount: 0), fileName: "old")
            let reread = try #require(try await CaseMemberModel.find(members[1].requireID(), on: app.db))
            #expect(reread.givenNames.isEmpty)

            let caseworker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await caseworker.get("/cases/\(number)/members/1/erase").status == .forbidden)
            #expect(!(try await caseworker.get("/cases/\(number)").text.contains("/erase")))
        }
    }

    @Test func administratorSeesThePolicyAndRunsIt() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            _ = try await Self.importDemo(corridor, households: 80)
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let page = try await admin.get("/admin/retention")
            #expect(page.status == .ok)
            for setting in ["CORRIDOR_RETENTION_FINISHED_CASE_YEARS", "CORRIDOR_RETENTION_UPLOAD_HOURS", "CORRIDOR_RETENTION_SIGN_IN_DAYS"] {
                #expect(page.text.contains(setting))
            }
            #expect(page.text.contains("5 ans après la fin") && page.text.contains("jamais été appliquée"))
            let run = try await admin.post("/admin/retention/run")
            #expect(run.status == .seeOther && run.location == "/admin/retention?notice=retention_done")
            let after = try await admin.get("/admin/retention?notice=retention_done")
            #expect(after.text.contains("Dernière application") && after.text.contains("a été appliquée"))
            #expect(try await AuditEntryModel.query(on: app.db).filter(\.$action == "retention_run").count() == 1)
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            #expect(try await me.post("/admin/retention/run").status == .forbidden)
        }
    }
}

@Suite struct AnonymisedHouseholdTests {
    @Test func anAnonymisedHouseholdTakesNoNamedPersonAndRetentionGoesOn() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let households = try await DataProtectionTests.importDemo(corridor, households: 40)
            let household = try #require(households.first)
            let number = try #require(household.caseNumber?.description)
            let record = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == number).first())
            try await app.db.writeTransaction { db in
                _ = try await Anonymiser.anonymise(caseID: try record.requireID(), caseNumber: number, on: Day(corridor.clock.now()),
                                                   now: corridor.clock.now(), on: db)
            }
            let stored = try #require(try await ReturnCaseModel.find(record.requireID(), on: app.db))
            #expect(stored.anonymisedOn != nil)
            var newcomer = household.members[0]
            newcomer.relationship = .child
            await #expect(throws: CaseError.self, "retention would never see a person added now") {
                _ = try await CaseService(app.serviceContext(actor: .commandLine("test"))).saveMember(number: number, newcomer, isNew: true, expectedVersion: stored.version)
            }
            #expect(try await CaseMemberModel.query(on: app.db).filter(\.$returnCase.$id == record.requireID()).count() == household.members.count)
            // A failed case does not stop a retention run: it is named, the rest goes on.
            let report = try await RetentionService(context: app.serviceContext(actor: .commandLine("test")), policy: RetentionPolicy(finishedCaseYears: 5))
                .run(commit: true)
            #expect(report.failed.isEmpty && !report.casesDue.contains(number))
        }
    }
}
