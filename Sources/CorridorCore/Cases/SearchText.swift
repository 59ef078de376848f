import Foundation

/// Text as search compares it: lower case, without accents, apostrophes or repeated spaces,
/// so that `kouame` finds `Kouamé` and `nguessan` finds `N'Guessan`.
public enum SearchText {
    public static func fold(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var lastWasSpace = true
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let value = scalar.value
            if (0x0300...0x036F).contains(value) { continue } // combining accents
            switch scalar {
            case "'", "\u{2019}", "\u{2018}", "`", "\u{00B4}": continue
            case "œ", "Œ": result += "oe"; lastWasSpace = false; continue
            case "æ", "Æ": result += "ae"; lastWasSpace = false; continue
            case "ß": result += "ss"; lastWasSpace = false; continue
            default: break
            }
            if scalar.properties.isWhitespace {
                if !lastWasSpace { result += " " }
                lastWasSpace = true
                continue
            }
            result += String(scalar).lowercased()
            lastWasSpace = false
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }
}
