import Foundation

/// How the engine reads a name: folded to lower-case ASCII letters, split into words, each
/// word with a phonetic key that West-African registries' spellings share.
///
/// Field staff write one name many ways: `Ouattara` and `Watara`, `Kouamé` and `Kwame`,
/// `Coulibaly` and `Kulibali`, `N'Guessan`, `Nguessan` and `N Guessan`. The key folds the
/// French spellings of one sound together (`ou`/`w` → `u`, `c`/`k`/`q` → `k`, `ph` → `f`,
/// `y` → `i`, silent `h`, doubled letters, a final `e`), and a table of variants maps names
/// that no rule relates (`Mohamed`/`Mamadou`, `Diallo`/`Jallo`) to one form first.
public enum NameKeys {
    /// The words of a name, folded; a lone `n` before a word is the `N'` of `N'Guessan`
    /// written with a space, so it is joined to the word that follows.
    public static func words(_ name: String) -> [String] {
        let folded = SearchText.fold(name)
        var words: [String] = []
        var current = ""
        for scalar in folded.unicodeScalars {
            let value = scalar.value
            if (0x61...0x7A).contains(value) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var joined: [String] = []
        var index = 0
        while index < words.count {
            if words[index] == "n", index + 1 < words.count, let first = words[index + 1].first, !"aeiou".contains(first) {
                joined.append("n" + words[index + 1])
                index += 2
            } else {
                joined.append(words[index])
                index += 1
            }
        }
        return joined
    }

    /// The phonetic key of one folded word.
    public static func key(_ word: String) -> String {
        let canonical = variants[word] ?? word
        let letters = Array(canonical.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(letters.count)
        func at(_ index: Int) -> UInt8 { index < letters.count ? letters[index] : 0 }
        let a = UInt8(ascii: "a"), e = UInt8(ascii: "e"), i = UInt8(ascii: "i"), o = UInt8(ascii: "o"), u = UInt8(ascii: "u")
        let y = UInt8(ascii: "y"), h = UInt8(ascii: "h")
        var index = 0
        while index < letters.count {
            let letter = letters[index], next = at(index + 1)
            switch letter {
            case UInt8(ascii: "p") where next == h: out.append(UInt8(ascii: "f")); index += 2; continue
            case o where next == u: out.append(u); index += 2; continue
            case UInt8(ascii: "w"): out.append(u)
            case y: out.append(i)
            case UInt8(ascii: "c"):
                if next == h { out.append(UInt8(ascii: "x")); index += 2; continue }
                out.append(next == e || next == i || next == y ? UInt8(ascii: "s") : UInt8(ascii: "k"))
            case UInt8(ascii: "s") where next == h: out.append(UInt8(ascii: "x")); index += 2; continue
            case UInt8(ascii: "t") where next == UInt8(ascii: "c") && at(index + 2) == h: out.append(UInt8(ascii: "x")); index += 3; continue
            case UInt8(ascii: "q"):
                out.append(UInt8(ascii: "k"))
                if next == u { index += 2; continue }
            case UInt8(ascii: "g") where next == u && (at(index + 2) == e || at(index + 2) == i):
                out.append(UInt8(ascii: "g")); index += 2; continue
            case UInt8(ascii: "d") where next == UInt8(ascii: "j"): out.append(UInt8(ascii: "j")); index += 2; continue
            case UInt8(ascii: "x"): out.append(UInt8(ascii: "k")); out.append(UInt8(ascii: "s"))
            case UInt8(ascii: "z"): out.append(UInt8(ascii: "s"))
            case h: break
            case a, e, i, o, u: out.append(letter)
            default: out.append(letter)
            }
            index += 1
        }
        // Doubled letters written once, then a final silent e.
        var collapsed: [UInt8] = []
        collapsed.reserveCapacity(out.count)
        for letter in out where collapsed.last != letter { collapsed.append(letter) }
        if collapsed.count > 3, collapsed.last == e { collapsed.removeLast() }
        return String(decoding: collapsed, as: UTF8.self)
    }

    /// Spellings that no sound rule relates, each mapped to one form (folded words). The
    /// list holds the names field staff report most; the rules do the rest.
    static let variants: [String: String] = {
        let groups: [[String]] = [
            ["mohamed", "mohammed", "mouhamed", "mouhammed", "muhammad", "mohamad", "mahamadou", "mamadou", "mamady", "mamadi", "mahamat", "mouhamadou", "mohamadou", "amadou", "hamadou"],
            ["ibrahim", "ibrahima", "brahima", "ibrahime", "ebrahim"],
            ["abdoulaye", "abdulai", "abdoulai", "abdallah", "abdullah", "abdoulah"],
            ["aboubacar", "boubacar", "aboubakar", "abubakar", "boubakar", "bakary", "bakari"],
            ["seydou", "saidou", "seidou", "saydou"],
            ["souleymane", "souleimane", "suleiman", "sulaiman", "soulemane", "souleman", "sulemane"],
            ["oumar", "omar", "umar", "omer"],
            ["ousmane", "usman", "ousman", "othmane", "osmane"],
            ["moussa", "musa", "mousa"],
            ["idrissa", "drissa", "idriss", "driss"],
            ["lassina", "lacina", "lassana"],
            ["salif", "salifou", "saliou"],
            ["youssouf", "yusuf", "youssef", "yousouf"],
            ["fatoumata", "fatimata", "fatuma", "fatoumatou", "fatima", "fatouma"],
            ["kadiatou", "kadidiatou", "khadija", "kadidia", "hadja", "khadidja"],
            ["mariam", "mariame", "maryam", "mariama", "maryama"],
            ["aminata", "aminatou", "amina"],
            ["assetou", "assita", "assata"],
            ["aissata", "aicha", "aissatou", "aisha"],
            ["awa", "hawa"],
            ["diallo", "jallo", "djallo", "jalo"],
            ["kone", "kone", "kouene"],
            ["toure", "ture", "tourey"],
            ["kouakou", "kwaku", "kouaku"],
            ["koffi", "kofi"],
            ["kouadio", "kwadwo", "kouadjo"],
            ["yao", "yaw"],
            ["akissi", "akosua", "akossiwa"],
            ["adjoua", "adwoa", "adjowa"],
            ["amenan", "amena"],
            ["nguessan", "ngessan"],
            ["sylla", "silla", "cilla"],
            ["cisse", "sisse", "cissey"],
            ["keita", "keyta", "kaita"],
            ["kamara", "camara"],
            ["sanogo", "sanoko"],
        ]
        var table: [String: String] = [:]
        for group in groups {
            for word in group { table[word] = group[0] }
        }
        return table
    }()

    /// Jaro–Winkler similarity of two byte strings, from 0 (nothing shared) to 1 (equal).
    public static func jaroWinkler(_ a: [UInt8], _ b: [UInt8]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in jaroWinkler(x, y) } }
    }

