import CorridorCore
import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

enum FieldSourceError: Error, Sendable {
    case invalid([FieldIssue])
    case notFound
}

/// Field sources and what comes from them: pulls from KoboToolbox and ODK Central, Kobo's
/// webhook deliveries, and held submissions. Every path ends in the one interview import
/// (`KoboCSVReader` then `ProfilingService`), inside one transaction with its log line: a pull
/// is applied whole or not at all.
struct FieldSourceService: Sendable {
    let context: ServiceContext
    let client: any FieldServerClient
    let box: SecretBox
    let retryDelays: [Duration]
    let catalog: ProfilingCatalog
    let running: FieldPullsRunning

    init(_ context: ServiceContext, application: Application) {
        self.context = context
        client = application.fieldServerClient
        box = Self.tokenBox(application.corridor.secret)
        retryDelays = application.fieldRetryDelays
        running = application.fieldPullsRunning
        catalog = ProfilingCatalog(database: context.database, shipped: application.shippedProfiling)
    }

    static func tokenBox(_ secret: CorridorSecret) -> SecretBox { SecretBox(secret: secret, purpose: "field-source-token") }

    /// More submissions than this in one pull is refused (a form that large is imported from
    /// its export, at the command line).
    static let largestPull = 200_000
    static let koboPageSize = 1_000
    static let odkPageSize = 250
    /// Columns the submissions of one pull may have in all.
    static let widestForm = 5_000

    // MARK: Sources

    struct SourceDraft: Sendable {
        var name = ""
        var kind = FieldServerKind.kobo.rawValue
        var serverURL = ""
        var form = ""
        var questionnaireCode = "profiling_return"
        /// Empty when editing: the stored token is kept.
        var token = ""
        var auth = "token"
        var scheduled = true
        var webhook = false
    }

