import CorridorCore
import Foundation
import Vapor

/// The article form, as posted.
struct NewsForm: Content {
    var language: String?
    var title: String?
    var summary: String?
    var body: String?
    var slug: String?
    var version: Int?
    var preview: String?
    /// The address (slug) of the article in the other language this one translates.
    var translation_of: String?

    var draft: NewsDraft {
        NewsDraft(language: language.flatMap(Language.init(rawValue:)) ?? .fr, title: title ?? "", summary: summary ?? "", body: body ?? "", slug: slug ?? "",
                  translationOf: translation_of?.trimmingCharacters(in: .whitespaces) ?? "")
    }
}
