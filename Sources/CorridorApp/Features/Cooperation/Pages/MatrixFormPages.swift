import CorridorCore
import Foundation

struct MatrixFormModel: Sendable {
    var matrixID: UUID?
    var form: [String: String]
    var errors: [String: String] = [:]
}

struct ActionFormModel: Sendable {
    var matrixID: UUID
    var actionID: UUID?
    var form: [String: String]
    var partners: Set<String>
    var institutions: [AccountQueries.InstitutionRow]
    var errors: [String: String] = [:]
    /// In the draft of a next version, an action that revises a validated one: its status and
    /// progress are followed on the validated version, so the form leaves them out.
    var revisesValidatedAction = false
}

struct MatrixImportModel: Sendable {
    var form: [String: String]
    var plan: MatrixImportPlan?
    var fileError: String?
    var uploadID: String?
}

enum MatrixFormPages {
    static func matrixFields(_ form: [String: String], errors: [String: String], _ context: PageContext) -> HTML {
        """
        <div class="grid">
          \(Layout.textField("title_fr", label: context.t("matrix.title_fr"), value: form["title_fr"], error: errors["title_fr"]))
          \(Layout.textField("title_en", label: context.t("matrix.title_en"), value: form["title_en"], error: errors["title_en"], required: false))
          \(Layout.selectField("theme", label: context.t("matrix.theme"), options: Layout.codeOptions(MatrixTheme.self, context), selected: form["theme"], error: errors["theme"]))
          \(Layout.selectField("country_a", label: context.t("matrix.country_a"), options: Layout.countryOptions(context), selected: form["country_a"] ?? "CIV", error: errors["country_a"]))
          \(Layout.selectField("country_b", label: context.t("matrix.country_b"), options: Layout.countryOptions(context), selected: form["country_b"] ?? "MAR", error: errors["country_b"]))
          \(Layout.textField("project", label: context.t("matrix.project"), value: form["project"], error: nil, required: false))
        </div>
        <div class="field"><label for="description_fr">\(context.t("matrix.description_fr"))</label><textarea id="description_fr" name="description_fr" rows="3">\(form["description_fr"] ?? "")</textarea></div>
        <div class="field"><label for="description_en">\(context.t("matrix.description_en"))</label><textarea id="description_en" name="description_en" rows="3">\(form["description_en"] ?? "")</textarea></div>
        """
    }

    static func matrix(_ model: MatrixFormModel, _ context: PageContext) -> HTML {
        let title = model.matrixID == nil ? context.t("matrix.new") : context.t("matrix.edit")
        let action = model.matrixID.map { "/matrices/\($0.uuidString)/edit" } ?? "/matrices/new"
        let version: HTML = model.form["version"].map { "<input type=\"hidden\" name=\"version\" value=\"\($0)\">" } ?? .empty
        return Layout.page(title, context, """
        <p><a href="\(model.matrixID.map { "/matrices/\($0.uuidString)" } ?? "/matrices")">← \(context.t("matrix.list_title"))</a></p>
        <h1>\(title)</h1>
        \(Layout.errorSummary(context, model.errors.filter { $0.key != "general" }, general: model.errors["general"]))
        <form method="post" action="\(action)" class="card" novalidate>
          \(context.csrfField)\(version)
          \(matrixFields(model.form, errors: model.errors, context))
          <button type="submit" class="primary">\(context.t("form.save"))</button>
        </form>
        """)
    }

