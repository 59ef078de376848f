/// The two languages of Corridor; French is the default.
public enum Language: String, Sendable, CaseIterable, Codable {
    case fr
    case en

    public static let `default`: Language = .fr

    /// Picks the language of a request: the signed-in user's preference, then the `lang`
    /// query parameter, then the `lang` cookie, then the best `Accept-Language` entry.
    public static func resolve(
        userPreference: Language?, query: String?, cookie: String?, acceptLanguage: String?
    ) -> Language {
        if let userPreference { return userPreference }
        if let query, let language = Language(code: query) { return language }
        if let cookie, let language = Language(code: cookie) { return language }
        if let acceptLanguage, let language = fromAcceptLanguage(acceptLanguage) { return language }
        return .default
    }

    /// Accepts `fr`, `EN`, `fr-CI`, `en_GB`.
    public init?(code: String) {
        let primary = code.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        guard let language = Language(rawValue: primary.lowercased().trimmingWhitespace()) else { return nil }
        self = language
    }

    /// The supported language with the highest quality in an `Accept-Language` header.
    public static func fromAcceptLanguage(_ header: String) -> Language? {
        var best: (language: Language, quality: Double)?
        for entry in header.split(separator: ",") {
            let parts = entry.split(separator: ";")
            guard let tag = parts.first, let language = Language(code: String(tag)) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=")
                if pair.count == 2, pair[0].trimmingWhitespace() == "q", let q = Double(pair[1].trimmingWhitespace()) {
                    quality = q
                }
            }
            if quality > 0, quality > (best?.quality ?? -1) { best = (language, quality) }
        }
        return best?.language
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(self).trimmedWhitespace
    }
}
