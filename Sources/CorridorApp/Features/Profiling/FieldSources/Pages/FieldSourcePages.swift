import CorridorCore
import Foundation

/// A source as its pages show it: never its token, and its webhook secret only once.
struct FieldSourceSummary: Sendable {
    var id: UUID
    var name: String
    var kind: String
    var serverURL: String
    var form: String
    var questionnaireCode: String
    var auth: String
    var scheduled: Bool
    var hasWebhook: Bool
    var lastPullAt: Date?
    var heldCount: Int
}

struct FieldPullRow: Sendable {
    var kind: String
    var outcome: String
    var received: Int
    var created: Int
    var updated: Int
    var unchanged: Int
    var held: Int
    var attempts: Int
    var error: String?
    var startedAt: Date
}

struct HeldRow: Sendable {
    var key: String
    var reason: String
    var detail: String
    var receivedAt: Date
}

struct FieldSourcesPageModel: Sendable {
    var sources: [FieldSourceSummary]
    var questionnaires: [(code: String, title: LocalizedText)]
    var draft: FieldSourceService.SourceDraft
    var errors: [String: String]
    var scheduleMinutes: Int
}

struct FieldSourcePageModel: Sendable {
    var source: FieldSourceSummary
    var questionnaires: [(code: String, title: LocalizedText)]
    var draft: FieldSourceService.SourceDraft
    var errors: [String: String]
    var pulls: [FieldPullRow]
    var held: [HeldRow]
    /// Shown once, right after it was made.
    var newSecret: String?
    var webhookURL: String
    var notice: String?
}

