import CorridorCore
import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct NewsTests {
    /// The `<meta>` tags of a page's head, by `name` or `property`.
    static func metaTags(_ html: String) -> [String: String] {
        var tags: [String: String] = [:]
        for match in html.matches(of: /<meta (?:name|property)="([^"]+)" content="([^"]*)">/) { tags[String(match.output.1)] = String(match.output.2) }
        return tags
    }

    /// A French article and its English translation share an address, one per language, and
    /// each names the other; an article translates only one in the other language.
    @Test func translationsNameEachOther() async throws {
        try await TestCorridor.run { corridor in
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            func publish(_ fields: [String: String]) async throws -> TestingHTTPResponse {
                let saved = try await writer.post("/admin/news/new", fields)
                guard saved.status == .seeOther, let location = saved.location?.components(separatedBy: "?").first else { return saved }
                let id = location.replacingOccurrences(of: "/admin/news/", with: "")
                let version = try #require(try await NewsArticleModel.find(UUID(uuidString: id), on: corridor.app.db)?.version)
                return try await writer.post("/admin/news/\(id)/publish", ["version": String(version), "confirm": "1"])
            }
            #expect(try await publish(["language": "fr", "title": "Bilan des retours", "summary": "Le bilan", "body": "Texte en français."]).status == .seeOther)
            let sameLanguage = try await writer.post("/admin/news/new", ["language": "fr", "title": "Autre", "body": "Texte.", "translation_of": "bilan-des-retours"])
            #expect(sameLanguage.status == .unprocessableEntity && sameLanguage.text.contains("Choisissez un article écrit dans l&#39;autre langue"))
            let form = try await writer.get("/admin/news/new?lang=en")
            #expect(form.text.contains(#"<option value="bilan-des-retours">Bilan des retours (French)</option>"#))
            #expect(try await publish(["language": "en", "title": "Returns in review", "summary": "The review", "body": "English text.",
                                      "translation_of": "bilan-des-retours"]).status == .seeOther)
            let reader = TestBrowser(app: corridor.app)
            let english = try await reader.get("/news/bilan-des-retours?lang=en")
            #expect(english.text.contains("English text.") && !english.text.contains("exists in French only"))
            for page in [english, try await reader.get("/news/bilan-des-retours?lang=fr")] {
                #expect(page.text.contains(#"<link rel="alternate" hreflang="fr" href="http://127.0.0.1:8080/news/bilan-des-retours?lang=fr">"#))
                #expect(page.text.contains(#"<link rel="alternate" hreflang="en" href="http://127.0.0.1:8080/news/bilan-des-retours?lang=en">"#))
            }
            let sitemap = try await reader.get("/sitemap.xml")
            #expect(sitemap.text.contains("<loc>http://127.0.0.1:8080/news/bilan-des-retours?lang=en</loc>") && sitemap.text.contains("<loc>http://127.0.0.1:8080/news/bilan-des-retours?lang=fr</loc>"))
        }
    }

    @Test func crawlersAndSharingFindWhatTheyLookFor() async throws {
        try await TestCorridor.run { corridor in
            let visitor = TestBrowser(app: corridor.app)
            let robots = try await visitor.get("/robots.txt")
            #expect(robots.status == .ok && robots.text.contains("Disallow: /cases\n") && robots.text.contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"))
            let icon = try await visitor.get("/favicon.svg")
            #expect(icon.status == .ok && icon.headers.first(name: .contentType) == "image/svg+xml" && icon.text.hasPrefix("<svg"))
            #expect(try await visitor.get("/favicon.ico").status == .movedPermanently)
            for path in ["/", "/data", "/about", "/news"] {
                let page = try await visitor.get(path + "?lang=en")
                let tags = Self.metaTags(page.text)
                #expect(tags["description"]?.isEmpty == false && tags["og:title"] != nil && tags["og:url"] == "http://127.0.0.1:8080\(path)?lang=en", "\(path): \(tags)")
                #expect(page.text.contains(#"<link rel="canonical" href="http://127.0.0.1:8080\#(path)?lang=en">"#))
                #expect(page.text.contains(#"hreflang="fr" href="http://127.0.0.1:8080\#(path)?lang=fr""#) && page.text.contains(#"hreflang="x-default""#))
                #expect(page.text.contains(#"type="application/atom+xml""#), "\(path): the feed is discoverable")
            }
            // An anonymous reader gets no cookie from a public page, and a cacheable page with
            // an ETag; the second visit is answered 304. A page with a form sets its CSRF cookie
            // and is kept private.
            let fresh = TestBrowser(app: corridor.app)
            for path in ["/?lang=fr", "/data?lang=en", "/news?lang=fr", "/about", "/data/returns.csv"] {
                let page = try await fresh.get(path)
                #expect(page.headers[.setCookie].isEmpty, "\(path) sets \(page.headers[.setCookie])")
                let tag = try #require(page.headers.first(name: .eTag), "\(path)")
                #expect(page.headers.first(name: .cacheControl)?.hasPrefix("public") == true)
                var again = HTTPHeaders()
                again.replaceOrAdd(name: .ifNoneMatch, value: tag)
                let revalidated = try await fresh.get(path, headers: again)
                #expect(revalidated.status == .notModified && revalidated.body.readableBytes == 0, "\(path)")
            }
            #expect(fresh.cookies.isEmpty)
            let login = try await fresh.get("/login?lang=fr")
            #expect(fresh.cookies[CookieNames.csrf] != nil && login.headers.first(name: .eTag) == nil && login.headers.first(name: .cacheControl) == "no-store")
            let loginAgain = try await fresh.get("/login")
            #expect(loginAgain.headers.first(name: .eTag) == nil && loginAgain.headers.first(name: .cacheControl) == "private, no-cache", "its form holds the visitor's own token")
            let staff = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await staff.get("/cases").headers.first(name: .eTag) == nil, "nothing of a signed-in page is cached")
            let api = try await visitor.get("/api/v1/public/returns?by=year")
            #expect(api.headers.first(name: "Access-Control-Allow-Origin") == "*")
            #expect(try await visitor.get("/data/returns.csv").headers.first(name: "Access-Control-Allow-Origin") == "*")
        }
    }

    @Test func anonymousPublicPagesAreServedAsRenderedUntilWhatTheyShowChanges() async throws {
        try await TestCorridor.run { corridor in
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            let today = Day(corridor.clock.now())
            _ = try await service.commit(CaseImportPlan(cases: DemoCases.generate(households: 200, seed: 11, today: today), issues: [], rowCount: 0), fileName: "demo")
            let visitor = TestBrowser(app: corridor.app)
            let first = try await visitor.get("/data?lang=en")
            #expect(first.status == .ok)
            var request = Request(application: corridor.app, method: .GET, url: URI(string: "/data?lang=en"), on: corridor.app.eventLoopGroup.next())
            request.headers.replaceOrAdd(name: .accept, value: "text/html")
            let key = try #require(PublicPageCache.key(for: request))
            let version = try await PublicPageCache.version(request)
            #expect(corridor.app.publicPageCache.page(key, version: version) != nil, "the rendered page is kept")
            #expect(try await visitor.get("/data?lang=en").text == first.text)
            // A write of cases moves the summary's version: the page is rendered again, with the new counts.
            _ = try await service.commit(CaseImportPlan(cases: DemoCases.generate(households: 200, seed: 12, today: today).map { household in
                var renumbered = household
                renumbered.caseNumber = CaseNumber(office: "TUN", year: household.caseNumber?.year ?? today.year, sequence: household.caseNumber?.sequence ?? 1)
                return renumbered
            }, issues: [], rowCount: 0), fileName: "demo")
            #expect(corridor.app.publicPageCache.page(key, version: try await PublicPageCache.version(request)) == nil)
            let after = try await visitor.get("/data?lang=en")
            #expect(after.status == .ok && after.text != first.text)
            // A signed-in reader is never served the anonymous page.
            let staff = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await staff.get("/").text.contains("/logout"))
            request = Request(application: corridor.app, method: .GET, url: URI(string: "/"), on: corridor.app.eventLoopGroup.next())
            request.cookies[CookieNames.session] = HTTPCookies.Value(string: "x")
            #expect(PublicPageCache.key(for: request) == nil)
        }
    }

    @Test func pressReleaseWithLiveFiguresIsFrozenAtPublication() async throws {
        try await TestCorridor.run { corridor in
            // 300 demo households give enough returns to publish.
            let households = DemoCases.generate(households: 300, seed: 11, today: Day(corridor.clock.now()))
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let body = """
            Depuis 2017, {{figure returns from=2017-01-01 style=headline}} personnes ont été aidées à rentrer.

            {{figure returns host_country=MAR from=2017-01-01 style=sentence}}

            Dont {{figure returns vulnerability=vot from=2017-01-01 style=exact}} victimes de la traite. <script>alert(1)</script>
            """
            let fields = ["language": "fr", "title": "Bilan des retours", "summary": "Les chiffres du programme : {{figure returns from=2017-01-01 style=headline}} retours", "body": body]
            var preview = fields
            preview["preview"] = "1"
            let previewPage = try await writer.post("/admin/news/new", preview)
            #expect(previewPage.status == .ok)
            #expect(previewPage.text.contains("Aperçu") && previewPage.text.contains("href=\"/data\""))
            let previewSection = try #require(previewPage.text.components(separatedBy: "Aperçu (chiffres d&#39;aujourd&#39;hui)").last ?? previewPage.text.components(separatedBy: "Aperçu").last)
            #expect(!previewSection.contains("{{figure"), "the preview resolves every figure")
            #expect(try await NewsArticleModel.query(on: corridor.app.db).count() == 0, "a preview saves nothing")

            let saved = try await writer.post("/admin/news/new", fields)
            #expect(saved.status == .seeOther)
            let article = try #require(try await NewsArticleModel.query(on: corridor.app.db).first())
            #expect(try await TestBrowser(app: corridor.app).get("/news/\(article.slug)").status == .notFound, "a draft is not public")
            let unconfirmed = try await writer.post("/admin/news/\(try article.requireID())/publish", ["version": String(article.version)])
            #expect(unconfirmed.status == .unprocessableEntity && unconfirmed.text.contains("Cochez la case pour confirmer"), "publishing asks for a confirmation")
            let published = try await writer.post("/admin/news/\(try article.requireID())/publish", ["version": String(article.version), "confirm": "1"])
            #expect(published.status == .seeOther)

            let reader = TestBrowser(app: corridor.app)
            let page = try await reader.get("/news/bilan-des-retours")
            #expect(page.status == .ok)
            #expect(page.text.contains("personnes ont été aidées à rentrer"))
            #expect(!page.text.contains("<script>alert(1)</script>") && page.text.contains("&lt;script&gt;"), "no raw HTML from the body")
            let frozen = try #require(try await NewsArticleModel.find(article.requireID(), on: corridor.app.db)?.publishedBody)

            // New records arrive: the published article does not change.
            let more = DemoCases.generate(households: 50, seed: 99, today: Day(corridor.clock.now())).map { household -> ImportedCase in
                var copy = household
                copy.caseNumber = CaseNumber(office: "SEN", year: household.caseNumber?.year ?? 2020, sequence: household.caseNumber?.sequence ?? 1)
                return copy
            }
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test"))).commit(CaseImportPlan(cases: more, issues: [], rowCount: 0), fileName: "more")
            #expect(try await NewsArticleModel.find(article.requireID(), on: corridor.app.db)?.publishedBody == frozen)
            #expect(try await reader.get("/news/bilan-des-retours").text == page.text)
            // The summary's figure is frozen with the body's, and shown as text wherever the summary is.
            let lead = try #require(page.text.components(separatedBy: "<p class=\"lead\">").dropFirst().first?.components(separatedBy: "</p>").first)
            #expect(lead.hasPrefix("Les chiffres du programme : ") && !lead.contains("{{") && !lead.contains("](/data)"), "\(lead)")
            #expect(!(try await reader.get("/news").text.contains("{{figure")))
            // Shared links preview properly: description, canonical and alternates absolute, the
            // article in the one language it exists in.
            let tags = Self.metaTags(page.text)
            #expect(tags["og:title"] == "Bilan des retours" && tags["og:type"] == "article" && tags["description"] == lead.replacingOccurrences(of: "&#39;", with: "'"))
            #expect(tags["og:url"] == "http://127.0.0.1:8080/news/bilan-des-retours?lang=fr" && tags["og:image"]?.hasPrefix("http://127.0.0.1:8080/") == true)
            #expect(page.text.contains(#"<link rel="alternate" hreflang="fr" href="http://127.0.0.1:8080/news/bilan-des-retours?lang=fr">"#))
            #expect(!page.text.contains(#"<link rel="alternate" hreflang="en""#), "written in French only: no English alternate")
            #expect(page.text.contains(#"hreflang="x-default" href="http://127.0.0.1:8080/news/bilan-des-retours?lang=fr""#))
            let sitemap = try await reader.get("/sitemap.xml")
            #expect(XMLParser(data: Data(sitemap.text.utf8)).parse(), "the sitemap is well-formed XML")
            #expect(sitemap.text.contains("/news/bilan-des-retours?lang=fr") && !sitemap.text.contains("/news/bilan-des-retours?lang=en"), "listed in the language it exists in")
            #expect(sitemap.text.contains("/data?lang=en") && sitemap.text.contains("/data?lang=fr"))
            let english = try await reader.get("/news/bilan-des-retours?lang=en")
            #expect(english.text.contains("This article exists in French only.") && english.text.contains(#"<article class="news" lang="fr">"#))

            let feed = try await reader.get("/news/feed.xml?lang=fr")
            #expect(feed.headers.first(name: .contentType)?.hasPrefix("application/atom+xml") == true)
            #expect(feed.text.contains("Bilan des retours"))
            let parser = XMLParser(data: Data(feed.text.utf8))
            #expect(parser.parse(), "the Atom feed is well-formed XML")
            #expect(!feed.text.contains("{{figure"), "no raw token in the feed")
            #expect(feed.text.contains(#"<content type="html">"#) && feed.text.contains("personnes ont été aidées à rentrer") && feed.text.contains("href=&quot;http://127.0.0.1:8080/data&quot;"),
                    "the feed carries the whole article, its links absolute")
            #expect(try await reader.get("/news").text.contains("Bilan des retours"))
            #expect(!(try await reader.get("/news/feed.xml?lang=en").text.contains("Bilan des retours")), "feeds are per language")
        }
    }

    /// A published article is corrected (a dated revision, figures kept unless asked) or
    /// withdrawn (its page and the feed say so); every step is a revision.
    @Test func publishedArticlesAreCorrectedAndWithdrawn() async throws {
        try await TestCorridor.run { corridor in
            let today = Day(corridor.clock.now())
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            _ = try await service.commit(CaseImportPlan(cases: DemoCases.generate(households: 200, seed: 4, today: today), issues: [], rowCount: 0), fileName: "demo")
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let body = "Au total, {{figure returns style=exact}} personnes."
            #expect(try await writer.post("/admin/news/new", ["language": "fr", "title": "Bilan", "summary": "Chiffres", "body": body]).status == .seeOther)
            let article = try #require(try await NewsArticleModel.query(on: corridor.app.db).first())
            let id = try article.requireID()
            #expect(try await writer.post("/admin/news/\(id)/publish", ["version": String(article.version), "confirm": "1"]).status == .seeOther)
            let first = try #require(try await NewsArticleModel.find(id, on: corridor.app.db))
            let frozen = try #require(first.publishedBody)

            // More returns are recorded; a correction of the wording keeps the frozen figure.
            let more = DemoCases.generate(households: 100, seed: 5, today: today).map { household -> ImportedCase in
                var copy = household
                copy.caseNumber = CaseNumber(office: "SEN", year: household.caseNumber?.year ?? 2020, sequence: household.caseNumber?.sequence ?? 1)
                return copy
            }
            _ = try await service.commit(CaseImportPlan(cases: more, issues: [], rowCount: 0), fileName: "more")
            let noNote = try await writer.post("/admin/news/\(id)/correct", ["version": String(first.version), "title": "Bilan", "summary": "Chiffres",
                                                                              "body": "En tout, {{figure returns style=exact}} personnes."])
            #expect(noNote.status == .unprocessableEntity && noNote.text.contains("Dites ce qui a été corrigé") && noNote.text.contains("En tout,"))
            let corrected = try await writer.post("/admin/news/\(id)/correct", ["version": String(first.version), "title": "Bilan", "summary": "Chiffres",
                                                                                "body": "En tout, {{figure returns style=exact}} personnes.",
                                                                                "correction_note": "Formulation rectifiée."])
            #expect(corrected.status == .seeOther)
            let second = try #require(try await NewsArticleModel.find(id, on: corridor.app.db))
            #expect(second.publishedBody == frozen.replacingOccurrences(of: "Au total,", with: "En tout,"), "the figure keeps its frozen value")
            let reader = TestBrowser(app: corridor.app)
            let page = try await reader.get("/news/\(first.slug)")
            #expect(page.text.contains("Corrigé le") && page.text.contains("Formulation rectifiée."))
            let feed = try await reader.get("/news/feed.xml?lang=fr")
            #expect(feed.text.contains("Corrigé le") && feed.text.contains("<published>"))

            // Counted again when asked.
            let refrozen = try await writer.post("/admin/news/\(id)/correct", ["version": String(second.version), "title": "Bilan", "summary": "Chiffres",
                                                                               "body": "En tout, {{figure returns style=exact}} personnes.",
                                                                               "correction_note": "Chiffres mis à jour.", "refreeze": "1"])
            #expect(refrozen.status == .seeOther)
            let third = try #require(try await NewsArticleModel.find(id, on: corridor.app.db))
            #expect(third.publishedBody != second.publishedBody, "the figure was counted again")

            // Withdrawal: confirmed, with a reason; the page says so, the list leaves it out, the feed announces it.
            #expect(try await writer.post("/admin/news/\(id)/withdraw", ["version": String(third.version), "withdrawal_reason": "Doublon."]).status == .unprocessableEntity)
            #expect(try await writer.post("/admin/news/\(id)/withdraw", ["version": String(third.version), "withdrawal_reason": "Doublon.", "withdraw_confirm": "1"]).status == .seeOther)
            let withdrawn = try await reader.get("/news/\(first.slug)")
            #expect(withdrawn.status == .ok && withdrawn.text.contains("Article retiré le") && withdrawn.text.contains("Doublon."))
            #expect(!withdrawn.text.contains("personnes."), "the text is no longer shown")
            #expect(!(try await reader.get("/news").text.contains("/news/\(first.slug)")))
            #expect(try await reader.get("/news/feed.xml?lang=fr").text.contains("[Retiré] Bilan"))
            let kinds = try await ContentRevisionModel.query(on: corridor.app.db).filter(\.$contentID == id).sort(\.$number).all().map(\.kind)
            #expect(kinds == ["publication", "correction", "correction", "withdrawal"])
            let admin = try await writer.get("/admin/news/\(id)")
            #expect(admin.text.contains("Historique des publications") && admin.text.contains("chiffres recalculés"))
        }
    }

    @Test func badFigureTokensAreExplained() async throws {
        try await TestCorridor.run { corridor in
            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let response = try await writer.post("/admin/news/new", ["language": "fr", "title": "Essai", "body": "Un {{figure retours}} ici"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("Chiffre illisible {{figure retours}} : « retours » n&#39;est pas un indicateur"))
            #expect(response.text.contains("Texte :"), "the summary names the field")
            let dated = try await writer.post("/admin/news/new", ["language": "fr", "title": "Essai", "body": "{{figure returns from=2024-02-30}}"])
            #expect(dated.text.contains("date illisible dans « from=2024-02-30 »"))
            #expect(response.text.contains("Un {{figure retours}} ici"), "the text typed is kept")
        }
    }
}

