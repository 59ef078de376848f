import Foundation

/// A language's strings, by key. Placeholders are written `{name}`.
public struct Catalogue: Sendable {
    public let language: Language
    public let strings: [String: String]

    public init(language: Language, strings: [String: String]) {
        self.language = language
        self.strings = strings
    }

    /// The string for `key` with its placeholders filled; the key itself when missing,
    /// so that a gap shows on the page (and the completeness test fails).
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        guard var text = strings[key] else { return key }
        for (name, value) in arguments {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    /// Keys present in one catalogue and not in the other, sorted.
    public static func missingKeys(_ first: Catalogue, _ second: Catalogue) -> [String] {
        let a = Set(first.strings.keys), b = Set(second.strings.keys)
        return a.symmetricDifference(b).sorted()
    }
}
