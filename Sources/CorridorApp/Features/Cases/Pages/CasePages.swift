import CorridorCore
import Foundation

struct CaseListModel: Sendable {
    var filter: CaseFilter
    var page: CaseQueries.ListPage
    var caseworkers: [(id: UUID, name: String)]
    /// The offices table, as the office filter's choices.
    var offices: [(value: String, label: String)]
    var canEdit: Bool
    var canImport: Bool
    var canExport: Bool
}

struct CaseDetailModel: Sendable {
    var view: CaseQueries.CaseView
    var canEdit: Bool
    var canViewProtected: Bool
    var transitionErrors: [String: String] = [:]
    var transitionForm = TransitionForm()
    var assistanceErrors: [String: String] = [:]
    var assistanceForm = AssistanceForm()
    var today: Day
    var trajectory: [ProfilingQueries.TrajectoryPoint] = []
    var canRecordInterviews = false
    /// The case's attachments this reader may see (the list, and its link to add one).
    var attachments: AttachmentsModel?
}

struct CaseFormModel: Sendable {
    var caseNumber: String?
    var header: CaseHeaderForm
    var member: MemberForm?
    var caseworkers: [(id: UUID, name: String)]
    /// The offices table, as the office field's choices.
    var offices: [(value: String, label: String)]
    var errors: [String: String] = [:]
    var conflict: CaseQueries.CaseView?
    /// Shown in the form above its button: the likely matches of a new registration.
    var beforeSubmit: HTML = .empty
}

struct MemberFormModel: Sendable {
    var caseNumber: String
    var memberNumber: Int?
    var form: MemberForm
    var version: Int
    var errors: [String: String] = [:]
    var conflict: CaseQueries.CaseView?
}

struct ProtectedPageModel: Sendable {
    var caseNumber: String
    var details: [CaseQueries.ProtectedView]
    var canEdit: Bool
    var errors: [Int: [String: String]] = [:]
    var forms: [Int: ProtectedForm] = [:]
}

/// Shared pieces of the case pages.
enum CaseHTML {
    static func statusBadge(_ status: String, _ context: PageContext) -> HTML {
        let tone: String
        switch CaseStatus(rawValue: status) {
        case .closed?: tone = "muted"
        case .completed?: tone = "ok"
        case let s? where s >= .arrived: tone = "ok"
        default: tone = "info"
        }
        return "<span class=\"badge \(tone)\">\(context.t("status." + status))</span>"
    }

    /// The form's fields in the order they appear, for the error summary.
    static let fieldOrder = ["host_country", "office", "registered_on", "caseworker", "relationship", "given_names", "family_name", "sex",
                             "birth_date", "nationality", "document_type", "document_number", "phone", "languages", "origin_region",
                             "origin_department", "education_level", "occupation", "left_country_on", "route", "stay", "vulnerabilities"]

    static func fieldLabels(_ context: PageContext) -> [String: String] {
        var labels: [String: String] = [:]
        for field in fieldOrder { labels[field] = context.t((field.hasPrefix("host") || field == "office" || field == "registered_on" || field == "caseworker" ? "case." : "member.") + field) }
        return labels
    }

