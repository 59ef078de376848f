import Foundation

extension String {
    public var nilIfEmpty: String? {
        let trimmed = trimmedWhitespace
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Without surrounding white space or line breaks; text with none (most of it) is returned
    /// as it is, without the cost of Foundation's trimming.
    public var trimmedWhitespace: String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
