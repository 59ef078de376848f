import Foundation
import CorridorCore

struct LoginPageModel: Sendable {
    var email: String = ""
    var next: String?
    var error: String?
}

struct PasswordPageModel: Sendable {
    var mustChange: Bool
    var errors: [String: String] = [:]
}

struct ProfilePageModel: Sendable {
    var name: String
    var email: String
    var role: Role
    var institution: String?
    var preferredLanguage: String?
    var errors: [String: String] = [:]
}

struct HomePageModel: Sendable {
    var name: String
    var role: Role
    var institution: String?
}

enum SignInPages {
    static func login(_ model: LoginPageModel, _ context: PageContext) -> HTML {
        let error: HTML = model.error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        let next: HTML = model.next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" } ?? .empty
        return Layout.page(context.t("login.title"), context, """
        <section class="narrow card">
          <h1>\(context.t("login.title"))</h1>
          <p class="lead">\(context.t("login.intro"))</p>
          \(error)
          <form method="post" action="/login" novalidate>
            \(context.csrfField)
            \(next)
            \(Layout.textField("email", label: context.t("field.email"), value: model.email, error: nil, type: "email", autocomplete: "username"))
            \(Layout.textField("password", label: context.t("field.password"), value: nil, error: nil, type: "password", autocomplete: "current-password"))
            <button type="submit" class="primary">\(context.t("login.submit"))</button>
          </form>
        </section>
        """)
    }

    static func password(_ model: PasswordPageModel, _ context: PageContext) -> HTML {
        let intro: HTML = model.mustChange
            ? "<p class=\"notice\" role=\"status\">\(context.t("password.must_change"))</p>" : .empty
        return Layout.page(context.t("password.title"), context, """
        <section class="narrow card">
          <h1>\(context.t("password.title"))</h1>
          \(intro)
          \(Layout.errorSummary(context, model.errors))
          <form method="post" action="/account/password" novalidate>
            \(context.csrfField)
            \(Layout.textField("current", label: context.t("password.current"), value: nil, error: model.errors["current"], type: "password", autocomplete: "current-password"))
            \(Layout.textField("password", label: context.t("password.new"), value: nil, error: model.errors["password"], type: "password", autocomplete: "new-password", hint: context.t("password.hint", ["min": String(PasswordPolicy.minimumLength)])))
            \(Layout.textField("confirmation", label: context.t("password.confirmation"), value: nil, error: model.errors["confirmation"], type: "password", autocomplete: "new-password"))
            <button type="submit" class="primary">\(context.t("password.submit"))</button>
          </form>
        </section>
        """)
    }

    static func profile(_ model: ProfilePageModel, _ context: PageContext) -> HTML {
        let languages: [(value: String, label: String)] = [("", context.t("language.automatic"))]
            + Language.allCases.map { ($0.rawValue, context.t("language." + $0.rawValue)) }
        return Layout.page(context.t("profile.title"), context, """
        <section class="narrow card">
          <h1>\(context.t("profile.title"))</h1>
          <dl class="facts">
            <dt>\(context.t("field.email"))</dt><dd>\(model.email)</dd>
            <dt>\(context.t("field.role"))</dt><dd>\(context.t("role." + model.role.rawValue))</dd>
            <dt>\(context.t("field.institution"))</dt><dd>\(model.institution ?? "—")</dd>
          </dl>
          \(Layout.errorSummary(context, model.errors))
          <form method="post" action="/account" novalidate>
            \(context.csrfField)
            \(Layout.textField("name", label: context.t("field.name"), value: model.name, error: model.errors["name"], autocomplete: "name"))
            \(Layout.selectField("preferred_language", label: context.t("field.preferred_language"), options: languages, selected: model.preferredLanguage ?? "", error: nil))
            <button type="submit" class="primary">\(context.t("form.save"))</button>
          </form>
          <p><a href="/account/password">\(context.t("password.title"))</a> · <a href="/account/two-factor">\(context.t("two_factor.status.title"))</a> · <a href="/account/tokens">\(context.t("nav.tokens"))</a></p>
        </section>
        """)
    }

    static func home(_ model: HomePageModel, _ context: PageContext) -> HTML {
        let cards = context.navigation.filter { $0.path != "/" }.map { item -> HTML in
            """
            <li class="card"><a href="\(item.path)"><strong>\(item.label)</strong></a>
            <p>\(context.t("home.section" + item.path.replacingOccurrences(of: "/", with: ".")))</p></li>
            """
        }
        let institution: HTML = model.institution.map { " · \($0)" } ?? .empty
        return Layout.page(context.t("home.title"), context, """
        <h1>\(context.t("home.welcome", ["name": model.name]))</h1>
        <p class="lead">\(context.t("role." + model.role.rawValue))\(institution) — \(context.t("role." + model.role.rawValue + ".description"))</p>
        <ul class="cards">\(cards)</ul>
        """)
    }
}
