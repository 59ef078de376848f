import CorridorCore
import Fluent
import SQLKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// The public website run by the communications role: section pages with revisions, the
/// menu, the offices on their map, and a crawl that finds no broken internal link.
@Suite struct WebsiteTests {
    static func id(of response: TestingHTTPResponse) throws -> String {
        try #require(response.location?.firstMatch(of: /\/admin\/pages\/([0-9A-Fa-f-]{36})/)?.1).description
    }

    static func version(_ corridor: TestCorridor, _ id: String) async throws -> Int {
        try #require(try await SitePageModel.find(UUID(uuidString: id), on: corridor.app.db)).version
    }

    @Test func theSeededSiteIsPublicInBothLanguagesWithItsMenu() async throws {
        try await TestCorridor.run { corridor in
            let visitor = TestBrowser(app: corridor.app)
            let home = try await visitor.get("/?lang=fr")
            let menu = try #require(home.text.firstMatch(of: /<nav class="portal-links"[^>]*>(.*?)<\/nav>/)?.1).description
            let order = ["Qui sommes-nous", "Notre travail", "Où travaillons-nous", "Agir", "Données et ressources", "Agenda 2030"]
            let positions = order.map { menu.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil }, "\(menu)")
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "the seed's order")
            #expect(menu.contains("href=\"https://sdgs.un.org/2030agenda\""))
            for (path, text) in [("/qui-sommes-nous?lang=fr", "Texte d&#39;exemple"), ("/who-we-are?lang=en", "Sample text"), ("/qui-sommes-nous/a-propos?lang=fr", "À propos de la mission"),
                                 ("/who-we-are/about-the-mission?lang=en", "About the mission"), ("/ou-travaillons-nous?lang=fr", "Abidjan"),
                                 ("/agir?lang=fr", "href=\"/contact\""), ("/data-and-resources?lang=en", "href=\"/resources\"")] {
                let page = try await visitor.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains(text) || page.text.contains(text.replacingOccurrences(of: "&#39;", with: "'")), "\(path)")
                #expect(page.headers.setCookie == nil, "no cookie on a page without a form: \(path)")
            }
            // A section lists its sub-pages; a sub-page leads back to its section.
            #expect(try await visitor.get("/qui-sommes-nous?lang=fr").text.contains("href=\"/qui-sommes-nous/a-propos\""))
            #expect(try await visitor.get("/qui-sommes-nous/a-propos?lang=fr").text.contains("<nav class=\"crumbs\""))
            // The address is the one in the reader's language; each names the other as alternate.
            let english = try await visitor.get("/qui-sommes-nous?lang=en")
            #expect(english.status == .seeOther && english.location == "/who-we-are?lang=en")
            let page = try await visitor.get("/who-we-are?lang=en")
            #expect(page.text.contains("hreflang=\"fr\" href=\"http://localhost:8080/qui-sommes-nous?lang=fr\"") || page.text.contains("/qui-sommes-nous?lang=fr\""))
            #expect(page.text.contains("<link rel=\"canonical\" href=\"") && page.text.contains("/who-we-are?lang=en\">"))
            // Unknown addresses stay 404, for any method.
            #expect(try await visitor.get("/no-such-section").status == .notFound)
            #expect(try await visitor.get("/qui-sommes-nous/no-such-page").status == .notFound)
            #expect(try await visitor.post("/no-such-section", csrf: false).status != .methodNotAllowed)
            // The sitemap lists each page in both languages under its own address.
            let sitemap = try await visitor.get("/sitemap.xml").text
            for address in ["/qui-sommes-nous?lang=fr", "/who-we-are?lang=en", "/qui-sommes-nous/a-propos?lang=fr", "/where-we-work?lang=en"] {
                #expect(sitemap.contains("<loc>http://") && sitemap.contains("\(address)</loc>"), "\(address)")
            }
            #expect(!sitemap.contains("sdgs.un.org"), "a link to another site is not one of ours")
            // Read by an XML parser: every address has its alternates, each of them listed too.
            let read = SitemapReader(Data(sitemap.utf8))
            #expect(read.parsed && read.locations.count > 20, "\(read.locations.count) addresses")
            #expect(read.alternates.allSatisfy { read.locations.contains($0) }, "every alternate is itself listed")
            #expect(read.locations.contains { $0.hasSuffix("/where-we-work?lang=en") } && read.alternates.contains { $0.hasSuffix("/ou-travaillons-nous?lang=fr") })
        }
    }

    @Test func editorsWritePublishCorrectRestoreHideAndOrder() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let visitor = TestBrowser(app: corridor.app)
            #expect(try await writer.get("/admin/pages").status == .ok)
            // A new section, French first: saved as a draft, English missing for publication.
            var fields = ["parent": "", "feature": "text", "title_fr": "Partenariats", "slug_fr": "", "summary_fr": "Nos partenaires",
                          "body_fr": "Nous avons aidé {{figure returns style=exact}} personnes.", "title_en": "", "slug_en": "", "summary_en": "", "body_en": ""]
            let created = try await writer.post("/admin/pages/new", fields)
            #expect(created.status == .seeOther, "\(created.text.prefix(1500))")
            let id = try Self.id(of: created)
            let page = try #require(try await SitePageModel.find(UUID(uuidString: id), on: corridor.app.db))
            #expect(page.slugFR == "partenariats" && page.status == "draft")
            #expect(try await visitor.get("/partenariats").status == .notFound, "a draft is not public")
            let refused = try await writer.post("/admin/pages/\(id)/publish", ["version": String(page.version)])
            #expect(refused.status == .unprocessableEntity && refused.text.contains("À remplir en français et en anglais"))
            // A reserved or taken address is refused, and the form keeps what was typed.
            fields["version"] = String(page.version)
            fields["slug_en"] = "data"
            fields["title_en"] = "Partnerships"
            let reserved = try await writer.post("/admin/pages/\(id)", fields)
            #expect(reserved.status == .unprocessableEntity && reserved.text.contains("celle d&#39;une page de Corridor") && reserved.text.contains("value=\"Partnerships\""))
            fields["slug_en"] = "who-we-are"
            #expect(try await writer.post("/admin/pages/\(id)", fields).text.contains("Une autre page utilise déjà cette adresse"))
            // Preview: figures counted, nothing saved.
            fields["slug_en"] = ""
            fields["body_en"] = "We helped {{figure returns style=exact}} people."
            fields["preview"] = "1"
            let preview = try await writer.post("/admin/pages/\(id)", fields)
            #expect(preview.status == .ok && preview.text.contains("We helped") && !preview.text.contains("{{figure returns style=exact}} people.</p>"))
            #expect(try await SitePageModel.find(UUID(uuidString: id), on: corridor.app.db)?.bodyEN == "")
            fields["preview"] = nil
            #expect(try await writer.post("/admin/pages/\(id)", fields).status == .seeOther)
            // A stale version is a conflict, not an overwrite.
            #expect(try await writer.post("/admin/pages/\(id)", fields).status == .conflict)
            let published = try await writer.post("/admin/pages/\(id)/publish", ["version": String(try await Self.version(corridor, id))])
            #expect(published.status == .seeOther)
            let first = try await visitor.get("/partenariats?lang=fr")
            #expect(first.status == .ok && first.text.contains("Nous avons aidé") && !first.text.contains("{{figure"), "figures resolved")
            #expect(try await visitor.get("/partnerships?lang=en").text.contains("We helped"))
            #expect(try await visitor.get("/?lang=fr").text.contains("href=\"/partenariats\""), "in the menu")

            // A new draft does not reach the public before publication.
            fields["version"] = String(try await Self.version(corridor, id))
            fields["body_fr"] = "Deuxième version."
            #expect(try await writer.post("/admin/pages/\(id)", fields).status == .seeOther)
            #expect(try await visitor.get("/partenariats?lang=fr").text.contains("Nous avons aidé"))
            #expect(try await writer.get("/admin/pages/\(id)").text.contains("Le brouillon diffère de la version publiée"))
            #expect(try await writer.post("/admin/pages/\(id)/publish", ["version": String(try await Self.version(corridor, id))]).status == .seeOther)
            #expect(try await visitor.get("/partenariats?lang=fr").text.contains("Deuxième version."))
            // Restore revision 1: back online as it was shown, as revision 3.
            let restored = try await writer.post("/admin/pages/\(id)/restore", ["version": String(try await Self.version(corridor, id)), "number": "1"])
            #expect(restored.status == .seeOther)
            #expect(try await visitor.get("/partenariats?lang=fr").text.contains("Nous avons aidé"))
            let revisions = try await SiteQueries(database: corridor.app.db).revisions(UUID(uuidString: id)!)
            #expect(revisions.map(\.number) == [3, 2, 1] && revisions.map(\.kind) == ["restore", "publication", "publication"])
            #expect(revisions.first?.note == "1")
            let editor = try await writer.get("/admin/pages/\(id)")
            #expect(editor.text.contains("Remettre en ligne la révision 2") && editor.text.contains("de la révision 1"))

            // Order: the new section moved up one place, before the 2030 Agenda link.
            #expect(try await writer.post("/admin/pages/\(id)/move", ["direction": "up"]).status == .seeOther)
            let menu = try await visitor.get("/?lang=fr").text
            let mine = try #require(menu.range(of: "Partenariats")), agenda = try #require(menu.range(of: "Agenda 2030"))
            #expect(mine.lowerBound < agenda.lowerBound)
            // Taken off the site: 404 and out of the menu; its revisions stay.
            #expect(try await writer.post("/admin/pages/\(id)/hide", ["version": String(try await Self.version(corridor, id))]).status == .seeOther)
            #expect(try await visitor.get("/partenariats?lang=fr").status == .notFound)
            #expect(!(try await visitor.get("/?lang=fr").text.contains("Partenariats")))
            // Every step audited; other roles are kept out.
            let audited = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "site_page").count()
            #expect(audited >= 8)
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await worker.get("/admin/pages").status == .forbidden)
            #expect(try await worker.post("/admin/pages/\(id)/publish", ["version": "1"]).status == .forbidden)
        }
    }

    @Test func officesServeTheCasesFiltersAndTheMap() async throws {
        try await TestCorridor.run { corridor in
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let visitor = TestBrowser(app: corridor.app)
            #expect(try await writer.get("/admin/offices").text.contains("Abidjan"), "the mission's office is seeded")
            // A wrong position is refused and the form keeps what was typed.
            var fields = ["code": "TUN", "city": "Tunis", "address": "Rue du Lac", "email": "tunis@example.org", "phone": "+216 71 000 000",
                          "description_fr": "Accueil des personnes qui souhaitent rentrer", "description_en": "Receives people who wish to return",
                          "latitude": "136.8", "longitude": "10.18", "is_public": "1"]
            let refused = try await writer.post("/admin/offices/new", fields)
            #expect(refused.status == .unprocessableEntity && refused.text.contains("value=\"Tunis\"") && refused.text.contains("Latitude en degrés"))
            fields["latitude"] = "36.8"
            #expect(try await writer.post("/admin/offices/new", fields).status == .seeOther)
            #expect(try await writer.post("/admin/offices/new", fields).text.contains("Ce pays a déjà un bureau"))
            // The public page: the point on the map, the office in the list.
            let page = try await visitor.get("/ou-travaillons-nous?lang=fr")
            #expect(page.text.contains("<svg") && page.text.contains("<title>Tunis · Tunisie</title>") && page.text.contains("id=\"office-tun\""))
            #expect(page.text.contains("mailto:tunis@example.org") && page.text.contains("Accueil des personnes"))
            #expect(try await visitor.get("/where-we-work?lang=en").text.contains("Receives people who wish to return"))
            // One table: the case form and the caseload filter offer the offices, and a case is
            // registered for one of them only.
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let form = try await worker.get("/cases/new")
            #expect(form.text.contains("<option value=\"TUN\">Tunisie — Tunis</option>"))
            let officeField = try #require(form.text.firstMatch(of: /<select id="office"[^>]*>(.*?)<\/select>/)?.1)
            #expect(!officeField.contains("value=\"MLI\""), "a country without an office is not offered")
            #expect(try await worker.get("/cases").text.contains("<option value=\"TUN\">Tunisie — Tunis</option>"))
            var household = CaseWorkflowTests.household
            household["office"] = "MLI"
            let wrong = try await worker.post("/cases/new", household)
            #expect(wrong.status == .unprocessableEntity && wrong.text.contains("Choisissez l&#39;un des bureaux de la mission"))
            household["office"] = "TUN"
            _ = try await CaseWorkflowTests.register(worker, household)
            // An import naming an office the table lacks adds it, to be completed, not public.
            try await IndicatorTests.load(corridor)
            let imported = ImportedCase(caseNumber: CaseNumber("MAR-2024-00001"), fields: CaseFields(hostCountry: "LBY", office: "MAR", registeredOn: Day(iso: "2024-01-05")!),
                                        members: [MemberDraft(memberNumber: 1, relationship: .principal, givenNames: "Test", familyName: "Office", sex: .male,
                                                              birthDate: BirthDate(text: "1990"), nationality: "CIV")], lines: [])
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test"))).commit(CaseImportPlan(cases: [imported], issues: [], rowCount: 1), fileName: "x")
            let morocco = try #require(try await OfficeModel.query(on: corridor.app.db).filter(\.$code == "MAR").first())
            #expect(morocco.isPublic == false && morocco.city.isEmpty)
            #expect(!(try await visitor.get("/ou-travaillons-nous?lang=fr").text.contains("id=\"office-mar\"")))
            #expect(try await worker.get("/admin/offices").status == .forbidden)
            // A user's scope names offices of the table.
            let admin = try await corridor.browser(signedInAs: try await corridor.makeUser(.admin))
            let senegal = try await admin.post("/admin/users/new", ["email": "dakar@example.org", "name": "Agent Dakar", "role": "caseworker", "offices": "SEN"])
            #expect(senegal.status == .unprocessableEntity && senegal.text.contains("codes des bureaux de la mission"))
            let tunis = try await admin.post("/admin/users/new", ["email": "tunis@example.org", "name": "Agent Tunis", "role": "caseworker", "offices": "TUN, CIV"])
            #expect(tunis.status == .ok, "\(tunis.text.prefix(800))")
            // A scope given before the table existed does not block editing the user.
            let older = try await corridor.makeUser(.caseworker, offices: "CIV")
            older.offices = "|CIV|SEN|"
            try await older.update(on: corridor.app.db)
            let edited = try await admin.post("/admin/users/\(try older.requireID().uuidString)", ["email": older.email, "name": "Renamed", "role": "caseworker",
                                                                                                 "offices": "CIV, SEN", "version": String(older.version)])
            #expect(edited.status == .seeOther, "\(edited.text.prefix(800))")
        }
    }

    /// What the public reads changes at publication only: a saved draft that turns a section
    /// into the offices' page shows nothing new; "save and publish" does both at once.
    @Test func aSavedDraftChangesNothingPublicUntilPublished() async throws {
        try await TestCorridor.run { corridor in
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let visitor = TestBrowser(app: corridor.app)
            let work = try #require(try await SitePageModel.query(on: corridor.app.db).filter(\.$slugFR == "notre-travail").first())
            let id = try work.requireID().uuidString
            var fields = ["feature": "offices", "external_url": "", "slug_fr": "notre-travail", "slug_en": "our-work", "title_fr": "Notre travail et nos bureaux",
                          "title_en": "Our work and offices", "summary_fr": "", "summary_en": "", "body_fr": "Nouveau texte.", "body_en": "New text.",
                          "version": String(work.version)]
            #expect(try await writer.post("/admin/pages/\(id)", fields).status == .seeOther)
            let before = try await visitor.get("/notre-travail?lang=fr").text
            #expect(!before.contains("Nouveau texte.") && !before.contains("<svg") && !before.contains("Notre travail et nos bureaux"))
            fields["version"] = String(work.version + 1)
            fields["publish"] = "1"
            let published = try await writer.post("/admin/pages/\(id)", fields)
            #expect(published.status == .seeOther && published.location?.contains("page_published") == true)
            let after = try await visitor.get("/notre-travail?lang=fr").text
            #expect(after.contains("Nouveau texte.") && after.contains("<svg") && after.contains("Notre travail et nos bureaux"))
            // A link to another site has no sub-pages.
            let agenda = try #require(try await SitePageModel.query(on: corridor.app.db).filter(\.$feature == "link").first())
            let child = try await writer.post("/admin/pages/new", ["parent": try agenda.requireID().uuidString, "feature": "text", "title_fr": "Sous-page", "title_en": "Sub-page",
                                                                  "body_fr": "x", "body_en": "x"])
            #expect(child.status == .unprocessableEntity && child.text.contains("Choisissez une rubrique du menu"))
        }
    }

    /// With the version read once for many requests (as served), a write through the pages is
    /// still seen at once by the next reader.
    @Test func aWriteThroughThePagesIsSeenAtOnceWhenTheVersionIsReused() async throws {
        try await TestCorridor.run { corridor in
            corridor.app.publicPageCache = PublicPageCache(versionReuse: .seconds(60))
            let visitor = TestBrowser(app: corridor.app)
            let first = try await visitor.get("/agir?lang=fr").text
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let act = try #require(try await SitePageModel.query(on: corridor.app.db).filter(\.$slugFR == "agir").first())
            let published = try await writer.post("/admin/pages/\(try act.requireID().uuidString)", [
                "feature": "contact", "slug_fr": "agir", "slug_en": "take-action", "title_fr": "Agir", "title_en": "Take action",
                "body_fr": "Signez la [charte](https://example.org/charte).", "body_en": "Sign the [charter](https://example.org/charter).",
                "version": String(act.version), "publish": "1"])
            #expect(published.status == .seeOther)
            let after = try await visitor.get("/agir?lang=fr").text
            #expect(!first.contains("charte") && after.contains("href=\"https://example.org/charte\""), "the editor's links on Agir")
        }
    }

    /// The sharing cards are PNGs of 1200 × 630 drawn from the figures: the site's, and each
    /// article's own key figure, announced by the article's OpenGraph image.
    @Test func sharingCardsArePNGsDrawnFromTheFigures() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            func publish(_ title: String, _ body: String) async throws -> String {
                let saved = try await writer.post("/admin/news/new", ["language": "fr", "title": title, "summary": "Résumé", "body": body])
                let id = try #require(saved.location?.components(separatedBy: "?").first?.replacingOccurrences(of: "/admin/news/", with: ""))
                let article = try #require(try await NewsArticleModel.find(UUID(uuidString: id), on: corridor.app.db))
                #expect(try await writer.post("/admin/news/\(id)/publish", ["version": String(article.version), "confirm": "1"]).status == .seeOther)
                return article.slug
            }
            let returns = try await publish("Bilan", "Depuis 2017, {{figure returns from=2017-01-01 style=exact}} retours.")
            let plain = try await publish("Sans chiffre", "Un texte sans chiffre.")
            let visitor = TestBrowser(app: corridor.app)
            let page = try await visitor.get("/news/\(returns)?lang=fr")
            #expect(page.text.contains("<meta property=\"og:image\" content=\"") && page.text.contains("/news/\(returns)/card.png?lang=fr\">"))
            var cards: [Data] = []
            for path in ["/card.png?lang=fr", "/news/\(returns)/card.png?lang=fr", "/news/\(plain)/card.png?lang=fr"] {
                let card = try await visitor.get(path)
                #expect(card.status == .ok && card.headers.contentType?.description == "image/png", "\(path)")
                let data = Data(buffer: card.body)
                #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]) && Array(data[16..<24]) == [0, 0, 0x04, 0xB0, 0, 0, 0x02, 0x76], "\(path)")
                cards.append(data)
            }
            #expect(Set(cards).count == 3, "each card is drawn from its own figure or title")
            #expect(try await visitor.get("/news/no-such-article/card.png").status == .notFound)
        }
    }

    /// A quote in a link's address or an image's text cannot open an attribute of its own.
    @Test func markdownQuotesStayInsideTheirAttribute() {
        for markdown in ["[x](https://a.org\" onmouseover=\"alert(1))", "![a\" onerror=\"alert(1)](/x.png)", "Il a dit \"merci\"."] {
            let html = SafeMarkdown.render(markdown)
            #expect(!html.contains("onmouseover=\"") && !html.contains("onerror=\""), "\(html)")
        }
        #expect(SafeMarkdown.render("Il a dit \"merci\".").contains("Il a dit &quot;merci&quot;."))
    }

    /// Every internal link of the public site, followed from the home page in both languages
    /// without signing in: none is broken.
    @Test func aCrawlFindsNoBrokenInternalLink() async throws {
        try await TestCorridor.run { corridor in
            try await IndicatorTests.load(corridor)
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            _ = try await writer.upload("/admin/library", field: "file", fileName: "rapport.pdf", data: LibraryTests.pdf, fields: LibraryTests.fields("Rapport annuel"))
            for row in try await LibraryQueries(database: corridor.app.db).list(LibraryQueries.Filter(), includeDrafts: true) {
                _ = try await writer.post("/admin/library/\(row.id.uuidString)/publish")
            }
            let visitor = TestBrowser(app: corridor.app)
            var queue = ["/?lang=fr", "/?lang=en", "/sitemap.xml"]
            var seen = Set(queue)
            var broken: [String] = []
            var visited = 0
            while !queue.isEmpty, visited < 400 {
                let path = queue.removeFirst()
                visited += 1
                let response = try await visitor.get(path)
                var status = response.status
                if status == .seeOther || status == .found || status == .movedPermanently, let location = response.location, location.hasPrefix("/") {
                    status = try await visitor.get(location).status
                }
                guard status == .ok else { broken.append("\(path) → \(status.code)"); continue }
                guard (response.headers.contentType?.subType ?? "").contains("html") || path.hasSuffix(".xml") else { continue }
                let text = response.text.replacingOccurrences(of: "&amp;", with: "&")
                let links = text.matches(of: /(?:href|src)="([^"#]*)/).map { String($0.1) } + text.matches(of: /<loc>http:\/\/[^\/<]+([^<]*)<\/loc>/).map { String($0.1) }
                for link in links where link.hasPrefix("/") && !link.hasPrefix("//") && !seen.contains(link) && !link.hasPrefix("/logout") {
                    seen.insert(link)
                    queue.append(link)
                }
            }
            #expect(broken.isEmpty, "\(broken)")
            #expect(visited > 40, "the crawl reached the site: \(visited) pages")
            for expected in ["/qui-sommes-nous/a-propos", "/who-we-are/about-the-mission", "/resources", "/contact", "/data/returns.xlsx"] {
                #expect(seen.contains { $0.hasPrefix(expected) }, "\(expected)")
            }
        }
    }
}