    /// The same on buffers; words past 64 letters are compared on their first 64.
    static func jaroWinkler(_ whole: UnsafeBufferPointer<UInt8>, _ other: UnsafeBufferPointer<UInt8>) -> Double {
        let a = UnsafeBufferPointer(rebasing: whole.prefix(64)), b = UnsafeBufferPointer(rebasing: other.prefix(64))
        if a.elementsEqual(b) { return a.isEmpty ? 0 : 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var aMatched: UInt64 = 0, bMatched: UInt64 = 0
        var matches = 0
        for i in 0..<a.count {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            if low > high { continue }
            for j in low...high where bMatched & (1 << UInt64(j)) == 0 && a[i] == b[j] {
                aMatched |= 1 << UInt64(i)
                bMatched |= 1 << UInt64(j)
                matches += 1
                break
            }
        }
        if matches == 0 { return 0 }
        var transpositions = 0, k = 0
        for i in 0..<a.count where aMatched & (1 << UInt64(i)) != 0 {
            while bMatched & (1 << UInt64(k)) == 0 { k += 1 }
            if a[i] != b[k] { transpositions += 1 }
            k += 1
        }
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    /// Whether two byte strings are at most one edit apart (a substitution, an insertion, a
    /// deletion, or two neighbours swapped).
    public static func withinOneEdit(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in withinOneEdit(x, y) } }
    }

    static func withinOneEdit(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if abs(a.count - b.count) > 1 { return false }
        if a.count == b.count {
            var first = -1, second = -1, count = 0
            for index in 0..<a.count where a[index] != b[index] {
                count += 1
                if count == 1 { first = index } else if count == 2 { second = index } else { return false }
            }
            if count <= 1 { return true }
            return second == first + 1 && a[first] == b[second] && a[second] == b[first]
        }
        let (short, long) = a.count < b.count ? (a, b) : (b, a)
        var i = 0, j = 0, skipped = false
        while i < short.count, j < long.count {
            if short[i] == long[j] { i += 1; j += 1; continue }
            if skipped { return false }
            skipped = true
            j += 1
        }
        return true
    }
}