    /// The fields of one member, shared by the new-case and member forms.
    static func memberFields(_ form: MemberForm, errors: [String: String], showRelationship: Bool, _ context: PageContext) -> HTML {
        let relationships = Layout.codeOptions(Relationship.self, context)
        let regions = [(value: "", label: context.t("form.choose"))] + CoteDIvoire.regions.map { (value: $0.name, label: $0.name) }
        let departments = CoteDIvoire.regions.map { region -> HTML in
            let items = region.departments.map { department -> HTML in
                "<option value=\"\(department)\"\(HTML(raw: form.origin_department == department ? " selected" : ""))>\(department)</option>"
            }
            return "<optgroup label=\"\(region.name)\">\(items)</optgroup>"
        }
        let chosen = Set(form.vulnerabilities ?? [])
        let checkboxes = Vulnerability.allCases.map { vulnerability -> HTML in
            """
            <label class="check"><input type="checkbox" name="vulnerabilities[]" value="\(vulnerability.rawValue)"\(HTML(raw: chosen.contains(vulnerability.rawValue) ? " checked" : ""))> \(context.t(vulnerability.catalogueKey))</label>
            """
        }
        let relationship: HTML = showRelationship
            ? Layout.selectField("relationship", label: context.t("member.relationship"), options: relationships, selected: form.relationship, error: errors["relationship"])
            : .empty
        return """
        <fieldset><legend>\(context.t("member.identity"))</legend>
        <div class="grid">
          \(relationship)
          \(Layout.textField("given_names", label: context.t("member.given_names"), value: form.given_names, error: errors["given_names"]))
          \(Layout.textField("family_name", label: context.t("member.family_name"), value: form.family_name, error: errors["family_name"]))
          \(Layout.selectField("sex", label: context.t("member.sex"), options: Layout.codeOptions(Sex.self, context, empty: context.t("form.choose")), selected: form.sex, error: errors["sex"]))
          \(Layout.textField("birth_date", label: context.t("member.birth_date"), value: form.birth_date, error: errors["birth_date"], required: false, hint: context.t("member.birth_date_hint")))
          \(Layout.selectField("nationality", label: context.t("member.nationality"), options: Layout.countryOptions(context, empty: context.t("form.choose")), selected: form.nationality ?? "CIV", error: errors["nationality"]))
          \(Layout.selectField("document_type", label: context.t("member.document_type"), options: Layout.codeOptions(DocumentType.self, context), selected: form.document_type ?? "none", error: errors["document_type"]))
          \(Layout.textField("document_number", label: context.t("member.document_number"), value: form.document_number, error: errors["document_number"], required: false))
          \(Layout.textField("phone", label: context.t("member.phone"), value: form.phone, error: errors["phone"], type: "tel", required: false))
          \(Layout.textField("languages", label: context.t("member.languages"), value: form.languages, error: errors["languages"], required: false))
        </div>
        </fieldset>
        <fieldset><legend>\(context.t("member.origin_and_journey"))</legend>
        <div class="grid">
          \(Layout.selectField("origin_region", label: context.t("member.origin_region"), options: regions, selected: form.origin_region ?? "", error: errors["origin_region"]))
          <div class="field\(HTML(raw: errors["origin_department"] == nil ? "" : " has-error"))">
            <label for="origin_department">\(context.t("member.origin_department"))</label>
            <select id="origin_department" name="origin_department"\(Layout.describedBy("origin_department", errors["origin_department"]))><option value="">\(context.t("form.choose"))</option>\(departments)</select>
            \(Layout.fieldError("origin_department", errors["origin_department"]))
          </div>
          \(Layout.selectField("education_level", label: context.t("member.education_level"), options: Layout.codeOptions(EducationLevel.self, context, empty: "—"), selected: form.education_level ?? "", error: errors["education_level"]))
          \(Layout.textField("occupation", label: context.t("member.occupation"), value: form.occupation, error: errors["occupation"], required: false))
          \(Layout.textField("left_country_on", label: context.t("member.left_country_on"), value: form.left_country_on, error: errors["left_country_on"], type: "date", required: false))
          \(Layout.textField("route", label: context.t("member.route"), value: form.route, error: errors["route"], required: false, hint: context.t("member.route_hint")))
          \(Layout.selectField("stay", label: context.t("member.stay"), options: Layout.codeOptions(HostCountryStay.self, context, empty: "—"), selected: form.stay ?? "", error: errors["stay"]))
        </div>
        </fieldset>
        <fieldset class="\(errors["vulnerabilities"] == nil ? "" : "has-error")"><legend>\(context.t("member.vulnerabilities"))</legend>
          <div class="checks">\(checkboxes)</div>
          \(Layout.fieldError("vulnerabilities", errors["vulnerabilities"]))
        </fieldset>
        """
    }

    static func headerFields(_ form: CaseHeaderForm, caseworkers: [(id: UUID, name: String)], offices: [(value: String, label: String)], errors: [String: String],
                             isNew: Bool, _ context: PageContext) -> HTML {
        let workers = [(value: "", label: context.t("case.unassigned"))] + caseworkers.map { (value: $0.id.uuidString, label: $0.name) }
        // The mission's offices; a case's own office is offered even if the table lost it.
        let known = offices.contains { $0.value == form.office } || (form.office ?? "").isEmpty
        let choices = known ? offices : offices + [(value: form.office ?? "", label: Layout.country(form.office, context))]
        let office: HTML = isNew
            ? Layout.selectField("office", label: context.t("case.office"), options: choices, selected: form.office ?? "CIV", error: errors["office"])
            : """
              <div>\(Layout.selectField("office", label: context.t("case.office"), options: choices, selected: form.office ?? "", error: errors["office"]))
              <p class="hint">\(context.t("case.office_handover_hint"))</p></div>
              """
        return """
        <div class="grid">
          \(Layout.selectField("host_country", label: context.t("case.host_country"), options: Layout.countryOptions(context, empty: context.t("form.choose")), selected: form.host_country ?? "", error: errors["host_country"]))
          \(office)
          \(Layout.textField("registered_on", label: context.t("case.registered_on"), value: form.registered_on, error: errors["registered_on"], type: "date"))
          \(Layout.selectField("caseworker", label: context.t("case.caseworker"), options: workers, selected: form.caseworker ?? "", error: errors["caseworker"]))
        </div>
        """
    }

    /// What the other person saved, shown when a save is refused for a newer version.
    static func conflictNotice(_ current: CaseQueries.CaseView?, _ context: PageContext) -> HTML {
        guard let current else { return .empty }
        let members = current.members.map { member -> HTML in
            "<li>\(member.memberNumber). \(member.givenNames) \(member.familyName) — \(context.t("relationship." + member.relationship))</li>"
        }
        return """
        <div class="error-summary" role="alert">
          <h2>\(context.t("case.conflict_title"))</h2>
          <p>\(context.t("case.conflict_intro", ["version": String(current.version)]))</p>
          <dl class="facts">
            <dt>\(context.t("case.host_country"))</dt><dd>\(Layout.country(current.hostCountry, context))</dd>
            <dt>\(context.t("case.registered_on"))</dt><dd>\(Layout.day(current.registeredOn, context))</dd>
            <dt>\(context.t("case.status"))</dt><dd>\(context.t("status." + current.status))</dd>
            <dt>\(context.t("case.caseworker"))</dt><dd>\(current.caseworkerName ?? "—")</dd>
          </dl>
          <ul>\(members)</ul>
        </div>
        """
    }
}

