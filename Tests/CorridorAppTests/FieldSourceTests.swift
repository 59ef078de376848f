import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// Field data straight from KoboToolbox and ODK Central, against a local server of the tests
/// that answers their documented request shapes (FieldServerFixture).
@Suite struct FieldSourceTests {
    static let respondents = KoboExportShapesTests.respondents

    /// A Corridor and a field server, with retries that do not wait.
    static func run(_ body: (TestCorridor, FieldServerFixture, Questionnaire) async throws -> Void) async throws {
        let server = try await FieldServerFixture.start()
        do {
            try await TestCorridor.run { corridor in
                corridor.app.fieldRetryDelays = [.milliseconds(1), .milliseconds(1), .milliseconds(1)]
                // A server that does not answer is given up on in seconds, not a minute; not in
                // one second, which a loaded machine (the PostgreSQL suite beside a benchmark)
                // can take to answer, turning an answer into a retry and the attempts counted wrong.
                corridor.app.fieldServerClient = LiveFieldServerClient(client: corridor.app.fieldHTTPClient, timeout: .seconds(3))
                let questionnaire = try #require(try await corridor.app.profilingCatalog.questionnaire("profiling_return"))
                try await body(corridor, server, questionnaire)
            }
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    static func service(_ corridor: TestCorridor) -> FieldSourceService {
        FieldSourceService(corridor.app.serviceContext(actor: .commandLine("test")), application: corridor.app)
    }

    static func koboSource(_ corridor: TestCorridor, _ server: FieldServerFixture, webhook: Bool = false, name: String = "kobo-civ") async throws -> (UUID, String?) {
        try await service(corridor).create(FieldSourceService.SourceDraft(name: name, kind: "kobo", serverURL: server.base + "/", form: FieldServerFixture.uid,
                                                                         questionnaireCode: "profiling_return", token: FieldServerFixture.token, webhook: webhook))
    }

    static func interviews(_ corridor: TestCorridor) async throws -> [InterviewModel] {
        try await InterviewModel.query(on: corridor.app.db).sort(\.$externalUUID).all()
    }

    @Test func aKoboPullPagesThroughEverySubmissionAndCatchesEdits() async throws {
        try await Self.run { corridor, server, questionnaire in
            let submissions = try Self.respondents.enumerated().map { try FieldServerFixture.koboSubmission($1, index: $0, questionnaire: questionnaire) }
            server.state.withLockedValue { $0.kobo = submissions }
            let (id, _) = try await Self.koboSource(corridor, server)
            let first = try await Self.service(corridor).pull(id)
            #expect(first.outcome == "applied" && first.received == 3 && first.created == 3 && first.held == 0, "\(first)")
            #expect(first.attempts == 2, "two pages of two")
            let stored = try await Self.interviews(corridor)
            #expect(stored.map(\.externalUUID) == ["kobo-0000-0", "kobo-0000-1", "kobo-0000-2"])
            #expect(stored.allSatisfy { $0.source == "kobo:kobo-civ" })
            #expect(stored.first?.interviewedOn == "2024-03-01", "dated by the form's `today`")
            let requests = server.state.withLockedValue { $0.requests }
            #expect(requests.first?.contains("/api/v2/assets/\(FieldServerFixture.uid)/data/?format=json&limit=1000") == true, "\(requests)")

            // An edit in Kobo: a new `_uuid` and instance id, the root kept, `_submission_time` unmoved.
            server.state.withLockedValue { state in
                state.kobo[1]["_uuid"] = "kobo-edited-1"
                state.kobo[1]["meta/instanceID"] = "uuid:kobo-edited-1"
                state.kobo[1]["meta/rootUuid"] = "uuid:kobo-0000-1"
                state.kobo[1]["meta/deprecatedID"] = "uuid:kobo-0000-1"
                state.kobo[1]["profile/age"] = "32"
                state.requests = []
            }
            let second = try await Self.service(corridor).pull(id)
            #expect(second.created == 0 && second.updated == 1 && second.unchanged == 2, "\(second)")
            let edited = try #require(try await InterviewModel.query(on: corridor.app.db).filter(\.$externalUUID == "kobo-0000-1").first())
            #expect(edited.answers.contains("\"32\""), "the edit is applied to the interview it edits")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 3)
            let log = try await FieldSourceQueries(database: corridor.app.db).pulls(id)
            #expect(log.count == 2 && log.allSatisfy { $0.outcome == "applied" })
            let audited = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "field_pull").count()
            #expect(audited == 2)
        }
    }

    @Test func failuresAreRetriedAndAPullIsNeverAppliedInPart() async throws {
        try await Self.run { corridor, server, questionnaire in
            let submissions = try Self.respondents.enumerated().map { try FieldServerFixture.koboSubmission($1, index: $0, questionnaire: questionnaire) }
            server.state.withLockedValue { $0.kobo = submissions }
            let (id, _) = try await Self.koboSource(corridor, server)
            // A 5xx in the middle of a pull, then 429 with Retry-After, then a 503: each retried.
            server.state.withLockedValue { $0.script = [200, 502, 429, 503]; $0.retryAfter = "0" }
            let recovered = try await Self.service(corridor).pull(id)
            #expect(recovered.outcome == "applied" && recovered.created == 3 && recovered.attempts == 5, "\(recovered)")

            // A server that keeps failing on the second page: nothing of the first is applied.
            try await InterviewModel.query(on: corridor.app.db).delete()
            server.state.withLockedValue { $0.script = [200, 500, 500, 500, 500] }
            let failed = try await Self.service(corridor).pull(id)
            #expect(failed.outcome == "failed" && failed.failure == .status(500) && failed.attempts == 5, "\(failed)")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 0, "never half-applied")
            // A token the server refuses: retried, then reported, never logged.
            server.state.withLockedValue { $0.script = [401, 401, 401, 401] }
            let refused = try await Self.service(corridor).pull(id)
            #expect(refused.failure == .status(401) && refused.attempts == 4)
            let log = try await FieldSourceQueries(database: corridor.app.db).pulls(id)
            // (The test clock stands still: pulls share their time, so the log's order among them is not asserted.)
            #expect(log.contains { $0.error?.contains("refused the token") == true })
            #expect(!log.contains { ($0.error ?? "").contains(FieldServerFixture.token) })
            // A 404 (a wrong uid) is not retried.
            server.state.withLockedValue { $0.script = [404] }
            #expect(try await Self.service(corridor).pull(id).attempts == 1)
            // No server at all.
            // Another server: the token must be typed again, never carried over to it.
            await #expect(throws: FieldSourceError.self) {
                try await Self.service(corridor).update(id, FieldSourceService.SourceDraft(name: "kobo-civ", kind: "kobo", serverURL: "http://127.0.0.1:9", form: FieldServerFixture.uid))
            }
            try await Self.service(corridor).update(id, FieldSourceService.SourceDraft(name: "kobo-civ", kind: "kobo", serverURL: "http://127.0.0.1:9", form: FieldServerFixture.uid,
                                                                                     token: FieldServerFixture.token))
            let unreachable = try await Self.service(corridor).pull(id)
            #expect(unreachable.outcome == "failed" && unreachable.attempts == 4)
        }
    }

