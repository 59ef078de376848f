import CorridorCore
import Vapor

/// What every page needs besides its own model: language, strings, the signed-in user,
/// the CSRF token and the navigation the user's role may see.
struct PageContext: Sendable {
    struct NavigationItem: Sendable {
        var path: String
        var label: String
        var isCurrent: Bool
    }

    var language: Language
    var catalogue: Catalogue
    var userName: String?
    var userRole: Role?
    var csrfToken: String
    var path: String
    var query: String?
    var navigation: [NavigationItem]
    var notice: String?
    /// The public address (`CORRIDOR_PUBLIC_URL`) without its final slash: absolute links
    /// (canonical, alternates, sharing tags) start with it.
    var baseURL: String = ""
    /// The website's menu (published section pages), for the public pages' navigation.
    var siteMenu: SiteMenu = .empty
    /// This page's address in each language when it differs by language (a section page's
    /// `/qui-sommes-nous` and `/who-we-are`); else the same address serves both.
    var paths: [Language: String] = [:]

    func t(_ key: String, _ arguments: [String: String] = [:]) -> String { catalogue.text(key, arguments) }
    var format: LocaleFormatting { LocaleFormatting(language) }

    /// This page in another language, its query string kept.
    func languageSwitchLink(_ language: Language) -> String {
        var components = URLComponents()
        components.path = paths[language] ?? path
        var items = URLComponents(string: "?" + (query ?? ""))?.queryItems ?? []
        items.removeAll { $0.name == "lang" || $0.name == "notice" }
        items.append(URLQueryItem(name: "lang", value: language.rawValue))
        components.queryItems = items
        return components.string ?? path
    }

    /// A count with its noun in the right form: `key.one` or `key.other`, `{count}` filled.
    func plural(_ key: String, _ count: Int) -> String {
        let one = language == .fr ? count <= 1 : count == 1
        return t(key + (one ? ".one" : ".other"), ["count": format.integer(count)])
    }

    /// The colon after a label: spaced in French ("Statut : 2"), not in English ("Status: 2").
    var colon: String { language == .fr ? " : " : ": " }

    /// A recorded field's name in words ("Pays d'accueil" for `host_country`, "Membre 2" for
    /// `member 2`), from the labels the forms use; an unknown code is shown as stored.
    func fieldLabel(_ code: String) -> String {
        if code.hasPrefix("member "), let number = Int(code.dropFirst("member ".count)) { return t("changed.member", ["number": String(number)]) }
        let aliases = ["caseworker_id": "case.caseworker", "institution_id": "field.institution", "password_hash": "changed.password",
                       "locked_until": "changed.locked_until", "is_active": "changed.is_active", "revoked_at": "changed.revoked_at"]
        if let key = aliases[code] { return t(key) }
        for prefix in ["case.", "member.", "protected.", "field.", "version.field.", "changed."] where catalogue.strings[prefix + code] != nil {
            return t(prefix + code)
        }
        return code
    }

    /// The hidden field every form carries.
    var csrfField: HTML { "<input type=\"hidden\" name=\"_csrf\" value=\"\(csrfToken)\">" }

    /// The sections of Corridor, shown to the roles the policy lets in.
    static let sections: [(path: String, key: String, action: Action)] = [
        ("/", "nav.home", .useOwnAccount),
        ("/dashboard", "nav.dashboard", .viewFigures),
        ("/cases", "nav.cases", .viewCases),
        ("/duplicates", "nav.duplicates", .reviewDuplicates),
        ("/matrices", "nav.matrices", .viewMatrices),
        ("/my-actions", "nav.my_actions", .followUpActions),
        ("/profiling", "nav.profiling", .viewProfiling),
        ("/followups", "nav.followups", .viewFollowUps),
        ("/admin/news", "nav.news", .manageNews),
        ("/admin/messages", "nav.messages", .manageNews),
        ("/admin/library", "nav.library", .manageNews),
        ("/admin/pages", "nav.site_pages", .manageSitePages),
        ("/admin/offices", "nav.offices", .manageOffices),
        ("/admin/users", "nav.users", .manageUsers),
        ("/admin/institutions", "nav.institutions", .manageInstitutions),
        ("/admin/audit", "nav.audit", .viewAuditTrail),
        ("/admin/retention", "nav.retention", .manageRetention),
        ("/account/tokens", "nav.tokens", .useOwnAccount),
    ]
}

extension Request {
    /// The page context of this request.
    func pageContext(notice: String? = nil) -> PageContext {
        let catalogue = self.catalogue
        let principal = currentUser?.principal
        let path = url.path
        let navigation: [PageContext.NavigationItem] = principal == nil ? [] : PageContext.sections
            .filter { Policy.allows(principal, $0.action) }
            .map { section in
                let current = section.path == "/" ? path == "/" : path.hasPrefix(section.path)
                return .init(path: section.path, label: catalogue.text(section.key), isCurrent: current)
            }
        return PageContext(
            language: language, catalogue: catalogue, userName: currentUser?.name, userRole: currentUser?.role,
            csrfToken: csrfToken, path: path, query: url.query, navigation: navigation,
            notice: notice ?? query[String.self, at: "notice"].map { catalogue.text("notice." + $0) },
            baseURL: corridor.configuration.publicURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")),
            siteMenu: SiteMenuMiddleware.menu(of: self)
        )
    }
}

