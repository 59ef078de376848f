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
            \(HTML.when(model.householdAttachments > 0) {
                "<p>\(context.plural("erasure.household_attachments", model.householdAttachments)) <a href=\"/cases/\(view.caseNumber)/attachments\">\(context.t("attachment.open"))</a></p>"
            })
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
            row(context.t("retention.contact_messages"), context.plural("retention.days", policy.contactMessageDays), "CORRIDOR_RETENTION_CONTACT_DAYS", preview.contactMessagesDeleted),
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

    /// A member's consent: the answers in force, their history, and the form for a new answer.
    static func consent(_ model: ConsentModel, _ context: PageContext) -> HTML {
        let view = model.view, member = model.member
        let title = context.t("consent.title")
        let names = Dictionary(model.institutions.map { ($0.id.uuidString.lowercased(), $0.acronym) }, uniquingKeysWith: { first, _ in first })
        let base = "/cases/\(view.caseNumber)/members/\(member.memberNumber)/consent"
        func partners(_ ids: [String]) -> String { ids.map { names[$0] ?? $0 }.sorted().joined(separator: ", ") }
        let current = ConsentPurpose.allCases.map { purpose -> HTML in
            guard let entry = model.history.first(where: { $0.purpose == purpose.rawValue && $0.isCurrent }) else {
                return "<tr><th scope=\"row\">\(context.t(purpose.catalogueKey))</th><td colspan=\"2\"><em>\(context.t("consent.no_answer"))</em></td></tr>"
            }
            var state: HTML = "<span class=\"badge \(entry.answer == "given" && entry.withdrawnOn == nil ? "ok" : "muted")\">\(context.t("consent.answer." + entry.answer))</span>"
            if let withdrawn = entry.withdrawnOn { state = "\(state) <span class=\"badge muted\">\(context.t("consent.withdrawn_on", ["date": Layout.day(withdrawn, context)]))</span>" }
            let detail = [context.t("consent.method." + entry.method), Layout.day(entry.recordedOn, context), partners(entry.partners)].filter { !$0.isEmpty }.joined(separator: " · ")
            var action: HTML = .empty
            if model.canEdit, entry.answer == "given", entry.withdrawnOn == nil, member.anonymisedOn == nil {
                let error = model.withdrawing == entry.id ? model.errors["withdrawn_on"] : nil
                action = """
                <form method="post" action="\(base)/\(entry.id.uuidString)/withdraw" class="inline-form">\(context.csrfField)
                  \(Layout.textField("withdrawn_on", label: context.t("consent.withdrawn_on_label"), value: model.withdrawing == entry.id ? model.withdrawnOn : model.today.iso,
                                     error: error, type: "date", id: "withdrawn_on_\(purpose.rawValue)"))
                  <button type="submit" class="danger">\(context.t("consent.withdraw"))</button>
                </form>
                """
            }
            return "<tr><th scope=\"row\">\(context.t(purpose.catalogueKey))</th><td>\(state)<br><small>\(detail)</small></td><td>\(action)</td></tr>"
        }
        let history: HTML = model.history.isEmpty ? "<p class=\"empty\">\(context.t("consent.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table><caption>\(context.t("consent.history"))</caption>
            <thead><tr><th scope="col">\(context.t("consent.recorded_on"))</th><th scope="col">\(context.t("consent.purpose"))</th><th scope="col">\(context.t("consent.answer"))</th>
            <th scope="col">\(context.t("consent.method"))</th><th scope="col">\(context.t("consent.recorded_by"))</th></tr></thead>
            <tbody>\(model.history.map { entry -> HTML in
                let withdrawn: HTML = entry.withdrawnOn.map { "<br><small>\(context.t("consent.withdrawn_on", ["date": Layout.day($0, context)])) — \(entry.withdrawnBy ?? "")</small>" } ?? .empty
                let named: HTML = entry.partners.isEmpty ? .empty : "<br><small>\(partners(entry.partners))</small>"
                return "<tr><td class=\"date\">\(Layout.day(entry.recordedOn, context))</td><td>\(context.t("consent.purpose." + entry.purpose))\(named)</td><td>\(context.t("consent.answer." + entry.answer))\(withdrawn)</td><td>\(context.t("consent.method." + entry.method))</td><td>\(entry.recordedBy)</td></tr>"
            })</tbody></table></div>
            """
        var form: HTML = .empty
        if model.canEdit, member.anonymisedOn == nil {
            let f = model.form
            let answers = ConsentAnswer.allCases.map { answer -> HTML in
                "<label class=\"check\"><input type=\"radio\" name=\"answer\" value=\"\(answer.rawValue)\"\(HTML(raw: f.answer == answer.rawValue ? " checked" : ""))> \(context.t(answer.catalogueKey))</label>"
            }
            let chosen = Set(f.partners ?? [])
            let partnerBoxes = model.institutions.filter(\.isActive).map { institution -> HTML in
                let id = institution.id.uuidString.lowercased()
                return "<label class=\"check\"><input type=\"checkbox\" name=\"partners[]\" value=\"\(id)\"\(HTML(raw: chosen.contains(id) ? " checked" : ""))> \(institution.acronym) — \(institution.name)</label>"
            }
            let labels = ["purpose": context.t("consent.purpose"), "answer": context.t("consent.answer"), "method": context.t("consent.method"),
                          "recorded_on": context.t("consent.recorded_on"), "partners": context.t("consent.partners")]
            form = """
            <section class="card">
              <h2>\(context.t("consent.record"))</h2>
              \(Layout.errorSummary(context, model.withdrawing == nil ? model.errors : [:], labels: labels, order: ["purpose", "answer", "method", "recorded_on", "partners"]))
              <form method="post" action="\(base)" novalidate>\(context.csrfField)
                \(Layout.selectField("purpose", label: labels["purpose"] ?? "", options: Layout.codeOptions(ConsentPurpose.self, context, empty: context.t("form.choose")), selected: f.purpose ?? "", error: model.errors["purpose"]))
                <fieldset id="answer" class="\(model.errors["answer"] == nil ? "" : "has-error")"><legend>\(labels["answer"] ?? "")</legend><div class="checks">\(answers)</div>\(Layout.fieldError("answer", model.errors["answer"]))</fieldset>
                \(Layout.selectField("method", label: labels["method"] ?? "", options: Layout.codeOptions(ConsentMethod.self, context, empty: context.t("form.choose")), selected: f.method ?? "", error: model.errors["method"]))
                \(Layout.textField("recorded_on", label: labels["recorded_on"] ?? "", value: f.recorded_on, error: model.errors["recorded_on"], type: "date"))
                <fieldset id="partners" class="\(model.errors["partners"] == nil ? "" : "has-error")"><legend>\(labels["partners"] ?? "")</legend>
                  <p class="hint">\(context.t("consent.partners_hint"))</p><div class="checks">\(partnerBoxes)</div>\(Layout.fieldError("partners", model.errors["partners"]))</fieldset>
                <button type="submit" class="primary">\(context.t("form.save"))</button>
              </form>
            </section>
            """
        }
        let who: String = member.anonymisedOn == nil ? "\(member.givenNames) \(member.familyName)" : context.t("member.number", ["number": String(member.memberNumber)])
        return Layout.page(title, context, """
        <p><a href="/cases/\(view.caseNumber)">← \(context.t("case.title", ["number": view.caseNumber]))</a></p>
        <div class="page-head"><h1>\(title)</h1></div>
        <p class="lead">\(context.t("erasure.who", ["name": who, "number": String(member.memberNumber), "case": view.caseNumber]))</p>
        <p>\(context.t("consent.effects"))</p>
        <div class="table-wrap" tabindex="0"><table><caption>\(context.t("consent.in_force"))</caption><tbody>\(current)</tbody></table></div>
        \(form)
        \(history)
        """)
    }
}