/// A sitemap as a crawler reads it: `<loc>` addresses and `xhtml:link` alternates.
final class SitemapReader: NSObject, XMLParserDelegate {
    var locations: [String] = []
    var alternates: Set<String> = []
    var parsed = false
    private var text = ""

    init(_ data: Data) {
        super.init()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        parsed = parser.parse()
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        text = ""
        if element == "link", namespaceURI == "http://www.w3.org/1999/xhtml", let href = attributes["href"] { alternates.insert(href) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        if element == "loc" { locations.append(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// The caseload's counts taken from the return summary and the words' index (issue 18) equal
/// the rows counted one by one, after imports, registration and edits.
@Suite struct CaseloadCountTests {
    @Test func summaryCountsEqualRowCounts() async throws {
        try await TestCorridor.run { corridor in
            let worker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            let data = Data(CaseImportRouteTests.file(rows: 120, badLines: []).utf8)
            let report = try await worker.upload("/cases/import", field: "file", fileName: "cases.csv", data: data)
            let importID = try #require(report.text.firstMatch(of: /name="id" value="([0-9a-f-]{36})"/)?.1)
            #expect(try await worker.post("/cases/import/confirm", ["id": String(importID), "file_name": "cases.csv"]).status == .ok)
            try await IndicatorTests.load(corridor)
            _ = try await CaseWorkflowTests.register(worker)
            let queries = CaseQueries(database: corridor.app.db)
            let sql = try corridor.app.db.sqlDatabase
            struct Count: Decodable { var n: Int }
            func rows(_ condition: String) async throws -> Int {
                try await sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM return_cases c WHERE \(unsafeRaw: condition)")).first(decoding: Count.self)?.n ?? -1
            }
            let cases: [(CaseFilter, String)] = [
                (CaseFilter(), "1 = 1"),
                (CaseFilter(status: "arrived"), "c.status = 'arrived'"),
                (CaseFilter(host_country: "mar"), "c.host_country = 'MAR'"),
                (CaseFilter(office: "CIV"), "c.office = 'CIV'"),
                (CaseFilter(status: "registered", host_country: "MAR", office: "CIV"), "c.status = 'registered' AND c.host_country = 'MAR' AND c.office = 'CIV'"),
                (CaseFilter(vulnerability: "vot"), "c.id IN (SELECT case_id FROM case_members WHERE vulnerabilities LIKE '%vot%')"),
            ]
            // Sorted by arrival, the cases not yet arrived come last going down and first going up,
            // on SQLite and PostgreSQL alike.
            let down = try await queries.list(CaseFilter(sort: "arrival_date", dir: "desc"), userID: nil, now: corridor.clock.now(), pageSize: 500).rows
            #expect(down.first?.arrivalDate != nil && down.last?.arrivalDate == nil)
            #expect(down.prefix { $0.arrivalDate != nil }.count == down.filter { $0.arrivalDate != nil }.count, "every arrived case before the others")
            let up = try await queries.list(CaseFilter(sort: "arrival_date", dir: "asc"), userID: nil, now: corridor.clock.now(), pageSize: 500).rows
            #expect(up.first?.arrivalDate == nil && up.last?.arrivalDate != nil)
            for (filter, condition) in cases {
                let listed = try await queries.list(filter, userID: nil, now: corridor.clock.now()).total
                #expect(listed == (try await rows(condition)), "\(condition)")
                #expect(listed > 0, "\(condition)")
            }
        }
    }
}