/// The frame of every page: skip link, header with navigation and language switch,
/// main landmark, footer.
/// What a public page tells search engines and the apps a link is shared in (WhatsApp,
/// Facebook): its description, its address in each language it exists in, and a card.
struct PageMeta: Sendable {
    var description: String
    /// `website` or `article`.
    var type = "website"
    /// The languages the page exists in (an article written in French only has no English).
    var languages: [Language] = Language.allCases
    /// The image a shared link shows (a PNG of 1200 × 630), an absolute path on this site: the
    /// site's card with its first key figure, or an article's with its own.
    var image: String?
}

enum Layout {
    /// The head tags of a public page: description, canonical address, absolute alternates with
    /// `x-default`, OpenGraph and Twitter card, the news feed.
    static func metaTags(_ title: String, _ meta: PageMeta, _ context: PageContext) -> HTML {
        let base = context.baseURL
        let canonical = base + context.languageSwitchLink(context.language)
        let alternates = meta.languages.map { language -> HTML in
            "<link rel=\"alternate\" hreflang=\"\(language.rawValue)\" href=\"\(base + context.languageSwitchLink(language))\">"
        }
        let fallback = meta.languages.contains(.fr) ? Language.fr : (meta.languages.first ?? context.language)
        let image = base + (meta.image ?? "/card.png?lang=\(context.language.rawValue)")
        return """
          <meta name="description" content="\(meta.description)">
          <link rel="canonical" href="\(canonical)">
          \(alternates)
          <link rel="alternate" hreflang="x-default" href="\(base + context.languageSwitchLink(fallback))">
          <link rel="alternate" type="application/atom+xml" title="\(context.t("news.feed_title"))" href="\(base)/news/feed.xml?lang=\(context.language.rawValue)">
          <meta property="og:type" content="\(meta.type)">
          <meta property="og:site_name" content="Corridor">
          <meta property="og:title" content="\(title)">
          <meta property="og:description" content="\(meta.description)">
          <meta property="og:url" content="\(canonical)">
          <meta property="og:locale" content="\(context.language == .fr ? "fr_FR" : "en_GB")">
          <meta property="og:image" content="\(image)">
          <meta property="og:image:type" content="image/png">
          <meta property="og:image:width" content="\(FigureCard.width)">
          <meta property="og:image:height" content="\(FigureCard.height)">
          <meta name="twitter:card" content="summary_large_image">
          <meta name="twitter:title" content="\(title)">
          <meta name="twitter:description" content="\(meta.description)">
          <meta name="twitter:image" content="\(image)">
        """
    }

