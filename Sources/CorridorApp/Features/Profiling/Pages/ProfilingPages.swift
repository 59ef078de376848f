import CorridorCore
import Foundation

struct ProfilingReportModel: Sendable {
    var questionnaire: Questionnaire
    var filter: ProfilingFilter
    var summary: ProfilingQueries.Summary?
    var cross: (question: Question, cells: [ProfilingQueries.CrossCell])?
    var scores: [ProfilingQueries.ScoreRow]
    var distributions: [ProfilingQueries.Distribution] = []
    var canImport: Bool
    var canRecord: Bool
}

struct KoboImportModel: Sendable {
    var questionnaires: [Questionnaire]
    var questionnaireCode: String
    var source: String
    var read: KoboReadResult?
    var uploadID: String?
    var fileName: String?
    var error: String?
    var done: ProfilingService.ImportOutcome?
}

enum ProfilingHTML {
    static func percent(_ share: Double, _ context: PageContext, decimals: Int = 0) -> String {
        let value = share * 100
        let text = decimals == 0 ? String(Int(value.rounded())) : String(format: "%.\(decimals)f", value)
        let localised = context.language == .fr ? text.replacingOccurrences(of: ".", with: ",") : text
        return context.language == .fr ? localised + "\u{202F}%" : localised + "%"
    }

    /// A horizontal bar chart as accessible SVG: a title, a description, and the table beside it.
    static func barChart(_ summary: ProfilingQueries.Summary, _ context: PageContext) -> HTML {
        let labelWidth = 340, barWidth = 380, rowHeight = 28
        let height = summary.choices.count * rowHeight + 10
        let bars = summary.choices.enumerated().map { index, figure -> HTML in
            let y = index * rowHeight + 5
            let width = Int((figure.share * Double(barWidth)).rounded())
            let low = Int((figure.ciLow * Double(barWidth)).rounded()), high = Int((figure.ciHigh * Double(barWidth)).rounded())
            return """
            <text x="\(labelWidth - 8)" y="\(y + 17)" text-anchor="end" class="chart-label">\(figure.label.count > 44 ? String(figure.label.prefix(43)) + "…" : figure.label)</text>
            <rect x="\(labelWidth)" y="\(y + 3)" width="\(width)" height="\(rowHeight - 8)" class="chart-bar"></rect>
            <line x1="\(labelWidth + low)" x2="\(labelWidth + high)" y1="\(y + 12)" y2="\(y + 12)" class="chart-ci"></line>
            <text x="\(labelWidth + max(width, high) + 6)" y="\(y + 16)" class="chart-value">\(percent(figure.share, context))</text>
            """
        }
        let id = "chart-" + summary.question
        return """
        <svg class="chart" viewBox="0 0 \(labelWidth + barWidth + 60) \(height)" role="img" aria-labelledby="\(id)-title \(id)-desc">
          <title id="\(id)-title">\(summary.label)</title>
          <desc id="\(id)-desc">\(context.t("profiling.chart_desc", ["n": context.format.integer(summary.n)]))</desc>
          \(bars)
        </svg>
        """
    }
}

struct FollowUpsModel: Sendable {
    var items: [ProfilingQueries.FollowUp]
    var total: Int
    var overdue: Int
    var page: Int
    var pageCount: Int
    var filter: ProfilingController.FollowUpFilter
}