enum CasePages {
    static func list(_ model: CaseListModel, _ context: PageContext) -> HTML {
        let filter = model.filter
        func sortLink(_ column: String, _ label: String) -> HTML {
            let active = (filter.sort ?? "registered_on") == column
            let nextDir = active && filter.dir != "asc" ? "asc" : "desc"
            let arrow = active ? (filter.dir == "asc" ? " ▲" : " ▼") : ""
            let sort: HTML = active ? HTML(raw: " aria-sort=\"\(filter.dir == "asc" ? "ascending" : "descending")\"") : ""
            return "<th scope=\"col\"\(sort)><a href=\"/cases?\(filter.query(sort: column, dir: nextDir))\">\(label)\(arrow)</a></th>"
        }
        let rows = model.page.rows.map { row -> HTML in
            let principalName: HTML = row.principalName.isEmpty ? "<em>\(context.t("case.anonymised_name"))</em>" : "\(row.principalName)"
            return """
            <tr><td><a href="/cases/\(row.caseNumber)">\(row.caseNumber)</a></td><td>\(principalName)\(HTML.when(row.memberCount > 1) { " <small title=\"\(context.plural("case.other_members", row.memberCount - 1))\">+\(row.memberCount - 1)<span class=\"visually-hidden\"> \(context.plural("case.other_members", row.memberCount - 1))</span></small>" })</td>
            <td>\(Layout.country(row.hostCountry, context))</td><td>\(CaseHTML.statusBadge(row.status, context))</td>
            <td class="date">\(Layout.day(row.registeredOn, context))</td><td class="date">\(Layout.day(row.arrivalDate, context))</td><td>\(row.caseworkerName ?? "—")</td></tr>
            """
        }
        let workers = [(value: "", label: context.t("filter.any"))] + model.caseworkers.map { (value: $0.id.uuidString, label: $0.name) }
        let previous: HTML = model.page.page > 1 ? "<a rel=\"prev\" href=\"/cases?\(filter.query(page: model.page.page - 1))\">← \(context.t("pagination.previous"))</a>" : .empty
        let next: HTML = model.page.page < model.page.pageCount ? "<a rel=\"next\" href=\"/cases?\(filter.query(page: model.page.page + 1))\">\(context.t("pagination.next")) →</a>" : .empty
        let actions: [HTML] = [
            model.canEdit ? "<a class=\"button primary\" href=\"/cases/new\">\(context.t("case.new"))</a>" : .empty,
            model.canImport ? "<a class=\"button\" href=\"/cases/import\">\(context.t("import.title"))</a>" : .empty,
            model.canExport ? "<a class=\"button\" href=\"/cases/export?\(filter.query())&amp;format=csv\">CSV</a> <a class=\"button\" href=\"/cases/export?\(filter.query())&amp;format=csv&amp;sep=semicolon\">\(context.t("export.csv_french"))</a> <a class=\"button\" href=\"/cases/export?\(filter.query())&amp;format=xlsx\">XLSX</a>" : .empty,
        ]
        let table: HTML = model.page.rows.isEmpty ? "<p class=\"empty\">\(context.t("case.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table>
              <caption class="visually-hidden">\(context.t("case.list_title"))</caption>
              <thead><tr>\(sortLink("case_number", context.t("case.number")))\(sortLink("principal_name", context.t("case.principal")))
              <th scope="col">\(context.t("case.host_country"))</th>\(sortLink("status", context.t("case.status")))
              \(sortLink("registered_on", context.t("case.registered_on")))\(sortLink("arrival_date", context.t("case.arrival_date")))
              <th scope="col">\(context.t("case.caseworker"))</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table></div>
            <nav class="pagination" aria-label="\(context.t("pagination.label"))">\(previous) <span>\(context.t("pagination.page_of", ["page": String(model.page.page), "pages": String(model.page.pageCount)]))</span> \(next)</nav>
            """
        func check(_ name: String, _ value: String?, _ label: String) -> HTML {
            "<label class=\"check\"><input type=\"checkbox\" name=\"\(name)\" value=\"1\"\(HTML(raw: value == "1" ? " checked" : ""))> \(label)</label>"
        }
        return Layout.page(context.t("case.list_title"), context, """
        <div class="page-head"><h1>\(context.t("case.list_title"))</h1><div class="actions">\(actions)</div></div>
        <form method="get" action="/cases" class="filters" role="search">
          \(Layout.textField("q", label: context.t("case.search"), value: filter.q, error: nil, type: "search", required: false, hint: nil))
          \(Layout.selectField("status", label: context.t("case.status"), options: Layout.codeOptions(CaseStatus.self, context, empty: context.t("filter.any")), selected: filter.status ?? "", error: nil))
          <button type="submit">\(context.t("filter.apply"))</button>
          <details class="filters-more"\(HTML(raw: filter.hasAdvancedCriteria ? " open" : ""))><summary>\(context.t("filter.more"))</summary><div class="filters">
          \(Layout.selectField("host_country", label: context.t("case.host_country"), options: Layout.countryOptions(context, empty: context.t("filter.any")), selected: filter.host_country ?? "", error: nil))
          \(Layout.selectField("office", label: context.t("case.office"), options: [(value: "", label: context.t("filter.any"))] + model.offices, selected: filter.office ?? "", error: nil))
          \(Layout.selectField("vulnerability", label: context.t("member.vulnerabilities"), options: Layout.codeOptions(Vulnerability.self, context, empty: context.t("filter.any_feminine")), selected: filter.vulnerability ?? "", error: nil))
          \(Layout.selectField("caseworker", label: context.t("case.caseworker"), options: workers, selected: filter.caseworker ?? "", error: nil))
          \(Layout.textField("registered_from", label: context.t("case.registered_from"), value: filter.registered_from, error: nil, type: "date", required: false))
          \(Layout.textField("registered_to", label: context.t("case.registered_to"), value: filter.registered_to, error: nil, type: "date", required: false))
          \(Layout.textField("arrived_from", label: context.t("case.arrived_from"), value: filter.arrived_from, error: nil, type: "date", required: false))
          \(Layout.textField("arrived_to", label: context.t("case.arrived_to"), value: filter.arrived_to, error: nil, type: "date", required: false))
          <div class="field checks">\(check("mine", filter.mine, context.t("case.assigned_to_me")))\(check("recent", filter.recent, context.t("case.changed_recently")))</div>
          </div></details>
          <a href="/cases">\(context.t("filter.reset"))</a>
        </form>
        \(filterProblems(filter, context))
        <p class="count" role="status">\(context.plural("case.count", model.page.total))</p>
        \(table)
        """)
    }

    /// The criteria of the address that could not be applied, named, with the value given.
    static func filterProblems(_ filter: CaseFilter, _ context: PageContext) -> HTML {
        let problems = filter.problems()
        guard !problems.isEmpty else { return .empty }
        let given: [String: String?] = [
            "status": filter.status, "vulnerability": filter.vulnerability, "host_country": filter.host_country, "office": filter.office,
            "caseworker": filter.caseworker, "registered_from": filter.registered_from, "registered_to": filter.registered_to,
            "arrived_from": filter.arrived_from, "arrived_to": filter.arrived_to, "sort": filter.sort, "dir": filter.dir,
        ]
        let items = problems.map { issue -> HTML in
            "<li>\(context.t("filter.problem", ["field": context.t("filter.field." + issue.field), "value": (given[issue.field] ?? nil) ?? "", "problem": context.t(issue.code)]))</li>"
        }
        return "<div class=\"error-summary\" role=\"alert\"><p>\(context.t("filter.not_applied"))</p><ul>\(items)</ul></div>"
    }

    static func detail(_ model: CaseDetailModel, _ context: PageContext) -> HTML {
        let view = model.view
        let status = CaseStatus(rawValue: view.status) ?? .registered
        let members = view.members.map { member -> HTML in
            let birth = member.birthDate.map { Layout.day($0, context) }
                ?? member.birthYear.map { context.t("member.born_about", ["year": String($0)]) } ?? "—"
            let vulnerabilities = member.vulnerabilities.map { context.t("vulnerability." + $0) }.joined(separator: ", ")
            let origin = [member.originDepartment, member.originRegion].compactMap { $0 }.joined(separator: ", ")
            let principal = context.userRole.map { Principal(role: $0) }
            let who: HTML = member.anonymisedOn == nil ? "\(member.givenNames) \(member.familyName)" : "\(context.t("member.number", ["number": String(member.memberNumber)]))"
            var links: [HTML] = []
            if model.canEdit, member.anonymisedOn == nil {
                links.append("<a href=\"/cases/\(view.caseNumber)/members/\(member.memberNumber)/edit\">\(context.t("form.edit"))<span class=\"visually-hidden\"> \(who)</span></a>")
            }
            links.append("<a href=\"/cases/\(view.caseNumber)/members/\(member.memberNumber)/consent\">\(context.t("consent.title"))<span class=\"visually-hidden\"> \(who)</span></a>")
            if Policy.allows(principal, .answerAccessRequests) {
                links.append("<a href=\"/cases/\(view.caseNumber)/members/\(member.memberNumber)/file\">\(context.t("case.person_file"))<span class=\"visually-hidden\"> \(who)</span></a>")
            }
            if Policy.allows(principal, .eraseOnRequest), member.anonymisedOn == nil {
                links.append("<a href=\"/cases/\(view.caseNumber)/members/\(member.memberNumber)/erase\">\(context.t("case.erase_member"))<span class=\"visually-hidden\"> \(who)</span></a>")
            }
            let edit: HTML = links.joined(separator: "<br>")
            let name: HTML = member.anonymisedOn.map { "<em>\(context.t("member.anonymised", ["date": Layout.day($0, context)]))</em>" }
                ?? "<strong>\(member.givenNames) \(member.familyName)</strong>"
            let consent = ConsentPurpose.allCases.map { purpose -> String in
                let state = member.consent.current[purpose]
                let word = state.map { $0.withdrawn ? context.t("consent.short.withdrawn") : context.t("consent.answer." + $0.answer.rawValue) } ?? "—"
                return context.t(purpose.catalogueKey) + context.colon + word
            }.joined(separator: " · ")
            return """
            <tr><td>\(member.memberNumber)</td><td>\(name)<br><small>\(context.t("relationship." + member.relationship))</small><br><small class="consent">\(consent)</small></td>
            <td>\(context.t("sex." + member.sex))</td><td>\(birth)</td><td>\(Layout.country(member.nationality, context))</td>
            <td>\(context.t("document." + member.documentType))<br><small>\(member.documentNumber ?? "")</small></td>
            <td>\(origin.isEmpty ? "—" : origin)</td><td>\(vulnerabilities.isEmpty ? "—" : vulnerabilities)</td><td>\(edit)</td></tr>
            """
        }
        let transitions = view.transitions.reversed().map { item -> HTML in
            let reason: HTML = item.closureReason.map { " — \(context.t("closure." + $0))" } ?? .empty
            let note: HTML = item.note.map { "<p class=\"note\">\($0)</p>" } ?? .empty
            return "<li><time datetime=\"\(item.occurredOn)\">\(Layout.day(item.occurredOn, context))</time> <strong>\(context.t("status." + item.toStatus))</strong>\(reason) <small>\(item.actor)</small>\(note)</li>"
        }
        let assistance = view.assistance.map { item -> HTML in
            let amount: String = item.amountCents.map { cents in
                let units = Int(cents / 100), rest = Int(cents % 100)
                return context.format.integer(units) + (rest == 0 ? "" : (context.language == .fr ? "," : ".") + String(format: "%02d", rest)) + " " + (item.currency ?? "")
            } ?? "—"
            return """
            <tr><td>\(Layout.day(item.providedOn, context))</td><td>\(context.t("assistance.phase." + item.phase))</td>
            <td>\(context.t("assistance." + item.type))</td><td>\(item.description)</td><td>\(item.memberNumber.map(String.init) ?? "—")</td><td class="number">\(amount)</td></tr>
            """
        }
        let changes = view.changes.map { change -> HTML in
            let what = context.t("audit.action." + change.action) + " — " + context.t("case.entity." + change.entityType)
            let fields: HTML = change.fields.isEmpty ? .empty : "<br><small>\(change.fields.map(context.fieldLabel).joined(separator: ", "))</small>"
            return "<li><time>\(context.format.dateTime(change.at))</time> \(what) <small>\(change.actor)</small>\(fields)</li>"
        }
        let transitionActions: HTML = model.canEdit ? transitionForms(model, status: status, context) : .empty
        let protectedBody: HTML = model.canViewProtected
            ? "<p>\(context.t(view.membersWithProtectedDetails.isEmpty ? "protected.none_recorded" : "protected.recorded"))</p><p><a class=\"button\" href=\"/cases/\(view.caseNumber)/protected\">\(context.t(view.membersWithProtectedDetails.isEmpty ? "protected.enter" : "protected.open"))</a> <small>\(context.t("protected.audited"))</small></p>"
            : "<p>\(context.t("protected.restricted"))</p>"
        let protectedSection: HTML = """
            <section class="card protected" aria-labelledby="protected-title">
              <h2 id="protected-title">\(context.t("protected.title"))</h2>
              \(protectedBody)
            </section>
            """
        let assistanceTable: HTML = view.assistance.isEmpty ? "<p class=\"empty\">\(context.t("assistance.none"))</p>" : """
          <div class="table-wrap" tabindex="0"><table>
            <thead><tr><th scope="col">\(context.t("assistance.provided_on"))</th><th scope="col">\(context.t("assistance.phase"))</th>
            <th scope="col">\(context.t("assistance.type"))</th><th scope="col">\(context.t("assistance.description"))</th>
            <th scope="col">\(context.t("assistance.member"))</th><th scope="col">\(context.t("assistance.amount"))</th></tr></thead>
            <tbody>\(assistance)</tbody>
          </table></div>
          """
        let assistanceForm: HTML = model.canEdit ? assistanceFormHTML(model, context) : .empty
        let editLinks: HTML = model.canEdit
            ? "<a class=\"button\" href=\"/cases/\(view.caseNumber)/edit\">\(context.t("case.edit"))</a> <a class=\"button\" href=\"/cases/\(view.caseNumber)/members/new\">\(context.t("member.add"))</a>"
            : .empty
        return Layout.page(view.caseNumber, context, """
        <p><a href="/cases">← \(context.t("case.list_title"))</a></p>
        <div class="page-head"><h1>\(context.t("case.title", ["number": view.caseNumber])) \(CaseHTML.statusBadge(view.status, context))</h1><div class="actions">\(editLinks)</div></div>
        <section class="card">
          <dl class="facts columns">
            <dt>\(context.t("case.host_country"))</dt><dd>\(Layout.country(view.hostCountry, context))</dd>
            <dt>\(context.t("case.office"))</dt><dd>\(Layout.country(view.office, context))</dd>
            <dt>\(context.t("case.registered_on"))</dt><dd>\(Layout.day(view.registeredOn, context))</dd>
            <dt>\(context.t("case.departure_date"))</dt><dd>\(Layout.day(view.departureDate, context))</dd>
            <dt>\(context.t("case.arrival_date"))</dt><dd>\(Layout.day(view.arrivalDate, context))</dd>
            <dt>\(context.t("case.caseworker"))</dt><dd>\(view.caseworkerName ?? context.t("case.unassigned"))</dd>
            \(HTML.when(view.closureReason != nil) { "<dt>\(context.t("case.closure_reason"))</dt><dd>\(Layout.codeLabel("closure", view.closureReason, context))</dd>" })
          </dl>
          \(transitionActions)
        </section>
        <section aria-labelledby="members-title">
          <h2 id="members-title">\(context.t("case.members", ["count": String(view.members.count)]))</h2>
          \(HTML.when(view.hiddenMembers > 0) { "<p class=\"hint\">\(context.plural("consent.hidden_members", view.hiddenMembers))</p>" })
          <div class="table-wrap" tabindex="0"><table>
            <thead><tr><th scope="col">#</th><th scope="col">\(context.t("member.name"))</th><th scope="col">\(context.t("member.sex"))</th>
            <th scope="col">\(context.t("member.birth_date"))</th><th scope="col">\(context.t("member.nationality"))</th>
            <th scope="col">\(context.t("member.document_type"))</th><th scope="col">\(context.t("member.origin"))</th>
            <th scope="col">\(context.t("member.vulnerabilities"))</th><th scope="col"><span class="visually-hidden">\(context.t("form.actions"))</span></th></tr></thead>
            <tbody>\(members)</tbody>
          </table></div>
        </section>
        \(protectedSection)
        \(attachmentSection(model, context))
        <section aria-labelledby="assistance-title">
          <h2 id="assistance-title">\(context.t("assistance.title"))</h2>
          \(assistanceTable)
          \(assistanceForm)
        </section>
        \(trajectorySection(model, context))
        <section class="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">\(context.t("case.timeline"))</h2>
          \(HTML.when(transitions.isEmpty) { "<p class=\"empty\">\(context.t("case.no_event"))</p>" })<ol class="timeline">\(transitions)</ol>
          \(HTML.when(!changes.isEmpty) { "<h3>\(context.t("case.changes"))</h3><ol class=\"timeline changes\">\(changes)</ol>" })
          <p><small>\(context.t("case.version", ["version": String(view.version)]))</small></p>
        </section>
        """)
    }

    private static func trajectorySection(_ model: CaseDetailModel, _ context: PageContext) -> HTML {
        let status = CaseStatus(rawValue: model.view.status) ?? .registered
        guard status.hasArrived || !model.trajectory.isEmpty else { return .empty }
        let rows = model.trajectory.map { point -> HTML in
            "<tr><td>\(point.round.map(String.init) ?? "—")</td><td class=\"date\">\(Layout.day(point.interviewedOn, context))</td><td class=\"number\">\(String(format: "%.2f", point.economic))</td><td class=\"number\">\(String(format: "%.2f", point.social))</td><td class=\"number\">\(String(format: "%.2f", point.psychosocial))</td><td class=\"number\"><strong>\(String(format: "%.2f", point.composite))</strong></td><td><small>\(point.tableVersion)</small></td></tr>"
        }
        let record: HTML = model.canRecordInterviews
            ? "<p><a class=\"button\" href=\"/profiling/interviews/new?questionnaire=reintegration_monitoring&amp;case=\(model.view.caseNumber)&amp;member=1&amp;round=\(model.trajectory.count + 1)\">\(context.t("followups.record"))</a></p>"
            : .empty
        let table: HTML = rows.isEmpty ? "<p class=\"empty\">\(context.t("profiling.no_scores"))</p>" : """
            <div class="table-wrap" tabindex="0"><table class="dense"><thead><tr><th scope="col">\(context.t("profiling.round"))</th><th scope="col">\(context.t("interview.date"))</th>
            <th scope="col">\(context.t("profiling.economic"))</th><th scope="col">\(context.t("profiling.social"))</th><th scope="col">\(context.t("profiling.psychosocial"))</th>
            <th scope="col">\(context.t("profiling.composite"))</th><th scope="col">\(context.t("profiling.table_version"))</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        return """
        <section class="card" aria-labelledby="trajectory-title"><h2 id="trajectory-title">\(context.t("profiling.trajectory"))</h2>\(table)\(record)</section>
        """
    }

