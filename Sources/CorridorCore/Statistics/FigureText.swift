import Foundation

/// How a figure is written in a press release.
public enum FigureText {
    /// `15 214` → "plus de 15 000"; `2 274` → "plus de 2 200"; `15 000` → "15 000"; `28` → "28".
    public static func headline(_ value: Int, _ language: Language) -> String {
        let format = LocaleFormatting(language)
        guard value >= 100 else { return format.integer(value) }
        let digits = String(value).count
        var magnitude = 1
        for _ in 0..<(digits - 2) { magnitude *= 10 }
        let rounded = value / magnitude * magnitude
        if rounded == value { return format.integer(value) }
        return (language == .fr ? "plus de " : "more than ") + format.integer(rounded)
    }

    /// 0.9166 → "92 %" (narrow no-break space) in French, "92%" in English.
    public static func percent(_ share: Double, _ language: Language) -> String {
        let value = Int((share * 100).rounded())
        return language == .fr ? "\(value)\u{202F}%" : "\(value)%"
    }

    /// "Entre janvier 2017 et août 2024", "Depuis janvier 2021" (a range running to today),
    /// "Jusqu'en août 2024", "En mars 2024", or "Au total".
    public static func period(from: Day?, to: Day?, today: Day, _ language: Language) -> String {
        let format = LocaleFormatting(language)
        func month(_ day: Day) -> String { "\(format.monthName(day.month)) \(day.year)" }
        switch (from, to) {
        case let (from?, to?) where to >= today:
            return language == .fr ? "Depuis \(month(from))" : "Since \(month(from))"
        case let (from?, to?) where from.year == to.year && from.month == to.month:
            return language == .fr ? "En \(month(from))" : "In \(month(from))"
        case let (from?, to?):
            return language == .fr ? "Entre \(month(from)) et \(month(to))" : "Between \(month(from)) and \(month(to))"
        case let (from?, nil):
            return language == .fr ? "Depuis \(month(from))" : "Since \(month(from))"
        case let (nil, to?):
            return language == .fr ? "Jusqu'en \(month(to))" : "Up to \(month(to))"
        case (nil, nil):
            return language == .fr ? "Au total" : "In all"
        }
    }

    /// "du Maroc", "de Tunisie", "d'Algérie": French needs the country's article.
    public static func fromCountry(_ code: String, _ language: Language) -> String {
        let name = Countries.named(code)?.name(language) ?? code
        guard language == .fr else { return "from \(name)" }
        let masculine: Set<String> = ["MAR", "NER", "MLI", "SEN", "BFA", "TCD", "GHA", "TGO", "BEN", "NGA", "CMR", "GAB", "LBN", "YEM", "QAT", "KWT", "PRT", "CAN", "BRA", "JPN"]
        let plural: Set<String> = ["USA", "ARE", "NLD"]
        if plural.contains(code) { return "des \(name)" }
        if masculine.contains(code) { return "du \(name)" }
        if let first = SearchText.fold(name).first, "aeiouy".contains(first) { return "d’\(name)" }
        return "de \(name)"
    }
}
