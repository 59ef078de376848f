import Foundation

/// The website's section pages (*Qui sommes-nous*, *Notre travail*, *Où travaillons-nous*,
/// *Agir*, *Données et ressources*) and their sub-pages: content the communications role
/// writes in French and English side by side, and the menu built from the published ones.

/// What a page shows under its text.
public enum SitePageFeature: String, Sendable, CaseIterable, Codable {
    /// Its text alone.
    case text
    /// The offices, on a map and in a list (*Où travaillons-nous*).
    case offices
    /// The contact form (*Agir*).
    case contact
    /// The open data tables and the document library (*Données et ressources*).
    case resources
    /// A menu entry to another site (the 2030 Agenda): no page of its own.
    case link
}

/// A page as its editor writes it.
public struct SitePageDraft: Sendable, Equatable {
    public var feature: SitePageFeature
    public var externalURL: String
    public var slugs: [Language: String]
    public var titles: [Language: String]
    public var summaries: [Language: String]
    public var bodies: [Language: String]

    public init(feature: SitePageFeature = .text, externalURL: String = "", slugs: [Language: String] = [:], titles: [Language: String] = [:],
                summaries: [Language: String] = [:], bodies: [Language: String] = [:]) {
        self.feature = feature
        self.externalURL = externalURL
        self.slugs = slugs
        self.titles = titles
        self.summaries = summaries
        self.bodies = bodies
    }

    public func slug(_ language: Language) -> String { slugs[language]?.trimmingCharacters(in: .whitespaces) ?? "" }
    public func title(_ language: Language) -> String { titles[language]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
    public func summary(_ language: Language) -> String { summaries[language]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
    public func body(_ language: Language) -> String { bodies[language] ?? "" }
}

public enum SitePageRules {
    public static let maximumSlugLength = 80

    /// What is wrong with a draft to be saved: a slug that is no address word or is taken by a
    /// page of Corridor's own (`reserved`), a figure token that cannot be read, a link that is
    /// no web address. Field names are `title_fr`, `slug_en`, `body_fr`…
    public static func check(_ draft: SitePageDraft, reserved: Set<String>) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if Language.allCases.allSatisfy({ draft.title($0).isEmpty }) { issues.append(FieldIssue("title_fr", "case.error.required")) }
        for language in Language.allCases {
            let slug = draft.slug(language)
            if !slug.isEmpty {
                if !isSlug(slug) { issues.append(FieldIssue("slug_\(language.rawValue)", "news.error.slug")) }
                else if reserved.contains(slug) { issues.append(FieldIssue("slug_\(language.rawValue)", "site.error.slug_reserved")) }
            }
            for (field, text) in [("body", draft.body(language)), ("summary", draft.summary(language))] {
                for problem in FigureToken.scan(text).problems {
                    issues.append(FieldIssue("\(field)_\(language.rawValue)", "news.error.token:" + problem.reason.rawValue + ":" + problem.word + ":" + problem.source))
                }
            }
        }
        if draft.feature == .link, !isWebAddress(draft.externalURL) { issues.append(FieldIssue("external_url", "site.error.external_url")) }
        return issues
    }

    /// What a draft lacks to be published: a title and an address in each language, and the
    /// text of a text page in each (the public reads the site in both).
    public static func checkPublishable(_ draft: SitePageDraft) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        for language in Language.allCases {
            if draft.title(language).isEmpty { issues.append(FieldIssue("title_\(language.rawValue)", "site.error.both_languages")) }
            guard draft.feature != .link else { continue }
            if draft.slug(language).isEmpty { issues.append(FieldIssue("slug_\(language.rawValue)", "site.error.both_languages")) }
            if draft.feature == .text, draft.body(language).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                issues.append(FieldIssue("body_\(language.rawValue)", "site.error.both_languages"))
            }
        }
        return issues
    }

    /// Lower-case letters and digits in words joined by single hyphens: `qui-sommes-nous`.
    public static func isSlug(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= maximumSlugLength, !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--") else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    /// An address word from a title: accents and punctuation away (`Où travaillons-nous ?` →
    /// `ou-travaillons-nous`).
    public static func slug(from title: String) -> String {
        let spaced = title.replacingOccurrences(of: "'", with: " ").replacingOccurrences(of: "\u{2019}", with: " ")
        let folded = SearchText.fold(spaced).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        var slug = String(folded).split(separator: "-").joined(separator: "-")
        while slug.count > maximumSlugLength, let cut = slug.lastIndex(of: "-") { slug = String(slug[..<cut]) }
        return String(slug.prefix(maximumSlugLength))
    }

    /// An `http` or `https` address with a host.
    public static func isWebAddress(_ text: String) -> Bool {
        guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, host.contains(".") else { return false }
        return true
    }
}