    private static func transitionForms(_ model: CaseDetailModel, status: CaseStatus, _ context: PageContext) -> HTML {
        let view = model.view
        let targets = CaseStateMachine.allowedTargets(from: status)
        guard !targets.isEmpty else { return .empty }
        let errors = model.transitionErrors
        let form = model.transitionForm
        let forward = targets.filter { $0 != .closed }.map { target -> HTML in
            """
            <form method="post" action="/cases/\(view.caseNumber)/transitions" class="transition">
              \(context.csrfField)<input type="hidden" name="to" value="\(target.rawValue)"><input type="hidden" name="version" value="\(view.version)">
              \(Layout.textField("occurred_on", label: context.t("transition.date"), value: form.to == target.rawValue ? form.occurred_on : model.today.iso, error: form.to == target.rawValue ? errors["occurred_on"] : nil, type: "date", id: "\(target.rawValue)-occurred_on"))
              \(Layout.textField("note", label: context.t("transition.note"), value: form.to == target.rawValue ? form.note : nil, error: nil, required: false, id: "\(target.rawValue)-note"))
              <button type="submit" class="primary">\(context.t("transition.to." + target.rawValue))</button>
            </form>
            """
        }
        let close: HTML = targets.contains(.closed) ? """
            <details\(HTML(raw: form.to == "closed" ? " open" : ""))><summary>\(context.t("transition.close"))</summary>
            <form method="post" action="/cases/\(view.caseNumber)/transitions" class="transition">
              \(context.csrfField)<input type="hidden" name="to" value="closed"><input type="hidden" name="version" value="\(view.version)">
              \(Layout.selectField("reason", label: context.t("case.closure_reason"), options: Layout.codeOptions(ClosureReason.self, context, empty: context.t("form.choose")), selected: form.reason ?? "", error: form.to == "closed" ? errors["reason"] : nil, id: "close-reason"))
              \(Layout.textField("occurred_on", label: context.t("transition.date"), value: form.to == "closed" ? form.occurred_on : model.today.iso, error: form.to == "closed" ? errors["occurred_on"] : nil, type: "date", id: "close-occurred_on"))
              \(Layout.textField("note", label: context.t("transition.note"), value: form.to == "closed" ? form.note : nil, error: nil, required: false, id: "close-note"))
              <button type="submit" class="danger">\(context.t("transition.close"))</button>
            </form></details>
            """ : .empty
        let general: HTML = errors["general"].map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return """
        <div class="next-steps">
          <h2>\(context.t("transition.next"))</h2>
          \(general)
          \(forward)
          \(close)
        </div>
        """
    }

