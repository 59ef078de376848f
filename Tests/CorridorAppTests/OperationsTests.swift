import CorridorCore
import Foundation
import OpenAPIKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct OperationsTests {
    @Test func healthReportsDatabaseAndMigrations() async throws {
        try await TestCorridor.run { corridor in
            let response = try await TestBrowser(app: corridor.app).get("/health")
            #expect(response.status == .ok)
            struct Health: Decodable { var status: String; var database: String; var migrations: Int }
            let health = try JSONDecoder().decode(Health.self, from: Data(response.text.utf8))
            #expect(health.status == "ok")
            #expect(health.database == (corridor.isPostgres ? "postgresql" : "sqlite"))
            #expect(health.migrations == Migrations.all.count)
        }
    }

    @Test func securityHeadersAreOnEveryResponse() async throws {
        try await TestCorridor.run { corridor in
            let browser = TestBrowser(app: corridor.app)
            for path in ["/login", "/no-such-page", "/api/v1/me", "/health"] {
                let response = try await browser.get(path)
                let csp = try #require(response.headers.first(name: "Content-Security-Policy"), "\(path)")
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") != nil)
                #expect(response.headers.first(name: "X-Request-ID") != nil)
            }
        }
    }

    @Test func missingPageIsALocalisedPageWithoutDetails() async throws {
        try await TestCorridor.run { corridor in
            let french = try await TestBrowser(app: corridor.app).get("/no-such-page")
            #expect(french.status == .notFound)
            #expect(french.text.contains("Page introuvable"))
            let english = try await TestBrowser(app: corridor.app).get("/no-such-page?lang=en")
            #expect(english.text.contains("Page not found"))
        }
    }

    @Test func apiErrorsAreJSON() async throws {
        try await TestCorridor.run { corridor in
            let admin = try await corridor.makeUser(.caseworker)
            let token = try await corridor.apiToken(for: admin)
            let response = try await apiRequest(corridor.app, .GET, "/api/v1/users", token: token)
            #expect(response.status == .forbidden)
            struct Body: Decodable { struct Detail: Decodable { var code: String; var message: String }; var error: Detail }
            let body = try JSONDecoder().decode(Body.self, from: Data(response.text.utf8))
            #expect(body.error.code == "forbidden")
            #expect(body.error.message == "Vous n'avez pas le droit d'accéder à cette page ou de faire cette action.")
            let missing = try await apiRequest(corridor.app, .GET, "/api/v1/nothing", token: token)
            #expect(missing.status == .notFound)
            #expect(missing.text.contains(#""code":"not_found""#))
        }
    }

    /// A download's file name never carries what the caller sent into the headers.
    @Test func downloadNamesCannotSplitTheResponse() async throws {
        #expect(FileDownload.safeName("mapping-kobo-a\r\nX-Injected: y.json") == "mapping-kobo-a-X-Injected-y.json")
        #expect(FileDownload.safeName("mapping-kobo-\u{0}.json") == "mapping-kobo-.json")
        #expect(FileDownload.safeName("matrice-é.xlsx") == "matrice-.xlsx")
        try await TestCorridor.run { corridor in
            let token = try await corridor.apiToken(for: try await corridor.makeUser(.meOfficer))
            // A code that names no questionnaire is 404 on both databases (PostgreSQL refused the NUL with a 500).
            for code in ["a%0D%0AX-Injected:%20y", "%00", "profiling_return%00"] {
                let refused = try await apiRequest(corridor.app, .GET, "/profiling/mappings/download?questionnaire=\(code)", token: token)
                #expect(refused.status == .notFound && refused.headers.first(name: "X-Injected") == nil, "\(code)")
            }
            let source = try await apiRequest(corridor.app, .GET, "/profiling/mappings/download?source=a%0D%0AX-Injected:%20y", token: token)
            #expect(source.status == .ok && source.headers.first(name: .contentDisposition) == "attachment; filename=\"mapping-ax-injectedy-profiling_return.json\"")
        }
    }

    /// A method an address does not take is 405 with `Allow`; an unknown address stays 404.
    @Test func wrongMethodsAre405() async throws {
        try await TestCorridor.run { corridor in
            let trace = try await apiRequest(corridor.app, .TRACE, "/", token: nil)
            #expect(trace.status == .methodNotAllowed && trace.headers.first(name: .allow) == "GET")
            let delete = try await apiRequest(corridor.app, .DELETE, "/api/v1/cases", token: nil)
            #expect(delete.status == .methodNotAllowed && delete.headers.first(name: .allow) == "GET, POST")
            #expect(try await apiRequest(corridor.app, .GET, "/nowhere", token: nil).status == .notFound)
            #expect(try await apiRequest(corridor.app, .GET, "/news/no-such-article", token: nil).status == .notFound, "a handler's 404 stays 404")
        }
    }

    @Test func assetsAreServedAndUnknownOnesAreNot() async throws {
        try await TestCorridor.run { corridor in
            let browser = TestBrowser(app: corridor.app)
            let css = try await browser.get("/assets/corridor.css")
            #expect(css.status == .ok)
            #expect(css.headers.contentType == .css)
            #expect(try await browser.get("/assets/..%2FPackage.swift").status == .notFound)
        }
    }

    /// The served document is valid OpenAPI 3.1 and lists exactly the `/api/v1` routes.
    @Test func openAPIDocumentIsValidAndComplete() async throws {
        try await TestCorridor.run { corridor in
            let response = try await TestBrowser(app: corridor.app).get("/api/openapi.json")
            #expect(response.status == .ok)
            let document = try JSONDecoder().decode(OpenAPI.Document.self, from: Data(response.text.utf8))
            #expect(document.openAPIVersion.rawValue.hasPrefix("3.1"))
            try document.validate()

            var documented = Set<String>()
            for (path, item) in document.paths {
                guard case .b(let pathItem) = item else { continue }
                for endpoint in pathItem.endpoints {
                    documented.insert("\(endpoint.method.rawValue.uppercased()) \(path.rawValue)")
                }
            }
            var served = Set<String>()
            for route in corridor.app.routes.all {
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                // The API, and the downloads of the signed-in pages, which scripts fetch with a token.
                let last = route.path.last?.description ?? ""
                let download = route.method == .GET && !path.hasPrefix("/data") && (["export", "download", "template.csv", "xlsform.xlsx"].contains(last) || path == "/dashboard/tables/{name}")
                if path.hasPrefix("/api/v1/") || download { served.insert("\(route.method.rawValue) \(path)") }
            }
            #expect(served.isEmpty == false)
            #expect(documented == served, "undocumented: \(served.subtracting(documented).sorted()); not served: \(documented.subtracting(served).sorted())")
        }
    }
}
