import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct AttachmentTests {
    /// A small but real PDF, as a scanner writes one.
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + Data("IHDR-the-rest".utf8)

    static func household(_ corridor: TestCorridor) async throws -> (number: String, family: ImportedCase) {
        let households = try await DataProtectionTests.importDemo(corridor, households: 20)
        let family = try #require(households.first { $0.members.count >= 2 })
        return (try #require(family.caseNumber?.description), family)
    }

    static func attachments(_ corridor: TestCorridor) async throws -> [CaseAttachmentModel] {
        try await CaseAttachmentModel.query(on: corridor.app.db).all()
    }

    @Test func aCaseWorkerAttachesAndDownloadsAndEveryDownloadIsAudited() async throws {
        try await TestCorridor.run { corridor in
            let (number, family) = try await Self.household(corridor)
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))

            let page = try await worker.get("/cases/\(number)/attachments")
            #expect(page.status == .ok && page.text.contains("Aucune pièce jointe") && page.text.contains("enctype=\"multipart/form-data\""))
            // Nothing pre-selected but "choose"; a case worker is not offered the protected box.
            #expect(!page.text.contains("name=\"protected\""))

            let added = try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "Consentement signé.PDF", data: Self.pdf,
                                                fields: ["kind": "consent_form", "member": "1"], contentType: "application/pdf")
            #expect(added.status == .seeOther && added.location == "/cases/\(number)/attachments?notice=attachment_added")
            let stored = try #require(try await Self.attachments(corridor).first)
            #expect(stored.fileName == "Consentement signé.pdf" && stored.mediaType == "application/pdf" && stored.byteCount == Self.pdf.count)
            // On disk under the data directory, readable by Corridor's user only, under a random name.
            let file = AttachmentService.folder(corridor.app.corridor.configuration).appendingPathComponent(stored.storageName)
            #expect(try Data(contentsOf: file) == Self.pdf)
            let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(permissions == 0o600)

            let detail = try await worker.get("/cases/\(number)")
            #expect(detail.text.contains("Consentement signé.pdf") && detail.text.contains("Formulaire de consentement signé"))
            #expect(detail.text.contains("\(family.members[0].givenNames)"))

            let id = try stored.requireID().uuidString.lowercased()
            let download = try await worker.get("/cases/\(number)/attachments/\(id)")
            #expect(download.status == .ok && Data(buffer: download.body) == Self.pdf)
            #expect(download.headers.first(name: .contentType) == "application/pdf")
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            #expect(download.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''Consentement%20sign%C3%A9.pdf") == true)
            #expect(download.headers.first(name: .cacheControl) == "no-store")
            let reads = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$action == AuditAction.attachmentRead.rawValue).all()
            #expect(reads.count == 1 && reads[0].entityID == "\(number)/\(stored.storageName)")
            // The audit names the case, the member and the kind, never the file's name.
            let entries = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "case_attachment").all()
            #expect(entries.count == 2 && entries.allSatisfy { !$0.detail.contains("Consentement") && $0.detail.contains("member 1") })

            // Deleting it removes the row and the file, with its entry.
            let deleted = try await worker.post("/cases/\(number)/attachments/\(id)/delete")
            #expect(deleted.status == .seeOther)
            #expect(try await Self.attachments(corridor).isEmpty && !FileManager.default.fileExists(atPath: file.path))
            #expect(try await worker.get("/cases/\(number)/attachments/\(id)").status == .notFound)
        }
    }

    @Test func aFileIsCheckedByItsContentAndItsSizeAndTheFormKeepsTheChoices() async throws {
        try await TestCorridor.run { corridor in
            let (number, _) = try await Self.household(corridor)
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            // An HTML page named .pdf, sent as a PDF, is refused: the bytes decide.
            let disguised = try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "scan.pdf",
                                                    data: Data("<html><script>alert(1)</script></html>".utf8),
                                                    fields: ["kind": "identity_document", "member": "2"], contentType: "application/pdf")
            #expect(disguised.status == .unprocessableEntity && disguised.text.contains("Seuls les fichiers PDF, JPEG et PNG"))
            #expect(disguised.text.contains("value=\"identity_document\" selected") && disguised.text.contains("value=\"2\" selected"))
            let limit = corridor.app.corridor.configuration.attachmentMaxBytes
            let large = Self.pdf + Data(count: limit + 1 - Self.pdf.count)
            let tooLarge = try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "big.pdf", data: large,
                                                   fields: ["kind": "other", "member": ""], contentType: "application/pdf")
            #expect(tooLarge.status == .unprocessableEntity && tooLarge.text.contains("dépasse la taille permise"))
            let noKind = try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "photo.png", data: Self.png,
                                                 fields: ["member": "1"], contentType: "image/png")
            #expect(noKind.status == .unprocessableEntity)
            // A case worker cannot mark a paper protected (it would be hidden from them, and the
            // choice is the protection officer's).
            let marked = try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "certificat.pdf", data: Self.pdf,
                                                 fields: ["kind": "other", "member": "1", "protected": "1"], contentType: "application/pdf")
            #expect(marked.status == .unprocessableEntity && marked.text.contains("Seuls les officiers de protection"))
            // A member the case does not have.
            let nobody = try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "x.png", data: Self.png,
                                                 fields: ["kind": "other", "member": "42"], contentType: "image/png")
            #expect(nobody.status == .notFound)
            #expect(try await Self.attachments(corridor).isEmpty)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: AttachmentService.folder(corridor.app.corridor.configuration).path)) ?? []
            #expect(files.isEmpty)
        }
    }

    @Test func protectedAttachmentsReachProtectionOfficersAloneAndPartnersOnlyThePeopleWhoShare() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let (number, family) = try await Self.household(corridor)
            let protection = try await corridor.browser(signedInAs: try await corridor.makeUser(.protection))
            let protectedPage = try await protection.get("/cases/\(number)/attachments")
            #expect(protectedPage.text.contains("name=\"protected\""))
            #expect(try await protection.upload("/cases/\(number)/attachments", field: "file", fileName: "certificat médical.pdf", data: Self.pdf,
                                                fields: ["kind": "other", "member": "1", "protected": "1"], contentType: "application/pdf").status == .seeOther)
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "passeport.png", data: Self.png,
                                            fields: ["kind": "identity_document", "member": "2"], contentType: "image/png").status == .seeOther)
            #expect(try await worker.upload("/cases/\(number)/attachments", field: "file", fileName: "menage.pdf", data: Self.pdf,
                                            fields: ["kind": "consent_form", "member": ""], contentType: "application/pdf").status == .seeOther)
            let rows = try await Self.attachments(corridor)
            let certificate = try #require(rows.first { $0.isProtected == 1 }).requireID().uuidString.lowercased()
            let passport = try #require(rows.first { $0.mediaType == "image/png" }).requireID().uuidString.lowercased()
            let householdPaper = try #require(rows.first { $0.memberID == nil }).requireID().uuidString.lowercased()

            // The case worker and the administrator see that it exists, not what it is.
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            for reader in [worker, admin] {
                let list = try await reader.get("/cases/\(number)/attachments")
                #expect(list.status == .ok && !list.text.contains("certificat") && list.text.contains("1 pièce protégée"))
                #expect(try await reader.get("/cases/\(number)/attachments/\(certificate)").status == .notFound)
                #expect(try await reader.post("/cases/\(number)/attachments/\(certificate)/delete").status == .notFound)
            }
            let opened = try await protection.get("/cases/\(number)/attachments/\(certificate)")
            #expect(opened.status == .ok && Data(buffer: opened.body) == Self.pdf)
            // The person's file (an access request) lists what is attached about them.
            #expect(try await protection.get("/cases/\(number)/members/1/file").text.contains("certificat médical.pdf"))
            #expect(try await admin.get("/cases/\(number)/members/2/file").text.contains("passeport.png"))
            #expect(!(try await admin.get("/cases/\(number)/members/1/file").text.contains("certificat")))
            // Erasing one person keeps the household's papers: the erasure page says so.
            #expect(try await protection.get("/cases/\(number)/members/2/erase").text.contains("1 document du ménage entier"))
            // Roles that do not see cases see no attachment.
            for role in [Role.communications, .meOfficer, .focalPoint] {
                let other = try await corridor.browser(signedInAs: try await corridor.makeUser(role))
                #expect(try await other.get("/cases/\(number)/attachments/\(passport)").status == .forbidden)
                #expect(try await other.get("/cases/\(number)/attachments").status == .forbidden)
            }
            // A partner's user sees the papers of the people who share with their institution, and
            // none of the household's.
            let partner = try await corridor.makeInstitution("ANADER")
            let partnerID = try partner.requireID()
            let partnerBrowser = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker, institution: partnerID))
            #expect(try await partnerBrowser.get("/cases/\(number)/attachments/\(passport)").status == .notFound)
            try await ConsentService(context: app.serviceContext(actor: .commandLine("test"))).record(
                number: number, member: 1, ConsentDraft(purpose: .sharing, answer: .given, method: .signed, recordedOn: Day(corridor.clock.now()),
                                                        partners: [partnerID.uuidString.lowercased()]))
            let partnerList = try await partnerBrowser.get("/cases/\(number)/attachments")
            #expect(partnerList.status == .ok && !partnerList.text.contains("passeport") && !partnerList.text.contains("menage"))
            #expect(!partnerList.text.contains(family.members[1].givenNames))
            #expect(try await partnerBrowser.get("/cases/\(number)/attachments/\(passport)").status == .notFound)
            #expect(try await partnerBrowser.get("/cases/\(number)/attachments/\(householdPaper)").status == .notFound)
            #expect(try await partnerBrowser.upload("/cases/\(number)/attachments", field: "file", fileName: "a.png", data: Self.png,
                                                    fields: ["kind": "other", "member": "2"], contentType: "image/png").status == .notFound)
        }
    }

    @Test func erasureAndRetentionDeleteAPersonsAttachmentsAndTheSweepTheLeftovers() async throws {
        try await TestCorridor.run { corridor in
            let app = corridor.app
            let (number, _) = try await Self.household(corridor)
            let context = app.serviceContext(actor: .commandLine("test"))
            let service = AttachmentService(context: context)
            let limit = app.corridor.configuration.attachmentMaxBytes
            try await service.add(number: number, .init(kind: .identityDocument, member: 1, isProtected: false, fileName: "p1.png", data: Self.png), limitBytes: limit)
            try await service.add(number: number, .init(kind: .identityDocument, member: 2, isProtected: false, fileName: "p2.png", data: Self.png), limitBytes: limit)
            try await service.add(number: number, .init(kind: .consentForm, member: nil, isProtected: false, fileName: "f.pdf", data: Self.pdf), limitBytes: limit)
            let folder = AttachmentService.folder(app.corridor.configuration)
            func stored() -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []) }
            #expect(stored().count == 3)

            let record = try #require(try await ReturnCaseModel.query(on: app.db).filter(\.$caseNumber == number).first())
            try await ErasureService(context: context).erase(number: number, member: 2, .init(reason: .personsRequest, reference: "REQ-7"),
                                                             expectedVersion: record.version)
            let left = try await Self.attachments(corridor)
            #expect(left.count == 2 && Set(left.map(\.storageName)) == stored())
            // An erased person takes no new attachment.
            await #expect(throws: CaseError.self) {
                try await service.add(number: number, .init(kind: .other, member: 2, isProtected: false, fileName: "again.png", data: Self.png), limitBytes: limit)
            }
            // The rest of the household anonymised: the household's papers go too.
            try await app.db.writeTransaction { db in
                let outcome = try await Anonymiser.anonymise(caseID: try record.requireID(), caseNumber: number, on: Day(corridor.clock.now()),
                                                             now: corridor.clock.now(), on: db)
                #expect(outcome.files.count == 2)
                for name in outcome.files { context.attachments.remove(name) }
            }
            #expect(try await Self.attachments(corridor).isEmpty && stored().isEmpty)

            // A file no row describes (a crash between the two) goes once it is an hour old.
            try context.attachments.write(Self.png, name: "left-over", at: corridor.clock.now())
            #expect(try await AttachmentService.sweepOrphans(files: context.attachments, on: app.db, now: corridor.clock.now()) == 0)
            corridor.clock.advance(by: 3_601)
            #expect(try await AttachmentService.sweepOrphans(files: context.attachments, on: app.db, now: corridor.clock.now()) == 1)
            #expect(stored().isEmpty)
        }
    }
}
