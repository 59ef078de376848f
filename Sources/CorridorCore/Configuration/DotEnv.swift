import Foundation

/// Reads the `KEY=value` lines of a `.env` file.
///
/// Blank lines and `#` comments are skipped; values may be wrapped in single or double
/// quotes; an `export ` prefix is allowed. Values already in the process environment win,
/// which `merged(into:)` applies.
public struct DotEnv: Sendable, Equatable {
    public var values: [String: String]

    public init(parsing text: String) {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, let last = value.last,
               (first == "\"" && last == "\"") || (first == "'" && last == "'") {
                value = String(value.dropFirst().dropLast())
            }
            if !key.isEmpty { values[key] = value }
        }
        self.values = values
    }

    /// The process environment completed by the file: the environment takes precedence.
    public func merged(into environment: [String: String]) -> [String: String] {
        environment.merging(values) { current, _ in current }
    }
}