enum ProfilingPages {
    static func report(_ model: ProfilingReportModel, _ context: PageContext) -> HTML {
        let questionnaire = model.questionnaire
        let filter = model.filter
        let choiceQuestions = questionnaire.questions.filter { $0.type.hasChoices && $0.code != "consent" }
        let questionOptions = choiceQuestions.map { (value: $0.code, label: $0.label.text(context.language)) }
        let crossOptions = [(value: "", label: context.t("profiling.no_cross"))] + questionOptions
        let sexes = [(value: "", label: context.t("filter.any")), (value: "female", label: context.t("sex.F")), (value: "male", label: context.t("sex.M"))]
        let ages = [(value: "", label: context.t("filter.any_feminine"))] + AgeGroup.allCases.map { (value: $0.rawValue, label: $0.rawValue) }
        let regions = [(value: "", label: context.t("filter.any_feminine"))] + CoteDIvoire.regions.map { (value: $0.name, label: $0.name) }
        var summaryHTML: HTML = .empty
        if let summary = model.summary {
            let rows = summary.choices.map { figure -> HTML in
                "<tr><td>\(figure.label)</td><td class=\"number\">\(context.format.integer(figure.count))</td><td class=\"number\">\(ProfilingHTML.percent(figure.share, context))</td><td class=\"number\">\(ProfilingHTML.percent(figure.ciLow, context, decimals: 1)) – \(ProfilingHTML.percent(figure.ciHigh, context, decimals: 1))</td></tr>"
            }
            summaryHTML = """
            <section class="card">
              <h2>\(summary.label)</h2>
              <p>\(context.t("profiling.n", ["n": context.format.integer(summary.n)]))\(HTML.when(questionnaire.question(summary.question)?.type == .multipleChoice) { " \(context.t("profiling.multiple_note"))" })</p>
              <div class="chart-and-table">
                \(ProfilingHTML.barChart(summary, context))
                <div class="table-wrap" tabindex="0"><table>
                  <caption>\(context.t("profiling.table_caption"))</caption>
                  <thead><tr><th scope="col">\(context.t("profiling.answer"))</th><th scope="col">\(context.t("profiling.count"))</th><th scope="col">\(context.t("profiling.share"))</th><th scope="col">\(context.t("profiling.interval"))</th></tr></thead>
                  <tbody>\(rows)</tbody>
                </table></div>
              </div>
              <p><a href="/profiling/export?\(filter.query())&amp;format=csv">CSV</a> · <a href="/profiling/export?\(filter.query())&amp;format=xlsx">XLSX</a> · <a href="/api/v1/profiling/summary?\(filter.query())">JSON (API)</a></p>
            </section>
            """
        }
        var crossHTML: HTML = .empty
        if let cross = model.cross, let rowsQuestion = questionnaire.question(filter.question ?? "") {
            let columns = cross.question.allChoices
            let header = columns.map { choice -> HTML in "<th scope=\"col\">\(choice.label.text(context.language))</th>" }
            let body = rowsQuestion.allChoices.map { row -> HTML in
                let cells = columns.map { column -> HTML in
                    let count = cross.cells.first { $0.row == row.code && $0.column == column.code }?.count ?? 0
                    return "<td class=\"number\">\(context.format.integer(count))</td>"
                }
                return "<tr><th scope=\"row\">\(row.label.text(context.language))</th>\(cells)</tr>"
            }
            crossHTML = """
            <section class="card"><h2>\(context.t("profiling.cross_title", ["rows": rowsQuestion.label.text(context.language), "columns": cross.question.label.text(context.language)]))</h2>
            <div class="table-wrap" tabindex="0"><table class="dense"><thead><tr><th scope="col"></th>\(header)</tr></thead><tbody>\(body)</tbody></table></div></section>
            """
        }
        let scoreRows = model.scores.map { row -> HTML in
            let group = row.group == "all" ? context.t("profiling.all") : context.t(row.group == "female" ? "sex.F" : row.group == "male" ? "sex.M" : "sex.X")
            return "<tr><td>\(row.round)</td><td>\(group)</td><td class=\"number\">\(row.n)</td><td class=\"number\">\(String(format: "%.2f", row.economic))</td><td class=\"number\">\(String(format: "%.2f", row.social))</td><td class=\"number\">\(String(format: "%.2f", row.psychosocial))</td><td class=\"number\"><strong>\(String(format: "%.2f", row.composite))</strong></td><td><small>\(row.tableVersions)</small></td></tr>"
        }
        let actions: [HTML] = [
            model.canImport ? "<a class=\"button\" href=\"/profiling/import\">\(context.t("kobo.title"))</a>" : .empty,
            model.canRecord ? "<a class=\"button\" href=\"/profiling/interviews/new?questionnaire=profiling_return\">\(context.t("interview.new_profiling"))</a>" : .empty,
        ]
        return Layout.page(context.t("profiling.title"), context, """
        <div class="page-head"><h1>\(context.t("profiling.title"))</h1><div class="actions">\(actions)</div></div>
        <p class="lead">\(context.t("profiling.intro"))</p>
        <form method="get" action="/profiling" class="filters">
          \(Layout.selectField("question", label: context.t("profiling.question"), options: questionOptions, selected: filter.question ?? "reasons_leaving", error: nil))
          \(Layout.selectField("cross", label: context.t("profiling.cross"), options: crossOptions, selected: filter.cross ?? "", error: nil))
          \(Layout.textField("returned_from", label: context.t("profiling.returned_from"), value: filter.returned_from, error: nil, type: "date", required: false))
          \(Layout.textField("returned_to", label: context.t("profiling.returned_to"), value: filter.returned_to, error: nil, type: "date", required: false))
          \(Layout.selectField("host_country", label: context.t("case.host_country"), options: Layout.countryOptions(context, empty: context.t("filter.any")), selected: filter.host_country ?? "", error: nil))
          \(Layout.selectField("sex", label: context.t("member.sex"), options: sexes, selected: filter.sex ?? "", error: nil))
          \(Layout.selectField("age_group", label: context.t("profiling.age_group"), options: ages, selected: filter.age_group ?? "", error: nil))
          \(Layout.selectField("region", label: context.t("member.origin_region"), options: regions, selected: filter.region ?? "", error: nil))
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        \(summaryHTML)
        \(crossHTML)
        <section class="card"><h2>\(context.t("profiling.scores_title"))</h2>
          <p>\(context.t("profiling.scores_intro")) <a href="/profiling/weights">\(context.t("weights.title"))</a></p>
          \(HTML.when(scoreRows.isEmpty) { "<p class=\"empty\">\(context.t("profiling.no_scores"))</p>" })
          \(HTML.when(!model.distributions.isEmpty) { distributionTable(model.distributions, context) })
          \(HTML.when(!scoreRows.isEmpty) { "<div class=\"table-wrap\" tabindex=\"0\"><table class=\"dense\"><thead><tr><th scope=\"col\">\(context.t("profiling.round"))</th><th scope=\"col\">\(context.t("profiling.group"))</th><th scope=\"col\">n</th><th scope=\"col\">\(context.t("profiling.economic"))</th><th scope=\"col\">\(context.t("profiling.social"))</th><th scope=\"col\">\(context.t("profiling.psychosocial"))</th><th scope=\"col\">\(context.t("profiling.composite"))</th><th scope=\"col\">\(context.t("profiling.table_version"))</th></tr></thead><tbody>\(scoreRows)</tbody></table></div>" })
        </section>
        """)
    }