    static func action(_ model: ActionFormModel, _ context: PageContext) -> HTML {
        let form = model.form
        let errors = model.errors
        let title = model.actionID == nil ? context.t("action.new") : context.t("action.edit")
        let target = model.actionID.map { "/actions/\($0.uuidString)/edit" } ?? "/matrices/\(model.matrixID.uuidString)/actions/new"
        let institutions = [(value: "", label: context.t("form.choose"))] + model.institutions.map { (value: $0.id.uuidString, label: "\($0.acronym) — \($0.name)") }
        let partners = model.institutions.map { institution -> HTML in
            "<label class=\"check\"><input type=\"checkbox\" name=\"partners[]\" value=\"\(institution.id.uuidString)\"\(HTML(raw: model.partners.contains(institution.id.uuidString) ? " checked" : ""))> \(institution.acronym)</label>"
        }
        let live = [(value: "", label: context.t("live_figure.none"))] + LiveFigure.allCases.map { (value: $0.rawValue, label: context.t($0.catalogueKey)) }
        let followUpFields: HTML = model.revisesValidatedAction
            ? "<p class=\"hint\">\(context.t("revision.follow_up_kept"))</p>"
            : """
            \(Layout.selectField("status", label: context.t("field.status"), options: Layout.codeOptions(ActionStatus.self, context), selected: form["status"] ?? "not_started", error: nil))
            \(Layout.textField("progress", label: context.t("action.progress_percent"), value: form["progress"] ?? "0", error: errors["progress"], type: "number"))
            """
        return Layout.page(title, context, """
        <p><a href="/matrices/\(model.matrixID.uuidString)">← \(context.t("matrix.back"))</a></p>
        <h1>\(title)</h1>
        \(Layout.errorSummary(context, errors.filter { $0.key != "general" }, general: errors["general"]))
        <form method="post" action="\(target)" class="card" novalidate>
          \(context.csrfField)<input type="hidden" name="version" value="\(form["version"] ?? "")">
          <div class="grid">
            \(Layout.textField("code", label: context.t("action.code"), value: form["code"], error: errors["code"]))
            \(Layout.textField("axis", label: context.t("action.axis"), value: form["axis"], error: errors["axis"]))
            \(Layout.selectField("lead", label: context.t("action.lead"), options: institutions, selected: form["lead"] ?? "", error: errors["lead"]))
            \(Layout.textField("start_date", label: context.t("action.start_date"), value: form["start_date"], error: errors["start_date"], type: "date", required: false))
            \(Layout.textField("deadline", label: context.t("action.deadline"), value: form["deadline"], error: errors["deadline"], type: "date", required: false))
            \(followUpFields)
            \(Layout.textField("weight", label: context.t("action.weight"), value: form["weight"] ?? "1", error: errors["weight"], hint: context.t("action.weight_hint")))
            \(Layout.textField("budget", label: context.t("action.budget"), value: form["budget"], error: errors["budget"], required: false))
            \(Layout.selectField("currency", label: context.t("assistance.currency"), options: [(value: "", label: "—")] + Currency.allCases.map { (value: $0.rawValue, label: $0.rawValue) }, selected: form["currency"] ?? "", error: errors["currency"]))
            \(Layout.textField("funding_source", label: context.t("action.funding_source"), value: form["funding_source"], error: nil, required: false))
          </div>
          <div class="field\(HTML(raw: errors["description"] == nil ? "" : " has-error"))"><label for="description">\(context.t("action.description"))</label>
          <textarea id="description" name="description" rows="3">\(form["description"] ?? "")</textarea>\(Layout.fieldError("description", errors["description"]))</div>
          <fieldset><legend>\(context.t("action.partners"))</legend><div class="checks">\(partners)</div></fieldset>
          <fieldset><legend>\(context.t("indicator.title"))</legend><div class="grid">
            \(Layout.textField("indicator_name", label: context.t("indicator.name"), value: form["indicator_name"], error: nil, required: false))
            \(Layout.textField("indicator_unit", label: context.t("indicator.unit"), value: form["indicator_unit"], error: nil, required: false))
            \(Layout.textField("indicator_baseline", label: context.t("indicator.baseline"), value: form["indicator_baseline"], error: nil, required: false))
            \(Layout.textField("indicator_target", label: context.t("indicator.target"), value: form["indicator_target"], error: nil, required: false))
            \(HTML.when(!model.revisesValidatedAction) { Layout.textField("indicator_current", label: context.t("indicator.current"), value: form["indicator_current"], error: nil, required: false) })
            \(Layout.selectField("indicator_live", label: context.t("live_figure.label"), options: live, selected: form["indicator_live"] ?? "", error: nil))
          </div></fieldset>
          <button type="submit" class="primary">\(context.t("form.save"))</button>
        </form>
        """)
    }

