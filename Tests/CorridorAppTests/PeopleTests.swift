import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// One person, many records: the caseload run, the review queue and its permissions, the
/// person page, links undone, the registration check and the figures after linking.
@Suite struct PeopleTests {
    /// A registry of invented people, and two people registered twice each: Mariam Ouattara
    /// (returned from Tunisia in 2024, registered again on her way back from Libya in 2025) and
    /// Fanta Bamba, a victim of trafficking (both records).
    static func load(_ corridor: TestCorridor) async throws {
        let d = { (text: String) in Day(iso: text)! }
        var cases: [ImportedCase] = []
        var sequence = 100
        for registration in WestAfricanRegistry(seed: 21).dedup(count: 400) {
            let record = registration.record
            sequence += 1
            let birth = record.birthDate.flatMap { MatchBirthDate($0) }.flatMap { date -> BirthDate? in
                date.month > 0 ? Day(year: date.year, month: date.month, day: date.day).map(BirthDate.init(exact:)) : BirthDate(estimatedYear: date.year)
            }
            let member = MemberDraft(memberNumber: 1, relationship: .principal, givenNames: record.givenNames ?? "X", familyName: record.familyName ?? "X",
                                     sex: record.sex == "F" ? .female : .male, birthDate: birth, nationality: "CIV", documentType: .passport,
                                     documentNumber: record.documentNumber, phone: record.phone, originRegion: nil)
            cases.append(ImportedCase(caseNumber: CaseNumber("CIV-2023-\(String(format: "%05d", sequence))"),
                                      fields: CaseFields(hostCountry: record.hostCountry ?? "MAR", office: "CIV", registeredOn: d("2023-01-10")), members: [member], lines: []))
        }
        func person(_ given: String, _ family: String, _ birth: String, _ document: String, _ phone: String, _ vulnerabilities: [Vulnerability]) -> MemberDraft {
            MemberDraft(memberNumber: 1, relationship: .principal, givenNames: given, familyName: family, sex: .female, birthDate: BirthDate(text: birth),
                        nationality: "CIV", documentType: .laissezPasser, documentNumber: document, phone: phone, originRegion: "Poro", vulnerabilities: vulnerabilities)
        }
        cases += [
            ImportedCase(caseNumber: CaseNumber("CIV-2024-00001"), fields: CaseFields(hostCountry: "TUN", office: "CIV", registeredOn: d("2024-01-05"),
                         departureDate: d("2024-03-09"), arrivalDate: d("2024-03-10"), status: .arrived),
                         members: [person("Mariam", "Ouattara", "1990-06-14", "LP1234567", "0701020304", [])], lines: []),
            ImportedCase(caseNumber: CaseNumber("CIV-2025-00001"), fields: CaseFields(hostCountry: "TUN", office: "CIV", registeredOn: d("2025-04-02"),
                         departureDate: d("2025-05-09"), arrivalDate: d("2025-05-10"), status: .arrived),
                         members: [person("Mariame", "Watara", "14/06/1990", "LP 123 4567", "+225 07 01 02 03 04", [])], lines: []),
            ImportedCase(caseNumber: CaseNumber("CIV-2024-00002"), fields: CaseFields(hostCountry: "LBY", office: "CIV", registeredOn: d("2024-02-01")),
                         members: [person("Fanta", "Bamba", "1985-02-20", "LP7654321", "0505050505", [.vot])], lines: []),
            ImportedCase(caseNumber: CaseNumber("CIV-2025-00002"), fields: CaseFields(hostCountry: "LBY", office: "CIV", registeredOn: d("2025-02-01")),
                         members: [person("Fanta", "BAMBA", "1985-02-20", "LP-7654321", "05 05 05 05 05", [.vot])], lines: []),
        ]
        let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
        _ = try await service.commit(CaseImportPlan(cases: cases, issues: [], rowCount: cases.count), fileName: "fixture")
    }

    static func member(_ corridor: TestCorridor, _ number: String) async throws -> CaseMemberModel {
        let record = try #require(try await ReturnCaseModel.query(on: corridor.app.db).filter(\.$caseNumber == number).first())
        return try #require(try await CaseMemberModel.query(on: corridor.app.db).filter(\.$returnCase.$id == record.requireID()).first())
    }

    /// Pages of 37 members: the run reads the caseload in many pages.
    static func run(_ corridor: TestCorridor) async throws -> PeopleService.CaseloadSummary {
        try await PeopleService(corridor.app.serviceContext(actor: .commandLine("test"))).runCaseload(commit: true, pageSize: 37)
    }

