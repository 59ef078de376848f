import CorridorCore
import Foundation

enum AdminPages {
    static func users(_ users: [AccountQueries.UserRow], now: Date, _ context: PageContext) -> HTML {
        let rows = users.map { user -> HTML in
            let locked = (user.lockedUntil.map { $0 > now }) ?? false
            let status: HTML = !user.isActive ? "<span class=\"badge muted\">\(context.t("status.disabled"))</span>"
                : locked ? "<span class=\"badge warn\">\(context.t("status.locked"))</span>"
                : user.mustChangePassword ? "<span class=\"badge info\">\(context.t("status.password_pending"))</span>"
                : "<span class=\"badge ok\">\(context.t("status.active"))</span>"
            return """
            <tr><td><a href="/admin/users/\(user.id.uuidString)">\(user.name)</a></td><td>\(user.email)</td>
            <td>\(context.t("role." + user.role))</td><td>\(user.institutionAcronym ?? "—")</td>
            <td>\(Role(rawValue: user.role).map(OfficeScope.limits) == true ? (user.offices.isEmpty ? context.t("users.offices_none") : user.offices == "*" ? context.t("users.offices_all") : user.offices) : "—")</td><td>\(status)</td></tr>
            """
        }
        return Layout.page(context.t("users.title"), context, """
        <div class="page-head"><h1>\(context.t("users.title"))</h1>
        <a class="button primary" href="/admin/users/new">\(context.t("users.new"))</a></div>
        <div class="table-wrap" tabindex="0"><table>
          <caption class="visually-hidden">\(context.t("users.title"))</caption>
          <thead><tr><th scope="col">\(context.t("field.name"))</th><th scope="col">\(context.t("field.email"))</th>
          <th scope="col">\(context.t("field.role"))</th><th scope="col">\(context.t("field.institution"))</th>
          <th scope="col">\(context.t("field.offices"))</th><th scope="col">\(context.t("field.status"))</th></tr></thead>
          <tbody>\(rows)</tbody>
        </table></div>
        """)
    }

    static func userForm(_ model: UserFormModel, _ context: PageContext) -> HTML {
        let form = model.form
        // No role is preselected: giving someone rights is always a deliberate choice.
        let roles = [(value: "", label: context.t("users.choose_role"))]
            + Role.allCases.map { (value: $0.rawValue, label: context.t("role." + $0.rawValue)) }
        let institutions = [(value: "", label: context.t("users.no_institution"))]
            + model.institutions.map { (value: $0.id.uuidString, label: "\($0.acronym) — \($0.name)") }
        let languages = [(value: "", label: context.t("language.automatic"))]
            + Language.allCases.map { (value: $0.rawValue, label: context.t("language." + $0.rawValue)) }
        let action = model.existing.map { "/admin/users/\($0.id.uuidString)" } ?? "/admin/users/new"
        let title = model.existing == nil ? context.t("users.new") : context.t("users.edit", ["name": model.existing?.name ?? ""])
        let version: HTML = form.version.map { "<input type=\"hidden\" name=\"version\" value=\"\($0)\">" } ?? .empty
        let manage: HTML = model.existing.map { user in
            let toggle = user.isActive ? "disable" : "enable"
            return """
            <section class="card narrow">
              <h2>\(context.t("users.manage"))</h2>
              <form method="post" action="/admin/users/\(user.id.uuidString)/reset-password" class="inline">\(context.csrfField)
                <button type="submit">\(context.t("users.reset_password"))</button></form>
              <form method="post" action="/admin/users/\(user.id.uuidString)/\(toggle)" class="inline">\(context.csrfField)
                <button type="submit" class="\(user.isActive ? "danger" : "")">\(context.t("users." + toggle))</button></form>
              <h3>\(context.t("two_factor.status.title"))</h3>
              <p>\(user.twoFactorEnabledAt.map { context.t("two_factor.status.enabled", ["date": context.format.dateTime($0)]) } ?? context.t("users.two_factor_none"))
              \(Role(rawValue: user.role)?.requiresTwoFactor == true ? context.t("users.two_factor_required") : "")</p>
              <form method="post" action="/admin/users/\(user.id.uuidString)/reset-two-factor" class="inline">\(context.csrfField)
                <button type="submit">\(context.t("users.reset_two_factor"))</button></form>
              <p class="hint">\(context.t("users.reset_two_factor_hint"))</p>
            </section>
            """
        } ?? .empty
        return Layout.page(title, context, """
        <p><a href="/admin/users">← \(context.t("users.title"))</a></p>
        <section class="card narrow">
          <h1>\(title)</h1>
          \(Layout.errorSummary(context, model.errors, general: model.generalError))
          <form method="post" action="\(action)" novalidate>
            \(context.csrfField)
            \(version)
            \(Layout.textField("email", label: context.t("field.email"), value: form.email, error: model.errors["email"], type: "email"))
            \(Layout.textField("name", label: context.t("field.name"), value: form.name, error: model.errors["name"]))
            \(Layout.selectField("role", label: context.t("field.role"), options: roles, selected: form.role, error: model.errors["role"]))
            \(Layout.selectField("institution", label: context.t("field.institution"), options: institutions, selected: form.institution ?? "", error: model.errors["institution"]))
            \(Layout.textField("offices", label: context.t("field.offices"), value: form.offices, error: model.errors["offices"], required: false,
                               hint: context.t("users.offices_hint")))
            \(Layout.selectField("preferred_language", label: context.t("field.preferred_language"), options: languages, selected: form.preferred_language ?? "", error: nil))
            <button type="submit" class="primary">\(context.t("form.save"))</button>
          </form>
        </section>
        \(manage)
        """)
    }