    private static func assistanceFormHTML(_ model: CaseDetailModel, _ context: PageContext) -> HTML {
        let form = model.assistanceForm
        let errors = model.assistanceErrors
        let types = AssistanceType.allCases.map { (value: $0.rawValue, label: context.t("assistance.phase." + $0.phase.rawValue) + " — " + context.t($0.catalogueKey)) }
        let members = [(value: "", label: context.t("assistance.whole_household"))]
            + model.view.members.map { (value: String($0.memberNumber), label: "\($0.memberNumber). \($0.givenNames) \($0.familyName)") }
        return """
        <details class="card"\(HTML(raw: errors.isEmpty ? "" : " open"))><summary>\(context.t("assistance.add"))</summary>
        <form method="post" action="/cases/\(model.view.caseNumber)/assistance" novalidate>
          \(context.csrfField)
          <div class="grid">
            \(Layout.selectField("type", label: context.t("assistance.type"), options: [(value: "", label: context.t("form.choose"))] + types, selected: form.type ?? "", error: errors["type"]))
            \(Layout.selectField("member", label: context.t("assistance.member"), options: members, selected: form.member ?? "", error: nil))
            \(Layout.textField("provided_on", label: context.t("assistance.provided_on"), value: form.provided_on ?? model.today.iso, error: errors["provided_on"], type: "date"))
            \(Layout.textField("description", label: context.t("assistance.description"), value: form.description, error: errors["description"]))
            \(Layout.textField("amount", label: context.t("assistance.amount"), value: form.amount, error: errors["amount"], required: false))
            \(Layout.selectField("currency", label: context.t("assistance.currency"), options: [(value: "", label: "—")] + Currency.allCases.map { (value: $0.rawValue, label: $0.rawValue) }, selected: form.currency ?? "", error: nil))
          </div>
          <button type="submit" class="primary">\(context.t("assistance.save"))</button>
        </form></details>
        """
    }