    @Test func theTokenIsSealedAndGoesToTheSourcesServerOnly() async throws {
        try await Self.run { corridor, server, questionnaire in
            let (id, _) = try await Self.koboSource(corridor, server)
            let model = try #require(try await FieldSourceModel.find(id, on: corridor.app.db))
            #expect(!model.tokenSealed.contains(FieldServerFixture.token))
            #expect(String(decoding: try #require(FieldSourceService.tokenBox(corridor.app.corridor.secret).open(model.tokenSealed)), as: UTF8.self) == FieldServerFixture.token)
            // A `next` link to another host is not followed with the token.
            server.state.withLockedValue { $0.kobo = [try! FieldServerFixture.koboSubmission(Self.respondents[0], index: 0, questionnaire: questionnaire)] }
            try await Self.service(corridor).update(id, FieldSourceService.SourceDraft(name: "kobo-civ", kind: "kobo", serverURL: "http://localhost:\(server.port)",
                                                                                     form: FieldServerFixture.uid, token: FieldServerFixture.token))
            server.state.withLockedValue { $0.kobo += $0.kobo + $0.kobo }
            let outcome = try await Self.service(corridor).pull(id)
            #expect(outcome.failure == .foreignLink, "the fixture's next links name 127.0.0.1, not localhost: \(outcome)")
        }
    }

