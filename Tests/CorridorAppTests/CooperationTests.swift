import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// Institutions and a small trafficking matrix, in the shape of the samples in shared/.
enum CooperationFixtures {
    static let institutions = """
    acronym,name,country,kind
    MAEIAIE,"Ministère des Affaires étrangères, de l'Intégration africaine et des Ivoiriens de l'extérieur",CIV,ministry
    MIS,Ministère de l'Intérieur et de la Sécurité,CIV,ministry
    MJDH,Ministère de la Justice et des Droits de l'Homme,CIV,ministry
    CNLTP,Comité national de lutte contre la traite des personnes,CIV,agency
    OIM-CIV,Organisation internationale pour les migrations — mission en Côte d'Ivoire,CIV,international_organisation
    """
    static let matrix = """
    code,axis,action,lead_institution,partner_institutions,start_date,deadline,indicator,baseline,target,budget,currency,funding_source,status,progress
    1.1,Cadre juridique,Finaliser et signer le mémorandum d'entente,MAEIAIE,MJDH|CNLTP,2024-10-01,2026-12-31,Mémorandum signé,0,1,15000000,XOF,Fonds de développement,not_started,0
    1.2,Cadre juridique,Harmoniser les procédures d'identification,CNLTP,MJDH|OIM-CIV,2024-11-01,2025-12-31,Procédure adoptée,0,1,8000000,XOF,Fonds de développement,not_started,0
    2.1,Protection,Mettre en place un mécanisme de référencement,CNLTP,OIM-CIV,2024-10-15,2026-10-10,Victimes référées,0,50,20000000,XOF,Programme régional,in_progress,25
    """

    /// Institutions and one draft matrix; returns the matrix id.
    static func load(_ corridor: TestCorridor) async throws -> UUID {
        let service = CooperationService(corridor.app.serviceContext(actor: .commandLine("test")))
        let institutions = try InstitutionImportReader.plan(text: institutions)
        #expect(institutions.issues.isEmpty)
        _ = try await service.importInstitutions(institutions.institutions, fileName: "institutions.csv")
        let plan = try MatrixImportReader.plan(text: matrix, institutions: try await CooperationQueries(database: corridor.app.db).institutionReferences())
        #expect(plan.issues.isEmpty)
        return try await service.importMatrix(plan, MatrixDraft(titleFrench: "Lutte contre la traite", titleEnglish: "Fight against trafficking",
                                                                descriptionFrench: "", descriptionEnglish: "", theme: "trafficking_in_persons",
                                                                countryA: "CIV", countryB: "MAR", project: "Projet test"), fileName: "matrix.csv")
    }

    static func institution(_ corridor: TestCorridor, _ acronym: String) async throws -> UUID {
        try #require(try await AccountQueries(database: corridor.app.db).institution(acronym: acronym)).id
    }

    static func action(_ corridor: TestCorridor, _ code: String) async throws -> MatrixActionModel {
        try #require(try await MatrixActionModel.query(on: corridor.app.db).filter(\.$code == code).first())
    }

    /// Submits and validates through the pages, as an M&E officer.
    static func validate(_ browser: TestBrowser, _ matrixID: UUID, version: Int, on day: String = "2026-09-15") async throws {
        #expect(try await browser.post("/matrices/\(matrixID)/status", ["to": "under_review", "version": String(version)]).status == .seeOther)
        let validated = try await browser.post("/matrices/\(matrixID)/status", [
            "to": "validated", "version": String(version + 1), "workshop_date": day, "workshop_place": "Abidjan", "institutions_present": "MAEIAIE, MIS"])
        #expect(validated.status == .seeOther)
    }
}