    /// A compared value in words: a status by its name, a percentage, a date, a number in the
    /// page's language, "—" for nothing.
    static func changeValue(_ field: String, _ value: String, _ context: PageContext) -> String {
        guard !value.isEmpty else { return "—" }
        switch field {
        case "status": return ActionStatus(rawValue: value).map { context.t($0.catalogueKey) } ?? value
        case "progress": return MatrixHTML.percent(Double(value), context)
        case "start_date", "deadline": return MatrixHTML.day(value, context)
        case "weight": return Double(value).map { context.format.decimal($0, digits: $0.rounded() == $0 ? 0 : 2) } ?? value
        case "budget":
            let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
            return ([MatrixHTML.amount(parts[0], context)] + parts.dropFirst()).joined(separator: " ")
        case "indicator_live":
            return value.split(separator: ";").map { code in
                let code = code.trimmingCharacters(in: .whitespaces)
                return LiveFigure(rawValue: code).map { context.t($0.catalogueKey) } ?? (code.isEmpty ? "—" : code)
            }.joined(separator: "; ")
        default: return value
        }
    }

    static func versions(_ matrix: CooperationQueries.MatrixView, comparison: (from: String, to: String, result: MatrixComparison)?, _ context: PageContext) -> HTML {
        let currentLabel = matrix.revisionOf == nil ? context.t("version.current") : context.t("version.proposed", ["version": String(matrix.validatedVersion + 1)])
        func label(_ key: String) -> String { key == "current" ? currentLabel : context.t("version.number", ["version": key]) }
        let options = matrix.versions.map { (value: String($0.number), label: "\(label(String($0.number))) — \(MatrixHTML.day($0.workshopDate, context))") }
            + [(value: "current", label: currentLabel)]
        let rows = matrix.versions.map { version -> HTML in
            "<tr><td>\(label(String(version.number)))</td><td>\(MatrixHTML.day(version.workshopDate, context))</td><td>\(version.workshopPlace)</td><td>\(version.institutionsPresent)</td><td>\(version.validatedBy)</td></tr>"
        }
        var result: HTML = .empty
        if let comparison {
            let items = comparison.result.changes.map { change -> HTML in
                switch change {
                case .added(let action): return "<li class=\"added\"><strong>\(context.t("version.added"))</strong> \(action.code) — \(action.description)</li>"
                case .removed(let action): return "<li class=\"removed\"><strong>\(context.t("version.removed"))</strong> \(action.code) — \(action.description)</li>"
                case .changed(let code, let fields):
                    let list = fields.map { field -> HTML in
                        "<li>\(context.t("version.field." + field.field))\(context.colon)<del>\(changeValue(field.field, field.before, context))</del> → <ins>\(changeValue(field.field, field.after, context))</ins></li>"
                    }
                    return "<li class=\"changed\"><strong>\(context.t("version.changed"))</strong> \(code)<ul>\(list)</ul></li>"
                }
            }
            result = """
            <section class="card"><h2>\(context.t("version.comparison", ["from": label(comparison.from), "to": label(comparison.to)]))</h2>
            \(HTML.when(comparison.result.titleChanged) { "<p>\(context.t("version.title_changed"))</p>" })
            \(HTML.when(items.isEmpty) { "<p class=\"empty\">\(context.t("version.no_difference"))</p>" })<ul class="diff">\(items)</ul></section>
            """
        }
        return Layout.page(context.t("version.title"), context, """
        <p><a href="/matrices/\(matrix.id.uuidString)">← \(matrix.title(context.language))</a></p>
        <h1>\(context.t("version.title")) — \(matrix.title(context.language))</h1>
        \(HTML.when(rows.isEmpty) { "<p class=\"empty\">\(context.t("version.none"))</p>" })
        \(HTML.when(!rows.isEmpty) { "<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">\(context.t("workshop.date"))</th><th scope=\"col\">\(context.t("workshop.place"))</th><th scope=\"col\">\(context.t("workshop.institutions"))</th><th scope=\"col\">\(context.t("version.validated_by"))</th></tr></thead><tbody>\(rows)</tbody></table></div>" })
        <form method="get" action="/matrices/\(matrix.id.uuidString)/versions" class="filters">
          \(Layout.selectField("from", label: context.t("version.from"), options: options, selected: comparison?.from ?? options.first?.value, error: nil))
          \(Layout.selectField("to", label: context.t("version.to"), options: options, selected: comparison?.to ?? "current", error: nil))
          <button type="submit">\(context.t("version.compare"))</button>
        </form>
        \(result)
        """)
    }

