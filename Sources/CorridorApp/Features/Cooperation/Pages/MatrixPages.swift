import CorridorCore
import Foundation

struct MatrixFilter: Sendable, Codable {
    var institution: String?
    var status: String?
    var overdue: String?
    var deadline_before: String?

    func matches(_ action: CooperationQueries.ActionView) -> Bool {
        if let institution = institution?.nilIfEmpty, let id = UUID(uuidString: institution), action.leadID != id, !action.partnerIDs.contains(id) { return false }
        if let status = status?.nilIfEmpty, action.status != status { return false }
        if overdue == "1", !action.overdue { return false }
        if let before = deadline_before?.nilIfEmpty.flatMap(Day.init(iso:)) {
            guard let deadline = action.deadline.flatMap(Day.init(iso:)), deadline <= before else { return false }
        }
        return true
    }
}

struct MatrixPageModel: Sendable {
    var matrix: CooperationQueries.MatrixView
    var filter: MatrixFilter
    var institutions: [AccountQueries.InstitutionRow]
    var canManage: Bool
    var today: Day
    var errors: [String: String] = [:]
    /// What was typed into the workshop form, shown again with its errors.
    var form: [String: String] = [:]
    /// On the draft of a next version: the validated matrix it revises.
    var revised: CooperationQueries.MatrixView?
}

struct ActionPageModel: Sendable {
    var action: CooperationQueries.ActionView
    var updates: [CooperationQueries.UpdateView]
    var right: ActionRight
    var today: Day
    var errors: [String: String] = [:]
    var form: [String: String] = [:]
}

/// Shared pieces of the cooperation pages.
enum MatrixHTML {
    static func percent(_ value: Double?, _ context: PageContext) -> String {
        guard let value else { return "—" }
        return context.language == .fr ? "\(Int(value.rounded()))\u{202F}%" : "\(Int(value.rounded()))%"
    }

    static func progressBar(_ value: Double?, _ context: PageContext) -> HTML {
        let width = Int((value ?? 0).rounded())
        return "<progress max=\"100\" value=\"\(width)\" aria-hidden=\"true\"></progress> \(percent(value, context))"
    }

    static func statusBadge(_ status: String, _ context: PageContext) -> HTML {
        let tone: String
        switch ActionStatus(rawValue: status) {
        case .completed?: tone = "ok"
        case .delayed?: tone = "warn"
        case .cancelled?: tone = "muted"
        default: tone = "info"
        }
        return "<span class=\"badge \(tone)\">\(context.t("action_status." + status))</span>"
    }

    static func counts(_ summary: ProgressSummary, _ context: PageContext) -> HTML {
        let items = ActionStatus.allCases.compactMap { status -> HTML? in
            guard let count = summary.countsByStatus[status], count > 0 else { return nil }
            return "<li>\(context.t(status.catalogueKey))\(context.colon)<strong>\(count)</strong></li>"
        }
        return "<ul class=\"inline-list\">\(items)</ul>"
    }

    static func progressSummaries(_ actions: [CooperationQueries.ActionView]) -> [ActionProgress] {
        actions.map { ActionProgress(axis: $0.axis, status: ActionStatus(rawValue: $0.status) ?? .notStarted, progress: $0.progress,
                                     weight: $0.weight, deadline: $0.deadline.flatMap(Day.init(iso:))) }
    }

    static func day(_ iso: String?, _ context: PageContext) -> String { Layout.day(iso, context) }

    /// A stored amount ("15000000") written for the language ("15 000 000").
    static func amount(_ text: String, _ context: PageContext) -> String {
        guard let value = Double(text), value.rounded() == value, abs(value) < 1e15 else { return text }
        return context.format.integer(Int(value))
    }

    static func indicator(_ indicator: CooperationQueries.IndicatorView, _ context: PageContext) -> HTML {
        let live: HTML = indicator.liveFigure == nil ? .empty : " <span class=\"badge info\">\(context.t("live_figure.badge"))</span>"
        return "<li>\(indicator.name)\(live) — \(context.t("indicator.baseline")) \(indicator.baseline ?? "—") · \(context.t("indicator.target")) \(indicator.target ?? "—") · <strong>\(context.t("indicator.current")) \(indicator.currentValue ?? "—")</strong></li>"
    }
}