    static func page(_ title: String, _ context: PageContext, meta: PageMeta? = nil, _ content: HTML) -> HTML {
        let other: Language = context.language == .fr ? .en : .fr
        let navigation = context.navigation.map { item -> HTML in
            "<li><a href=\"\(item.path)\"\(HTML(raw: item.isCurrent ? " aria-current=\"page\"" : ""))>\(item.label)</a></li>"
        }
        let account: HTML = context.userName.map { name in
            """
            <div class="account">
              <a href="/account">\(name)</a>
              <span class="role">\(context.t("role." + (context.userRole?.rawValue ?? "")))</span>
              <form method="post" action="/logout" class="inline">\(context.csrfField)<button type="submit" class="link">\(context.t("nav.logout"))</button></form>
            </div>
            """
        } ?? .empty
        let notice: HTML = context.notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? .empty
        return """
        <html lang="\(context.language.rawValue)">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>\(title) · Corridor</title>
          <link rel="stylesheet" href="/assets/corridor.css">
          <link rel="icon" href="/favicon.svg" type="image/svg+xml">
          \(meta.map { metaTags(title, $0, context) } ?? """
            <link rel="alternate" hreflang="\(context.language.rawValue)" href="\(context.languageSwitchLink(context.language))">
            <link rel="alternate" hreflang="\(other.rawValue)" href="\(context.languageSwitchLink(other))">
          """)
        </head>
        <body>
          <a class="skip" href="#main">\(context.t("layout.skip"))</a>
          <header class="site">
            <a class="brand" href="/">Corridor</a>
            \(HTML.when(!navigation.isEmpty) { "<nav aria-label=\"\(context.t("layout.navigation"))\"><ul>\(navigation)</ul></nav>" })
            <div class="tools">
              <a href="\(context.languageSwitchLink(other))" lang="\(other.rawValue)" hreflang="\(other.rawValue)">\(context.t("layout.switch_language"))</a>
              \(account)
            </div>
          </header>
          <main id="main" tabindex="-1">
            \(notice)
            \(content)
          </main>
          <footer class="site"><p>\(context.t("layout.footer"))</p></footer>
        </body>
        </html>
        """
    }

    /// A field's error message, tied to the input by `aria-describedby`.
    static func fieldError(_ id: String, _ message: String?) -> HTML {
        guard let message else { return .empty }
        return "<p class=\"field-error\" id=\"\(id)-error\">\(message)</p>"
    }

    static func describedBy(_ id: String, _ message: String?, hint: Bool = false) -> HTML {
        let ids = [hint ? "\(id)-hint" : nil, message == nil ? nil : "\(id)-error"].compactMap { $0 }
        guard !ids.isEmpty else { return .empty }
        return HTML(raw: (message == nil ? "" : " aria-invalid=\"true\"") + " aria-describedby=\"\(ids.joined(separator: " "))\"")
    }

    /// A labelled text input that keeps what the user typed and shows its error. `id`
    /// distinguishes fields of the same name when a page holds several forms.
    static func textField(
        _ name: String, label: String, value: String?, error: String?, type: String = "text",
        required: Bool = true, autocomplete: String? = nil, hint: String? = nil, id: String? = nil, inputMode: String? = nil
    ) -> HTML {
        let fieldID = id ?? name
        let requiredAttribute: HTML = required ? " required" : ""
        var auto: HTML = autocomplete.map { HTML(raw: " autocomplete=\"\(HTML.escape($0))\"") } ?? ""
        if let inputMode { auto = "\(auto)\(HTML(raw: " inputmode=\"\(HTML.escape(inputMode))\""))" }
        let hintHTML: HTML = hint.map { "<p class=\"hint\" id=\"\(fieldID)-hint\">\($0)</p>" } ?? .empty
        return """
        <div class="field\(HTML(raw: error == nil ? "" : " has-error"))">
          <label for="\(fieldID)">\(label)</label>
          <input id="\(fieldID)" name="\(name)" type="\(type)" value="\(value ?? "")"\(requiredAttribute)\(auto)\(describedBy(fieldID, error, hint: hint != nil))>
          \(hintHTML)
          \(fieldError(fieldID, error))
        </div>
        """
    }

    /// A labelled select list that keeps the chosen option.
    static func selectField(
        _ name: String, label: String, options: [(value: String, label: String)], selected: String?, error: String?, id: String? = nil
    ) -> HTML {
        let fieldID = id ?? name
        let optionHTML = options.map { option -> HTML in
            "<option value=\"\(option.value)\"\(HTML(raw: option.value == selected ? " selected" : ""))>\(option.label)</option>"
        }
        return """
        <div class="field\(HTML(raw: error == nil ? "" : " has-error"))">
          <label for="\(fieldID)">\(label)</label>
          <select id="\(fieldID)" name="\(name)"\(describedBy(fieldID, error))>\(optionHTML)</select>
          \(fieldError(fieldID, error))
        </div>
        """
    }

    /// The rejected rows of an import: line, column, reason, value read.
    static func issuesTable(_ issues: [ImportIssue], _ context: PageContext, limit: Int = 1_000) -> HTML {
        let rows = issues.prefix(limit).map { issue -> HTML in
            "<tr><td>\(issue.line)</td><td><code>\(issue.column)</code></td><td>\(context.t(issue.code))</td><td>\(issue.value)</td></tr>"
        }
        let more: HTML = issues.count > limit ? "<p>\(context.t("import.more_issues", ["count": context.format.integer(issues.count - limit)]))</p>" : .empty
        return """
        <div class="table-wrap" tabindex="0"><table class="dense">
          <thead><tr><th scope="col">\(context.t("import.line"))</th><th scope="col">\(context.t("import.column"))</th>
          <th scope="col">\(context.t("import.reason"))</th><th scope="col">\(context.t("import.value"))</th></tr></thead>
          <tbody>\(rows)</tbody>
        </table></div>
        \(more)
        """
    }

    /// The summary of errors at the top of an invalid form.
    static func errorSummary(_ context: PageContext, _ errors: [String: String], general: String? = nil, labels: [String: String] = [:], order: [String] = []) -> HTML {
        guard !errors.isEmpty || general != nil else { return .empty }
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let sorted = errors.sorted { (position[$0.key] ?? Int.max, $0.key) < (position[$1.key] ?? Int.max, $1.key) }
        let items = sorted.map { key, message -> HTML in
            // A field the page did not name is named from the labels the forms use.
            let known = context.fieldLabel(key)
            let name = labels[key] ?? (known == key ? nil : known)
            let label: HTML = name.map { "\($0)\(context.colon)" } ?? .empty
            return "<li><a href=\"#\(key)\">\(label)\(message)</a></li>"
        }
        let generalItem: HTML = general.map { "<li>\($0)</li>" } ?? .empty
        return """
        <div class="error-summary" role="alert" tabindex="-1">
          <h2>\(context.t("form.errors_title"))</h2>
          <ul>\(generalItem)\(items)</ul>
        </div>
        """
    }
}
