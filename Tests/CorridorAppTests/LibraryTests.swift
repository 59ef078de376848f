import CorridorCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// *Données et ressources*: documents added by the communications role, checked by their
/// bytes and size, published, found by words and filters, served with their type.
@Suite struct LibraryTests {
    static let pdf = Data("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)

    static func fields(_ title: String, kind: String = "report", language: String = "fr", date: String = "2026-03-01") -> [String: String] {
        ["title": title, "description": "Profils des personnes rentrées en 2025", "kind": kind, "language": language, "published_on": date]
    }

    @Test func theFileIsCheckedByItsBytesAndSize() throws {
        let today = Day(iso: "2026-09-21")!
        let draft = LibraryDraft(title: "Rapport", description: "", kind: "report", language: "fr", publishedOn: "2026-01-02", fileName: "rapport.pdf")
        #expect(LibraryRules.check(draft, data: Self.pdf, limitBytes: 1_000, today: today).type == .pdf)
        #expect(LibraryRules.check(draft, data: Self.pdf, limitBytes: 10, today: today).issues == [FieldIssue("file", "library.error.too_large")])
        var html = draft
        html.fileName = "rapport.pdf"
        #expect(LibraryRules.check(html, data: Data("<html><script>alert(1)</script>".utf8), limitBytes: 1_000, today: today).issues == [FieldIssue("file", "library.error.type")])
        var csv = draft
        csv.fileName = "retours.csv"
        #expect(LibraryRules.check(csv, data: Data("pays;annee;retours\nMAR;2025;120\n".utf8), limitBytes: 1_000, today: today).type == .csv)
        #expect(LibraryRules.check(csv, data: Data([0x41, 0x00, 0x42]), limitBytes: 1_000, today: today).type == nil)
        let workbook = try TabularExport(sheetName: "data", headers: ["a"], rows: [["1"]]).xlsx()
        var xlsx = draft
        xlsx.fileName = "data.bin"
        #expect(LibraryRules.check(xlsx, data: workbook, limitBytes: 1 << 20, today: today).type == .xlsx)
        let bad = LibraryDraft(title: " ", description: "", kind: "poem", language: "de", publishedOn: "2027-01-01", fileName: "x.pdf")
        let issues = LibraryRules.check(bad, data: Self.pdf, limitBytes: 1_000, today: today).issues.map(\.field)
        #expect(issues == ["title", "kind", "language", "published_on"])
        #expect(LibraryRules.downloadName("Rapport d'étape (final).PDF", type: .pdf) == "rapport-detape-final.pdf")
    }

    @Test func theCommunicationsRoleAddsAndPublishesTheyAreFoundAndServed() async throws {
        try await TestCorridor.run { corridor in
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            #expect(try await writer.get("/admin/library").status == .ok)
            let added = try await writer.upload("/admin/library", field: "file", fileName: "Profilage 2025.pdf", data: Self.pdf, fields: Self.fields("Rapport de profilage 2025"))
            #expect(added.status == .seeOther)
            _ = try await writer.upload("/admin/library", field: "file", fileName: "fiche.pdf", data: Self.pdf, fields: Self.fields("Fiche retour volontaire", kind: "factsheet", language: "en", date: "2025-06-01"))
            // A page is refused whole and keeps what was typed.
            let refused = try await writer.upload("/admin/library", field: "file", fileName: "page.pdf", data: Data("<html>".utf8), fields: Self.fields("Titre gardé"))
            #expect(refused.status == .unprocessableEntity && refused.text.contains("value=\"Titre gardé\""))

            let visitor = TestBrowser(app: corridor.app)
            #expect(try await visitor.get("/resources").text.contains("Rapport de profilage") == false, "a draft is not public")
            let rows = try await LibraryQueries(database: corridor.app.db).list(LibraryQueries.Filter(), includeDrafts: true)
            #expect(rows.count == 2)
            for row in rows { #expect(try await writer.post("/admin/library/\(row.id.uuidString)/publish").status == .seeOther) }
            let page = try await visitor.get("/resources?lang=fr")
            #expect(page.status == .ok && page.text.contains("Rapport de profilage 2025") && page.text.contains("Fiche retour volontaire"))
            // Words (accents aside) and filters.
            let searched = try await visitor.get("/resources?q=PROFILAGE")
            #expect(searched.text.contains("Rapport de profilage 2025") && !searched.text.contains("Fiche retour"))
            #expect(!(try await visitor.get("/resources?kind=factsheet").text.contains("Rapport de profilage")))
            #expect(try await visitor.get("/resources?year=2025").text.contains("Fiche retour volontaire"))
            // The download: its type, its bytes, a safe name.
            let report = try #require(rows.first { $0.title.hasPrefix("Rapport") })
            let file = try await visitor.get(LibraryPages.downloadPath(report))
            #expect(file.status == .ok && file.headers.first(name: .contentType) == "application/pdf")
            #expect(Data(buffer: file.body) == Self.pdf)
            #expect(file.headers.first(name: .contentDisposition)?.contains("profilage-2025.pdf") == true)
            // Unpublished: gone for the public.
            #expect(try await writer.post("/admin/library/\(report.id.uuidString)/unpublish").status == .seeOther)
            #expect(try await visitor.get(LibraryPages.downloadPath(report)).status == .notFound)
            #expect(try await writer.post("/admin/library/\(report.id.uuidString)/delete").status == .seeOther)
            #expect(try await LibraryQueries(database: corridor.app.db).list(LibraryQueries.Filter(), includeDrafts: true).count == 1)
            // Other roles do not manage it.
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await worker.get("/admin/library").status == .forbidden)
            #expect(try await visitor.get("/sitemap.xml").text.contains("/resources"))
        }
    }
}
