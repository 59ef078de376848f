import Foundation
import Ink

/// Markdown as the website's writers use it (news, section pages): no raw HTML, and only
/// links a browser cannot turn into a script.
enum SafeMarkdown {
    /// Markdown to HTML without raw HTML: `<`, `>`, `&` and `"` are escaped before parsing, and
    /// every link or image address must pass `isSafeLink` (else it becomes `#blocked`).
    static func render(_ markdown: String) -> String {
        // Quotes too: the Markdown parser writes a link's address and an image's text between
        // quotes without escaping them, so a `"` there would close the attribute.
        let escaped = markdown.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
        let html = MarkdownParser().html(from: escaped)
        return html.replacing(/(href|src)="([^"]*)"/) { match in
            isSafeLink(String(match.output.2)) ? String(match.output.0) : "\(match.output.1)=\"#blocked\""
        }
    }

    /// An allow-list, read as a browser reads the address: whitespace and control characters
    /// anywhere are dropped first (`java<TAB>script:` is `javascript:` to a browser), then the
    /// scheme, if any, must be `https`, `http` or `mailto`; an address without scheme (a path of
    /// this site, an anchor) passes. An entity that could hide a `:` is refused.
    static func isSafeLink(_ attribute: String) -> Bool {
        let value = attribute.replacingOccurrences(of: "&amp;", with: "&")
        let visible = String(String.UnicodeScalarView(value.unicodeScalars.filter { scalar in
            !(scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.isWhitespace
              || scalar.properties.generalCategory == .format)
        })).lowercased()
        if visible.contains("&#") || visible.contains("&colon") { return false }
        guard let colon = visible.firstIndex(of: ":") else { return true }
        // A colon after a path, query or fragment character is not a scheme.
        if let separator = visible.firstIndex(where: { "/?#".contains($0) }), separator < colon { return true }
        return ["https", "http", "mailto"].contains(String(visible[..<colon]))
    }
}