    static func oneTimePassword(_ model: OneTimePasswordModel, _ context: PageContext) -> HTML {
        Layout.page(context.t("users.one_time_title"), context, """
        <section class="card narrow">
          <h1>\(context.t(model.isNewUser ? "users.created" : "users.password_reset", ["name": model.name]))</h1>
          <div class="secret" role="status">
            <p>\(context.t("users.one_time_intro", ["email": model.email]))</p>
            <p><code class="copy">\(model.password)</code></p>
            <p>\(context.t("users.one_time_warning"))</p>
          </div>
          <p><a href="/admin/users">← \(context.t("users.title"))</a></p>
        </section>
        """)
    }

    static func institutions(_ institutions: [AccountQueries.InstitutionRow], _ context: PageContext) -> HTML {
        let rows = institutions.map { institution -> HTML in
            let status: HTML = institution.isActive ? "<span class=\"badge ok\">\(context.t("status.active"))</span>"
                : "<span class=\"badge muted\">\(context.t("status.disabled"))</span>"
            return """
            <tr><td><a href="/admin/institutions/\(institution.id.uuidString)">\(institution.acronym)</a></td><td>\(institution.name)</td>
            <td>\(institution.country)</td><td>\(context.t("kind." + institution.kind))</td><td>\(status)</td></tr>
            """
        }
        let table: HTML = institutions.isEmpty ? "<p class=\"empty\">\(context.t("institutions.none"))</p>" : """
            <div class="table-wrap" tabindex="0"><table>
              <caption class="visually-hidden">\(context.t("institutions.title"))</caption>
              <thead><tr><th scope="col">\(context.t("field.acronym"))</th><th scope="col">\(context.t("field.name"))</th>
              <th scope="col">\(context.t("field.country"))</th><th scope="col">\(context.t("field.kind"))</th>
              <th scope="col">\(context.t("field.status"))</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table></div>
            """
        return Layout.page(context.t("institutions.title"), context, """
        <div class="page-head"><h1>\(context.t("institutions.title"))</h1>
        <a class="button primary" href="/admin/institutions/new">\(context.t("institutions.new"))</a></div>
        \(table)
        \(HTML.when(!institutions.isEmpty) { "<p>\(context.t("portal.downloads")) <a href=\"/admin/institutions/export?format=csv\">CSV</a> · <a href=\"/admin/institutions/export?format=csv&amp;sep=semicolon\">\(context.t("export.csv_french"))</a> · <a href=\"/admin/institutions/export?format=xlsx\">XLSX</a></p>" })
        """)
    }

    static func institutionForm(_ model: InstitutionFormModel, _ context: PageContext) -> HTML {
        let form = model.form
        let kinds = InstitutionKind.allCases.map { (value: $0.rawValue, label: context.t("kind." + $0.rawValue)) }
        let action = model.existing.map { "/admin/institutions/\($0.id.uuidString)" } ?? "/admin/institutions/new"
        let title = model.existing == nil ? context.t("institutions.new") : context.t("institutions.edit", ["name": model.existing?.acronym ?? ""])
        let version: HTML = form.version.map { "<input type=\"hidden\" name=\"version\" value=\"\($0)\">" } ?? .empty
        let manage: HTML = model.existing.map { institution in
            let toggle = institution.isActive ? "disable" : "enable"
            return """
            <form method="post" action="/admin/institutions/\(institution.id.uuidString)/\(toggle)" class="inline">\(context.csrfField)
              <button type="submit" class="\(institution.isActive ? "danger" : "")">\(context.t("institutions." + toggle))</button></form>
            """
        } ?? .empty
        return Layout.page(title, context, """
        <p><a href="/admin/institutions">← \(context.t("institutions.title"))</a></p>
        <section class="card narrow">
          <h1>\(title)</h1>
          \(Layout.errorSummary(context, model.errors, general: model.generalError))
          <form method="post" action="\(action)" novalidate>
            \(context.csrfField)
            \(version)
            \(Layout.textField("name", label: context.t("field.name"), value: form.name, error: model.errors["name"]))
            \(Layout.textField("acronym", label: context.t("field.acronym"), value: form.acronym, error: model.errors["acronym"]))
            \(Layout.textField("country", label: context.t("field.country"), value: form.country, error: model.errors["country"], hint: context.t("institutions.country_hint")))
            \(Layout.selectField("kind", label: context.t("field.kind"), options: kinds, selected: form.kind, error: model.errors["kind"]))
            <button type="submit" class="primary">\(context.t("form.save"))</button>
          </form>
          \(manage)
        </section>
        """)
    }
}
