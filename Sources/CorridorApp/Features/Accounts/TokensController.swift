import CorridorCore
import Foundation
import Vapor

/// The user's personal API tokens, in the browser and through the API.
struct TokensController: Sendable {
    struct CreateForm: Content {
        var name: String?
    }

    struct CreatedToken: Content {
        var id: UUID
        var name: String
        var token: String
        var createdAt: Date
    }

    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("account", "tokens", action: .useOwnAccount, use: page)
        web.post("account", "tokens", action: .useOwnAccount, use: createFromPage)
        web.post("account", "tokens", ":tokenID", "revoke", action: .useOwnAccount, use: revokeFromPage)
        api.get("tokens", action: .useOwnAccount, use: list)
        api.post("tokens", action: .useOwnAccount, use: create)
        api.delete("tokens", ":tokenID", action: .useOwnAccount, use: revoke)
    }

    @Sendable func page(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        let tokens = try await AccountQueries(database: req.db).tokens(userID: user.id)
        return TokenPages.list(TokenPageModel(tokens: tokens), req.pageContext())
    }

    @Sendable func createFromPage(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(CreateForm.self)
        let queries = AccountQueries(database: req.db)
        do {
            let created = try await TokenService(req.serviceContext).create(userID: user.id, name: form.name ?? "")
            let model = TokenPageModel(tokens: try await queries.tokens(userID: user.id), newSecret: created.secret)
            return try await TokenPages.list(model, req.pageContext()).encodeResponse(for: req)
        } catch TokenError.nameRequired {
            let model = TokenPageModel(tokens: try await queries.tokens(userID: user.id), name: form.name ?? "",
                                       nameError: req.t("tokens.error.name_required"))
            return try await HTMLPage(status: .unprocessableEntity, html: TokenPages.list(model, req.pageContext())).encodeResponse(for: req)
        }
    }

    @Sendable func revokeFromPage(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("tokenID", as: UUID.self) else { throw Abort(.notFound) }
        try await TokenService(req.serviceContext).revoke(tokenID: id, userID: user.id)
        return req.redirect(to: "/account/tokens?notice=token_revoked", redirectType: .normal)
    }

    @Sendable func list(_ req: Request) async throws -> [AccountQueries.TokenRow] {
        try await AccountQueries(database: req.db).tokens(userID: try req.requireUser().id)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(CreateForm.self)
        do {
            let created = try await TokenService(req.serviceContext).create(userID: user.id, name: form.name ?? "")
            let body = CreatedToken(id: try created.token.requireID(), name: created.token.name, token: created.secret, createdAt: created.token.createdAt)
            let response = try await body.encodeResponse(status: .created, for: req)
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        } catch TokenError.nameRequired {
            throw Abort(.unprocessableEntity, reason: "error.token_name_required")
        }
    }

    @Sendable func revoke(_ req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        guard let id = req.parameters.get("tokenID", as: UUID.self) else { throw Abort(.notFound) }
        try await TokenService(req.serviceContext).revoke(tokenID: id, userID: user.id)
        return .noContent
    }
}

struct TokenPageModel: Sendable {
    var tokens: [AccountQueries.TokenRow]
    var newSecret: String?
    var name: String = ""
    var nameError: String?
}

enum TokenPages {
    static func list(_ model: TokenPageModel, _ context: PageContext) -> HTML {
        let format = context.format
        let rows = model.tokens.map { token -> HTML in
            let status: HTML = token.revokedAt.map { "<span class=\"badge muted\">\(context.t("tokens.revoked_on", ["date": format.longDate($0)]))</span>" }
                ?? "<span class=\"badge ok\">\(context.t("tokens.active"))</span>"
            let action: HTML = token.revokedAt == nil ? """
                <form method="post" action="/account/tokens/\(token.id.uuidString)/revoke" class="inline">\(context.csrfField)
                <button type="submit" class="danger">\(context.t("tokens.revoke"))</button></form>
                """ : .empty
            return """
            <tr><td>\(token.name)</td><td><code>\(token.prefix)…</code></td><td>\(format.longDate(token.createdAt))</td>
            <td>\(token.lastUsedAt.map(format.dateTime) ?? "—")</td><td>\(status)</td><td>\(action)</td></tr>
            """
        }
        let secret: HTML = model.newSecret.map { secret in
            """
            <div class="secret" role="status">
              <p><strong>\(context.t("tokens.created"))</strong> \(context.t("tokens.shown_once"))</p>
              <p><code class="copy">\(secret)</code></p>
            </div>
            """
        } ?? .empty
        let table: HTML = model.tokens.isEmpty ? "<p class=\"empty\">\(context.t("tokens.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table>
              <caption class="visually-hidden">\(context.t("tokens.title"))</caption>
              <thead><tr><th scope="col">\(context.t("field.name"))</th><th scope="col">\(context.t("tokens.prefix"))</th>
              <th scope="col">\(context.t("tokens.created_at"))</th><th scope="col">\(context.t("tokens.last_used"))</th>
              <th scope="col">\(context.t("field.status"))</th><th scope="col"><span class="visually-hidden">\(context.t("form.actions"))</span></th></tr></thead>
              <tbody>\(rows)</tbody>
            </table></div>
            """
        return Layout.page(context.t("tokens.title"), context, """
        <h1>\(context.t("tokens.title"))</h1>
        <p class="lead">\(context.t("tokens.intro"))</p>
        \(secret)
        \(table)
        <section class="card narrow">
          <h2>\(context.t("tokens.new"))</h2>
          <form method="post" action="/account/tokens" novalidate>
            \(context.csrfField)
            \(Layout.textField("name", label: context.t("tokens.name_label"), value: model.name, error: model.nameError))
            <button type="submit" class="primary">\(context.t("tokens.create"))</button>
          </form>
        </section>
        """)
    }
}