    static func caseForm(_ model: CaseFormModel, _ context: PageContext) -> HTML {
        let isNew = model.caseNumber == nil
        let title = isNew ? context.t("case.new") : context.t("case.edit_title", ["number": model.caseNumber ?? ""])
        let action = model.caseNumber.map { "/cases/\($0)/edit" } ?? "/cases/new"
        let version: HTML = model.header.version.map { "<input type=\"hidden\" name=\"version\" value=\"\($0)\">" } ?? .empty
        let member: HTML = model.member.map { form in
            "<h2>\(context.t("case.principal_applicant"))</h2>\(CaseHTML.memberFields(form, errors: model.errors, showRelationship: false, context))"
        } ?? .empty
        return Layout.page(title, context, """
        <p><a href="\(model.caseNumber.map { "/cases/\($0)" } ?? "/cases")">← \(context.t(isNew ? "case.list_title" : "case.back"))</a></p>
        <h1>\(title)</h1>
        \(CaseHTML.conflictNotice(model.conflict, context))
        \(Layout.errorSummary(context, model.errors, labels: CaseHTML.fieldLabels(context), order: CaseHTML.fieldOrder))
        <form method="post" action="\(action)" novalidate class="card">
          \(context.csrfField)
          \(version)
          <fieldset><legend>\(context.t("case.household"))</legend>
          \(CaseHTML.headerFields(model.header, caseworkers: model.caseworkers, offices: model.offices, errors: model.errors, isNew: isNew, context))
          </fieldset>
          \(member)
          \(model.beforeSubmit)
          <button type="submit" class="primary">\(context.t(isNew ? "case.register" : "form.save"))</button>
        </form>
        """)
    }