@Suite struct CooperationWorkflowTests {
    @Test func validationFreezesASnapshotThatLaterEditsNeverReach() async throws {
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let early = try await me.post("/matrices/\(matrixID)/status", ["to": "validated", "version": "1", "workshop_date": "2026-09-15", "workshop_place": "Abidjan"])
            #expect(early.status == .unprocessableEntity, "a draft must be reviewed before validation")
            let noPlace = try await me.post("/matrices/\(matrixID)/status", ["to": "under_review", "version": "1"])
            #expect(noPlace.status == .seeOther)
            let missing = try await me.post("/matrices/\(matrixID)/status", ["to": "validated", "version": "2", "workshop_date": "2026-09-15"])
            #expect(missing.status == .unprocessableEntity)
            #expect(try await me.post("/matrices/\(matrixID)/status", ["to": "validated", "version": "2", "workshop_date": "2026-09-15", "workshop_place": "Abidjan"]).status == .seeOther)

            let frozen = try #require(try await MatrixVersionModel.query(on: corridor.app.db).first())
            let snapshotText = frozen.snapshot
            #expect(frozen.number == 1 && frozen.workshopPlace == "Abidjan")

            // A validated version is not edited in place: the edit is refused and the page says what to do.
            let action = try await CooperationFixtures.action(corridor, "1.2")
            let actionID = try action.requireID()
            let matrix = try #require(try await MatrixModel.find(matrixID, on: corridor.app.db))
            let lead = try await CooperationFixtures.institution(corridor, "CNLTP").uuidString
            let direct = try await me.post("/actions/\(actionID)/edit", [
                "code": "1.2", "axis": "Cadre juridique", "description": "Harmoniser et publier les procédures",
                "lead": lead, "status": "in_progress", "progress": "10", "weight": "2", "version": String(matrix.version)])
            #expect(direct.status == .conflict)
            #expect(direct.text.contains("Préparez la version suivante"))
            #expect(try await MatrixModel.find(matrixID, on: corridor.app.db)?.status == "validated")
            let editPage = try await me.get("/matrices/\(matrixID)/edit")
            #expect(editPage.status == .conflict && editPage.text.contains("Préparer la version 2"))

            // Preparing version 2 keeps version 1 in force for focal points and the report.
            let focalUser = try await corridor.makeUser(.focalPoint, institution: try await CooperationFixtures.institution(corridor, "CNLTP"))
            let focal = try await corridor.browser(signedInAs: focalUser)
            let wording = "Harmoniser les procédures d&#39;identification"
            let listedBefore = try await focal.get("/my-actions").text.components(separatedBy: wording).count
            let prepared = try await me.post("/matrices/\(matrixID)/revision", ["version": String(matrix.version)])
            #expect(prepared.status == .seeOther)
            let draft = try #require(try await MatrixModel.query(on: corridor.app.db).filter(\.$revisionOf == matrixID).first())
            let draftID = try draft.requireID()
            #expect(prepared.location == "/matrices/\(draftID)?notice=saved")
            #expect(try await me.post("/matrices/\(matrixID)/revision", ["version": String(matrix.version)]).status == .conflict, "one draft at a time")
            #expect(try await focal.get("/matrices/\(matrixID)").status == .ok)
            #expect(try await focal.get("/matrices/\(draftID)").status == .notFound)
            let mine = try await focal.get("/my-actions")
            #expect(listedBefore > 1 && mine.text.components(separatedBy: wording).count == listedBefore, "the draft's copies are not followed")
            #expect(try await me.get("/report").text.contains("Lutte contre la traite"))
            #expect(try await me.get("/matrices").text.components(separatedBy: "/matrices/\(draftID)").count == 1, "the list shows the matrix once")
            // The focal point keeps following version 1 while the draft is prepared.
            #expect(try await focal.post("/actions/\(actionID)/updates", ["status": "in_progress", "progress": "30", "occurred_on": "2026-09-18",
                                                                         "version": String(action.version), "text": "Atelier technique tenu"]).status == .seeOther)

            // The draft is edited: a deadline and a wording change, an action added.
            let copy = try #require(try await MatrixActionModel.query(on: corridor.app.db).filter(\.$matrixID == draftID).filter(\.$code == "1.2").first())
            #expect(copy.originActionID == actionID)
            let copyPage = try await me.get("/actions/\(try copy.requireID())/edit")
            #expect(copyPage.status == .ok && !copyPage.text.contains("name=\"progress\""), "follow-up state is not edited in a draft")
            #expect(try await me.post("/actions/\(try copy.requireID())/updates", ["occurred_on": "2026-09-18", "text": "x"]).status == .unprocessableEntity)
            let edit = try await me.post("/actions/\(try copy.requireID())/edit", [
                "code": "1.2", "axis": "Cadre juridique", "description": "Harmoniser et publier les procédures",
                "lead": lead, "start_date": "2024-11-01", "deadline": "2026-06-30", "weight": "2", "version": "1",
                "indicator_name": "Procédure adoptée", "indicator_baseline": "0", "indicator_target": "1"])
            #expect(edit.status == .seeOther)
            let added = try await me.post("/matrices/\(draftID)/actions/new", [
                "code": "3.1", "axis": "Retour", "description": "Former les agents consulaires", "lead": lead, "status": "not_started",
                "progress": "0", "weight": "1", "version": "2"])
            #expect(added.status == .seeOther)
            let comparison = try await me.get("/matrices/\(draftID)/versions?from=1&to=current")
            #expect(comparison.text.contains("Harmoniser et publier les procédures"))
            #expect(comparison.text.contains("Échéance : <del>31 décembre 2025</del> → <ins>30 juin 2026</ins>"))
            #expect(comparison.text.contains("Poids : <del>1</del> → <ins>2</ins>"))
            #expect(comparison.text.contains("Différences : Version 1 → Projet de version 2"))
            #expect(!comparison.text.contains("<code>") && !comparison.text.contains(">current<") && !comparison.text.contains("→ current"), "no raw field names or keys")
            #expect(!comparison.text.contains("1.1 —"), "unchanged actions are not listed")
            let after = try #require(try await MatrixVersionModel.query(on: corridor.app.db).first())
            #expect(after.snapshot == snapshotText, "the validated version is immutable")

            // Validating the draft makes it version 2 of the same matrix; follow-up carries over.
            try await CooperationFixtures.validate(me, draftID, version: try #require(try await MatrixModel.find(draftID, on: corridor.app.db)).version, on: "2026-09-20")
            #expect(try await MatrixModel.find(draftID, on: corridor.app.db) == nil, "the draft is merged and gone")
            let merged = try #require(try await MatrixModel.find(matrixID, on: corridor.app.db))
            #expect(merged.status == "validated" && merged.validatedVersion == 2)
            let revised = try #require(try await MatrixActionModel.find(actionID, on: corridor.app.db))
            #expect(revised.description == "Harmoniser et publier les procédures" && revised.deadline == "2026-06-30" && revised.weight == 2)
            #expect(revised.progress == 30 && revised.status == "in_progress", "the focal point's follow-up is kept")
            #expect(try await ActionUpdateModel.query(on: corridor.app.db).filter(\.$actionID == actionID).count() == 1)
            #expect(try await MatrixActionModel.query(on: corridor.app.db).filter(\.$matrixID == matrixID).count() == 4)
            #expect(try await MatrixVersionModel.query(on: corridor.app.db).filter(\.$matrixID == matrixID).count() == 2)
            #expect(try await focal.get("/my-actions").text.contains("Former les agents consulaires"))
            let api = try await apiRequest(corridor.app, .GET, "/api/v1/matrices/\(matrixID)/versions/compare?from=1&to=2",
                                           token: try await corridor.apiToken(for: try await corridor.makeUser(.meOfficer)))
            #expect(api.status == .ok)
            #expect(api.text.contains(#""kind":"changed""#) && api.text.contains(#""code":"1.2""#) && api.text.contains(#""kind":"added""#))

            // A draft can be thrown away; version 2 stays as validated.
            let current = try #require(try await MatrixModel.find(matrixID, on: corridor.app.db))
            #expect(try await me.post("/matrices/\(matrixID)/revision", ["version": String(current.version)]).status == .seeOther)
            let second = try #require(try await MatrixModel.query(on: corridor.app.db).filter(\.$revisionOf == matrixID).first())
            #expect(try await me.post("/matrices/\(try second.requireID())/discard", ["version": String(second.version)]).status == .seeOther)
            #expect(try await MatrixModel.query(on: corridor.app.db).count() == 1)
            #expect(try await MatrixActionModel.query(on: corridor.app.db).count() == 4)
        }
    }

    /// The workshop form keeps what was typed when it is refused.
    @Test func workshopFormKeepsWhatWasTyped() async throws {
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            #expect(try await me.post("/matrices/\(matrixID)/status", ["to": "under_review", "version": "1"]).status == .seeOther)
            let refused = try await me.post("/matrices/\(matrixID)/status", ["to": "validated", "version": "2", "workshop_date": "2026-02-30",
                                                                              "workshop_place": "Grand-Bassam", "institutions_present": "MAEIAIE, MIS, CNLTP"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("value=\"2026-02-30\"") && refused.text.contains("value=\"Grand-Bassam\"") && refused.text.contains("value=\"MAEIAIE, MIS, CNLTP\""))
            let future = try await me.post("/matrices/\(matrixID)/status", ["to": "validated", "version": "2", "workshop_date": "2031-01-01", "workshop_place": ""])
            #expect(future.text.contains("value=\"2031-01-01\""))
        }
    }

    /// The focal point's scope on every follow-up path: lead updates, partner comments, others nothing.
    @Test func focalPointScopeOnEveryRoute() async throws {
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            try await CooperationFixtures.validate(me, matrixID, version: 1)
            let action = try await CooperationFixtures.action(corridor, "1.1")
            let actionID = try action.requireID()
            let lead = try await corridor.makeUser(.focalPoint, institution: try await CooperationFixtures.institution(corridor, "MAEIAIE"))
            let partner = try await corridor.makeUser(.focalPoint, institution: try await CooperationFixtures.institution(corridor, "MJDH"))
            let unrelated = try await corridor.makeUser(.focalPoint, institution: try await CooperationFixtures.institution(corridor, "MIS"))

            let leadBrowser = try await corridor.browser(signedInAs: lead)
            let update = try await leadBrowser.post("/actions/\(actionID)/updates", [
                "status": "in_progress", "progress": "30", "occurred_on": "2026-09-18", "version": "1",
                "text": "Projet de mémorandum transmis à la partie marocaine"])
            #expect(update.status == .seeOther)
            let stored = try #require(try await MatrixActionModel.find(actionID, on: corridor.app.db))
            #expect(stored.status == "in_progress" && stored.progress == 30)

            let partnerBrowser = try await corridor.browser(signedInAs: partner)
            let partnerPage = try await partnerBrowser.get("/actions/\(actionID)")
            #expect(partnerPage.text.contains("Ajouter un commentaire") && !partnerPage.text.contains("name=\"progress\""))
            #expect(try await partnerBrowser.post("/actions/\(actionID)/updates", ["occurred_on": "2026-09-18", "text": "Avis juridique transmis"]).status == .seeOther)
            #expect(try await partnerBrowser.post("/actions/\(actionID)/updates", ["occurred_on": "2026-09-18", "progress": "90", "text": "x"]).status == .forbidden)

            let unrelatedBrowser = try await corridor.browser(signedInAs: unrelated)
            let unrelatedPage = try await unrelatedBrowser.get("/actions/\(actionID)")
            #expect(unrelatedPage.status == .ok)
            #expect(!unrelatedPage.text.contains("action=\"/actions/\(actionID)/updates\""), "no form is offered")
            #expect(try await unrelatedBrowser.post("/actions/\(actionID)/updates", ["occurred_on": "2026-09-18", "text": "x"]).status == .forbidden)
            for path in ["/matrices/new", "/matrices/\(matrixID)/edit", "/actions/\(actionID)/edit", "/matrices/import"] {
                #expect(try await unrelatedBrowser.get(path).status == .forbidden, "\(path)")
            }
            #expect(try await unrelatedBrowser.post("/matrices/\(matrixID)/status", ["to": "archived", "version": "3"]).status == .forbidden)

            let token = try await corridor.apiToken(for: unrelated)
            let api = try await apiRequest(corridor.app, .POST, "/api/v1/actions/\(actionID)/updates", token: token, json: #"{"occurredOn":"2026-09-18","text":"x"}"#)
            #expect(api.status == .forbidden)
            let leadAPI = try await apiRequest(corridor.app, .POST, "/api/v1/actions/\(actionID)/updates", token: try await corridor.apiToken(for: lead),
                                               json: #"{"occurredOn":"2026-09-19","progress":45,"version":2}"#)
            #expect(leadAPI.status == .created)
            #expect(try await ActionUpdateModel.query(on: corridor.app.db).count() == 3)

            let history = try await leadBrowser.get("/actions/\(actionID)")
            #expect(history.text.contains("Avancement : 30\u{202F}% → 45\u{202F}%"))
            let mine = try await leadBrowser.get("/my-actions")
            #expect(mine.text.contains("Finaliser et signer le mémorandum"))
        }
    }

    @Test func focalPointsSeeOnlyValidatedMatrices() async throws {
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let focal = try await corridor.browser(signedInAs: try await corridor.makeUser(.focalPoint))
            #expect(try await focal.get("/matrices/\(matrixID)").status == .notFound)
            #expect(!(try await focal.get("/matrices").text.contains("Lutte contre la traite")))
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            try await CooperationFixtures.validate(me, matrixID, version: 1)
            #expect(try await focal.get("/matrices/\(matrixID)").status == .ok)
        }
    }

    @Test func matrixPageShowsProgressOverdueAndFilters() async throws {
        try await TestCorridor.run { corridor in
            // The test clock stands on 2026-09-21: action 1.2 (deadline 2025-12-31) is overdue.
            let matrixID = try await CooperationFixtures.load(corridor)
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let page = try await me.get("/matrices/\(matrixID)")
            #expect(page.text.contains("1 en retard"))
            #expect(page.text.contains("<tr class=\"overdue\"><td><a href=\"/actions/\(try await CooperationFixtures.action(corridor, "1.2").requireID())\">1.2</a>"))
            #expect(page.text.contains("8\u{202F}%"), "mean of 0, 0 and 25")
            let overdueOnly = try await me.get("/matrices/\(matrixID)?overdue=1")
            #expect(overdueOnly.text.contains(">1.2<") && !overdueOnly.text.contains(">2.1<"))
            let byInstitution = try await me.get("/matrices/\(matrixID)?institution=\(try await CooperationFixtures.institution(corridor, "MAEIAIE"))")
            #expect(byInstitution.text.contains(">1.1<") && !byInstitution.text.contains(">2.1<"))
            let csv = try await me.get("/matrices/\(matrixID)/export?format=csv")
            #expect(csv.text.contains("1.2,Cadre juridique"))
        }
    }

    @Test func importWithUnknownInstitutionsWritesNothing() async throws {
        try await TestCorridor.run { corridor in
            _ = try await CooperationFixtures.load(corridor)
            let before = try await MatrixModel.query(on: corridor.app.db).count()
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let bad = CooperationFixtures.matrix.replacingOccurrences(of: "CNLTP,OIM-CIV", with: "INCONNUE,OIM-CIV")
                .replacingOccurrences(of: "2026-12-31", with: "2026-02-30")
            let response = try await me.upload("/matrices/import", field: "file", fileName: "bad.csv", data: Data(bad.utf8))
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("<tr><td>2</td><td><code>deadline</code>"))
            #expect(response.text.contains("<tr><td>4</td><td><code>lead_institution</code>"))
            #expect(response.text.contains("Rien n&#39;a été enregistré") || response.text.contains("Rien n'a été enregistré"))
            #expect(try await MatrixModel.query(on: corridor.app.db).count() == before)
        }
    }

    @Test func jointCommissionReportInBothLanguages() async throws {
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let me = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            try await CooperationFixtures.validate(me, matrixID, version: 1)
            let french = try await me.get("/report")
            #expect(french.text.contains("Rapport pour la Grande Commission Mixte") && french.text.contains("Lutte contre la traite"))
            let english = try await me.get("/report?lang=en")
            #expect(english.text.contains("Joint Commission report") && english.text.contains("Fight against trafficking"))
        }
    }
}
