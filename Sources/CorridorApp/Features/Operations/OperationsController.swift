import CorridorCore
import Fluent
import Foundation
import Vapor

/// Health, metrics, the OpenAPI document and the static assets.
struct OperationsController: Sendable {
    struct Health: Content {
        var status: String
        var database: String
        var migrations: Int
    }

    func register(web: any RoutesBuilder) {
        web.get("health", action: .viewPublic, use: health)
        // Open to a request carrying the metrics token only (checked in the handler: the token is
        // the operator's, not an account's); without the setting, 404.
        web.get("metrics", action: .viewPublic, use: Observability.metrics)
        web.get("api", "openapi.json", action: .viewPublic, use: openAPI)
        web.get("assets", ":file", action: .viewPublic, use: asset)
        web.get("favicon.svg", action: .viewPublic) { req async throws -> Response in
            guard let icon = req.application.assets["favicon.svg"] else { throw Abort(.notFound) }
            return Self.respond(icon, cache: "public, max-age=86400")
        }
        // Browsers ask for /favicon.ico on their own: sent to the SVG rather than a 404.
        web.get("favicon.ico", action: .viewPublic) { req async throws -> Response in req.redirect(to: "/favicon.svg", redirectType: .permanent) }
        web.get("robots.txt", action: .viewPublic, use: robots)
    }

    /// What crawlers may read: the public pages, data and news; not the signed-in areas (they
    /// answer with the sign-in page anyway). Names the sitemap.
    @Sendable func robots(_ req: Request) async throws -> Response {
        let base = req.corridor.configuration.publicURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let signedIn = ["/cases", "/admin", "/account", "/profiling", "/followups", "/matrices", "/my-actions", "/actions", "/report", "/dashboard", "/login", "/api/"]
        let text = "User-agent: *\nAllow: /\n" + signedIn.map { "Disallow: \($0)\n" }.joined() + "Allow: /api/v1/public/\n\nSitemap: \(base)/sitemap.xml\n"
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    @Sendable func health(_ req: Request) async throws -> Health {
        let migrations = try await MigrationLog.query(on: req.db).count()
        return Health(status: "ok", database: req.corridor.configuration.databaseKind.rawValue, migrations: migrations)
    }

    @Sendable func openAPI(_ req: Request) async throws -> Response {
        guard let document = req.application.assets["openapi.json"] else { throw Abort(.notFound) }
        return Self.respond(document, cache: "no-cache")
    }

    @Sendable func asset(_ req: Request) async throws -> Response {
        guard let name = req.parameters.get("file"), let asset = req.application.assets[name], name != "openapi.json" else {
            throw Abort(.notFound)
        }
        return Self.respond(asset, cache: "public, max-age=3600")
    }

    private static func respond(_ asset: StaticAsset, cache: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = asset.contentType
        headers.replaceOrAdd(name: .cacheControl, value: cache)
        return Response(status: .ok, headers: headers, body: .init(string: asset.body))
    }
}