    static func importPage(_ model: MatrixImportModel, _ context: PageContext) -> HTML {
        var report: HTML = .empty
        if let plan = model.plan {
            report = plan.issues.isEmpty ? """
                <div class="notice" role="status"><p>\(context.t("matrix.import_ready", ["count": String(plan.actions.count)]))</p></div>
                <form method="post" action="/matrices/import/confirm" class="card narrow">\(context.csrfField)
                  <input type="hidden" name="id" value="\(model.uploadID ?? "")">
                  \(model.form.sorted { $0.key < $1.key }.map { key, value -> HTML in "<input type=\"hidden\" name=\"\(key)\" value=\"\(value)\">" })
                  <button type="submit" class="primary">\(context.t("import.confirm"))</button></form>
                """ : """
                <div class="error-summary" role="alert"><h2>\(context.t("matrix.import_problems", ["count": String(plan.issues.count)]))</h2><p>\(context.t("matrix.import_nothing_written"))</p></div>
                \(Layout.issuesTable(plan.issues, context))
                """
        }
        let fileError: HTML = model.fileError.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return Layout.page(context.t("matrix.import"), context, """
        <p><a href="/matrices">← \(context.t("matrix.list_title"))</a></p>
        <h1>\(context.t("matrix.import"))</h1>
        <p class="lead">\(context.t("matrix.import_intro"))</p>
        <p><a href="/matrices/template.csv">\(context.t("import.template"))</a></p>
        \(fileError)
        \(report)
        <form method="post" action="/matrices/import" enctype="multipart/form-data" class="card">
          \(context.csrfField)
          \(matrixFields(model.form, errors: [:], context))
          <div class="field"><label for="file">\(context.t("import.file"))</label><input id="file" name="file" type="file" accept=".csv,.xlsx,text/csv" required></div>
          <button type="submit" class="primary">\(context.t("import.validate"))</button>
        </form>
        """)
    }

