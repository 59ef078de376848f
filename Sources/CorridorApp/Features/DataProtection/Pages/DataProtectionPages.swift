import CorridorCore
import Foundation

/// The erasure form of one person and the administrator's retention page.
enum DataProtectionPages {
    static func erase(_ model: EraseModel, _ context: PageContext) -> HTML {
        let view = model.view, member = model.member
        let title = context.t("erasure.title")
        let back: HTML = "<p><a href=\"/cases/\(view.caseNumber)\">← \(context.t("case.title", ["number": view.caseNumber]))</a></p>"
        guard member.anonymisedOn == nil else {
            return Layout.page(title, context, """
            \(back)
            <section class="card narrow"><h1>\(title)</h1>
            <p>\(context.t("erasure.already", ["date": Layout.day(member.anonymisedOn, context)]))</p></section>
            """)
        }
        let reasons = Layout.codeOptions(ErasureReason.self, context, empty: context.t("form.choose"))
        let conflict: HTML = model.conflict ? "<div class=\"error-summary\" role=\"alert\"><p>\(context.t("erasure.conflict"))</p></div>" : .empty
        let labels = ["reason": context.t("erasure.reason"), "reference": context.t("erasure.reference")]
        return Layout.page(title, context, """
        \(back)
        <section class="card narrow">
          <h1>\(title)</h1>
          <p class="lead">\(context.t("erasure.who", ["name": "\(member.givenNames) \(member.familyName)", "number": String(member.memberNumber), "case": view.caseNumber]))</p>
          \(conflict)
          \(Layout.errorSummary(context, model.errors, labels: labels, order: ["reason", "reference"]))
          <div class="warning">
            <p>\(context.t("erasure.what_goes"))</p>
            <p>\(context.t("erasure.what_stays"))</p>
            <p><strong>\(context.t("erasure.irreversible"))</strong></p>
          </div>
          <form method="post" action="/cases/\(view.caseNumber)/members/\(member.memberNumber)/erase" novalidate>
            \(context.csrfField)
            <input type="hidden" name="version" value="\(String(model.form.version ?? view.version))">
            \(Layout.selectField("reason", label: labels["reason"] ?? "", options: reasons, selected: model.form.reason ?? "", error: model.errors["reason"]))
            \(Layout.textField("reference", label: labels["reference"] ?? "", value: model.form.reference, error: model.errors["reference"],
                               hint: context.t("erasure.reference_hint")))
            <button type="submit" class="danger">\(context.t("erasure.submit"))</button>
          </form>
        </section>
        """)
    }

    static func retention(_ model: RetentionModel, _ context: PageContext) -> HTML {
        let policy = model.policy, preview = model.preview
        func row(_ what: String, _ kept: String, _ setting: String, _ due: Int) -> HTML {
            "<tr><th scope=\"row\">\(what)</th><td>\(kept)</td><td><code>\(setting)</code></td><td class=\"number\">\(context.format.integer(due))</td></tr>"
        }
        let casesKept = policy.finishedCaseYears == 0 ? context.t("retention.kept_forever")
            : context.plural("retention.years", policy.finishedCaseYears)
        let rows: [HTML] = [
            row(context.t("retention.finished_cases"), casesKept, "CORRIDOR_RETENTION_FINISHED_CASE_YEARS", preview.casesDue.count),
            row(context.t("retention.uploads"), context.plural("retention.hours", policy.uploadHours), "CORRIDOR_RETENTION_UPLOAD_HOURS", preview.uploadsDeleted),
            row(context.t("retention.sessions"), context.t("retention.until_expiry"), "CORRIDOR_SESSION_LIFETIME_MINUTES", preview.sessionsDeleted),
            row(context.t("retention.sign_in_attempts"), context.plural("retention.days", policy.signInAttemptDays), "CORRIDOR_RETENTION_SIGN_IN_DAYS", preview.signInAttemptsDeleted),
            row(context.t("retention.revoked_tokens"), context.plural("retention.days", policy.revokedTokenDays), "CORRIDOR_RETENTION_REVOKED_TOKEN_DAYS", preview.tokensDeleted),
            "<tr><th scope=\"row\">\(context.t("retention.audit_trail"))</th><td>\(context.t("retention.kept_forever"))</td><td>—</td><td class=\"number\">0</td></tr>",
        ]
        let schedule = policy.everyHours == 0 ? context.t("retention.schedule_off") : context.plural("retention.schedule_every", policy.everyHours)
        let last: HTML = model.lastRun.map { run in
            "<p>\(context.t("retention.last_run", ["date": context.format.dateTime(run.at), "by": run.by]))<br><small><code>\(run.detail)</code></small></p>"
        } ?? "<p>\(context.t("retention.never_run"))</p>"
        let due: HTML = preview.casesDue.isEmpty ? .empty : """
            <details><summary>\(context.plural("retention.cases_due", preview.casesDue.count))</summary>
            <p>\(preview.casesDue.prefix(200).map { number -> HTML in "<a href=\"/cases/\(number)\">\(number)</a>" }.joined(separator: ", "))\(preview.casesDue.count > 200 ? " …" : "")</p></details>
            """
        return Layout.page(context.t("retention.title"), context, """
        <div class="page-head"><h1>\(context.t("retention.title"))</h1></div>
        <p class="lead">\(context.t("retention.intro"))</p>
        <div class="table-wrap" tabindex="0"><table>
          <caption>\(context.t("retention.policy"))</caption>
          <thead><tr><th scope="col">\(context.t("retention.what"))</th><th scope="col">\(context.t("retention.kept"))</th>
          <th scope="col">\(context.t("retention.setting"))</th><th scope="col" class="number">\(context.t("retention.due_now"))</th></tr></thead>
          <tbody>\(rows)</tbody>
        </table></div>
        <p>\(context.t("retention.anonymisation_explained"))</p>
        \(due)
        <section class="card">
          <h2>\(context.t("retention.run_title"))</h2>
          <p>\(schedule)</p>
          \(last)
          <form method="post" action="/admin/retention/run">\(context.csrfField)
            <button type="submit" class="danger">\(context.t("retention.run_now"))</button>
          </form>
          <p class="hint">\(context.t("retention.command_hint"))</p>
        </section>
        """)
    }
}
