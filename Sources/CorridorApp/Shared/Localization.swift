import CorridorCore
import Foundation
import Vapor

/// Loads the string catalogues shipped as resource files.
enum CatalogueLoader {
    enum LoadError: Error, CustomStringConvertible {
        case missing(Language)
        case malformed(Language)
        var description: String {
            switch self {
            case .missing(let language): return "catalogue \(language.rawValue).json is missing from the resources"
            case .malformed(let language): return "catalogue \(language.rawValue).json is not a flat JSON object of strings"
            }
        }
    }

    static func loadAll() throws -> [Language: Catalogue] {
        var catalogues: [Language: Catalogue] = [:]
        for language in Language.allCases {
            guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Resources/Locales") else {
                throw LoadError.missing(language)
            }
            let data = try Data(contentsOf: url)
            guard let strings = try? JSONDecoder().decode([String: String].self, from: data) else {
                throw LoadError.malformed(language)
            }
            catalogues[language] = Catalogue(language: language, strings: strings)
        }
        return catalogues
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// The language of this request: the user's preference, then `?lang=`, then the
    /// `lang` cookie, then `Accept-Language`; French when nothing says otherwise.
    var language: Language {
        if let cached = storage[LanguageKey.self] { return cached }
        let language = Language.resolve(
            userPreference: currentUser?.preferredLanguage,
            query: query[String.self, at: "lang"],
            cookie: cookies["lang"]?.string,
            acceptLanguage: headers.first(name: .acceptLanguage)
        )
        storage[LanguageKey.self] = language
        return language
    }

    var catalogue: Catalogue { corridor.catalogue(language) }

    /// The localised string for `key`.
    func t(_ key: String, _ arguments: [String: String] = [:]) -> String {
        catalogue.text(key, arguments)
    }
}

/// Remembers a language chosen with `?lang=` in a cookie, so the next pages keep it.
struct LanguageCookieMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        // Remembered for a visitor who already holds a cookie of Corridor's (signed in, or shown
        // a form); an anonymous reader of the public pages gets none: the address says the language.
        let holdsCookies = request.cookies[CookieNames.session] != nil || request.cookies[CookieNames.csrf] != nil || response.cookies[CookieNames.csrf] != nil
        if holdsCookies, let code = request.query[String.self, at: "lang"], let language = Language(code: code) {
            response.cookies["lang"] = HTTPCookies.Value(
                string: language.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                isSecure: request.corridor.configuration.usesSecureCookies, isHTTPOnly: true, sameSite: .lax
            )
        }
        return response
    }
}