    static func distributionTable(_ distributions: [ProfilingQueries.Distribution], _ context: PageContext) -> HTML {
        let rows = distributions.map { item -> HTML in
            "<tr><td>\(item.round)</td><td>\(context.t("profiling." + item.dimension))</td>\(item.bins.map { bin -> HTML in "<td class=\"number\">\(bin)</td>" })</tr>"
        }
        return """
        <div class="table-wrap" tabindex="0"><table class="dense"><caption>\(context.t("profiling.distribution"))</caption>
        <thead><tr><th scope="col">\(context.t("profiling.round"))</th><th scope="col">\(context.t("profiling.dimension"))</th>
        \((0..<5).map { band -> HTML in
            let mark = context.language == .fr ? "," : "."
            let low = band == 0 ? "0" : "0\(mark)\(band * 2)", high = band == 4 ? "1" : "0\(mark)\(band * 2 + 2)"
            return "<th scope=\"col\">\(low)–\(high)</th>"
        })</tr></thead>
        <tbody>\(rows)</tbody></table></div>
        """
    }

    static func importPage(_ model: KoboImportModel, _ context: PageContext) -> HTML {
        let questionnaires = model.questionnaires.map { (value: $0.code, label: $0.title.text(context.language)) }
        var report: HTML = .empty
        if let done = model.done {
            report = "<p class=\"notice\" role=\"status\">\(context.t("kobo.done", ["created": String(done.created), "updated": String(done.updated), "unchanged": String(done.unchanged), "rejected": String(Set(done.rejected.map(\.line)).count)]))</p>"
        } else if let read = model.read {
            let questionnaire = model.questionnaires.first { $0.code == model.questionnaireCode }
            // Nothing is ignored unless chosen: an unmapped column blocks the import until then.
            let questionOptions = [(value: "", label: context.t("form.choose")), (value: KoboMapping.ignoreChoice, label: context.t("kobo.ignore"))]
                + (questionnaire?.questions ?? []).map { (value: $0.code, label: "\($0.code) — \($0.label.text(context.language))") }
            let unmapped = read.unmappedColumns.map { column -> HTML in
                "<tr><td><code>\(column)</code></td><td>\(Layout.selectField("q[\(column)]", label: context.t("kobo.question_for", ["column": column]), options: questionOptions, selected: "", error: nil, id: "map-\(column)"))</td></tr>"
            }
            // Choices the mapping does not know yet, once each, with the question's codes to pick
            // from; leaving one out is a choice too, never the default.
            let unknownChoices = read.unmappedChoices.compactMap { item in questionnaire?.question(item.question).map { (question: $0, value: item.value) } }
            let choiceRows = unknownChoices.map { item -> HTML in
                let options = [(value: "", label: context.t("form.choose")), (value: KoboMapping.ignoreChoice, label: context.t("kobo.ignore_choice"))]
                    + item.question.allChoices.map { (value: $0.code, label: $0.label.text(context.language)) }
                return "<tr><td><code>\(item.question.code)</code></td><td><code>\(item.value)</code></td><td>\(Layout.selectField("c[\(item.question.code)][\(item.value)]", label: context.t("kobo.choice_for", ["value": item.value]), options: options, selected: "", error: nil, id: "choice-\(item.question.code)-\(item.value)"))</td></tr>"
            }
            let mapped = read.columnsByQuestion.sorted { $0.key < $1.key }.map { code, column -> HTML in "<li><code>\(column)</code> → <code>\(code)</code></li>" }
            report = """
            <section class="card">
              <h2>\(context.t("kobo.report"))</h2>
              <p>\(context.t("kobo.counts", ["rows": String(read.rowCount), "valid": String(read.submissions.count), "problems": String(read.issues.count)]))</p>
              <details><summary>\(context.t("kobo.mapped", ["count": String(read.columnsByQuestion.count)]))</summary><ul>\(mapped)</ul></details>
              \(HTML.when(!unmapped.isEmpty) { """
                <h3>\(context.t("kobo.unmapped_title", ["count": String(read.unmappedColumns.count)]))</h3>
                <form method="post" action="/profiling/mappings" class="card">\(context.csrfField)
                  <input type="hidden" name="source" value="\(model.source)"><input type="hidden" name="questionnaire" value="\(model.questionnaireCode)">
                  <div class="table-wrap" tabindex="0"><table class="dense"><tbody>\(unmapped)</tbody></table></div>
                  <button type="submit">\(context.t("kobo.save_mapping"))</button>
                </form>
                """ })
              \(HTML.when(!choiceRows.isEmpty) { """
                <h3>\(context.t("kobo.unmapped_choices", ["count": String(choiceRows.count)]))</h3>
                <form method="post" action="/profiling/mappings" class="card">\(context.csrfField)
                  <input type="hidden" name="source" value="\(model.source)"><input type="hidden" name="questionnaire" value="\(model.questionnaireCode)">
                  <div class="table-wrap" tabindex="0"><table class="dense"><tbody>\(choiceRows)</tbody></table></div>
                  <button type="submit">\(context.t("kobo.save_mapping"))</button>
                </form>
                """ })
              \(HTML.when(!read.issues.isEmpty) { "<h3>\(context.t("kobo.problems"))</h3>\(Layout.issuesTable(read.issues, context, limit: 500))" })
              \(HTML.when(!read.unmappedColumns.isEmpty) { "<p class=\"notice\" role=\"status\">\(context.t("kobo.unmapped_blocks"))</p>" })
              \(HTML.when(!read.unmappedChoices.isEmpty) { "<p class=\"notice\" role=\"status\">\(context.t("kobo.unmapped_choices_block"))</p>" })
              \(HTML.when(model.uploadID != nil && !read.submissions.isEmpty && !read.hasUnmapped) { """
                <form method="post" action="/profiling/import/confirm">\(context.csrfField)
                  <input type="hidden" name="id" value="\(model.uploadID ?? "")"><input type="hidden" name="source" value="\(model.source)">
                  <input type="hidden" name="questionnaire" value="\(model.questionnaireCode)"><input type="hidden" name="file_name" value="\(model.fileName ?? "")">
                  <p>\(context.t("kobo.confirm_intro", ["count": String(read.submissions.count)]))</p>
                  \(HTML.when(!read.issues.isEmpty) { """
                    <p><label class="check"><input type="checkbox" name="skip_rejected" value="1" required>
                    \(context.t("kobo.skip_rejected", ["rejected": String(Set(read.issues.map(\.line)).count), "count": String(read.submissions.count)]))</label></p>
                    """ })
                  <button type="submit" class="primary">\(context.t(read.issues.isEmpty ? "import.confirm" : "import.confirm_accepted"))</button>
                </form>
                """ })
            </section>
            """
        }
        let error: HTML = model.error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return Layout.page(context.t("kobo.title"), context, """
        <p><a href="/profiling">← \(context.t("profiling.title"))</a></p>
        <h1>\(context.t("kobo.title"))</h1>
        <p class="lead">\(context.t("kobo.intro"))</p>
        <p><a href="/profiling/sources">\(context.t("kobo.sources_link"))</a></p>
        \(error)\(report)
        <form method="post" action="/profiling/import" enctype="multipart/form-data" class="card">
          \(context.csrfField)
          <div class="grid">
            \(Layout.selectField("questionnaire", label: context.t("kobo.questionnaire"), options: questionnaires, selected: model.questionnaireCode, error: nil))
            \(Layout.textField("source", label: context.t("kobo.source"), value: model.source, error: nil, hint: context.t("kobo.source_hint")))
          </div>
          <div class="field"><label for="file">\(context.t("import.file"))</label><p class="hint" id="file-hint">\(context.t("kobo.file_hint"))</p><input id="file" name="file" type="file" accept=".csv,.xlsx,text/csv" aria-describedby="file-hint" required></div>
          <button type="submit" class="primary">\(context.t("import.validate"))</button>
        </form>
        <p>\(context.t("kobo.export_interviews")) <a href="/profiling/interviews/export?questionnaire=\(model.questionnaireCode)&amp;format=csv">CSV</a> · <a href="/profiling/interviews/export?questionnaire=\(model.questionnaireCode)&amp;format=csv&amp;sep=semicolon">\(context.t("export.csv_french"))</a> · <a href="/profiling/interviews/export?questionnaire=\(model.questionnaireCode)&amp;format=xlsx">XLSX</a></p>
        <section class="card"><h2>\(context.t("xlsform.title"))</h2>
          <p>\(context.t("xlsform.intro"))</p>
          <ul>\(model.questionnaires.map { questionnaire -> HTML in
            "<li><a href=\"/profiling/questionnaires/\(questionnaire.code)/xlsform.xlsx\">\(context.t("xlsform.download", ["title": questionnaire.title.text(context.language), "version": String(questionnaire.version)]))</a></li>"
          })</ul>
        </section>
        <section class="card"><h2>\(context.t("kobo.mapping_title"))</h2>
          <p>\(context.t("kobo.mapping_intro"))</p>
          <p><a href="/profiling/mappings/download?source=\(model.source)&amp;questionnaire=\(model.questionnaireCode)">\(context.t("kobo.download_mapping"))</a></p>
          <form method="post" action="/profiling/mappings/upload" enctype="multipart/form-data">\(context.csrfField)
            <input type="hidden" name="source" value="\(model.source)"><input type="hidden" name="questionnaire" value="\(model.questionnaireCode)">
            <div class="field"><label for="mapping">\(context.t("kobo.upload_mapping"))</label><input id="mapping" name="mapping" type="file" accept=".json,application/json"></div>
            <button type="submit">\(context.t("kobo.upload_mapping_button"))</button>
          </form>
        </section>
        """)
    }

    /// When a question is asked, in words: "Seulement si « Consentement » est « Oui »".
    static func conditionText(_ condition: SkipCondition, _ questionnaire: Questionnaire, _ context: PageContext) -> String {
        let other = questionnaire.question(condition.question)
        let question = other?.label.text(context.language) ?? condition.question
        func answer(_ code: String) -> String { other?.allChoices.first { $0.code == code }?.label.text(context.language) ?? code }
        if let equals = condition.equals { return context.t("interview.only_if_equals", ["question": question, "answer": answer(equals)]) }
        if let includes = condition.includes { return context.t("interview.only_if_includes", ["question": question, "answer": answer(includes)]) }
        if let excludes = condition.excludes { return context.t("interview.only_if_excludes", ["question": question, "answer": answer(excludes)]) }
        return context.t("interview.only_if_answered", ["question": question])
    }

    static func interviewForm(_ questionnaire: Questionnaire, answers: Answers, caseNumber: String?, memberNumber: Int?, errors: [String: String], _ context: PageContext) -> HTML {
        func field(_ question: Question) -> HTML {
            let label = question.label.text(context.language)
            let error = errors[question.code]
            let values = answers[question.code] ?? []
            switch question.type {
            case .singleChoice, .yesNo:
                let options = [(value: "", label: context.t("form.choose"))] + question.allChoices.map { (value: $0.code, label: $0.label.text(context.language)) }
                return Layout.selectField(question.code, label: label, options: options, selected: values.first ?? "", error: error)
            case .multipleChoice:
                let boxes = question.allChoices.map { choice -> HTML in
                    "<label class=\"check\"><input type=\"checkbox\" name=\"\(question.code)[]\" value=\"\(choice.code)\"\(HTML(raw: values.contains(choice.code) ? " checked" : ""))> \(choice.label.text(context.language))</label>"
                }
                return "<fieldset class=\"\(error == nil ? "" : "has-error")\" id=\"\(question.code)\"><legend>\(label)</legend><div class=\"checks\">\(boxes)</div>\(Layout.fieldError(question.code, error))</fieldset>"
            case .integer, .decimal:
                return Layout.textField(question.code, label: label, value: values.first, error: error, type: "number", required: question.required == true)
            case .date:
                return Layout.textField(question.code, label: label, value: values.first, error: error, type: "date", required: question.required == true)
            case .country:
                return Layout.textField(question.code, label: label, value: values.joined(separator: " "), error: error, required: question.required == true, hint: context.t("member.route_hint"))
            case .text:
                return Layout.textField(question.code, label: label, value: values.first, error: error, required: question.required == true)
            }
        }
        // Consecutive questions asked under the same condition form one group, which says once
        // when it applies; the page's script hides a group whose condition does not hold (without
        // the script every question shows, and the answers of skipped ones are ignored on saving).
        var groups: [(condition: SkipCondition?, questions: [Question])] = []
        for question in questionnaire.questions {
            if let last = groups.last, last.condition == question.relevant { groups[groups.count - 1].questions.append(question) }
            else { groups.append((question.relevant, [question])) }
        }
        let fields = groups.map { group -> HTML in
            let body = group.questions.map { question -> HTML in "<div class=\"question\">\(field(question))</div>" }
            guard let condition = group.condition else { return "\(body)" }
            var data = "data-question=\"\(HTML.escape(condition.question))\""
            if let equals = condition.equals { data += " data-equals=\"\(HTML.escape(equals))\"" }
            if let includes = condition.includes { data += " data-includes=\"\(HTML.escape(includes))\"" }
            if let excludes = condition.excludes { data += " data-excludes=\"\(HTML.escape(excludes))\"" }
            return """
            <div class="conditional" \(HTML(raw: data))><p class="condition">\(conditionText(condition, questionnaire, context))</p>\(body)</div>
            """
        }
        let link: HTML = """
            <fieldset><legend>\(context.t("interview.about"))</legend><div class="grid">
              \(Layout.textField("case_number", label: context.t("case.number"), value: caseNumber, error: errors["case_number"], required: questionnaire.code == "reintegration_monitoring", hint: context.t("interview.case_hint")))
              \(Layout.textField("member_number", label: context.t("interview.member_number"), value: memberNumber.map(String.init), error: nil, type: "number", required: false))
              \(Layout.textField("interviewed_on", label: context.t("interview.date"), value: answers["_interviewed_on"]?.first, error: errors["interviewed_on"], type: "date"))
            </div></fieldset>
            """
        return Layout.page(questionnaire.title.text(context.language), context, """
        <p><a href="/profiling">← \(context.t("profiling.title"))</a></p>
        <h1>\(questionnaire.title.text(context.language)) <small>v\(questionnaire.version)</small></h1>
        \(Layout.errorSummary(context, errors, labels: Dictionary(questionnaire.questions.map { ($0.code, $0.label.text(context.language)) }, uniquingKeysWith: { a, _ in a }), order: questionnaire.questions.map(\.code)))
        <form method="post" action="/profiling/interviews/new?questionnaire=\(questionnaire.code)" class="card" novalidate>
          \(context.csrfField)
          \(link)
          <div class="questions">\(fields)</div>
          <button type="submit" class="primary">\(context.t("form.save"))</button>
        </form>
        <script src="/assets/corridor.js" defer></script>
        """)
    }

    /// The weight table in words: each indicator by its question, each score by its answer's
    /// label (codes only where the questionnaire does not know them), numbers in the page's language.
    static func weights(_ table: WeightTable?, questionnaire: Questionnaire?, canUpload: Bool, error: String?, _ context: PageContext) -> HTML {
        func number(_ value: Double) -> String { context.format.decimal(value, digits: value.rounded() == value ? 0 : 2) }
        let dimensions = (table?.dimensions ?? []).map { dimension -> HTML in
            let indicators = dimension.indicators.map { indicator -> HTML in
                let question = questionnaire?.question(indicator.question)
                let scores = indicator.scores.sorted { $0.value < $1.value }.map { code, value -> HTML in
                    let label = question?.allChoices.first { $0.code == code }?.label.text(context.language) ?? code
                    return "<li>\(label) <span class=\"score\">\(context.format.decimal(value, digits: 2))</span></li>"
                }
                return """
                <li><strong>\(question?.label.text(context.language) ?? indicator.question)</strong> <small>(\(context.t("weights.weight")) \(number(indicator.weight)))</small>
                <ul class="scores">\(scores)</ul></li>
                """
            }
            return "<h3>\(context.t("profiling." + dimension.code)) <small>(\(context.t("weights.weight")) \(number(dimension.weight)))</small></h3><ul>\(indicators)</ul>"
        }
        let alert: HTML = error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        let upload: HTML = canUpload ? """
            <form method="post" action="/profiling/weights" enctype="multipart/form-data" class="card narrow">\(context.csrfField)
              <div class="field"><label for="table">\(context.t("weights.upload"))</label><p class="hint" id="table-hint">\(context.t("weights.upload_hint"))</p>
              <input id="table" name="table" type="file" accept=".json,application/json" aria-describedby="table-hint" required></div>
              <button type="submit">\(context.t("weights.upload_button"))</button>
            </form>
            """ : .empty
        return Layout.page(context.t("weights.title"), context, """
        <p><a href="/profiling">← \(context.t("profiling.title"))</a></p>
        <h1>\(context.t("weights.title"))</h1>
        <p class="lead">\(context.t("weights.intro"))</p>
        \(alert)
        <section class="card"><h2>\(context.t("weights.current", ["version": table?.version ?? "—"]))</h2>
          <p>\(table?.description.text(context.language) ?? "")</p>
          \(dimensions)
          <p><a href="/profiling/weights/download">\(context.t("weights.download"))</a></p>
        </section>
        \(upload)
        """)
    }

    static func followUps(_ model: FollowUpsModel, _ context: PageContext) -> HTML {
        let filter = model.filter
        let rows = model.items.map { item -> HTML in
            """
            <tr class="\(item.overdue ? "overdue" : "")"><td><a href="/cases/\(item.caseNumber)">\(item.caseNumber)</a></td><td>\(item.principalName)</td>
            <td class="date">\(Layout.day(item.arrivalDate, context))</td><td>\(item.round)</td><td class="date">\(context.format.longDate(item.due.date))\(HTML.when(item.overdue) { " <span class=\"badge warn\">\(context.t("matrix.overdue_badge"))</span>" })</td>
            <td><a href="/profiling/interviews/new?questionnaire=reintegration_monitoring&amp;case=\(item.caseNumber)&amp;member=1&amp;round=\(item.round)">\(context.t("followups.record"))</a></td></tr>
            """
        }
        func link(_ page: Int) -> String {
            var items: [URLQueryItem] = []
            for (name, value) in [("office", filter.office), ("round", filter.round.map(String.init)), ("overdue", filter.overdue), ("mine", filter.mine)] {
                if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) }
            }
            if page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
            var components = URLComponents()
            components.queryItems = items
            return "/followups" + (items.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? ""))
        }
        let previous: HTML = model.page > 1 ? "<a rel=\"prev\" href=\"\(link(model.page - 1))\">← \(context.t("pagination.previous"))</a>" : .empty
        let next: HTML = model.page < model.pageCount ? "<a rel=\"next\" href=\"\(link(model.page + 1))\">\(context.t("pagination.next")) →</a>" : .empty
        let rounds = [(value: "", label: context.t("filter.any"))] + FollowUpSchedule.defaultMonths.indices.map { (value: String($0 + 1), label: context.t("followups.round", ["round": String($0 + 1), "months": String(FollowUpSchedule.defaultMonths[$0])])) }
        func check(_ name: String, _ value: String?, _ label: String) -> HTML {
            "<label class=\"check\"><input type=\"checkbox\" name=\"\(name)\" value=\"1\"\(HTML(raw: value == "1" ? " checked" : ""))> \(label)</label>"
        }
        let table: HTML = rows.isEmpty ? "<p class=\"empty\">\(context.t("followups.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table><thead><tr><th scope="col">\(context.t("case.number"))</th><th scope="col">\(context.t("case.principal"))</th><th scope="col">\(context.t("case.arrival_date"))</th><th scope="col">\(context.t("profiling.round"))</th><th scope="col">\(context.t("followups.due"))</th><th scope="col"><span class="visually-hidden">\(context.t("form.actions"))</span></th></tr></thead><tbody>\(rows)</tbody></table></div>
            <nav class="pagination" aria-label="\(context.t("pagination.label"))">\(previous) <span>\(context.t("pagination.page_of", ["page": String(model.page), "pages": String(model.pageCount)]))</span> \(next)</nav>
            """
        return Layout.page(context.t("followups.title"), context, """
        <h1>\(context.t("followups.title"))</h1>
        <p class="lead">\(context.t("followups.intro"))</p>
        <form method="get" action="/followups" class="filters">
          \(Layout.selectField("office", label: context.t("case.office"), options: Layout.countryOptions(context, empty: context.t("filter.any")), selected: filter.office ?? "", error: nil))
          \(Layout.selectField("round", label: context.t("profiling.round"), options: rounds, selected: filter.round.map(String.init) ?? "", error: nil))
          <div class="field checks">\(check("overdue", filter.overdue, context.t("followups.only_overdue")))\(check("mine", filter.mine, context.t("case.assigned_to_me")))</div>
          <button type="submit">\(context.t("filter.apply"))</button> <a href="/followups">\(context.t("filter.reset"))</a>
        </form>
        <p class="count" role="status">\(context.t("followups.count", ["count": context.format.integer(model.total), "overdue": context.format.integer(model.overdue)]))</p>
        \(table)
        """)
    }
}