    static func memberForm(_ model: MemberFormModel, _ context: PageContext) -> HTML {
        let title = model.memberNumber.map { context.t("member.edit_title", ["number": String($0)]) } ?? context.t("member.add")
        let action = model.memberNumber.map { "/cases/\(model.caseNumber)/members/\($0)/edit" } ?? "/cases/\(model.caseNumber)/members/new"
        return Layout.page(title, context, """
        <p><a href="/cases/\(model.caseNumber)">← \(context.t("case.title", ["number": model.caseNumber]))</a></p>
        <h1>\(title)</h1>
        \(CaseHTML.conflictNotice(model.conflict, context))
        \(Layout.errorSummary(context, model.errors, labels: CaseHTML.fieldLabels(context), order: CaseHTML.fieldOrder))
        <form method="post" action="\(action)" novalidate class="card">
          \(context.csrfField)
          <input type="hidden" name="version" value="\(model.version)">
          \(CaseHTML.memberFields(model.form, errors: model.errors, showRelationship: true, context))
          <button type="submit" class="primary">\(context.t("form.save"))</button>
        </form>
        """)
    }

    static func attachmentSection(_ model: CaseDetailModel, _ context: PageContext) -> HTML {
        guard let attachments = model.attachments else { return .empty }
        let link: HTML = "<p><a class=\"button\" href=\"/cases/\(model.view.caseNumber)/attachments\">\(context.t(attachments.canEdit ? "attachment.manage" : "attachment.open"))</a></p>"
        return """
        <section class="card" aria-labelledby="attachments-title">
          <h2 id="attachments-title">\(context.t("attachment.title"))</h2>
          \(AttachmentPages.table(attachments, context, actions: false))
          \(link)
        </section>
        """
    }