/// A published page as the menu needs it.
public struct SiteMenuEntry: Sendable, Equatable {
    public var id: UUID
    public var parentID: UUID?
    public var position: Int
    public var titles: [Language: String]
    public var slugs: [Language: String]
    /// A link entry's address (no page of its own).
    public var externalURL: String?

    public init(id: UUID, parentID: UUID?, position: Int, titles: [Language: String], slugs: [Language: String], externalURL: String? = nil) {
        self.id = id
        self.parentID = parentID
        self.position = position
        self.titles = titles
        self.slugs = slugs
        self.externalURL = externalURL
    }

    public func title(_ language: Language) -> String { titles[language] ?? titles.values.first ?? "" }
}

/// The public menu: the published section pages in their order, each with its published
/// sub-pages in theirs.
public struct SiteMenu: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public var entry: SiteMenuEntry
        public var children: [SiteMenuEntry]
    }

    public var sections: [Section]

    public init(_ entries: [SiteMenuEntry]) {
        let ordered = entries.sorted { ($0.position, $0.id.uuidString) < ($1.position, $1.id.uuidString) }
        let tops = ordered.filter { $0.parentID == nil }
        sections = tops.map { top in Section(entry: top, children: ordered.filter { $0.parentID == top.id }) }
    }

    public static let empty = SiteMenu([])

    /// A page's address in `language`: `/section` or `/section/sub-page`; a link entry's own
    /// address; nil when the page (or its section) is not in the menu.
    public func path(of id: UUID, _ language: Language) -> String? {
        for section in sections {
            if section.entry.id == id { return Self.address(section.entry, parent: nil, language) }
            if let child = section.children.first(where: { $0.id == id }) { return Self.address(child, parent: section.entry, language) }
        }
        return nil
    }

    public static func address(_ entry: SiteMenuEntry, parent: SiteMenuEntry?, _ language: Language) -> String {
        if let external = entry.externalURL { return external }
        let own = entry.slugs[language] ?? ""
        guard let parent, let parentSlug = parent.slugs[language] else { return "/" + own }
        return "/" + parentSlug + "/" + own
    }

    /// The section and entry a path's slugs name, in the language they are written in.
    public func find(section sectionSlug: String, page pageSlug: String?) -> (section: Section, entry: SiteMenuEntry, language: Language)? {
        for section in sections {
            for language in Language.allCases where section.entry.slugs[language] == sectionSlug && section.entry.externalURL == nil {
                guard let pageSlug else { return (section, section.entry, language) }
                // A sub-page's slug may be written in the other language than its section's (a visitor mixing links): found anyway.
                for child in section.children where child.externalURL == nil {
                    if child.slugs[language] == pageSlug { return (section, child, language) }
                }
                for other in Language.allCases where other != language {
                    if let child = section.children.first(where: { $0.slugs[other] == pageSlug && $0.externalURL == nil }) { return (section, child, other) }
                }
            }
        }
        return nil
    }
}

