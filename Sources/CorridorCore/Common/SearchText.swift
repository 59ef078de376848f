import Foundation

/// Text as search compares it: lower case, without accents, apostrophes or repeated spaces,
/// so that `kouame` finds `Kouamé` and `nguessan` finds `N'Guessan`.
public enum SearchText {
    public static func fold(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var lastWasSpace = true
        func append(_ scalar: Unicode.Scalar) {
            let value = scalar.value
            if (0x0300...0x036F).contains(value) { return } // combining accents
            switch scalar {
            case "'", "\u{2019}", "\u{2018}", "`", "\u{00B4}": return
            case "œ", "Œ": result += "oe"; lastWasSpace = false; return
            case "æ", "Æ": result += "ae"; lastWasSpace = false; return
            case "ß": result += "ss"; lastWasSpace = false; return
            default: break
            }
            if value == 0x20 || (0x09...0x0D).contains(value) || (value >= 0x80 && scalar.properties.isWhitespace) {
                if !lastWasSpace { result += " " }
                lastWasSpace = true
                return
            }
            if value < 0x80 {
                // ASCII: lower-cased without building a string.
                let lowered = (0x41...0x5A).contains(value) ? value + 0x20 : value
                result.unicodeScalars.append(Unicode.Scalar(UInt8(lowered)))
            } else {
                result += String(scalar).lowercased()
            }
            lastWasSpace = false
        }
        for scalar in text.unicodeScalars {
            if scalar.value < 0xC0 || scalar.value == 0xD7 || scalar.value == 0xF7 {
                append(scalar)
            } else {
                // Letters with accents are taken apart one at a time, so plain text costs nothing.
                for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars { append(part) }
            }
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }

    /// The words a case is found by: each word of its members' search texts (folded names and
    /// document numbers, `MemberDraft.searchText`), its number whole and by sequence
    /// (`civ-2024-00123`, `00123`), and `~code` for each vulnerability (`~vot`), which the
    /// caseload's filter uses. Search matches words by their beginning, through an index, so it
    /// never reads the whole caseload.
    public static func terms(caseNumber: String, searchTexts: [String], vulnerabilities: [String] = []) -> Set<String> {
        var terms = Set(vulnerabilities.map(vulnerabilityTerm))
        let number = caseNumber.lowercased()
        if !number.isEmpty {
            terms.insert(number)
            // The sequence part; the office and the year alone would match whole years of cases.
            if let sequence = number.split(separator: "-").last, sequence.count > 1, sequence != number[...] { terms.insert(String(sequence)) }
        }
        for text in searchTexts {
            for word in words(folded: text) { terms.insert(word) }
        }
        return terms
    }

    public static func vulnerabilityTerm(_ code: String) -> String { "~" + code }

    /// The words of a text as search stores and compares them: folded, split on spaces and
    /// hyphens, at most 64 characters each.
    public static func words(_ text: String) -> [String] {
        words(folded: fold(text))
    }

    /// The words of a text already folded.
    public static func words(folded text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "-" }).map { String($0.prefix(64)) }
    }

    /// The first string after every string that begins with `prefix`, so that a range
    /// `term >= prefix AND term < upperBound(prefix)` finds them through an index.
    public static func upperBound(ofPrefix prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            if let next = Unicode.Scalar(last.value + 1) {
                scalars.append(next)
                var result = String.UnicodeScalarView()
                result.append(contentsOf: scalars)
                return String(result)
            }
        }
        return "\u{10FFFF}"
    }
}