    static func institutionsImport(issues: [ImportIssue]?, count: Int?, uploadID: String?, fileError: String?, done: (Int, Int)?, _ context: PageContext) -> HTML {
        var body: HTML = .empty
        if let done {
            body = "<p class=\"notice\" role=\"status\">\(context.t("institutions.import_done", ["created": String(done.0), "updated": String(done.1)]))</p>"
        } else if let issues {
            body = issues.isEmpty ? """
                <form method="post" action="/admin/institutions/import/confirm" class="card narrow">\(context.csrfField)<input type="hidden" name="id" value="\(uploadID ?? "")">
                <p>\(context.t("institutions.import_ready", ["count": String(count ?? 0)]))</p><button type="submit" class="primary">\(context.t("import.confirm"))</button></form>
                """ : """
                <div class="error-summary" role="alert"><h2>\(context.t("matrix.import_problems", ["count": String(issues.count)]))</h2><p>\(context.t("matrix.import_nothing_written"))</p></div>
                \(Layout.issuesTable(issues, context))
                """
        }
        let error: HTML = fileError.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return Layout.page(context.t("institutions.import"), context, """
        <p><a href="/admin/institutions">← \(context.t("institutions.title"))</a></p>
        <h1>\(context.t("institutions.import"))</h1>
        <p class="lead">\(context.t("institutions.import_intro"))</p>
        \(error)\(body)
        <form method="post" action="/admin/institutions/import" enctype="multipart/form-data" class="card narrow">\(context.csrfField)
          <div class="field"><label for="file">\(context.t("import.file"))</label><input id="file" name="file" type="file" accept=".csv,.xlsx,text/csv" required></div>
          <button type="submit" class="primary">\(context.t("import.validate"))</button>
        </form>
        """)
    }

    /// The Joint Commission report: every validated matrix, printable on A4.
    static func report(_ matrices: [CooperationQueries.MatrixView], today: Day, _ context: PageContext) -> HTML {
        let sections = matrices.map { matrix -> HTML in
            let summary = ProgressSummary.of(MatrixHTML.progressSummaries(matrix.actions), today: today)
            let rows = matrix.actions.map { action -> HTML in
                let latest: HTML = action.latestUpdate.map { "\(MatrixHTML.day($0.occurredOn, context)) — \(MatrixHTML.summary($0, context))" } ?? "—"
                return """
                <tr class="\(action.overdue ? "overdue" : "")"><td>\(action.code)</td><td>\(action.description)</td><td>\(action.leadAcronym)</td>
                <td>\(MatrixHTML.day(action.deadline, context))\(HTML.when(action.overdue) { " <strong>(\(context.t("matrix.overdue_badge")))</strong>" })</td>
                <td>\(context.t("action_status." + action.status))</td><td>\(MatrixHTML.percent(Double(action.progress), context))</td><td>\(latest)</td></tr>
                """
            }
            let milestones = matrix.milestones.map { milestone -> HTML in
                "<li>\(milestone.title) — \(MatrixHTML.day(milestone.dueOn, context))\(HTML.when(milestone.doneOn != nil) { " ✓ \(MatrixHTML.day(milestone.doneOn, context))" })</li>"
            }
            return """
            <section class="report-matrix">
              <h2>\(matrix.title(context.language))</h2>
              <p>\(context.t("theme." + matrix.theme)) · \(context.t("report.version", ["version": String(matrix.validatedVersion)])) · \(context.t("matrix.progress")) \(MatrixHTML.percent(summary.meanProgress, context)) · \(context.t("matrix.overdue_count", ["count": String(summary.overdueCount)]))</p>
              \(MatrixHTML.counts(summary, context))
              <div class="table-wrap" tabindex="0"><table class="report"><thead><tr><th scope="col">\(context.t("action.code"))</th><th scope="col">\(context.t("action.description"))</th>
              <th scope="col">\(context.t("action.lead"))</th><th scope="col">\(context.t("action.deadline"))</th><th scope="col">\(context.t("field.status"))</th>
              <th scope="col">%</th><th scope="col">\(context.t("action.latest_update"))</th></tr></thead><tbody>\(rows)</tbody></table></div>
              \(HTML.when(!milestones.isEmpty) { "<h3>\(context.t("milestone.title"))</h3><ul>\(milestones)</ul>" })
            </section>
            """
        }
        return Layout.page(context.t("report.title"), context, """
        <article class="report-page">
          <h1>\(context.t("report.title"))</h1>
          <p class="lead">\(context.t("report.intro", ["date": context.format.longDate(today.date)]))</p>
          \(HTML.when(matrices.isEmpty) { "<p class=\"empty\">\(context.t("report.none"))</p>" })
          \(sections)
        </article>
        """)
    }
}
