import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import CorridorApp

/// Every export comes back in: export → import into a fresh database → export gives the same
/// records, in CSV and XLSX, with French and English headers.
@Suite struct CaseRoundTripTests {
    /// A protection officer's export: every column, the protected ones included.
    static func export(_ corridor: TestCorridor, format: String, language: Language) async throws -> Data {
        let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
        let response = try await officer.get("/cases/export?format=\(format)&lang=\(language.rawValue)")
        #expect(response.status == .ok)
        return Data(buffer: response.body)
    }

    /// The cells of an export, whichever its format.
    static func rows(_ data: Data, format: String) throws -> [[String]] {
        if format == "xlsx" { return try #require(try WorkbookReader.sheets(of: data).first).rows }
        var stream = try CSVStream(data: data)
        var rows: [[String]] = []
        while let row = try stream.next() { rows.append(row) }
        return rows
    }

    /// A file on disk (the command line's path), shuffled so that households are spread: the
    /// CSV is read through its handle in household order, the workbook streamed to a CSV file
    /// that nobody else can open, and both give the same households as the export they came from.
    @Test(arguments: ["csv", "xlsx"])
    func shuffledFilesOnDiskComeBackWhole(format: String) async throws {
        var exported = Data()
        var members = 0
        try await TestCorridor.run { corridor in
            let households = DemoCases.generate(households: 40, seed: 9, today: Day(corridor.clock.now()))
            members = households.reduce(0) { $0 + $1.members.count }
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test"))).commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            exported = try await Self.export(corridor, format: "csv", language: .en)
        }
        var rows = try Self.rows(exported, format: "csv")
        let header = rows.removeFirst()
        var random = SystemRandomNumberGenerator()
        rows.shuffle(using: &random)
        let table = TabularExport(sheetName: "cases", headers: header, rows: rows)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shuffled-\(UUID().uuidString).\(format)")
        defer { try? FileManager.default.removeItem(at: file) }
        try (format == "xlsx" ? try table.xlsx() : Data(table.csv(neutralise: false).utf8)).write(to: file)
        let leftOversBefore = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("corridor-import-") }.count
        try await TestCorridor.run { corridor in
            let report = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .importCases(from: .file(file.path), fileName: "shuffled.\(format)", write: true, mayWriteProtected: true)
            #expect(report.issues.isEmpty, "\(report.issues.prefix(3))")
            #expect(report.outcome.casesCreated == 40)
            #expect(try await CaseMemberModel.query(on: corridor.app.db).count() == members)
            let again = try Self.rows(try await Self.export(corridor, format: "csv", language: .en), format: "csv")
            #expect(Set(again.dropFirst().map { $0.joined(separator: "|") }) == Set(rows.map { $0.joined(separator: "|") }))
        }
        let leftOversAfter = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("corridor-import-") }.count
        #expect(leftOversAfter == leftOversBefore, "the converted rows are never left on disk")
    }

    static let protected = [
        ProtectedDraft(exploitationForm: "travail forcé", identifiedOn: Day(iso: "2026-03-02"), identifiedPlace: "Tunis", identifiedBy: "OIM Tunis",
                       referral: "Centre d'accueil", medicalNotes: "Suivi psychologique"),
        ProtectedDraft(exploitationForm: nil, identifiedOn: nil, identifiedPlace: nil, identifiedBy: nil, referral: nil, medicalNotes: "Diabète; insuline"),
    ]

    @Test(arguments: [("csv", Language.fr), ("csv", Language.en), ("xlsx", Language.fr), ("xlsx", Language.en)])
    func casesComeBackAsTheyWent(format: String, language: Language) async throws {
        var first: Data?
        try await TestCorridor.run { corridor in
            let households = DemoCases.generate(households: 60, seed: 5, today: Day(corridor.clock.now()))
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            _ = try await service.commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            for (household, details) in zip(households.prefix(2), Self.protected) {
                try await service.saveProtected(number: try #require(household.caseNumber).description, memberNumber: 1, details, expectedVersion: 0)
            }
            // Consent in force comes back too: given, refused, withdrawn, with its partners.
            let partner = try await corridor.makeInstitution("ANADER")
            let consent = ConsentService(context: corridor.app.serviceContext(actor: .commandLine("test")))
            let day = Day(corridor.clock.now()).adding(days: -3)
            for household in households.prefix(3) {
                let number = try #require(household.caseNumber).description
                try await consent.record(number: number, member: 1, ConsentDraft(purpose: .sharing, answer: .given, method: .oralWitnessed, recordedOn: day,
                                                                                 partners: [try partner.requireID().uuidString]))
                try await consent.record(number: number, member: 1, ConsentDraft(purpose: .monitoring, answer: .refused, method: .oralWitnessed, recordedOn: day))
                try await consent.record(number: number, member: 1, ConsentDraft(purpose: .assistance, answer: .given, method: .oralWitnessed, recordedOn: day))
            }
            let assistance = try #require(try await MemberConsentModel.query(on: corridor.app.db).filter(\.$purpose == "assistance").first())
            try await consent.withdraw(number: try #require(households.first?.caseNumber).description, member: 1, consent: try assistance.requireID(), on: day)
            first = try await Self.export(corridor, format: format, language: language)
        }
        let exported = try #require(first)
        try await TestCorridor.run { corridor in
            _ = try await corridor.makeInstitution("ANADER")
            let report = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .importCases(from: .data(exported), fileName: "export.\(format)", write: true, mayWriteProtected: true)
            #expect(try await MemberConsentModel.query(on: corridor.app.db).count() == 9)
            #expect(try await MemberConsentModel.query(on: corridor.app.db).filter(\.$withdrawnOn != nil).count() == 1)
            #expect(report.issues.isEmpty, "\(report.issues.prefix(3))")
            #expect(report.outcome.casesCreated == 60)
            #expect(report.outcome.protectedWritten == 2)
            #expect(try await ProtectedDetailsModel.query(on: corridor.app.db).count() == 2)
            let again = try await Self.export(corridor, format: format, language: language)
            let before = try Self.rows(exported, format: format), after = try Self.rows(again, format: format)
            #expect(before.count > 60, "one row per member, with the header")
            #expect(before.first?.first == (language == .fr ? "Numéro de dossier" : "Case number"), "headers in the reader's language")
            #expect(before.first?.last == (language == .fr ? "Notes médicales" : "Medical notes"), "the protected columns are in the export")
            #expect(before == after)
            #expect(before.dropFirst().allSatisfy { !$0[1].isEmpty }, "every row names its member")
            #expect(before.contains { $0.last == "Diabète; insuline" })
        }
    }

    /// Protected columns come in through the protection role only; any other importer's file is
    /// refused whole, naming the columns, before a row is read.
    @Test func protectedColumnsAreImportedByTheProtectionRoleOnly() async throws {
        var exported = Data()
        try await TestCorridor.run { corridor in
            let households = DemoCases.generate(households: 5, seed: 8, today: Day(corridor.clock.now()))
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            _ = try await service.commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            try await service.saveProtected(number: try #require(households.first?.caseNumber).description, memberNumber: 1, Self.protected[0], expectedVersion: 0)
            exported = try await Self.export(corridor, format: "csv", language: .fr)
        }
        try await TestCorridor.run { corridor in
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let refused = try await worker.upload("/cases/import", field: "file", fileName: "export.csv", data: exported)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("colonnes protégées (Forme d&#39;exploitation") || refused.text.contains("colonnes protégées (Forme d'exploitation"))
            await #expect(throws: TabularFileError.protectedColumns(CaseImportReader.protectedColumns)) {
                _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test"))).importCases(from: .data(exported), fileName: "x.csv", write: true)
            }
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            let report = try await officer.upload("/cases/import", field: "file", fileName: "export.csv", data: exported)
            #expect(report.status == .ok)
            let id = try #require(report.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            let done = try await officer.post("/cases/import/confirm", ["id": String(id), "file_name": "export.csv"])
            #expect(done.status == .ok)
            let stored = try await ProtectedDetailsModel.query(on: corridor.app.db).all()
            #expect(stored.map(\.medicalNotes) == ["Suivi psychologique"])
            let audit = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "case_import").all()
            #expect(audit.contains { $0.detail.contains("protected details of 1 new members") })
            #expect(!audit.contains { $0.detail.contains("Suivi") }, "the audit names fields, never their content")
        }
    }
}