    static func protectedPage(_ model: ProtectedPageModel, _ context: PageContext) -> HTML {
        let sections = model.details.map { detail -> HTML in
            let form = model.forms[detail.memberNumber] ?? ProtectedForm(
                exploitation_form: detail.exploitationForm, identified_on: detail.identifiedOn, identified_place: detail.identifiedPlace,
                identified_by: detail.identifiedBy, referral: detail.referral, medical_notes: detail.medicalNotes, version: detail.version)
            let errors = model.errors[detail.memberNumber] ?? [:]
            let body: HTML = model.canEdit ? """
                <form method="post" action="/cases/\(model.caseNumber)/protected/\(detail.memberNumber)" novalidate>
                  \(context.csrfField)<input type="hidden" name="version" value="\(form.version ?? detail.version)">
                  \(Layout.errorSummary(context, errors))
                  <fieldset><legend>\(context.t("protected.trafficking"))</legend><div class="grid">
                    \(Layout.textField("exploitation_form", label: context.t("protected.exploitation_form"), value: form.exploitation_form, error: errors["exploitation_form"], required: false, id: "exploitation_form-\(detail.memberNumber)"))
                    \(Layout.textField("identified_on", label: context.t("protected.identified_on"), value: form.identified_on, error: errors["identified_on"], type: "date", required: false, id: "identified_on-\(detail.memberNumber)"))
                    \(Layout.textField("identified_place", label: context.t("protected.identified_place"), value: form.identified_place, error: nil, required: false, id: "identified_place-\(detail.memberNumber)"))
                    \(Layout.textField("identified_by", label: context.t("protected.identified_by"), value: form.identified_by, error: nil, required: false, id: "identified_by-\(detail.memberNumber)"))
                    \(Layout.textField("referral", label: context.t("protected.referral"), value: form.referral, error: nil, required: false, id: "referral-\(detail.memberNumber)"))
                  </div></fieldset>
                  <div class="field"><label for="medical_notes-\(detail.memberNumber)">\(context.t("protected.medical_notes"))</label>
                  <textarea id="medical_notes-\(detail.memberNumber)" name="medical_notes" rows="4">\(form.medical_notes ?? "")</textarea></div>
                  <button type="submit" class="primary">\(context.t("form.save"))</button>
                </form>
                """ : """
                <dl class="facts">
                  <dt>\(context.t("protected.exploitation_form"))</dt><dd>\(detail.exploitationForm ?? "—")</dd>
                  <dt>\(context.t("protected.identified_on"))</dt><dd>\(Layout.day(detail.identifiedOn, context))</dd>
                  <dt>\(context.t("protected.identified_place"))</dt><dd>\(detail.identifiedPlace ?? "—")</dd>
                  <dt>\(context.t("protected.identified_by"))</dt><dd>\(detail.identifiedBy ?? "—")</dd>
                  <dt>\(context.t("protected.referral"))</dt><dd>\(detail.referral ?? "—")</dd>
                  <dt>\(context.t("protected.medical_notes"))</dt><dd>\(detail.medicalNotes ?? "—")</dd>
                </dl>
                """
            return "<section class=\"card protected\"><h2>\(detail.memberNumber). \(detail.memberName)</h2>\(body)</section>"
        }
        return Layout.page(context.t("protected.title"), context, """
        <p><a href="/cases/\(model.caseNumber)">← \(context.t("case.title", ["number": model.caseNumber]))</a></p>
        <h1>\(context.t("protected.title")) — \(model.caseNumber)</h1>
        <p class="notice warn" role="status">\(context.t("protected.audited"))</p>
        \(sections)
        """)
    }
}
