import CorridorCore
import Foundation
import Testing
import NIOConcurrencyHelpers
import Vapor
@testable import CorridorApp

/// A local server of the tests that answers the documented request shapes of the KoboToolbox
/// API v2 (`GET /api/v2/assets/<uid>/data/?format=json&limit=&start=`: `count`, `next`,
/// `previous`, `results`, `Authorization: Token …`) and of ODK Central's OData feed
/// (`GET /v1/projects/<p>/forms/<f>.svc/Submissions?$top=&$skip=&$count=&$filter=`:
/// `@odata.count`, `@odata.nextLink`, `value` with nested groups and `__system`; Bearer or
/// Basic). Pages are capped at two submissions so that every pull pages. Failures are
/// scripted request by request.
final class FieldServerFixture: Sendable {
    struct State: @unchecked Sendable {
        /// Kobo submissions as the data API gives them (JSON objects).
        var kobo: [[String: Any]] = []
        /// ODK Central submissions as its OData feed gives them.
        var odk: [[String: Any]] = []
        /// Statuses to answer instead of the page, one per request, in order (200: the page).
        var script: [UInt] = []
        var requests: [String] = []
        var retryAfter: String?
    }

    let state = NIOLockedValueBox(State())
    let app: Application
    let port: Int
    static let token = "kobo-api-token-123"
    static let uid = "aBcD3fGhIjK"
    static let pageSize = 2

    var base: String { "http://127.0.0.1:\(port)" }

    private init(app: Application, port: Int) {
        self.app = app
        self.port = port
    }