/// Moving a page among its siblings.
public enum SiteOrder {
    /// The siblings' order after moving `id` by `offset` places (−1 up, +1 down), clamped.
    public static func moving(_ id: UUID, by offset: Int, in order: [UUID]) -> [UUID] {
        guard let index = order.firstIndex(of: id) else { return order }
        var result = order
        result.remove(at: index)
        result.insert(id, at: min(max(index + offset, 0), result.count))
        return result
    }
}

/// The site a new installation starts with: the five sections of the regional site and their
/// first sub-pages, in its order, with placeholder text that says so — never facts about a real
/// organisation; the communications role replaces each text.
public enum SiteSeed {
    public struct Page: Sendable {
        public var key: String
        public var parent: String?
        public var draft: SitePageDraft
    }

    static let placeholderFR = "*Texte d'exemple : l'équipe de communication remplace ce paragraphe depuis Administration › Pages du site.*"
    static let placeholderEN = "*Sample text: the communications team replaces this paragraph from Administration › Website pages.*"

    static func page(_ key: String, parent: String? = nil, feature: SitePageFeature = .text, url: String = "", fr: (slug: String, title: String, text: String),
                     en: (slug: String, title: String, text: String)) -> Page {
        Page(key: key, parent: parent, draft: SitePageDraft(
            feature: feature, externalURL: url, slugs: feature == .link ? [:] : [.fr: fr.slug, .en: en.slug], titles: [.fr: fr.title, .en: en.title],
            summaries: [.fr: fr.text, .en: en.text], bodies: feature == .link ? [:] : [.fr: placeholderFR, .en: placeholderEN]))
    }

    public static let pages: [Page] = [
        page("who", fr: ("qui-sommes-nous", "Qui sommes-nous", "Qui nous sommes, notre mandat et nos partenaires."),
             en: ("who-we-are", "Who we are", "Who we are, our mandate and our partners.")),
        page("who.about", parent: "who", fr: ("a-propos", "À propos de la mission", "La mission dans le pays, son histoire et ses équipes."),
             en: ("about-the-mission", "About the mission", "The mission in the country, its history and its teams.")),
        page("who.world", parent: "who", fr: ("l-organisation-dans-le-monde", "L'organisation dans le monde", "L'organisation dont la mission fait partie."),
             en: ("the-organisation-worldwide", "The organisation worldwide", "The organisation the mission belongs to.")),
        page("work", fr: ("notre-travail", "Notre travail", "Retours volontaires assistés, réintégration, coopération avec les ministères."),
             en: ("our-work", "Our work", "Assisted voluntary return, reintegration, cooperation with ministries.")),
        page("work.what", parent: "work", fr: ("ce-que-nous-faisons", "Ce que nous faisons", "Les programmes et les services offerts aux personnes migrantes."),
             en: ("what-we-do", "What we do", "The programmes and the services offered to migrants.")),
        page("work.priorities", parent: "work", fr: ("priorites-transversales", "Priorités transversales", "Protection, genre, données et partenariats."),
             en: ("cross-cutting-priorities", "Cross-cutting priorities", "Protection, gender, data and partnerships.")),
        page("where", feature: .offices, fr: ("ou-travaillons-nous", "Où travaillons-nous", "Nos bureaux, sur une carte et dans une liste."),
             en: ("where-we-work", "Where we work", "Our offices, on a map and in a list.")),
        page("act", feature: .contact, fr: ("agir", "Agir", "Nous écrire, et les liens choisis par l'équipe de communication."),
             en: ("take-action", "Take action", "Write to us, and the links the communications team chose.")),
        page("resources", feature: .resources, fr: ("donnees-et-ressources", "Données et ressources", "Les données ouvertes et les documents publiés."),
             en: ("data-and-resources", "Data and resources", "Open data and published documents.")),
        page("agenda", feature: .link, url: "https://sdgs.un.org/2030agenda", fr: ("", "Agenda 2030", ""), en: ("", "2030 Agenda", "")),
    ]
}