    @Test func theCaseloadRunProposesBothPeopleAndTheQueueShowsEachToWhomItMay() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let summary = try await Self.run(corridor)
            #expect(summary.records == 404)
            #expect(summary.newCandidates >= 2)
            let mariam = try await Self.member(corridor, "CIV-2024-00001"), mariame = try await Self.member(corridor, "CIV-2025-00001")
            let fanta = try await Self.member(corridor, "CIV-2024-00002")
            let candidates = try await MatchCandidateModel.query(on: corridor.app.db).all()
            #expect(candidates.contains { Set([$0.memberA, $0.memberB]) == Set([mariam.id!, mariame.id!]) && !$0.sensitive })
            #expect(candidates.contains { [$0.memberA, $0.memberB].contains(fanta.id!) && $0.sensitive })
            // No value reaches the stored evidence: levels and weights only.
            #expect(!candidates.contains { $0.evidence.contains("1234567") || $0.evidence.lowercased().contains("ouattara") })

            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let queue = try await worker.get("/duplicates")
            #expect(queue.status == .ok)
            // The pair is on one of the queue's pages (the invented registry has its own duplicates).
            var shown = false
            for page in 1...40 where !shown {
                let text = try await worker.get("/duplicates?page=\(page)").text
                shown = text.contains("CIV-2025-00001") && text.contains("Watara")
            }
            #expect(shown)
            // A victim of trafficking is proposed to the protection role only.
            #expect(!queue.text.contains("CIV-2024-00002"))
            let protection = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            #expect(try await protection.get("/duplicates").text.contains("CIV-2024-00002"))
            for role in [Role.focalPoint, .communications, .meOfficer] {
                let other = try await corridor.browser(signedInAs: try await corridor.makeUser(role))
                #expect(try await other.get("/duplicates").status == .forbidden, "\(role)")
            }
            // Running again proposes nothing new.
            #expect(try await Self.run(corridor).newCandidates == 0)
        }
    }

    @Test func aDecisionLinksThePersonTheFiguresCountThemOnceAndUndoingRestoresBoth() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            _ = try await Self.run(corridor)
            let mariam = try await Self.member(corridor, "CIV-2024-00001"), mariame = try await Self.member(corridor, "CIV-2025-00001")
            let candidate = try #require(try await MatchCandidateModel.query(on: corridor.app.db).all().first { Set([$0.memberA, $0.memberB]) == Set([mariam.id!, mariame.id!]) })
            let figures = IndicatorQueries(database: corridor.app.db)
            #expect(try await figures.figure(.returns, FigureFilters(), language: .fr).value == 2)
            #expect(try await figures.figure(.peopleReturned, FigureFilters(), language: .fr).value == 2)

            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let decided = try await worker.post("/duplicates/\(candidate.id!.uuidString)", ["decision": "same", "reason": "same laissez-passer"])
            #expect(decided.status == .seeOther)
            let a = try await Self.member(corridor, "CIV-2024-00001"), b = try await Self.member(corridor, "CIV-2025-00001")
            #expect(a.personID != nil && a.personID == b.personID)
            #expect(try await figures.figure(.returns, FigureFilters(), language: .fr).value == 2)
            #expect(try await figures.figure(.peopleReturned, FigureFilters(), language: .fr).value == 1)
            #expect(try await figures.figure(.peopleReturned, FigureFilters(), language: .fr, useSummary: false).value == 1)
            // Deciding twice is refused, and the decision is in the audit trail.
            let again = try await worker.post("/duplicates/\(candidate.id!.uuidString)", ["decision": "different"])
            #expect(again.location?.contains("duplicate_already_decided") == true)
            let audited = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "person_decision").count()
            #expect(audited == 1)

            // The person page shows both trips in order, the second as a new migration.
            let page = try await worker.get("/people/\(mariame.id!.uuidString)")
            #expect(page.status == .ok)
            let first = try #require(page.text.range(of: "CIV-2024-00001")), second = try #require(page.text.range(of: "CIV-2025-00001"))
            #expect(first.lowerBound < second.lowerBound)
            #expect(page.text.contains("nouvelle migration") || page.text.contains("migrated again"))
            let decision = try #require(try await PersonDecisionModel.query(on: corridor.app.db).first())
            #expect(try await worker.post("/people/decisions/\(decision.id!.uuidString)/undo").status == .seeOther)
            #expect(try await Self.member(corridor, "CIV-2024-00001").personID == nil)
            #expect(try await Self.member(corridor, "CIV-2025-00001").personID == nil)
            #expect(try await figures.figure(.peopleReturned, FigureFilters(), language: .fr).value == 2)
        }
    }

    @Test func aPairDecidedDifferentIsNeverProposedAgain() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            _ = try await Self.run(corridor)
            let protection = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            let fanta = try await Self.member(corridor, "CIV-2024-00002")
            let candidate = try #require(try await MatchCandidateModel.query(on: corridor.app.db).all().first { [$0.memberA, $0.memberB].contains(fanta.id!) })
            // The case worker cannot even reach it.
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await worker.post("/duplicates/\(candidate.id!.uuidString)", ["decision": "same"]).status == .notFound)
            #expect(try await protection.post("/duplicates/\(candidate.id!.uuidString)", ["decision": "different"]).status == .seeOther)
            try await MatchCandidateModel.query(on: corridor.app.db).filter(\.$status == "open").delete()
            _ = try await Self.run(corridor)
            let open = try await MatchCandidateModel.query(on: corridor.app.db).filter(\.$status == "open").all()
            #expect(!open.contains { [$0.memberA, $0.memberB].contains(fanta.id!) })
        }
    }

    @Test func registrationShowsLikelyMatchesKeepsTheFormAndLinksTheChosenPerson() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            var fields = CaseWorkflowTests.household
            fields["given_names"] = "Mariam"
            fields["family_name"] = "OUATTARA"
            fields["birth_date"] = "1990-06-14"
            fields["document_type"] = "laissez_passer"
            fields["document_number"] = "LP1234567"
            let first = try await worker.post("/cases/new", fields)
            #expect(first.status == .ok)
            #expect(first.text.contains("CIV-2024-00001"))
            #expect(first.text.contains("name=\"matches_reviewed\""))
            // What was typed is kept.
            #expect(first.text.contains("value=\"LP1234567\""))
            let stored = try await Self.member(corridor, "CIV-2024-00001")
            fields["matches_reviewed"] = "1"
            fields["link_to"] = stored.id!.uuidString
            let second = try await worker.post("/cases/new", fields)
            #expect(second.status == .seeOther)
            #expect(second.location?.contains("case_registered_linked") == true)
            let refreshed = try await Self.member(corridor, "CIV-2024-00001")
            #expect(refreshed.personID != nil)
            #expect(try await CaseMemberModel.query(on: corridor.app.db).filter(\.$personID == refreshed.personID!).count() == 2)
            // Someone nobody resembles is registered at once.
            var stranger = CaseWorkflowTests.household
            stranger["given_names"] = "Zouzoua"
            stranger["family_name"] = "Gbaméli"
            stranger["document_number"] = "P9990001"
            #expect(try await worker.post("/cases/new", stranger).status == .seeOther)
        }
    }

    @Test func theAPIChecksAPersonBeforeRegistration() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let token = try await corridor.apiToken(for: try await corridor.makeUser(.caseworker))
            let response = try await apiRequest(corridor.app, .POST, "/api/v1/people/matches", token: token,
                                                json: #"{"given_names":"Mariame","family_name":"Watara","birth_date":"1990-06-14","document_number":"N° LP1234567"}"#)
            #expect(response.status == .ok)
            struct Output: Decodable { struct Match: Decodable { var case_number: String; var probability: Double }; var matches: [Match] }
            let output = try JSONDecoder().decode(Output.self, from: Data(response.text.utf8))
            #expect(output.matches.first?.case_number == "CIV-2024-00001" || output.matches.first?.case_number == "CIV-2025-00001")
            #expect(output.matches.allSatisfy { $0.probability >= 0.5 })
            // A victim of trafficking is not returned to a case worker.
            let vot = try await apiRequest(corridor.app, .POST, "/api/v1/people/matches", token: token, json: #"{"given_names":"Fanta","family_name":"Bamba","document_number":"LP7654321"}"#)
            #expect(try JSONDecoder().decode(Output.self, from: Data(vot.text.utf8)).matches.isEmpty)
            #expect(try await apiRequest(corridor.app, .POST, "/api/v1/people/matches", token: token, json: "{}").status == .unprocessableEntity)
            let focal = try await corridor.apiToken(for: try await corridor.makeUser(.focalPoint, institution: try await corridor.makeInstitution().requireID()))
            #expect(try await apiRequest(corridor.app, .POST, "/api/v1/people/matches", token: focal, json: #"{"family_name":"Watara"}"#).status == .forbidden)
        }
    }

    @Test func anImportReportsIncomingPeopleLikeStoredOnesAndLinksThemFromTheReport() async throws {
        try await TestCorridor.run { corridor in
            try await Self.load(corridor)
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let file = CaseImportReader.columns.prefix(19).joined(separator: ",") + "\r\n"
                + "CIV-2026-00077,1,principal,Mariam,OUATTARA,F,1990-06-14,CIV,MAR,CIV,2026-05-02,,,registered,Poro,,laissez_passer,LP1234567,\r\n"
                + "CIV-2026-00078,1,principal,Zouzoua,Gbaméli,M,1971-03-03,CIV,MAR,CIV,2026-05-02,,,registered,Poro,,passport,P55500011,\r\n"
            let report = try await worker.upload("/cases/import", field: "file", fileName: "cases.csv", data: Data(file.utf8))
            #expect(report.status == .ok)
            let id = try #require(report.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            let done = try await worker.post("/cases/import/confirm", ["id": String(id), "file_name": "cases.csv"])
            #expect(done.status == .ok)
            #expect(done.text.contains("CIV-2026-00077") && done.text.contains("CIV-2024-00001"))
            #expect(!done.text.contains("CIV-2026-00078"))
            let link = try #require(done.text.firstMatch(of: /href="\/duplicates\/([0-9A-F-]{36})"/)?.1)
            let card = try await worker.get("/duplicates/\(link)")
            #expect(card.status == .ok && card.text.contains("Mariam"))
            #expect(try await worker.post("/duplicates/\(link)", ["decision": "same"]).status == .seeOther)
            let incoming = try await Self.member(corridor, "CIV-2026-00077"), stored = try await Self.member(corridor, "CIV-2024-00001")
            #expect(incoming.personID != nil && incoming.personID == stored.personID)
            let candidate = try #require(try await MatchCandidateModel.find(UUID(uuidString: String(link)), on: corridor.app.db))
            #expect(candidate.origin == "import")
        }
    }
}