    static func start() async throws -> FieldServerFixture {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let holder = NIOLockedValueBox<FieldServerFixture?>(nil)
        app.get("api", "v2", "assets", ":uid", "data") { req async throws -> Response in
            guard let fixture = holder.withLockedValue({ $0 }) else { throw Abort(.internalServerError) }
            return try fixture.koboPage(req)
        }
        app.get("v1", "projects", ":project", "forms", ":form") { req async throws -> Response in
            guard let fixture = holder.withLockedValue({ $0 }) else { throw Abort(.internalServerError) }
            return try fixture.odkPage(req)
        }
        app.get("v1", "projects", ":project", "forms", ":form", "Submissions") { req async throws -> Response in
            guard let fixture = holder.withLockedValue({ $0 }) else { throw Abort(.internalServerError) }
            return try fixture.odkPage(req)
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError) }
        let fixture = FieldServerFixture(app: app, port: port)
        holder.withLockedValue { $0 = fixture }
        return fixture
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    /// The next scripted status, if any: nil lets the page through.
    private func scripted(_ req: Request) -> Response? {
        let (status, retryAfter) = state.withLockedValue { state -> (UInt?, String?) in
            state.requests.append(req.url.description)
            return (state.script.isEmpty ? nil : state.script.removeFirst(), state.retryAfter)
        }
        guard let status, status != 200 else { return nil }
        let response = Response(status: HTTPResponseStatus(statusCode: Int(status)), body: .init(string: #"{"detail":"scripted"}"#))
        if status == 429, let retryAfter { response.headers.replaceOrAdd(name: "Retry-After", value: retryAfter) }
        return response
    }

    private func json(_ object: Any) throws -> Response {
        let response = Response(status: .ok, body: .init(data: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
        response.headers.contentType = .json
        return response
    }

    func koboPage(_ req: Request) throws -> Response {
        if let scripted = scripted(req) { return scripted }
        guard req.headers.first(name: .authorization) == "Token \(Self.token)" else { return Response(status: .unauthorized) }
        guard req.parameters.get("uid") == Self.uid, (try? req.query.get(String.self, at: "format")) == "json" else { return Response(status: .notFound) }
        let limit = min((try? req.query.get(Int.self, at: "limit")) ?? 100, Self.pageSize)
        let start = (try? req.query.get(Int.self, at: "start")) ?? 0
        let all = state.withLockedValue { $0.kobo }
        let page = Array(all.dropFirst(start).prefix(limit))
        let next: Any = start + limit < all.count ? "\(base)/api/v2/assets/\(Self.uid)/data/?format=json&limit=\(limit)&start=\(start + limit)" : NSNull()
        let previous: Any = start > 0 ? "\(base)/api/v2/assets/\(Self.uid)/data/?format=json&limit=\(limit)&start=\(max(0, start - limit))" : NSNull()
        return try json(["count": all.count, "next": next, "previous": previous, "results": page])
    }

    func odkPage(_ req: Request) throws -> Response {
        if let scripted = scripted(req) { return scripted }
        let authorization = req.headers.first(name: .authorization) ?? ""
        guard authorization == "Bearer \(Self.token)" || authorization == "Basic \(Data("fp@corridor.test:pass".utf8).base64EncodedString())" else {
            return Response(status: .unauthorized)
        }
        let top = min((try? req.query.get(Int.self, at: "$top")) ?? 250, Self.pageSize)
        let skip = (try? req.query.get(Int.self, at: "$skip")) ?? 0
        var all = state.withLockedValue { $0.odk }
        // `__system/submissionDate ge T or __system/updatedAt ge T` (or `gt`): the cursor is T.
        if let filter = try? req.query.get(String.self, at: "$filter"), let range = filter.range(of: "ge ") ?? filter.range(of: "gt ") {
            let inclusive = filter.contains(" ge ")
            let cursor = String(filter[range.upperBound...].prefix { $0 != " " })
            all = all.filter { submission in
                let system = submission["__system"] as? [String: Any] ?? [:]
                let submitted = system["submissionDate"] as? String ?? ""
                let updated = system["updatedAt"] as? String ?? ""
                return inclusive ? (submitted >= cursor || updated >= cursor) : (submitted > cursor || updated > cursor)
            }
        }
        let page = Array(all.dropFirst(skip).prefix(top))
        var body: [String: Any] = ["@odata.context": "\(base)/v1/projects/3/forms/profiling.svc/$metadata#Submissions", "value": page, "@odata.count": all.count]
        if skip + top < all.count { body["@odata.nextLink"] = "\(base)/v1/projects/3/forms/profiling.svc/Submissions?%24top=\(top)&%24skip=\(skip + top)" }
        return try json(body)
    }

    // MARK: Fixtures built from the questionnaire

    /// Each question's path in the deployed form (its groups, then its name), from the XLSForm.
    static func paths(_ questionnaire: Questionnaire) throws -> [String: [String]] {
        let survey = try #require(XLSForm.sheets(questionnaire).first { $0.sheetName == "survey" }).rows
        var groups: [String] = []
        var paths: [String: [String]] = [:]
        for row in survey {
            switch row[0] {
            case "begin_group": groups.append(row[1])
            case "end_group": groups.removeLast()
            default: paths[row[1]] = groups + [row[1]]
            }
        }
        return paths
    }

    /// A Kobo data result for answers given as choice codes, as the deployed form records them.
    static func koboSubmission(_ answers: [String: [String]], index: Int, questionnaire: Questionnaire, extra: [String: String] = [:]) throws -> [String: Any] {
        let paths = try Self.paths(questionnaire)
        let uuid = "kobo-0000-\(index)"
        var result: [String: Any] = [
            "_id": 1000 + index, "formhub/uuid": "f00d", "start": "2024-03-0\(index + 1)T09:00:00.000+00:00", "end": "2024-03-0\(index + 1)T09:20:00.000+00:00",
            "today": "2024-03-0\(index + 1)", "__version__": "vXyZ", "meta/instanceID": "uuid:\(uuid)", "_xform_id_string": uid, "_uuid": uuid,
            "_attachments": index == 0 ? [["download_url": "https://kc.kobotoolbox.org/media/original?media_file=enqueteur%2Fattachments%2Fphoto.jpg",
                                           "mimetype": "image/jpeg", "filename": "enqueteur/attachments/f00d/\(uuid)/photo.jpg", "instance": 1000 + index,
                                           "xform": 42, "id": 7, "question_xpath": "photo"]] : [],
            "_status": "submitted_via_web", "_geolocation": [NSNull(), NSNull()], "_submission_time": "2024-03-05T10:00:0\(index)",
            "_tags": [], "_notes": [], "_validation_status": [String: Any](), "_submitted_by": NSNull(),
        ]
        for (code, values) in answers {
            guard let path = paths[code] else { continue }
            result[path.joined(separator: "/")] = values.joined(separator: " ")
        }
        for (key, value) in extra { result[key] = value }
        return result
    }

    /// An ODK Central OData entry: groups nested, numbers as numbers, `__system` dates.
    static func odkSubmission(_ answers: [String: [String]], index: Int, questionnaire: Questionnaire, updatedAt: String? = nil) throws -> [String: Any] {
        let paths = try Self.paths(questionnaire)
        let id = "uuid:odk-0000-\(index)"
        var result: [String: Any] = ["__id": id, "start": "2024-03-0\(index + 1)T09:00:00.000Z", "end": "2024-03-0\(index + 1)T09:20:00.000Z",
                                     "today": "2024-03-0\(index + 1)", "meta": ["instanceID": id, "instanceName": "entretien \(index)"]]
        result["__system"] = ["submissionDate": "2024-03-05T10:00:0\(index).000Z", "updatedAt": updatedAt.map { $0 as Any } ?? NSNull(), "submitterId": "5",
                              "submitterName": "enqueteur", "attachmentsPresent": 0, "attachmentsExpected": 0, "status": NSNull(), "reviewState": NSNull(),
                              "deviceId": "collect:abc", "edits": updatedAt == nil ? 0 : 1, "formVersion": "1"]
        for (code, values) in answers {
            guard let path = paths[code], let question = questionnaire.question(code) else { continue }
            let value: Any = (question.type == .integer || question.type == .decimal) ? (Double(values[0]) ?? 0) : values.joined(separator: " ")
            // Nested objects, one per group.
            func insert(_ value: Any, at path: ArraySlice<String>, into object: inout [String: Any]) {
                guard let first = path.first else { return }
                if path.count == 1 { object[first] = value; return }
                var inner = object[first] as? [String: Any] ?? [:]
                insert(value, at: path.dropFirst(), into: &inner)
                object[first] = inner
            }
            insert(value, at: path[...], into: &result)
        }
        return result
    }
}