/// Links and images of an article point only where a reader expects: the web, mail, this site.
@Suite struct NewsLinkTests {
    @Test(arguments: [
        "[c](java\tscript:alert(3))", "[g]( javascript:alert(7))", "[a](JavaScript:alert(1))", "[d](data:text/html,x)",
        "[v](vbscript:x)", "[n](java\nscript:x)", "[z](java\u{200B}script:x)", "[e](javascript&#58;alert(1))", "![i](javascript:alert(2))",
        "[f](file:///etc/passwd)",
    ])
    func hostileAddressesAreBlocked(markdown: String) {
        let html = SafeMarkdown.render(markdown)
        // Whether the parser made a link of it or left it as text, no address leads anywhere but "#blocked".
        let addresses = html.matches(of: /(?:href|src)="([^"]*)"/).map { String($0.output.1) }
        #expect(addresses.allSatisfy { $0 == "#blocked" }, "\(html)")
    }

    @Test(arguments: [
        ("[OIM](https://www.iom.int/fr)", "https://www.iom.int/fr"), ("[x](http://example.org/a?b=c:d)", "http://example.org/a?b=c:d"),
        ("[m](mailto:presse@corridor.test)", "mailto:presse@corridor.test"), ("[p](/news/2026)", "/news/2026"), ("[t](#chiffres)", "#chiffres"),
        ("[r](rapport:2026.pdf)", "#blocked"),
    ])
    func ordinaryAddressesPass(markdown: String, expected: String) {
        #expect(SafeMarkdown.render(markdown).contains("href=\"\(expected)\""), "\(SafeMarkdown.render(markdown))")
    }
}