/// Institutions, matrices and interviews come back in as they went out, too.
@Suite struct RecordRoundTripTests {
    static func get(_ browser: TestBrowser, _ path: String) async throws -> Data {
        let response = try await browser.get(path)
        #expect(response.status == .ok, "\(path)")
        return Data(buffer: response.body)
    }

    static func rows(_ data: Data) throws -> [[String]] {
        let text = try TabularText.table(data)
        var stream = try CSVStream(data: Data(text.utf8))
        var rows: [[String]] = []
        while let row = try stream.next() { rows.append(row) }
        return rows
    }

    @Test(arguments: [("csv", Language.fr), ("csv", Language.en), ("xlsx", Language.fr), ("xlsx", Language.en)])
    func institutionsAndMatricesComeBack(format: String, language: Language) async throws {
        var institutions = Data(), matrix = Data()
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            institutions = try await Self.get(admin, "/admin/institutions/export?format=\(format)&lang=\(language.rawValue)")
            matrix = try await Self.get(admin, "/matrices/\(matrixID)/export?format=\(format)&lang=\(language.rawValue)")
        }
        try await TestCorridor.run { corridor in
            let service = CooperationService(corridor.app.serviceContext(actor: .commandLine("test")))
            let institutionPlan = try InstitutionImportReader.plan(text: TabularText.table(institutions))
            #expect(institutionPlan.issues.isEmpty, "\(institutionPlan.issues)")
            _ = try await service.importInstitutions(institutionPlan.institutions, fileName: "institutions.\(format)")
            let matrixPlan = try MatrixImportReader.plan(text: TabularText.table(matrix), institutions: try await CooperationQueries(database: corridor.app.db).institutionReferences())
            #expect(matrixPlan.issues.isEmpty, "\(matrixPlan.issues)")
            let id = try await service.importMatrix(matrixPlan, MatrixDraft(titleFrench: "Lutte contre la traite", titleEnglish: "Fight against trafficking",
                                                                            descriptionFrench: "", descriptionEnglish: "", theme: "trafficking_in_persons",
                                                                            countryA: "CIV", countryB: "MAR", project: ""), fileName: "matrix.\(format)")
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let institutionsAgain = try await Self.get(admin, "/admin/institutions/export?format=\(format)&lang=\(language.rawValue)")
            let matrixAgain = try await Self.get(admin, "/matrices/\(id)/export?format=\(format)&lang=\(language.rawValue)")
            // The administrator created by the test brings an institution of its own when its role needs one; compare the fixtures'.
            let before = try Self.rows(institutions), after = try Self.rows(institutionsAgain).filter { row in before.contains { $0.first == row.first } }
            #expect(before.count == 6 && before == after)
            #expect(before[0][0] == (language == .fr ? "Sigle" : "Acronym"))
            let matrixBefore = try Self.rows(matrix), matrixAfter = try Self.rows(matrixAgain)
            #expect(matrixBefore.count == 4 && matrixBefore == matrixAfter)
            #expect(matrixBefore[0][3] == (language == .fr ? "Institution chef de file" : "Lead institution"))
        }
    }

    @Test(arguments: ["csv", "xlsx"])
    func interviewsComeBack(format: String) async throws {
        var exported = Data()
        let questionnaire = try KoboExportShapesTests.questionnaire()
        let table = KoboExportShapesTests.table(questionnaire, separator: "/", values: .codes, selectMultiple: .both)
        let source = Data(TabularExport(sheetName: "x", headers: table[0], rows: Array(table.dropFirst())).csv(neutralise: false).utf8)
        func load(_ corridor: TestCorridor, _ data: Data) async throws {
            let catalog = corridor.app.profilingCatalog
            let stored = try #require(try await catalog.questionnaire("profiling_return"))
            let read = try KoboCSVReader.read(data: data, questionnaire: stored, mapping: KoboMapping())
            #expect(read.unmappedColumns.isEmpty && read.issues.isEmpty, "\(read.unmappedColumns) \(read.issues)")
            let outcome = try await ProfilingService(corridor.app.serviceContext(actor: .commandLine("test")))
                .importSubmissions(read, questionnaire: stored, table: try await catalog.weightTable(), source: "kobo", fileName: "in.\(format)")
            #expect(outcome.created == 3)
        }
        try await TestCorridor.run { corridor in
            try await load(corridor, source)
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            exported = try await Self.get(officer, "/profiling/interviews/export?format=\(format)")
        }
        try await TestCorridor.run { corridor in
            try await load(corridor, exported)
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let again = try await Self.get(officer, "/profiling/interviews/export?format=\(format)")
            let before = try Self.rows(exported), after = try Self.rows(again)
            #expect(before.count == 4 && before == after)
            #expect(before[0].prefix(2) == ["_uuid", "today"])
        }
    }
}
