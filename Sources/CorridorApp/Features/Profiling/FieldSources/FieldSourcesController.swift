import CorridorCore
import Fluent
import Foundation
import Vapor

/// `/profiling/sources`: KoboToolbox and ODK Central sources (M&E officers and administrators),
/// and the webhook Kobo's REST Services post submissions to.
struct FieldSourcesController: Sendable {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("profiling", "sources", action: .importInterviews, use: list)
        web.post("profiling", "sources", action: .importInterviews, use: create)
        web.get("profiling", "sources", ":id", action: .importInterviews, use: show)
        web.post("profiling", "sources", ":id", action: .importInterviews, use: update)
        web.post("profiling", "sources", ":id", "pull", action: .importInterviews, use: pull)
        web.post("profiling", "sources", ":id", "webhook", action: .importInterviews, use: renewSecret)
        web.post("profiling", "sources", ":id", "held", action: .importInterviews, use: applyHeld)
        web.post("profiling", "sources", ":id", "delete", action: .importInterviews, use: delete)
        // Kobo posts one submission of a few kilobytes, with a secret: the body is read only once
        // the secret is checked, and 256 KB at most.
        api.on(.POST, ["kobo", "submissions", ":source"], action: .viewPublic, body: .stream, use: receive)
    }

    struct SourceForm: Content {
        var name: String?
        var kind: String?
        var server_url: String?
        var form: String?
        var questionnaire: String?
        var token: String?
        var auth: String?
        var scheduled: String?
        var webhook: String?

        var draft: FieldSourceService.SourceDraft {
            FieldSourceService.SourceDraft(name: name ?? "", kind: kind ?? FieldServerKind.kobo.rawValue, serverURL: server_url ?? "", form: form ?? "",
                                           questionnaireCode: questionnaire ?? "profiling_return", token: token ?? "", auth: auth ?? "token",
                                           scheduled: scheduled != nil, webhook: webhook != nil)
        }
    }

    private func service(_ req: Request) -> FieldSourceService {
        FieldSourceService(req.serviceContext, application: req.application)
    }

    private func questionnaires(_ req: Request) async throws -> [(code: String, title: LocalizedText)] {
        try await req.profilingCatalog.questionnaires().map { ($0.code, $0.title) }
    }

    @Sendable func list(_ req: Request) async throws -> HTMLPage {
        try await listPage(req, draft: FieldSourceService.SourceDraft(), errors: [:], status: .ok)
    }

    private func listPage(_ req: Request, draft: FieldSourceService.SourceDraft, errors: [String: String], status: HTTPStatus) async throws -> HTMLPage {
        let model = FieldSourcesPageModel(sources: try await FieldSourceQueries(database: req.db).sources(), questionnaires: try await questionnaires(req),
                                          draft: draft, errors: errors, scheduleMinutes: req.corridor.configuration.fieldPullEveryMinutes)
        return HTMLPage(status: status, html: FieldSourcePages.list(model, req.pageContext()))
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(SourceForm.self)
        do {
            let (id, secret) = try await service(req).create(form.draft)
            return try await detailPage(req, id: id, newSecret: secret, notice: req.t("notice.source_created")).encodeResponse(for: req)
        } catch FieldSourceError.invalid(let issues) {
            var draft = form.draft
            draft.token = ""
            return try await listPage(req, draft: draft, errors: Layout.fieldErrors(issues, req.pageContext()), status: .unprocessableEntity).encodeResponse(for: req)
        }
    }

    private func sourceID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        return id
    }

    private func detailPage(_ req: Request, id: UUID, draft: FieldSourceService.SourceDraft? = nil, errors: [String: String] = [:],
                            newSecret: String? = nil, notice: String? = nil, status: HTTPStatus = .ok) async throws -> HTMLPage {
        let queries = FieldSourceQueries(database: req.db)
        guard let source = try await queries.source(id) else { throw Abort(.notFound) }
        let stored = FieldSourceService.SourceDraft(name: source.name, kind: source.kind, serverURL: source.serverURL, form: source.form,
                                                    questionnaireCode: source.questionnaireCode, auth: source.auth, scheduled: source.scheduled)
        var url = req.corridor.configuration.publicURL.absoluteString
        while url.hasSuffix("/") { url.removeLast() }
        let model = FieldSourcePageModel(source: source, questionnaires: try await questionnaires(req), draft: draft ?? stored, errors: errors,
                                         pulls: try await queries.pulls(id), held: try await queries.held(id), newSecret: newSecret,
                                         webhookURL: "\(url)/api/v1/kobo/submissions/\(source.name)", notice: notice)
        let context = req.pageContext()
        var page = HTMLPage(status: status, html: FieldSourcePages.detail(model, context))
        // A secret shown once is not kept by a cache.
        if newSecret != nil { page.noStore = true }
        return page
    }

    @Sendable func show(_ req: Request) async throws -> HTMLPage {
        try await detailPage(req, id: try sourceID(req))
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        let id = try sourceID(req)
        let form = try req.content.decode(SourceForm.self)
        do {
            try await service(req).update(id, form.draft)
        } catch FieldSourceError.invalid(let issues) {
            var draft = form.draft
            draft.token = ""
            return try await detailPage(req, id: id, draft: draft, errors: Layout.fieldErrors(issues, req.pageContext()), status: .unprocessableEntity)
                .encodeResponse(for: req)
        } catch FieldSourceError.notFound {
            throw Abort(.notFound)
        }
        return req.redirect(to: "/profiling/sources/\(id.uuidString)?notice=source_saved", redirectType: .normal)
    }

    @Sendable func pull(_ req: Request) async throws -> Response {
        let id = try sourceID(req)
        do {
            let outcome = try await service(req).pull(id)
            return req.redirect(to: "/profiling/sources/\(id.uuidString)?notice=pull_\(outcome.outcome)", redirectType: .normal)
        } catch FieldSourceError.notFound {
            throw Abort(.notFound)
        }
    }

    @Sendable func renewSecret(_ req: Request) async throws -> Response {
        let id = try sourceID(req)
        do {
            let secret = try await service(req).renewWebhookSecret(id)
            return try await detailPage(req, id: id, newSecret: secret, notice: req.t("notice.webhook_secret")).encodeResponse(for: req)
        } catch FieldSourceError.notFound {
            throw Abort(.notFound)
        } catch FieldSourceError.invalid {
            throw Abort(.badRequest)
        }
    }

    @Sendable func applyHeld(_ req: Request) async throws -> Response {
        let id = try sourceID(req)
        do {
            let outcome = try await service(req).applyHeld(id)
            return req.redirect(to: "/profiling/sources/\(id.uuidString)?notice=pull_\(outcome.outcome)", redirectType: .normal)
        } catch FieldSourceError.notFound {
            throw Abort(.notFound)
        }
    }

    @Sendable func delete(_ req: Request) async throws -> Response {
        let id = try sourceID(req)
        guard (try? req.content.get(String.self, at: "confirm")) != nil else { throw Abort(.badRequest) }
        do { try await service(req).delete(id) } catch FieldSourceError.notFound { throw Abort(.notFound) }
        return req.redirect(to: "/profiling/sources?notice=source_deleted", redirectType: .normal)
    }

    /// `POST /api/v1/kobo/submissions/<source>`: the secret as HTTP Basic's password or the
    /// `X-Corridor-Secret` header; 401 for a wrong secret and an unknown source alike.
    @Sendable func receive(_ req: Request) async throws -> Response {
        let secret = req.headers.basicAuthorization?.password ?? req.headers.first(name: "X-Corridor-Secret") ?? ""
        let name = req.parameters.get("source") ?? ""
        let context = req.application.serviceContext(actor: .commandLine("kobo webhook \(KoboMapping.sourceName(name))"))
        let service = FieldSourceService(context, application: req.application)
        guard let source = try await service.authenticate(sourceName: name, secret: secret) else { throw Abort(.unauthorized, reason: "source.error.secret") }
        let buffer = try await req.body.collect(max: Self.largestDelivery).get()
        // A body already collected (in-process requests) is measured here.
        guard (buffer?.readableBytes ?? 0) <= Self.largestDelivery else { throw Abort(.payloadTooLarge) }
        let body = buffer.map { Data(buffer: $0) } ?? Data()
        do {
            let outcome = try await service.receive(body, for: source)
            let answer = WebhookAnswer(outcome: outcome.outcome, created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged, held: outcome.held)
            return try await answer.encodeResponse(status: outcome.outcome == "applied" && outcome.held == 0 ? .ok : .accepted, for: req)
        } catch FieldSourceError.invalid {
            throw Abort(.badRequest, reason: "source.error.submission")
        }
    }

    static let largestDelivery = 256 * 1024

    struct WebhookAnswer: Content {
        var outcome: String
        var created: Int
        var updated: Int
        var unchanged: Int
        var held: Int
    }
}