enum FieldSourcePages {
    static func list(_ model: FieldSourcesPageModel, _ context: PageContext) -> HTML {
        let rows = model.sources.map { source -> HTML in
            """
            <tr><td><a href="/profiling/sources/\(source.id.uuidString)">\(source.name)</a></td><td>\(context.t("source.kind.\(source.kind)"))</td>
            <td><code>\(source.form)</code></td><td>\(source.questionnaireCode)</td>
            <td class="date">\(source.lastPullAt.map { context.format.dateTime($0) } ?? "—")</td><td class="number">\(source.heldCount)</td></tr>
            """
        }
        let table: HTML = model.sources.isEmpty ? "<p>\(context.t("source.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table>
              <thead><tr><th scope="col">\(context.t("source.name"))</th><th scope="col">\(context.t("source.kind"))</th><th scope="col">\(context.t("source.form"))</th>
              <th scope="col">\(context.t("kobo.questionnaire"))</th><th scope="col">\(context.t("source.last_pull"))</th><th scope="col" class="number">\(context.t("source.held"))</th></tr></thead>
              <tbody>\(rows)</tbody></table></div>
            """
        let schedule = model.scheduleMinutes > 0 ? context.t("source.schedule_on", ["minutes": String(model.scheduleMinutes)]) : context.t("source.schedule_off")
        return Layout.page(context.t("source.title"), context, """
        <p><a href="/profiling/import">← \(context.t("kobo.title"))</a></p>
        <h1>\(context.t("source.title"))</h1>
        <p class="lead">\(context.t("source.intro"))</p>
        <p>\(schedule)</p>
        \(table)
        <h2>\(context.t("source.new"))</h2>
        \(Layout.errorSummary(context, model.errors, labels: labels(context), order: ["name", "kind", "server_url", "form", "questionnaire", "auth", "token", "webhook"]))
        <form method="post" action="/profiling/sources" class="card">
          \(context.csrfField)
          \(Layout.textField("name", label: context.t("source.name"), value: model.draft.name, error: model.errors["name"], hint: context.t("source.name_hint")))
          \(fields(model.draft, model.questionnaires, model.errors, context, creating: true))
          <button type="submit" class="primary">\(context.t("source.create"))</button>
        </form>
        """)
    }

    static func labels(_ context: PageContext) -> [String: String] {
        ["name": context.t("source.name"), "kind": context.t("source.kind"), "server_url": context.t("source.server_url"), "form": context.t("source.form"),
         "questionnaire": context.t("kobo.questionnaire"), "auth": context.t("source.auth"), "token": context.t("source.token"), "webhook": context.t("source.webhook")]
    }

    /// The settings a source is created and edited with.
    static func fields(_ draft: FieldSourceService.SourceDraft, _ questionnaires: [(code: String, title: LocalizedText)], _ errors: [String: String],
                       _ context: PageContext, creating: Bool) -> HTML {
        let kinds = FieldServerKind.allCases.map { (value: $0.rawValue, label: context.t("source.kind.\($0.rawValue)")) }
        let auths = [(value: "token", label: context.t("source.auth.token")), (value: "basic", label: context.t("source.auth.basic"))]
        let options = questionnaires.map { (value: $0.code, label: $0.title.text(context.language)) }
        return """
        <div class="grid">
          \(Layout.selectField("kind", label: context.t("source.kind"), options: kinds, selected: draft.kind, error: errors["kind"]))
          \(Layout.selectField("questionnaire", label: context.t("kobo.questionnaire"), options: options, selected: draft.questionnaireCode, error: errors["questionnaire"]))
        </div>
        \(Layout.textField("server_url", label: context.t("source.server_url"), value: draft.serverURL, error: errors["server_url"], type: "url", hint: context.t("source.server_url_hint")))
        \(Layout.textField("form", label: context.t("source.form"), value: draft.form, error: errors["form"], hint: context.t("source.form_hint")))
        \(Layout.selectField("auth", label: context.t("source.auth"), options: auths, selected: draft.auth, error: errors["auth"]))
        \(Layout.textField("token", label: context.t("source.token"), value: "", error: errors["token"], type: "password", required: creating, autocomplete: "off",
                           hint: context.t(creating ? "source.token_hint" : "source.token_keep")))
        <div class="field"><label class="check"><input type="checkbox" name="scheduled" value="1"\(HTML(raw: draft.scheduled ? " checked" : ""))> \(context.t("source.scheduled"))</label></div>
        \(HTML.when(creating) { """
          <div class="field\(HTML(raw: errors["webhook"] == nil ? "" : " has-error"))"><label class="check"><input type="checkbox" id="webhook" name="webhook" value="1"\(HTML(raw: draft.webhook ? " checked" : ""))> \(context.t("source.webhook_ask"))</label>
          \(Layout.fieldError("webhook", errors["webhook"]))</div>
          """ })
        """
    }

    static func detail(_ model: FieldSourcePageModel, _ context: PageContext) -> HTML {
        let source = model.source
        let pulls = model.pulls.map { pull -> HTML in
            """
            <tr><td class="date">\(context.format.dateTime(pull.startedAt))</td><td>\(context.t("source.pull_kind.\(pull.kind)"))</td>
            <td>\(context.t("source.outcome.\(pull.outcome)"))</td><td class="number">\(pull.received)</td><td class="number">\(pull.created)</td>
            <td class="number">\(pull.updated)</td><td class="number">\(pull.unchanged)</td><td class="number">\(pull.held)</td><td class="number">\(pull.attempts)</td>
            <td>\(pull.error ?? "")</td></tr>
            """
        }
        let held = model.held.map { row -> HTML in
            "<tr><td><code>\(row.key)</code></td><td>\(context.t("source.reason.\(row.reason)"))</td><td>\(row.detail)</td><td class=\"date\">\(context.format.dateTime(row.receivedAt))</td></tr>"
        }
        let secret: HTML = model.newSecret.map { secret in
            """
            <div class="notice" role="status"><p>\(context.t("source.secret_once"))</p><p><code class="copy secret-value">\(secret)</code></p></div>
            """
        } ?? .empty
        let webhook: HTML = source.kind == FieldServerKind.kobo.rawValue ? """
            <section class="card"><h2>\(context.t("source.webhook"))</h2>
              <p>\(context.t(source.hasWebhook ? "source.webhook_intro" : "source.webhook_none"))</p>
              \(HTML.when(source.hasWebhook) { "<p><code class=\"copy\">\(model.webhookURL)</code></p>" })
              \(secret)
              <form method="post" action="/profiling/sources/\(source.id.uuidString)/webhook">\(context.csrfField)
                <button type="submit">\(context.t(source.hasWebhook ? "source.webhook_renew" : "source.webhook_create"))</button></form>
            </section>
            """ : .empty
        let log: HTML = model.pulls.isEmpty ? "<p>\(context.t("source.log_empty"))</p>" : """
            <div class="table-wrap" tabindex="0"><table class="dense">
              <thead><tr><th scope="col">\(context.t("source.when"))</th><th scope="col">\(context.t("source.pull_kind"))</th><th scope="col">\(context.t("source.outcome"))</th>
              <th scope="col" class="number">\(context.t("source.received"))</th><th scope="col" class="number">\(context.t("source.created"))</th>
              <th scope="col" class="number">\(context.t("source.updated"))</th><th scope="col" class="number">\(context.t("source.unchanged"))</th>
              <th scope="col" class="number">\(context.t("source.held"))</th><th scope="col" class="number">\(context.t("source.attempts"))</th>
              <th scope="col">\(context.t("source.error"))</th></tr></thead>
              <tbody>\(pulls)</tbody></table></div>
            """
        return Layout.page(source.name, context, """
        <p><a href="/profiling/sources">← \(context.t("source.title"))</a></p>
        <h1>\(source.name)</h1>
        \(HTML.when(model.notice != nil) { "<p class=\"notice\" role=\"status\">\(model.notice ?? "")</p>" })
        <p class="source-facts">\(context.t("source.kind.\(source.kind)")) · <code>\(source.serverURL)</code> · <code>\(source.form)</code> · \(source.questionnaireCode)</p>
        <form method="post" action="/profiling/sources/\(source.id.uuidString)/pull">\(context.csrfField)
          <button type="submit" class="primary">\(context.t("source.pull_now"))</button></form>
        <section class="card"><h2>\(context.t("source.log"))</h2>
          \(log)
        </section>
        <section class="card"><h2>\(context.t("source.held_title", ["count": String(source.heldCount)]))</h2>
          <p>\(context.t("source.held_intro"))</p>
          \(HTML.when(!model.held.isEmpty) { """
            <p><a href="/profiling/import?source=\(source.name)&amp;questionnaire=\(source.questionnaireCode)">\(context.t("source.held_map"))</a></p>
            <div class="table-wrap" tabindex="0"><table class="dense">
              <thead><tr><th scope="col">\(context.t("source.key"))</th><th scope="col">\(context.t("source.reason"))</th><th scope="col">\(context.t("source.detail"))</th>
              <th scope="col">\(context.t("source.received_at"))</th></tr></thead>
              <tbody>\(held)</tbody></table></div>
            <form method="post" action="/profiling/sources/\(source.id.uuidString)/held">\(context.csrfField)
              <button type="submit">\(context.t("source.apply_held"))</button></form>
            """ })
        </section>
        \(webhook)
        <section class="card"><h2>\(context.t("source.settings"))</h2>
          \(Layout.errorSummary(context, model.errors, labels: labels(context), order: ["kind", "server_url", "form", "questionnaire", "auth", "token"]))
          <form method="post" action="/profiling/sources/\(source.id.uuidString)">\(context.csrfField)
            \(fields(model.draft, model.questionnaires, model.errors, context, creating: false))
            <button type="submit">\(context.t("form.save"))</button>
          </form>
          <form method="post" action="/profiling/sources/\(source.id.uuidString)/delete">\(context.csrfField)
            <p><label class="check"><input type="checkbox" name="confirm" value="1" required> \(context.t("source.delete_confirm"))</label></p>
            <button type="submit" class="danger">\(context.t("source.delete"))</button></form>
        </section>
        """)
    }
}