    func validate(_ draft: SourceDraft, creating: Bool) async throws -> [FieldIssue] {
        var issues: [FieldIssue] = []
        // The name is also the one its mapping is saved under: lower-case letters, digits, - and _.
        let name = draft.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 60 || KoboMapping.sourceName(name) != name {
            issues.append(FieldIssue("name", "source.error.name"))
        }
        if FieldServerKind(rawValue: draft.kind) == nil { issues.append(FieldIssue("kind", "source.error.kind")) }
        // https, so that the token never travels in clear; plain http only to this machine.
        if let url = URL(string: draft.serverURL.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
           !host.isEmpty, url.query == nil, url.user == nil,
           scheme == "https" || (scheme == "http" && (host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]")) {
        } else {
            issues.append(FieldIssue("server_url", "source.error.server_url"))
        }
        let form = draft.form.trimmingCharacters(in: .whitespaces)
        let formParts = form.split(separator: "/", omittingEmptySubsequences: false)
        let safe = { (text: Substring) in !text.isEmpty && text.count <= 128 && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) } }
        if draft.kind == FieldServerKind.odkCentral.rawValue {
            if formParts.count != 2 || Int(formParts[0]) == nil || !safe(formParts[1]) { issues.append(FieldIssue("form", "source.error.odk_form")) }
        } else if formParts.count != 1 || !safe(formParts[0]) {
            issues.append(FieldIssue("form", "source.error.kobo_form"))
        }
        if try await catalog.questionnaire(draft.questionnaireCode) == nil { issues.append(FieldIssue("questionnaire", "source.error.questionnaire")) }
        if creating, draft.token.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(FieldIssue("token", "source.error.token")) }
        if !["token", "basic"].contains(draft.auth) || (draft.auth == "basic" && draft.kind != FieldServerKind.odkCentral.rawValue) {
            issues.append(FieldIssue("auth", "source.error.auth"))
        }
        if draft.auth == "basic", !draft.token.isEmpty, !draft.token.contains(":") { issues.append(FieldIssue("token", "source.error.basic")) }
        if draft.webhook, draft.kind != FieldServerKind.kobo.rawValue { issues.append(FieldIssue("webhook", "source.error.webhook")) }
        let others = try await FieldSourceModel.query(on: context.database).filter(\.$name == name).all()
        if !others.isEmpty, creating { issues.append(FieldIssue("name", "source.error.name_taken")) }
        return issues
    }

    /// Creates a source; returns it and the webhook secret when one was asked for (shown once).
    func create(_ draft: SourceDraft) async throws -> (id: UUID, webhookSecret: String?) {
        let issues = try await validate(draft, creating: true)
        guard issues.isEmpty else { throw FieldSourceError.invalid(issues) }
        let secret = draft.webhook ? SecureToken.generate() : nil
        let model = FieldSourceModel()
        model.name = draft.name.trimmingCharacters(in: .whitespaces)
        apply(draft, to: model)
        model.tokenSealed = try box.seal(Data(draft.token.trimmingCharacters(in: .whitespaces).utf8))
        model.webhookSecretHash = secret.map(Self.digest)
        model.createdBy = context.actor.label
        model.createdAt = context.now
        model.updatedAt = context.now
        let actor = context.actor, now = context.now
        let id = try await context.database.writeTransaction { db -> UUID in
            try await model.create(on: db)
            let id = try model.requireID()
            try await AuditLog.append(AuditEvent(action: .create, entityType: "field_source", entityID: id.uuidString,
                                                 changedFields: ["name", "kind", "server_url", "form", "questionnaire", "token"] + (secret == nil ? [] : ["webhook_secret"])),
                                      by: actor, at: now, on: db)
            return id
        }
        return (id, secret)
    }

    /// Changes a source's settings; its token only when a new one is typed.
    func update(_ id: UUID, _ draft: SourceDraft) async throws {
        guard let model = try await FieldSourceModel.find(id, on: context.database) else { throw FieldSourceError.notFound }
        var draft = draft
        draft.name = model.name
        let issues = try await validate(draft, creating: false)
        guard issues.isEmpty else { throw FieldSourceError.invalid(issues) }
        var changed: [String] = []
        var url = draft.serverURL.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        if model.serverURL != url { changed.append("server_url") }
        if model.form != draft.form.trimmingCharacters(in: .whitespaces) { changed.append("form") }
        if model.questionnaireCode != draft.questionnaireCode { changed.append("questionnaire") }
        if model.kind != draft.kind { changed.append("kind") }
        if model.auth != draft.auth { changed.append("auth") }
        if model.scheduled != draft.scheduled { changed.append("scheduled") }
        // The stored token goes to the server it was typed for, as it was typed: another server,
        // kind or authentication needs it typed again.
        if changed.contains(where: { ["server_url", "kind", "auth"].contains($0) }), draft.token.trimmingCharacters(in: .whitespaces).isEmpty {
            throw FieldSourceError.invalid([FieldIssue("token", "source.error.token_again")])
        }
        // Another server or form is another stream of submissions: the ODK cursor starts again.
        if changed.contains(where: { ["server_url", "form", "kind"].contains($0) }) { model.cursor = nil }
        apply(draft, to: model)
        if !draft.token.trimmingCharacters(in: .whitespaces).isEmpty {
            model.tokenSealed = try box.seal(Data(draft.token.trimmingCharacters(in: .whitespaces).utf8))
            changed.append("token")
        }
        guard !changed.isEmpty else { return }
        model.updatedAt = context.now
        let actor = context.actor, now = context.now, fields = changed
        try await context.database.writeTransaction { db in
            try await model.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "field_source", entityID: id.uuidString, changedFields: fields),
                                      by: actor, at: now, on: db)
        }
    }

    private func apply(_ draft: SourceDraft, to model: FieldSourceModel) {
        model.kind = draft.kind
        var url = draft.serverURL.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        model.serverURL = url
        model.form = draft.form.trimmingCharacters(in: .whitespaces)
        model.questionnaireCode = draft.questionnaireCode
        model.auth = draft.auth
        model.scheduled = draft.scheduled
    }

    /// A new webhook secret (the old one stops working at once); shown once.
    func renewWebhookSecret(_ id: UUID) async throws -> String {
        guard let model = try await FieldSourceModel.find(id, on: context.database) else { throw FieldSourceError.notFound }
        guard model.kind == FieldServerKind.kobo.rawValue else { throw FieldSourceError.invalid([FieldIssue("webhook", "source.error.webhook")]) }
        let secret = SecureToken.generate()
        model.webhookSecretHash = Self.digest(secret)
        model.updatedAt = context.now
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            try await model.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "field_source", entityID: id.uuidString, changedFields: ["webhook_secret"]),
                                      by: actor, at: now, on: db)
        }
        return secret
    }

    /// Deletes a source, its log and what it holds; its interviews stay.
    func delete(_ id: UUID) async throws {
        guard let model = try await FieldSourceModel.find(id, on: context.database) else { throw FieldSourceError.notFound }
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            try await HeldSubmissionModel.query(on: db).filter(\.$sourceID == id).delete()
            try await FieldPullModel.query(on: db).filter(\.$sourceID == id).delete()
            try await model.delete(on: db)
            try await AuditLog.append(AuditEvent(action: .delete, entityType: "field_source", entityID: id.uuidString), by: actor, at: now, on: db)
        }
    }

    static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Pulls

    /// What one pull, delivery or application of held submissions did.
    struct PullOutcome: Sendable, Equatable {
        var outcome = "applied"
        var received = 0
        var created = 0
        var updated = 0
        var unchanged = 0
        var rejected = 0
        var held = 0
        var attempts = 0
        var failure: FieldPullFailure?
    }

    /// Reads every page the server has for the source, then applies them in one transaction;
    /// a failure after the retries applies nothing and is logged.
    func pull(_ id: UUID) async throws -> PullOutcome {
        guard let source = try await FieldSourceModel.find(id, on: context.database) else { throw FieldSourceError.notFound }
        // One pull of a source at a time (a double click, the schedule and a click): the second
        // is refused at once rather than racing the first.
        guard running.begin(id) else { return PullOutcome(outcome: "running", failure: .running) }
        defer { running.end(id) }
        let started = context.now
        var attempts = 0
        do {
            let (submissions, cursor) = try await fetchAll(source, attempts: &attempts)
            return try await apply(submissions, to: source, kind: "pull", started: started, cursor: cursor, attempts: attempts)
        } catch let failure as FieldPullFailure {
            let outcome = PullOutcome(outcome: "failed", attempts: attempts, failure: failure)
            try await context.database.writeTransaction { db in try await log(outcome, source: source, kind: "pull", started: started, on: db) }
            return outcome
        }
    }

    /// The request headers that authenticate to the source's server.
    private func authorization(_ source: FieldSourceModel) throws(FieldPullFailure) -> HTTPHeaders {
        guard let plain = box.open(source.tokenSealed).map({ String(decoding: $0, as: UTF8.self) }) else { throw .sealedToken }
        var headers: HTTPHeaders = ["Accept": "application/json"]
        switch (source.kind, source.auth) {
        case (FieldServerKind.kobo.rawValue, _): headers.replaceOrAdd(name: .authorization, value: "Token \(plain)")
        case (_, "basic"): headers.replaceOrAdd(name: .authorization, value: "Basic \(Data(plain.utf8).base64EncodedString())")
        default: headers.replaceOrAdd(name: .authorization, value: "Bearer \(plain)")
        }
        return headers
    }

    /// Every submission of the source as its server has them now (Kobo: all of them, compared
    /// with what is stored, so edits are caught; ODK Central: those submitted or updated since
    /// the last pull), and the cursor the next pull starts from.
    private func fetchAll(_ source: FieldSourceModel, attempts: inout Int) async throws(FieldPullFailure) -> ([FieldSubmission], String?) {
        let headers = try authorization(source)
        var submissions: [FieldSubmission] = []
        guard let base = URL(string: source.serverURL) else { throw .unreadable }
        if source.kind == FieldServerKind.kobo.rawValue {
            var next: String? = "\(source.serverURL)/api/v2/assets/\(source.form)/data/?format=json&limit=\(Self.koboPageSize)"
            var pages = 0
            while let url = next {
                // The token goes to the source's own server only, whatever a `next` link says.
                guard let link = URL(string: url), link.scheme == base.scheme, link.host == base.host, link.port == base.port else { throw .foreignLink }
                let body = try await fetch(url, headers: headers, attempts: &attempts)
                let page: FieldPage
                do { page = try FieldSubmissions.koboPage(body) } catch { throw .unreadable }
                submissions += page.submissions
                if submissions.count > Self.largestPull { throw .tooMany(Self.largestPull) }
                pages += 1
                // An empty page ends the pull, whatever its `next` says (a link back to itself
                // would loop), and so does a number of pages no real form reaches.
                next = page.submissions.isEmpty || pages >= Self.largestPull ? nil : page.next
            }
            return (submissions, nil)
        }
        let parts = source.form.split(separator: "/")
        guard parts.count == 2 else { throw .unreadable }
        var filter = ""
        if let cursor = source.cursor {
            // Edits move `updatedAt`, new submissions `submissionDate`: both are asked for, from
            // the cursor itself (`ge`: a submission stamped the same millisecond as the last one
            // seen is read again, harmlessly, rather than skipped for good).
            let expression = "__system/submissionDate ge \(cursor) or __system/updatedAt ge \(cursor)"
            let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            filter = "&%24filter=" + (expression.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")
        }
        var skip = 0
        var cursor = source.cursor
        while true {
            let url = "\(source.serverURL)/v1/projects/\(parts[0])/forms/\(parts[1]).svc/Submissions?%24top=\(Self.odkPageSize)&%24skip=\(skip)&%24count=true\(filter)"
            let body = try await fetch(url, headers: headers, attempts: &attempts)
            let page: FieldPage
            do { page = try FieldSubmissions.odkPage(body) } catch { throw .unreadable }
            submissions += page.submissions
            if submissions.count > Self.largestPull { throw .tooMany(Self.largestPull) }
            for submission in page.submissions { if let changed = submission.changedAt, changed > (cursor ?? "") { cursor = changed } }
            skip += page.submissions.count
            if page.submissions.isEmpty || (page.next == nil && (page.count.map { skip >= $0 } ?? (page.submissions.count < Self.odkPageSize))) { break }
        }
        return (submissions, cursor)
    }

    /// One page, retried with back-off on what may pass (no answer, 401/403, 429, 5xx).
    private func fetch(_ url: String, headers: HTTPHeaders, attempts: inout Int) async throws(FieldPullFailure) -> Data {
        var delays = retryDelays[...]
        while true {
            attempts += 1
            let failure: FieldPullFailure
            var wait: Duration? = nil
            let response: (status: UInt, headers: HTTPHeaders, body: Data)
            do {
                response = try await client.get(url, headers: headers)
            } catch let known as FieldPullFailure {
                throw known
            } catch {
                response = (0, [:], Data())
            }
            if response.status == 200 { return response.body }
            if response.status == 0 {
                failure = .network("connection")
            } else {
                failure = .status(response.status)
                guard [401, 403, 429].contains(response.status) || response.status >= 500 else { throw failure }
                if response.status == 429, let seconds = response.headers.first(name: "Retry-After").flatMap({ Int($0) }), seconds <= 120 { wait = .seconds(seconds) }
            }
            guard let delay = delays.popFirst() else { throw failure }
            try? await Task.sleep(for: max(delay, wait ?? .zero))
        }
    }

    // MARK: Applying

    /// The Kobo source a delivery names, when the secret is its own (nil for a wrong secret and
    /// an unknown source alike).
    func authenticate(sourceName: String, secret: String) async throws -> FieldSourceModel? {
        guard !secret.isEmpty, sourceName.count <= 64, let source = try await FieldSourceModel.query(on: context.database).filter(\.$name == sourceName).first(),
              source.kind == FieldServerKind.kobo.rawValue, let stored = source.webhookSecretHash,
              ConstantTime.equal(Self.digest(secret), stored) else { return nil }
        return source
    }

    /// A Kobo REST Services delivery for a source already authenticated: one submission,
    /// applied or held at once, idempotent on its root uuid.
    func receive(_ body: Data, for source: FieldSourceModel) async throws -> PullOutcome {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body), let submission = FieldSubmissions.kobo(value), submission.key != nil else {
            throw FieldSourceError.invalid([FieldIssue("body", "source.error.submission")])
        }
        return try await apply([submission], to: source, kind: "webhook", started: context.now, cursor: nil)
    }

    /// Applies what the source holds, now that its mapping may be complete.
    func applyHeld(_ id: UUID) async throws -> PullOutcome {
        guard let source = try await FieldSourceModel.find(id, on: context.database) else { throw FieldSourceError.notFound }
        let held = try await HeldSubmissionModel.query(on: context.database).filter(\.$sourceID == id).sort(\.$receivedAt).all()
        let submissions = held.compactMap { try? JSONDecoder().decode(FieldSubmission.self, from: Data($0.payload.utf8)) }
        return try await apply(submissions, to: source, kind: "held", started: context.now, cursor: nil)
    }

    /// Reads submissions through the source's mapping and writes them in one transaction with
    /// the log line: an unmapped column or choice holds them all, whole; submissions the
    /// questionnaire refuses are held as invalid and the others written.
    private func apply(_ submissions: [FieldSubmission], to source: FieldSourceModel, kind: String, started: Date, cursor: String?,
                       attempts: Int = 0) async throws -> PullOutcome {
        guard let questionnaire = try await catalog.questionnaire(source.questionnaireCode) else { throw FieldSourceError.invalid([FieldIssue("questionnaire", "source.error.questionnaire")]) }
        let mapping = try await ProfilingQueries(database: context.database).mapping(source: source.name, questionnaireCode: source.questionnaireCode)
        let table = try await catalog.weightTable()
        var outcome = PullOutcome(received: submissions.count, attempts: attempts)
        let sourceID = try source.requireID()
        // Each submission once, the last received kept (a pull may meet a held one again).
        var seen: [String: Int] = [:]
        var unique: [FieldSubmission] = []
        for submission in submissions {
            guard let key = submission.key else { continue }
            if let index = seen[key] { unique[index] = submission } else { seen[key] = unique.count; unique.append(submission) }
        }
        var holds: [(FieldSubmission, reason: String, detail: String)] = []
        var prepared = ProfilingService.PreparedImport()
        if !unique.isEmpty {
            let table = FieldSubmissions.table(unique)
            // A server sending a new key with every submission would make a table of millions of cells.
            if let header = table.first, header.count > Self.widestForm { throw FieldPullFailure.tooWide(Self.widestForm) }
            let read: KoboReadResult
            do {
                read = try KoboCSVReader.read(table: table, questionnaire: questionnaire, mapping: mapping)
            } catch {
                throw FieldSourceError.invalid([FieldIssue("body", "source.error.submission")])
            }
            if read.hasUnmapped {
                let detail = (read.unmappedColumns + read.unmappedChoices.map { "\($0.question)=\($0.value)" }).prefix(20).joined(separator: ", ")
                holds = unique.map { ($0, "unmapped", detail) }
            } else {
                prepared = ProfilingService.prepare(read, questionnaire: questionnaire, source: source.name, today: Day(context.now))
                // Rows are numbered from 2 (the header is line 1).
                var problems: [Int: [String]] = [:]
                for issue in prepared.rejected { problems[issue.line, default: []].append("\(issue.column): \(issue.code)") }
                for (line, list) in problems.sorted(by: { $0.key < $1.key }) where line - 2 >= 0 && line - 2 < unique.count {
                    holds.append((unique[line - 2], "invalid", list.joined(separator: "; ")))
                }
            }
        }
        outcome.held = holds.count
        outcome.rejected = holds.filter { $0.reason == "invalid" }.count
        outcome.outcome = holds.contains { $0.reason == "unmapped" } ? "held" : "applied"
        let actor = context.actor, now = context.now, toHold = holds, drafts = prepared.drafts, counted = outcome
        return try await context.database.writeTransaction { db -> PullOutcome in
            let counts = try await ProfilingService.write(drafts, questionnaire: questionnaire, table: table, actor: actor, now: now, on: db)
            // What is written is no longer held; what is held replaces what was held before.
            let writtenKeys = drafts.compactMap(\.externalUUID)
            for chunk in stride(from: 0, to: writtenKeys.count, by: 500).map({ Array(writtenKeys[$0..<min($0 + 500, writtenKeys.count)]) }) {
                try await HeldSubmissionModel.query(on: db).filter(\.$sourceID == sourceID).filter(\.$submissionKey ~~ chunk).delete()
            }
            for (submission, reason, detail) in toHold {
                guard let key = submission.key else { continue }
                let model = try await HeldSubmissionModel.query(on: db).filter(\.$sourceID == sourceID).filter(\.$submissionKey == key).first() ?? HeldSubmissionModel()
                model.sourceID = sourceID
                model.submissionKey = key
                model.payload = String(decoding: try JSONEncoder.sorted.encode(submission), as: UTF8.self)
                model.reason = reason
                model.detail = String(detail.prefix(2_000))
                model.receivedAt = now
                try await model.save(on: db)
            }
            if kind == "pull", let fresh = try await FieldSourceModel.find(sourceID, on: db) {
                fresh.lastPullAt = now
                if let cursor, toHold.allSatisfy({ $0.reason != "unmapped" }) { fresh.cursor = cursor }
                try await fresh.update(on: db)
            }
            var outcome = counted
            outcome.created = counts.created
            outcome.updated = counts.updated
            outcome.unchanged = counts.unchanged
            // The log line and its audit entry are written with what they describe.
            try await log(outcome, source: source, kind: kind, started: started, on: db)
            return outcome
        }
    }

    /// The source's log line and its audit entry (counts only: never a token, never an answer).
    private func log(_ outcome: PullOutcome, source: FieldSourceModel, kind: String, started: Date, on db: any Database) async throws {
        let entry = FieldPullModel()
        entry.sourceID = try source.requireID()
        entry.kind = kind
        entry.outcome = outcome.outcome
        entry.received = outcome.received
        entry.created = outcome.created
        entry.updated = outcome.updated
        entry.unchanged = outcome.unchanged
        entry.rejected = outcome.rejected
        entry.held = outcome.held
        entry.attempts = outcome.attempts
        entry.error = outcome.failure.map(Self.describe)
        entry.startedAt = started
        entry.finishedAt = context.now
        let actor = context.actor, now = context.now, id = entry.sourceID
        let detail = "\(kind) \(outcome.outcome): \(outcome.received) received, \(outcome.created) created, \(outcome.updated) updated, "
            + "\(outcome.unchanged) unchanged, \(outcome.held) held\(entry.error.map { "; \($0)" } ?? "")"
        try await entry.create(on: db)
        try await AuditLog.append(AuditEvent(action: .create, entityType: "field_pull", entityID: id.uuidString, detail: detail), by: actor, at: now, on: db)
    }

    /// A failure in words for the log (English, as the audit trail is).
    static func describe(_ failure: FieldPullFailure) -> String {
        switch failure {
        case .status(401), .status(403): return "HTTP \(failure.statusCode ?? 0): the server refused the token"
        case .status(429): return "HTTP 429: too many requests, the server asked to wait"
        case .status(let code) where code >= 500: return "HTTP \(code): the server failed"
        case .status(let code): return "HTTP \(code)"
        case .network(let kind): return "no answer from the server (\(kind))"
        case .unreadable: return "the answer was not the JSON the server documents"
        case .foreignLink: return "a next-page link pointed to another server: not followed"
        case .tooLarge: return "a page was larger than 64 MB"
        case .tooMany(let limit): return "more than \(limit) submissions: import the form's export instead"
        case .sealedToken: return "the stored token cannot be opened with this secret: enter it again"
        case .tooWide(let limit): return "the submissions have more than \(limit) different columns"
        case .running: return "another pull of this source is running"
        }
    }
}

extension FieldPullFailure {
    var statusCode: UInt? { if case .status(let code) = self { return code } else { return nil } }
}

/// The sources being pulled in this process.
final class FieldPullsRunning: Sendable {
    private let ids = NIOLockedValueBox<Set<UUID>>([])

    func begin(_ id: UUID) -> Bool { ids.withLockedValue { $0.insert(id).inserted } }
    func end(_ id: UUID) { _ = ids.withLockedValue { $0.remove(id) } }
}

extension Application {
    private struct FieldPullsRunningKey: StorageKey, LockKey { typealias Value = FieldPullsRunning }

    var fieldPullsRunning: FieldPullsRunning {
        if let running = storage[FieldPullsRunningKey.self] { return running }
        return locks.lock(for: FieldPullsRunningKey.self).withLock {
            if let running = storage[FieldPullsRunningKey.self] { return running }
            let running = FieldPullsRunning()
            storage[FieldPullsRunningKey.self] = running
            return running
        }
    }
}