    @Test func anUnmappedColumnHoldsThePullWholeUntilItsMappingIsComplete() async throws {
        try await Self.run { corridor, server, questionnaire in
            let submissions = try Self.respondents.enumerated().map {
                try FieldServerFixture.koboSubmission($1, index: $0, questionnaire: questionnaire, extra: ["profile/enumerator_note": "ok"])
            }
            server.state.withLockedValue { $0.kobo = submissions }
            let (id, _) = try await Self.koboSource(corridor, server)
            let held = try await Self.service(corridor).pull(id)
            #expect(held.outcome == "held" && held.held == 3 && held.created == 0, "\(held)")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 0)
            let rows = try await FieldSourceQueries(database: corridor.app.db).held(id)
            #expect(rows.count == 3 && rows.allSatisfy { $0.reason == "unmapped" && $0.detail.contains("profile/enumerator_note") })
            // Held again by a second pull, not twice.
            _ = try await Self.service(corridor).pull(id)
            #expect(try await FieldSourceQueries(database: corridor.app.db).held(id).count == 3)

            // The mapping is completed on the import page: the held submissions are applied.
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            let saved = try await officer.post("/profiling/mappings", ["source": "kobo-civ", "questionnaire": "profiling_return", "q[profile/enumerator_note]": KoboMapping.ignoreChoice])
            #expect(saved.status == .seeOther && saved.location == "/profiling/sources/\(id.uuidString)?notice=pull_applied", "\(saved.status) \(saved.location ?? "")")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 3)
            #expect(try await FieldSourceQueries(database: corridor.app.db).held(id).isEmpty)
        }
    }

    @Test func refusedAnswersAreHeldAndTheOthersApplied() async throws {
        try await Self.run { corridor, server, questionnaire in
            var answers = Self.respondents
            answers[2]["age"] = ["230"]
            server.state.withLockedValue { state in state.kobo = try! answers.enumerated().map { try FieldServerFixture.koboSubmission($1, index: $0, questionnaire: questionnaire) } }
            let (id, _) = try await Self.koboSource(corridor, server)
            let outcome = try await Self.service(corridor).pull(id)
            #expect(outcome.outcome == "applied" && outcome.created == 2 && outcome.held == 1 && outcome.rejected == 1, "\(outcome)")
            let held = try await FieldSourceQueries(database: corridor.app.db).held(id)
            #expect(held.map(\.key) == ["kobo-0000-2"] && held.first?.reason == "invalid" && held.first?.detail.contains("profiling.error.range") == true)
            // Corrected in Kobo: the next pull applies it and it is no longer held.
            server.state.withLockedValue { $0.kobo[2]["profile/age"] = "23" }
            let corrected = try await Self.service(corridor).pull(id)
            #expect(corrected.created == 1 && corrected.held == 0)
            #expect(try await FieldSourceQueries(database: corridor.app.db).held(id).isEmpty)
        }
    }

