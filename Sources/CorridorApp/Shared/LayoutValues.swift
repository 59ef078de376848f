import CorridorCore
import Foundation

/// Values every feature's pages show the same way: coded choices, countries, dates, field errors.
extension Layout {
    static func codeOptions<T: CaseCode>(_ type: T.Type, _ context: PageContext, empty: String? = nil) -> [(value: String, label: String)] {
        (empty.map { [(value: "", label: $0)] } ?? []) + T.allCases.map { (value: $0.rawValue, label: context.t($0.catalogueKey)) }
    }

    static func countryOptions(_ context: PageContext, empty: String? = nil) -> [(value: String, label: String)] {
        (empty.map { [(value: "", label: $0)] } ?? []) + Countries.sorted(context.language).map { (value: $0.code, label: "\($0.name(context.language)) (\($0.code))") }
    }

    static func country(_ code: String?, _ context: PageContext) -> String {
        guard let code else { return "—" }
        return Countries.named(code)?.name(context.language) ?? code
    }

    static func day(_ iso: String?, _ context: PageContext) -> String {
        guard let iso, let day = Day(iso: iso) else { return "—" }
        return context.format.longDate(day.date)
    }

    static func codeLabel(_ prefix: String, _ code: String?, _ context: PageContext) -> String {
        guard let code, !code.isEmpty else { return "—" }
        return context.t(prefix + "." + code)
    }

    /// One message per field (the first issue of each), for the form and its error summary.
    static func fieldErrors(_ issues: [FieldIssue], _ context: PageContext) -> [String: String] {
        var result: [String: String] = [:]
        for issue in issues where result[issue.field] == nil { result[issue.field] = context.t(issue.code) }
        return result
    }
}
