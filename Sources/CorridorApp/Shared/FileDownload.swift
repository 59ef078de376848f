import Foundation
import Vapor

/// A file the browser saves rather than shows: every export and template goes out through here.
enum FileDownload {
    static let csv = "text/csv; charset=utf-8"
    static let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// The CSV separator a download asks for: `?sep=semicolon` ("CSV (Excel en français)", with
    /// decimal commas) or commas, the default scripts rely on.
    static func csvSeparator(_ request: Request) -> Character {
        request.query[String.self, at: "sep"] == "semicolon" ? ";" : ","
    }

    /// `data` as an attachment named `name`, never cached (exports may hold personal data).
    static func response(_ data: Data, name: String, type: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(safeName(name))\"")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// Saved, never shown in the browser's window: the name in ASCII (`safeName`) and, for a
    /// name with accents (an uploaded scan's), in RFC 5987's UTF-8 form beside it.
    static func disposition(_ name: String) -> String {
        var unreserved = CharacterSet()
        unreserved.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "attachment"
        return "attachment; filename=\"\(safeName(name))\"; filename*=UTF-8''\(encoded)"
    }

    /// A file name fit for a header: names are built from what a request asked for (a
    /// questionnaire code, a source), so anything but ASCII letters, digits, `.`, `-` and `_`
    /// becomes `-`. A line break there split the response (a header injected by the caller), and
    /// a NUL left the connection hanging; both were found by schemathesis.
    static func safeName(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || ".-_".unicodeScalars.contains(scalar)) ? Character(scalar) : "-"
        }
        let cleaned = String(mapped).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        return String((cleaned.isEmpty ? "download" : cleaned).prefix(120))
    }
}
