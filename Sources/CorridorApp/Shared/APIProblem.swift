import CorridorCore
import Vapor

/// The API's answer when it refuses a request: `{"error": {"code", "message", "fields"?}}`, with
/// one localised message per field for invalid input.
struct APIProblem: Content {
    struct Detail: Content {
        var code: String
        var message: String
        var fields: [String: String]?
    }
    var error: Detail

    init(code: String, message: String, fields: [String: String]? = nil) {
        error = Detail(code: code, message: message, fields: fields)
    }

    /// Invalid input: the first issue of each field, in the caller's language.
    static func invalid(_ issues: [FieldIssue], _ catalogue: Catalogue) -> APIProblem {
        var fields: [String: String] = [:]
        for issue in issues where fields[issue.field] == nil { fields[issue.field] = catalogue.text(issue.code) }
        return APIProblem(code: "invalid", message: catalogue.text("error.unprocessable"), fields: fields)
    }
}
