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
