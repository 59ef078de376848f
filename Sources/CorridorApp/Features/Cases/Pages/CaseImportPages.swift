import CorridorCore
import Foundation

struct ImportReportModel: Sendable {
    var id: String
    var fileName: String
    var report: CaseImportReport
    /// Why the confirmation wrote nothing (rejected rows, and the rejected rows were not left out).
    var error: String?
}

enum CaseImportPages {
    /// How many rejected rows the report lists on the page; the count is always exact.
    static let listedIssues = 1_000

    static func upload(error: String?, _ context: PageContext) -> HTML {
        let alert: HTML = error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return Layout.page(context.t("import.title"), context, """
        <p><a href="/cases">← \(context.t("case.list_title"))</a></p>
        <h1>\(context.t("import.title"))</h1>
        <p class="lead">\(context.t("import.intro"))</p>
        <p><a href="/cases/template.csv">\(context.t("import.template"))</a></p>
        \(alert)
        <form method="post" action="/cases/import" enctype="multipart/form-data" class="card narrow">
          \(context.csrfField)
          <div class="field"><label for="file">\(context.t("import.file"))</label>
          <p class="hint">\(context.t("import.file_hint"))</p>
          <input id="file" name="file" type="file" accept=".csv,.xlsx,text/csv" required></div>
          <button type="submit" class="primary">\(context.t("import.validate"))</button>
        </form>
        """)
    }

    static func report(_ model: ImportReportModel, _ context: PageContext) -> HTML {
        let plan = model.report
        let format = context.format
        let issues: HTML = plan.issues.isEmpty ? "<p class=\"notice\" role=\"status\">\(context.t("import.no_issues"))</p>" : """
            <h2>\(context.t("import.rejected_title", ["count": format.integer(plan.rejectedLines.count)]))</h2>
            \(Layout.issuesTable(plan.issues, context, limit: listedIssues))
            """
        let rejected = plan.rejectedLines.count
        // With rejected rows, writing the others is a choice made explicitly, as `--skip-rejected` is.
        let choice: HTML = rejected == 0 ? "<p>\(context.t("import.confirm_intro", ["rows": format.integer(plan.acceptedRows), "cases": format.integer(plan.households)]))</p>" : """
            <p>\(context.t("import.rejected_choice", ["rejected": format.integer(rejected), "rows": format.integer(plan.acceptedRows)]))</p>
            <p><label class="check"><input type="checkbox" name="skip_rejected" value="1" required>
            \(context.t("import.skip_rejected", ["rejected": format.integer(rejected), "rows": format.integer(plan.acceptedRows), "cases": format.integer(plan.households)]))</label></p>
            """
        let confirm: HTML = plan.households == 0 ? "<p>\(context.t("import.nothing_to_import"))</p>" : """
            <form method="post" action="/cases/import/confirm" class="card narrow">
              \(context.csrfField)
              <input type="hidden" name="id" value="\(model.id)"><input type="hidden" name="file_name" value="\(model.fileName)">
              \(choice)
              <button type="submit" class="primary">\(context.t(rejected == 0 ? "import.confirm" : "import.confirm_accepted"))</button> <a href="/cases/import">\(context.t(rejected == 0 ? "import.cancel" : "import.correct_file"))</a>
            </form>
            """
        let alert: HTML = model.error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return Layout.page(context.t("import.report_title"), context, """
        <p><a href="/cases/import">← \(context.t("import.title"))</a></p>
        <h1>\(context.t("import.report_title"))</h1>
        \(alert)
        <dl class="facts">
          <dt>\(context.t("import.file"))</dt><dd>\(model.fileName)</dd>
          <dt>\(context.t("import.rows_read"))</dt><dd>\(format.integer(plan.rowCount))</dd>
          <dt>\(context.t("import.rows_accepted"))</dt><dd>\(format.integer(plan.acceptedRows))</dd>
          <dt>\(context.t("import.rows_rejected"))</dt><dd>\(format.integer(plan.rejectedLines.count))</dd>
          <dt>\(context.t("import.households"))</dt><dd>\(format.integer(plan.households))</dd>
        </dl>
        \(issues)
        \(confirm)
        """)
    }

    /// `matches`: the imported people who look like stored people (the people feature's section).
    static func done(_ report: CaseImportReport, matches: HTML = .empty, _ context: PageContext) -> HTML {
        let outcome = report.outcome
        let format = context.format
        return Layout.page(context.t("import.done_title"), context, """
        <h1>\(context.t("import.done_title"))</h1>
        <p class="notice" role="status">\(context.t("import.done", [
            "created": format.integer(outcome.casesCreated), "updated": format.integer(outcome.casesUpdated),
            "unchanged": format.integer(outcome.casesUnchanged), "rejected": format.integer(report.rejectedLines.count)]))</p>
        \(matches)
        <p><a class="button primary" href="/cases">\(context.t("case.list_title"))</a></p>
        """)
    }
}