extension MatrixHTML {
    /// "Avancement : 40 % → 55 %", "Statut : En cours → Réalisée".
    static func changes(_ update: CooperationQueries.UpdateView, _ context: PageContext) -> String {
        update.changes.map { change in
            switch change.field {
            case "status":
                return context.t("field.status") + context.colon + context.t("action_status." + change.before) + " → " + context.t("action_status." + change.after)
            case "progress":
                return context.t("matrix.progress") + context.colon + percent(Double(change.before), context) + " → " + percent(Double(change.after), context)
            default:
                return context.t("indicator.current") + context.colon + change.before + " → " + change.after
            }
        }.joined(separator: context.language == .fr ? " ; " : "; ")
    }

    static func summary(_ update: CooperationQueries.UpdateView, _ context: PageContext) -> String {
        [update.text.nilIfEmpty, update.changes.isEmpty ? nil : "(" + changes(update, context) + ")"].compactMap { $0 }.joined(separator: " ")
    }
}

enum MatrixPages {
    static func list(_ matrices: [CooperationQueries.MatrixView], canManage: Bool, today: Day, _ context: PageContext) -> HTML {
        let rows = matrices.map { matrix -> HTML in
            let summary = ProgressSummary.of(MatrixHTML.progressSummaries(matrix.actions), today: today)
            return """
            <tr><td><a href="/matrices/\(matrix.id.uuidString)">\(matrix.title(context.language))</a><br><small>\(context.t("theme." + matrix.theme))</small></td>
            <td>\(context.t("matrix_status." + matrix.status))\(HTML.when(matrix.validatedVersion > 0) { " <small>v\(matrix.validatedVersion)</small>" })</td>
            <td>\(summary.actionCount)</td><td>\(MatrixHTML.progressBar(summary.meanProgress, context))</td>
            <td>\(HTML.when(summary.overdueCount > 0) { "<span class=\"badge warn\">\(summary.overdueCount)</span>" })</td></tr>
            """
        }
        let actions: HTML = canManage
            ? "<div class=\"actions\"><a class=\"button primary\" href=\"/matrices/new\">\(context.t("matrix.new"))</a> <a class=\"button\" href=\"/matrices/import\">\(context.t("matrix.import"))</a></div>"
            : .empty
        let table: HTML = matrices.isEmpty ? "<p class=\"empty\">\(context.t("matrix.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table>
              <thead><tr><th scope="col">\(context.t("matrix.title_column"))</th><th scope="col">\(context.t("field.status"))</th>
              <th scope="col">\(context.t("matrix.actions"))</th><th scope="col">\(context.t("matrix.progress"))</th><th scope="col">\(context.t("matrix.overdue"))</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table></div>
            """
        return Layout.page(context.t("matrix.list_title"), context, """
        <div class="page-head"><h1>\(context.t("matrix.list_title"))</h1>\(actions)</div>
        <p class="lead">\(context.t("matrix.intro"))</p>
        \(table)
        <p><a href="/report">\(context.t("report.title"))</a></p>
        """)
    }

    static func matrix(_ model: MatrixPageModel, _ context: PageContext) -> HTML {
        let matrix = model.matrix
        let today = model.today
        let all = MatrixHTML.progressSummaries(matrix.actions)
        let summary = ProgressSummary.of(all, today: today)
        let shown = matrix.actions.filter(model.filter.matches)
        var groups: [(String, [CooperationQueries.ActionView])] = []
        for action in shown {
            if let index = groups.firstIndex(where: { $0.0 == action.axis }) { groups[index].1.append(action) } else { groups.append((action.axis, [action])) }
        }
        let axisSummaries = Dictionary(ProgressSummary.byAxis(all, today: today).map { ($0.axis, $0.summary) }, uniquingKeysWith: { a, _ in a })
        let body = groups.map { axis, actions -> HTML in
            let axisSummary = axisSummaries[axis]
            let rows = actions.map { action -> HTML in
                let latest: HTML = action.latestUpdate.map { "<small>\(MatrixHTML.day($0.occurredOn, context)) — \(MatrixHTML.summary($0, context))</small>" } ?? "<small>—</small>"
                return """
                <tr class="\(action.overdue ? "overdue" : "")"><td><a href="/actions/\(action.id.uuidString)">\(action.code)</a></td>
                <td>\(action.description)\(HTML.when(action.overdue) { " <span class=\"badge warn\">\(context.t("matrix.overdue_badge"))</span>" })</td>
                <td><a href="/institutions/\(action.leadID.uuidString)">\(action.leadAcronym)</a></td><td>\(action.partners.joined(separator: ", "))</td>
                <td>\(MatrixHTML.day(action.deadline, context))</td><td>\(MatrixHTML.statusBadge(action.status, context))</td>
                <td>\(MatrixHTML.progressBar(Double(action.progress), context))</td><td>\(latest)</td></tr>
                """
            }
            return """
            <tbody><tr class="axis"><th colspan="8" scope="rowgroup">\(axis) <span class="axis-summary">\(MatrixHTML.progressBar(axisSummary?.meanProgress, context))</span></th></tr>
            \(rows)</tbody>
            """
        }
        let institutionOptions = [(value: "", label: context.t("filter.any_feminine"))] + model.institutions.map { (value: $0.id.uuidString, label: $0.acronym) }
        let workflow: HTML = model.canManage ? workflowForms(model, context) : .empty
        let editable = MatrixStatus(rawValue: matrix.status)?.acceptsStructuralEdits == true
        let manageLinks: HTML = model.canManage && editable
            ? "<a class=\"button\" href=\"/matrices/\(matrix.id.uuidString)/edit\">\(context.t("matrix.edit"))</a> <a class=\"button\" href=\"/matrices/\(matrix.id.uuidString)/actions/new\">\(context.t("action.new"))</a>"
            : .empty
        let milestones = matrix.milestones.map { milestone -> HTML in
            let done: HTML = milestone.doneOn.map { "<span class=\"badge ok\">\(context.t("milestone.done_on", ["date": MatrixHTML.day($0, context)]))</span>" }
                ?? (model.canManage ? "<form method=\"post\" action=\"/milestones/\(milestone.id.uuidString)/done\" class=\"inline\">\(context.csrfField)<input type=\"hidden\" name=\"done_on\" value=\"\(today.iso)\"><button type=\"submit\">\(context.t("milestone.mark_done"))</button></form>" : .empty)
            return "<li><strong>\(milestone.title)</strong> — \(MatrixHTML.day(milestone.dueOn, context)) \(done)<br><small>\(context.t("milestone.actions")) \(milestone.actionCodes.joined(separator: ", "))</small></li>"
        }
        let milestoneForm: HTML = model.canManage && matrix.revisionOf == nil ? """
            <details><summary>\(context.t("milestone.add"))</summary>
            <form method="post" action="/matrices/\(matrix.id.uuidString)/milestones" class="card" novalidate>
              \(context.csrfField)
              <div class="grid">
                \(Layout.textField("title", label: context.t("milestone.title_field"), value: nil, error: model.errors["title"]))
                \(Layout.textField("due_on", label: context.t("milestone.due_on"), value: nil, error: nil, type: "date", required: false))
              </div>
              <fieldset><legend>\(context.t("milestone.actions"))</legend><div class="checks">\(matrix.actions.map { action -> HTML in "<label class=\"check\"><input type=\"checkbox\" name=\"actions[]\" value=\"\(action.id.uuidString)\"> \(action.code)</label>" })</div></fieldset>
              <button type="submit" class="primary">\(context.t("form.save"))</button>
            </form></details>
            """ : .empty
        let versions = matrix.versions.map { version -> HTML in
            "<li>v\(version.number) — \(MatrixHTML.day(version.workshopDate, context)), \(version.workshopPlace) <small>\(version.institutionsPresent)</small></li>"
        }
        let axisList = ProgressSummary.byAxis(all, today: today).map { item -> HTML in
            "<li>\(item.axis)\(context.colon)\(MatrixHTML.progressBar(item.summary.meanProgress, context))</li>"
        }
        let next = ["version": String(matrix.validatedVersion + 1), "current": String(matrix.validatedVersion)]
        let heading = matrix.revisionOf == nil ? matrix.title(context.language) : context.t("revision.heading", next.merging(["title": matrix.title(context.language)]) { a, _ in a })
        return Layout.page(heading, context, """
        <p><a href="/matrices">← \(context.t("matrix.list_title"))</a></p>
        <div class="page-head"><h1>\(heading)</h1><div class="actions">\(manageLinks)</div></div>
        \(revisionNotice(model, context))
        <p class="lead">\(matrix.description(context.language))</p>
        <section class="card summary">
          <dl class="facts columns">
            <dt>\(context.t("matrix.theme"))</dt><dd>\(context.t("theme." + matrix.theme))</dd>
            <dt>\(context.t("matrix.countries"))</dt><dd>\(Layout.country(matrix.countryA, context)) — \(Layout.country(matrix.countryB, context))</dd>
            <dt>\(context.t("field.status"))</dt><dd>\(context.t("matrix_status." + matrix.status))\(HTML.when(matrix.validatedVersion > 0) { " (v\(matrix.validatedVersion))" })</dd>
            <dt>\(context.t("matrix.project"))</dt><dd>\(matrix.project.isEmpty ? "—" : matrix.project)</dd>
          </dl>
          <h2>\(context.t("matrix.progress"))</h2>
          <p class="big">\(MatrixHTML.progressBar(summary.meanProgress, context)) · \(context.t("matrix.actions_count", ["count": String(summary.actionCount)])) · \(context.t("matrix.overdue_count", ["count": String(summary.overdueCount)]))</p>
          \(MatrixHTML.counts(summary, context))
          <ul class="axes">\(axisList)</ul>
          \(workflow)
        </section>
        <form method="get" action="/matrices/\(matrix.id.uuidString)" class="filters">
          \(Layout.selectField("institution", label: context.t("field.institution"), options: institutionOptions, selected: model.filter.institution ?? "", error: nil))
          \(Layout.selectField("status", label: context.t("field.status"), options: Layout.codeOptions(ActionStatus.self, context, empty: context.t("filter.any")), selected: model.filter.status ?? "", error: nil))
          \(Layout.textField("deadline_before", label: context.t("matrix.deadline_before"), value: model.filter.deadline_before, error: nil, type: "date", required: false))
          <div class="field checks"><label class="check"><input type="checkbox" name="overdue" value="1"\(HTML(raw: model.filter.overdue == "1" ? " checked" : ""))> \(context.t("matrix.only_overdue"))</label></div>
          <button type="submit">\(context.t("filter.apply"))</button> <a href="/matrices/\(matrix.id.uuidString)">\(context.t("filter.reset"))</a>
        </form>
        <p><a href="/matrices/\(matrix.id.uuidString)/export?format=csv">CSV</a> · <a href="/matrices/\(matrix.id.uuidString)/export?format=csv&amp;sep=semicolon">\(context.t("export.csv_french"))</a> · <a href="/matrices/\(matrix.id.uuidString)/export?format=xlsx">XLSX</a> · <a href="/matrices/\(matrix.id.uuidString)/versions">\(context.t("version.title"))</a></p>
        <div class="table-wrap" tabindex="0"><table class="matrix">
          <caption class="visually-hidden">\(matrix.title(context.language))</caption>
          <thead><tr><th scope="col">\(context.t("action.code"))</th><th scope="col">\(context.t("action.description"))</th><th scope="col">\(context.t("action.lead"))</th>
          <th scope="col">\(context.t("action.partners"))</th><th scope="col">\(context.t("action.deadline"))</th><th scope="col">\(context.t("field.status"))</th>
          <th scope="col">\(context.t("matrix.progress"))</th><th scope="col">\(context.t("action.latest_update"))</th></tr></thead>
          \(body)
        </table></div>
        \(HTML.when(shown.isEmpty) { "<p class=\"empty\">\(context.t("matrix.no_action"))</p>" })
        <section class="card"><h2>\(context.t("milestone.title"))</h2>
          \(HTML.when(milestones.isEmpty) { "<p class=\"empty\">\(context.t("milestone.none"))</p>" })<ul>\(milestones)</ul>
          \(milestoneForm)
        </section>
        \(HTML.when(!versions.isEmpty) { "<section class=\"card\"><h2>\(context.t("version.validated"))</h2><ul>\(versions)</ul></section>" })
        """)
    }

    private static func workflowForms(_ model: MatrixPageModel, _ context: PageContext) -> HTML {
        let matrix = model.matrix
        let status = MatrixStatus(rawValue: matrix.status) ?? .draft
        let forms = status.allowedTargets.map { target -> HTML in
            if target == .validated {
                return """
                <form method="post" action="/matrices/\(matrix.id.uuidString)/status" class="card workshop" novalidate>
                  \(context.csrfField)<input type="hidden" name="to" value="validated"><input type="hidden" name="version" value="\(matrix.version)">
                  <h3>\(context.t("matrix.validate_at_workshop"))</h3>
                  <div class="grid">
                    \(Layout.textField("workshop_date", label: context.t("workshop.date"), value: model.form["workshop_date"] ?? model.today.iso, error: model.errors["workshop_date"], type: "date"))
                    \(Layout.textField("workshop_place", label: context.t("workshop.place"), value: model.form["workshop_place"], error: model.errors["workshop_place"]))
                    \(Layout.textField("institutions_present", label: context.t("workshop.institutions"), value: model.form["institutions_present"], error: nil, required: false))
                  </div>
                  <button type="submit" class="primary">\(context.t("matrix_status.to.validated"))</button>
                </form>
                """
            }
            return """
            <form method="post" action="/matrices/\(matrix.id.uuidString)/status" class="inline">\(context.csrfField)
              <input type="hidden" name="to" value="\(target.rawValue)"><input type="hidden" name="version" value="\(matrix.version)">
              <button type="submit">\(context.t("matrix_status.to." + target.rawValue))</button></form>
            """
        }
        let general: HTML = model.errors["general"].map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        let discard: HTML = matrix.revisionOf == nil ? .empty : """
            <form method="post" action="/matrices/\(matrix.id.uuidString)/discard" class="inline">\(context.csrfField)
              <input type="hidden" name="version" value="\(matrix.version)">
              <button type="submit" class="danger">\(context.t("revision.discard"))</button></form>
            """
        return forms.isEmpty && general.raw.isEmpty ? .empty : "<div class=\"next-steps\"><h2>\(context.t("matrix.workflow"))</h2>\(general)\(forms)\(discard)</div>"
    }

    /// What a revision is, said where it matters: on a validated matrix (prepare or continue the
    /// next version) and on the draft itself (what stays in force until it is validated).
    private static func revisionNotice(_ model: MatrixPageModel, _ context: PageContext) -> HTML {
        let matrix = model.matrix
        let next = ["version": String(matrix.validatedVersion + 1), "current": String(matrix.validatedVersion)]
        if matrix.revisionOf != nil {
            let original: HTML = model.revised.map { "<a href=\"/matrices/\($0.id.uuidString)\">\(context.t("revision.open_validated", next))</a> · " } ?? .empty
            return """
            <div class="notice" role="status"><p>\(context.t("revision.draft_explained", next))</p>
            <p>\(original)<a href="/matrices/\(matrix.id.uuidString)/versions?from=\(matrix.validatedVersion)&amp;to=current">\(context.t("revision.compare", next))</a></p></div>
            """
        }
        guard model.canManage, matrix.status == MatrixStatus.validated.rawValue else { return .empty }
        if let draft = matrix.openRevisionID {
            return "<div class=\"notice\" role=\"status\"><p>\(context.t("revision.in_preparation", next)) <a href=\"/matrices/\(draft.uuidString)\">\(context.t("revision.continue", next))</a></p></div>"
        }
        return """
        <div class="notice"><p>\(context.t("revision.explain", next))</p>
        <form method="post" action="/matrices/\(matrix.id.uuidString)/revision" class="inline">\(context.csrfField)
          <input type="hidden" name="version" value="\(matrix.version)">
          <button type="submit">\(context.t("revision.prepare", next))</button></form></div>
        """
    }

    static func action(_ model: ActionPageModel, _ context: PageContext) -> HTML {
        let action = model.action
        let history = model.updates.map { update -> HTML in
            let evidence: HTML = update.evidenceURL.map { " <a href=\"\($0)\" rel=\"noopener noreferrer nofollow\">\(context.t("update.evidence"))</a>" } ?? .empty
            return "<li><time datetime=\"\(update.occurredOn)\">\(MatrixHTML.day(update.occurredOn, context))</time> <strong>\(update.author)</strong>\(HTML.when(update.institution != nil) { " (\(update.institution ?? ""))" }) <span class=\"badge \(update.kind == "update" ? "info" : "muted")\">\(context.t("update.kind." + update.kind))</span><p class=\"note\">\(MatrixHTML.summary(update, context))\(evidence)</p></li>"
        }
        let form: HTML
        switch model.right {
        case _ where action.matrixRevisionOf != nil:
            form = "<p class=\"notice\">\(context.t("revision.action_not_followed"))</p>"
        case .none:
            form = "<p class=\"notice\">\(context.t("action.read_only"))</p>"
        case .comment, .update, .manage:
            let canUpdate = model.right >= .update
            let stateFields: HTML = canUpdate ? """
                <input type="hidden" name="version" value="\(action.version)">
                \(Layout.selectField("status", label: context.t("field.status"), options: Layout.codeOptions(ActionStatus.self, context), selected: model.form["status"] ?? action.status, error: model.errors["status"]))
                \(Layout.textField("progress", label: context.t("action.progress_percent"), value: model.form["progress"] ?? String(action.progress), error: model.errors["progress"], type: "number"))
                \(HTML.when(action.indicators.first.map { $0.liveFigure == nil } ?? false) { Layout.textField("indicator_value", label: context.t("action.indicator_value", ["name": action.indicators.first?.name ?? ""]), value: model.form["indicator_value"] ?? action.indicators.first?.currentValue, error: nil, required: false) })
                """ : "<p class=\"hint\">\(context.t("action.partner_hint"))</p>"
            form = """
            <form method="post" action="/actions/\(action.id.uuidString)/updates" class="card" novalidate>
              \(context.csrfField)
              <h2>\(context.t(canUpdate ? "action.follow_up" : "action.comment"))</h2>
              \(Layout.errorSummary(context, model.errors.filter { $0.key != "general" }, general: model.errors["general"]))
              <div class="grid">
                \(stateFields)
                \(Layout.textField("occurred_on", label: context.t("transition.date"), value: model.form["occurred_on"] ?? model.today.iso, error: model.errors["occurred_on"], type: "date"))
                \(Layout.textField("evidence_url", label: context.t("update.evidence_url"), value: model.form["evidence_url"], error: model.errors["evidence_url"], type: "url", required: false))
              </div>
              <div class="field\(HTML(raw: model.errors["text"] == nil ? "" : " has-error"))"><label for="text">\(context.t("update.text"))</label>
              <textarea id="text" name="text" rows="3">\(model.form["text"] ?? "")</textarea>\(Layout.fieldError("text", model.errors["text"]))</div>
              <button type="submit" class="primary">\(context.t("form.save"))</button>
            </form>
            """
        }
        let edit: HTML = model.right == .manage ? "<a class=\"button\" href=\"/actions/\(action.id.uuidString)/edit\">\(context.t("action.edit"))</a>" : .empty
        return Layout.page("\(action.code) — \(context.language == .fr ? action.matrixTitleFrench : action.matrixTitleEnglish)", context, """
        <p><a href="/matrices/\(action.matrixID.uuidString)">← \(context.language == .fr ? action.matrixTitleFrench : action.matrixTitleEnglish)</a></p>
        <div class="page-head"><h1>\(context.t("action.title", ["code": action.code])) \(MatrixHTML.statusBadge(action.status, context))</h1><div class="actions">\(edit)</div></div>
        <p class="lead">\(action.description)</p>
        <section class="card">
          <dl class="facts columns">
            <dt>\(context.t("action.axis"))</dt><dd>\(action.axis)</dd>
            <dt>\(context.t("action.lead"))</dt><dd><a href="/institutions/\(action.leadID.uuidString)">\(action.leadAcronym)</a> — \(action.leadName)</dd>
            <dt>\(context.t("action.partners"))</dt><dd>\(action.partners.isEmpty ? "—" : action.partners.joined(separator: ", "))</dd>
            <dt>\(context.t("action.period"))</dt><dd>\(MatrixHTML.day(action.startDate, context)) → \(MatrixHTML.day(action.deadline, context))\(HTML.when(action.overdue) { " <span class=\"badge warn\">\(context.t("matrix.overdue_badge"))</span>" })</dd>
            <dt>\(context.t("action.budget"))</dt><dd>\(action.budget.map { "\(MatrixHTML.amount($0, context)) \(action.currency ?? "")" } ?? "—")\(HTML.when(action.fundingSource != nil) { " — \(action.fundingSource ?? "")" })</dd>
            <dt>\(context.t("matrix.progress"))</dt><dd>\(MatrixHTML.progressBar(Double(action.progress), context))</dd>
          </dl>
          <h2>\(context.t("indicator.title"))</h2>
          \(HTML.when(action.indicators.isEmpty) { "<p class=\"empty\">—</p>" })<ul>\(action.indicators.map { MatrixHTML.indicator($0, context) })</ul>
        </section>
        \(form)
        <section class="card"><h2>\(context.t("update.history"))</h2>
          \(HTML.when(history.isEmpty) { "<p class=\"empty\">\(context.t("update.none"))</p>" })<ol class="timeline">\(history)</ol>
        </section>
        """)
    }

    static func actionsList(_ title: String, intro: String?, _ actions: [CooperationQueries.ActionView], _ context: PageContext) -> HTML {
        let rows = actions.map { action -> HTML in
            """
            <tr class="\(action.overdue ? "overdue" : "")"><td><a href="/actions/\(action.id.uuidString)">\(action.code)</a></td>
            <td>\(action.description)<br><small>\(context.language == .fr ? action.matrixTitleFrench : action.matrixTitleEnglish)</small></td>
            <td>\(action.leadAcronym)</td><td>\(MatrixHTML.day(action.deadline, context))\(HTML.when(action.overdue) { " <span class=\"badge warn\">\(context.t("matrix.overdue_badge"))</span>" })</td>
            <td>\(MatrixHTML.statusBadge(action.status, context))</td><td>\(MatrixHTML.progressBar(Double(action.progress), context))</td></tr>
            """
        }
        let table: HTML = actions.isEmpty ? "<p class=\"empty\">\(context.t("matrix.no_action"))</p>" : """
            <div class="table-wrap" tabindex="0"><table><thead><tr><th scope="col">\(context.t("action.code"))</th><th scope="col">\(context.t("action.description"))</th>
            <th scope="col">\(context.t("action.lead"))</th><th scope="col">\(context.t("action.deadline"))</th><th scope="col">\(context.t("field.status"))</th>
            <th scope="col">\(context.t("matrix.progress"))</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        let introHTML: HTML = intro.map { "<p class=\"lead\">\($0)</p>" } ?? .empty
        return "<h2>\(title)</h2>\(introHTML)\(table)"
    }

    static func myActions(led: [CooperationQueries.ActionView], partnered: [CooperationQueries.ActionView], dueSoon: [CooperationQueries.ActionView],
                          institution: String, _ context: PageContext) -> HTML {
        Layout.page(context.t("my_actions.title"), context, """
        <h1>\(context.t("my_actions.title"))</h1>
        <p class="lead">\(context.t("my_actions.intro", ["institution": institution]))</p>
        \(actionsList(context.t("my_actions.due_soon"), intro: nil, dueSoon, context))
        \(actionsList(context.t("my_actions.led"), intro: nil, led, context))
        \(actionsList(context.t("my_actions.partnered"), intro: nil, partnered, context))
        """)
    }

    static func institution(_ institution: AccountQueries.InstitutionRow, actions: [CooperationQueries.ActionView], _ context: PageContext) -> HTML {
        Layout.page(institution.acronym, context, """
        <h1>\(institution.acronym) — \(institution.name)</h1>
        <p class="lead">\(context.t("kind." + institution.kind)) · \(Layout.country(institution.country, context))</p>
        \(actionsList(context.t("institution.actions"), intro: nil, actions, context))
        """)
    }
}