    @Test func koboWebhookDeliveriesAreAppliedOnceBySecret() async throws {
        try await Self.run { corridor, server, questionnaire in
            let (_, secret) = try await Self.koboSource(corridor, server, webhook: true)
            let webhookSecret = try #require(secret)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: try FieldServerFixture.koboSubmission(Self.respondents[0], index: 0, questionnaire: questionnaire)),
                              as: UTF8.self)
            func deliver(_ body: String, secret: String?, header: Bool = false, source: String = "kobo-civ") async throws -> TestingHTTPResponse {
                var headers = HTTPHeaders()
                headers.contentType = .json
                if let secret {
                    if header { headers.replaceOrAdd(name: "X-Corridor-Secret", value: secret) } else { headers.basicAuthorization = BasicAuthorization(username: "kobo", password: secret) }
                }
                return try await corridor.app.testing().performTest(request: TestingHTTPRequest(method: .POST, url: URI(path: "/api/v1/kobo/submissions/\(source)"),
                                                                                               headers: headers, body: ByteBuffer(string: body)))
            }
            let first = try await deliver(body, secret: webhookSecret)
            #expect(first.status == .ok && first.body.string.contains("\"created\":1"), "\(first.body.string)")
            let again = try await deliver(body, secret: webhookSecret, header: true)
            #expect(again.status == .ok && again.body.string.contains("\"unchanged\":1"), "idempotent on the submission's key")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 1)
            #expect(try await deliver(body, secret: "wrong").status == .unauthorized)
            #expect(try await deliver(body, secret: nil).status == .unauthorized)
            #expect(try await deliver(body, secret: webhookSecret, source: "nothing").status == .unauthorized)
            #expect(try await deliver("[1, 2]", secret: webhookSecret).status == .badRequest)
            #expect(try await deliver(String(repeating: " ", count: 300_000) + "{}", secret: webhookSecret).status == .payloadTooLarge)
            #expect(try await deliver(String(repeating: " ", count: 300_000) + "{}", secret: "wrong").status == .unauthorized, "the secret is checked before the body is read")
            #expect(try await deliver(#"{"consent": "yes"}"#, secret: webhookSecret).status == .badRequest, "no key")
            // A delivery with a column the mapping does not know is held (202), never applied in part.
            var unknown = try FieldServerFixture.koboSubmission(Self.respondents[1], index: 1, questionnaire: questionnaire)
            unknown["journey/new_question"] = "x"
            let held = try await deliver(String(decoding: try JSONSerialization.data(withJSONObject: unknown), as: UTF8.self), secret: webhookSecret)
            #expect(held.status == .accepted && held.body.string.contains("\"held\":1"))
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 1)
            #expect(try await HeldSubmissionModel.query(on: corridor.app.db).count() == 1)
        }
    }

    @Test func anODKCentralPullAsksOnlyForWhatChangedSinceTheLast() async throws {
        try await Self.run { corridor, server, questionnaire in
            server.state.withLockedValue { state in state.odk = try! Self.respondents.enumerated().map { try FieldServerFixture.odkSubmission($1, index: $0, questionnaire: questionnaire) } }
            let (id, _) = try await Self.service(corridor).create(FieldSourceService.SourceDraft(
                name: "odk-tun", kind: "odk_central", serverURL: server.base, form: "3/profiling", questionnaireCode: "profiling_return",
                token: "fp@corridor.test:pass", auth: "basic"))
            let first = try await Self.service(corridor).pull(id)
            #expect(first.outcome == "applied" && first.created == 3 && first.attempts == 2, "\(first)")
            #expect(try await Self.interviews(corridor).map(\.externalUUID) == ["odk-0000-0", "odk-0000-1", "odk-0000-2"])
            let cursor = try #require(try await FieldSourceModel.find(id, on: corridor.app.db)?.cursor)
            #expect(cursor == "2024-03-05T10:00:02.000Z")

            // Edited in Central: `__id` stays, `updatedAt` moves.
            server.state.withLockedValue { state in
                state.odk[0] = try! FieldServerFixture.odkSubmission(Self.respondents[0].merging(["age": ["49"]]) { $1 }, index: 0, questionnaire: questionnaire,
                                                                     updatedAt: "2024-04-01T08:00:00.000Z")
                state.requests = []
            }
            let second = try await Self.service(corridor).pull(id)
            // What changed, and the last one seen again (`ge`), unchanged.
            #expect(second.received == 2 && second.updated == 1 && second.unchanged == 1, "only what changed: \(second)")
            let asked = server.state.withLockedValue { $0.requests }
            let filter = URLComponents(string: try #require(asked.first))?.queryItems?.first { $0.name == "$filter" }?.value
            #expect(filter == "__system/submissionDate ge 2024-03-05T10:00:02.000Z or __system/updatedAt ge 2024-03-05T10:00:02.000Z", "\(asked)")
            #expect(try await FieldSourceModel.find(id, on: corridor.app.db)?.cursor == "2024-04-01T08:00:00.000Z")
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 3)
        }
    }

    @Test func whatAServerOrAnEditorCouldAbuseIsRefused() async throws {
        try await Self.run { corridor, server, questionnaire in
            // The token travels over https, or plain http to this machine only.
            for address in ["http://kobo.example.org", "ftp://127.0.0.1", "https://user:pw@kobo.example.org", "https://kobo.example.org/?x=1"] {
                await #expect(throws: FieldSourceError.self, "\(address)") {
                    try await Self.service(corridor).create(FieldSourceService.SourceDraft(name: "x", kind: "kobo", serverURL: address, form: "abc", token: "t"))
                }
            }
            // A `next` link back to the same page with nothing in it ends the pull.
            server.state.withLockedValue { $0.kobo = [] }
            let (id, _) = try await Self.koboSource(corridor, server)
            let empty = try await Self.service(corridor).pull(id)
            #expect(empty.outcome == "applied" && empty.received == 0 && empty.attempts == 1)
            // Two pulls of one source at once: the second is refused, not raced.
            server.state.withLockedValue { state in state.kobo = try! Self.respondents.enumerated().map { try FieldServerFixture.koboSubmission($1, index: $0, questionnaire: questionnaire) } }
            async let first = Self.service(corridor).pull(id)
            async let second = Self.service(corridor).pull(id)
            let outcomes = try await [first, second].map(\.outcome).sorted()
            #expect(outcomes == ["applied", "running"] || outcomes == ["applied", "applied"], "\(outcomes)")
            #expect(corridor.app.fieldPullsRunning.begin(id))
            #expect(try await Self.service(corridor).pull(id).outcome == "running", "while one runs, another is refused")
            corridor.app.fieldPullsRunning.end(id)
            #expect(try await InterviewModel.query(on: corridor.app.db).count() == 3)
            // A server answering a key per submission: refused past the widest form.
            server.state.withLockedValue { state in
                state.kobo = (0..<3).map { index in
                    var submission = try! FieldServerFixture.koboSubmission(Self.respondents[index], index: index, questionnaire: questionnaire)
                    for column in 0..<2_000 { submission["junk/k\(index)_\(column)"] = "x" }
                    return submission
                }
            }
            #expect(try await Self.service(corridor).pull(id).failure == .tooWide(FieldSourceService.widestForm))
            // A page announcing an absurd count does not trap.
            #expect(try FieldSubmissions.koboPage(Data(#"{"count": 1e300, "next": null, "results": []}"#.utf8)).count == nil)
            #expect(try FieldSubmissions.odkPage(Data(#"{"@odata.count": -1e300, "value": []}"#.utf8)).count == nil)
        }
    }

    @Test func sourcesAreManagedOnTheirPagesByWhoImportsInterviews() async throws {
        try await Self.run { corridor, server, _ in
            let officer = try await corridor.browser(signedInAs: try await corridor.makeUser(.meOfficer))
            #expect(try await officer.get("/profiling/sources?lang=en").status == .ok)
            // A bad form keeps what was typed, never the token.
            let bad = try await officer.post("/profiling/sources", ["name": "Bad Name!", "kind": "kobo", "server_url": "ftp://x", "form": "a/b",
                                                                    "questionnaire": "profiling_return", "token": "typed-secret", "auth": "token"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Bad Name!") && bad.body.string.contains("ftp://x") && !bad.body.string.contains("typed-secret"))
            let created = try await officer.post("/profiling/sources", ["name": "kobo-civ", "kind": "kobo", "server_url": server.base, "form": FieldServerFixture.uid,
                                                                        "questionnaire": "profiling_return", "token": FieldServerFixture.token, "auth": "token",
                                                                        "scheduled": "1", "webhook": "1"])
            #expect(created.status == .ok && created.headers.first(name: .cacheControl) == "no-store")
            #expect(created.body.string.contains("/api/v1/kobo/submissions/kobo-civ") && !created.body.string.contains(FieldServerFixture.token))
            let id = try #require(try await FieldSourceModel.query(on: corridor.app.db).first()?.id)
            let page = try await officer.get("/profiling/sources/\(id.uuidString)")
            #expect(page.status == .ok && !page.body.string.contains(FieldServerFixture.token))
            #expect(try await officer.post("/profiling/sources/\(id.uuidString)/pull").status == .seeOther)
            let logged = try await officer.get("/profiling/sources/\(id.uuidString)?lang=en")
            #expect(logged.body.string.contains("<th scope=\"col\">When</th>") && !logged.body.string.contains("&lt;"), "the log is a table, not its markup as text")
            // Settings saved without a token keep the stored one.
            let saved = try await officer.post("/profiling/sources/\(id.uuidString)", ["kind": "kobo", "server_url": server.base, "form": FieldServerFixture.uid,
                                                                                       "questionnaire": "profiling_return", "token": "", "auth": "token"])
            #expect(saved.status == .seeOther)
            let model = try #require(try await FieldSourceModel.find(id, on: corridor.app.db))
            #expect(!model.scheduled)
            #expect(FieldSourceService.tokenBox(corridor.app.corridor.secret).open(model.tokenSealed).map { String(decoding: $0, as: UTF8.self) } == FieldServerFixture.token)
            let caseworker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await caseworker.get("/profiling/sources/\(id.uuidString)").status == .forbidden)
            #expect(try await officer.post("/profiling/sources/\(id.uuidString)/delete", ["confirm": "1"]).status == .seeOther)
            #expect(try await FieldSourceModel.query(on: corridor.app.db).count() == 0)
            let changes = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "field_source").all().map(\.action)
            #expect(changes == ["create", "update", "delete"])
        }
    }
}
