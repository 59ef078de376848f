import Vapor

/// A fragment of HTML. Interpolated strings are escaped; interpolated `HTML` is not.
/// Pages are functions from a page model to `HTML`, so escaping is the default.
struct HTML: Sendable, ExpressibleByStringInterpolation, AsyncResponseEncodable {
    private(set) var raw: String

    init(raw: String) { self.raw = raw }
    init(stringLiteral value: String) { self.raw = value }
    init(stringInterpolation: Interpolation) { self.raw = stringInterpolation.output }

    static let empty = HTML(raw: "")

    struct Interpolation: StringInterpolationProtocol {
        var output = ""
        init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { output += literal }
        mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        mutating func appendInterpolation(_ text: String?) { output += HTML.escape(text ?? "") }
        mutating func appendInterpolation(_ number: Int) { output += String(number) }
        mutating func appendInterpolation(_ html: HTML) { output += html.raw }
        mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { output += part.raw } }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Renders `content` only when `condition` holds.
    static func when(_ condition: Bool, _ content: () -> HTML) -> HTML { condition ? content() : .empty }

    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: "<!doctype html>\n" + raw))
    }
}

/// A page with a status other than 200 (a form re-rendered with errors gets 422).
struct HTMLPage: AsyncResponseEncodable {
    var status: HTTPResponseStatus
    var html: HTML
    /// A page that shows a secret once: never kept by a browser's or a proxy's cache.
    var noStore = false

    init(status: HTTPResponseStatus, html: HTML) {
        self.status = status
        self.html = html
    }

    func encodeResponse(for request: Request) async throws -> Response {
        let response = try await html.encodeResponse(for: request)
        response.status = status
        if noStore { response.headers.replaceOrAdd(name: .cacheControl, value: "no-store") }
        return response
    }
}

extension Array where Element == HTML {
    /// The fragments one after another, `separator` (markup, not escaped) between them.
    func joined(separator: HTML) -> HTML {
        HTML(raw: map(\.raw).joined(separator: separator.raw))
    }
}
