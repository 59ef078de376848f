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

    /// The period a figure counts, named exactly, to open a sentence:
    /// - whole months and years as such: "En novembre 2026", "En 2025", "Entre janvier 2017 et août 2024";
    /// - one day: "Le 3 novembre 2026"; other ranges by their days: "Du 15 au 30 novembre 2026",
    ///   "Du 15 octobre au 3 novembre 2026", "Du 20 décembre 2025 au 3 janvier 2026";
    /// - a range that runs to today or beyond, or has no end: "Depuis le 15 novembre 2026"
    ///   ("Depuis janvier 2021" when it starts on the first of a month);
    /// - no start: "Jusqu'au 15 août 2024", "Jusqu'en août 2024" (to the end of a month); no bounds
    ///   (or none but an end at or after today): "Au total".
    /// These sentences are frozen into published releases: each names the days counted, no more, no less.
    public static func period(from: Day?, to: Day?, today: Day, _ language: Language) -> String {
        let fr = language == .fr
        let format = LocaleFormatting(language)
        func dayNumber(_ day: Day) -> String { fr && day.day == 1 ? "1er" : String(day.day) }
        func month(_ day: Day) -> String { "\(format.monthName(day.month)) \(day.year)" }
        func full(_ day: Day) -> String { "\(dayNumber(day)) \(month(day))" }
        func startsMonth(_ day: Day) -> Bool { day.day == 1 }
        func endsMonth(_ day: Day) -> Bool { day.adding(days: 1).day == 1 }
        // A range that reaches today counts up to today: it is open-ended.
        let end = to.flatMap { $0 >= today ? nil : $0 }
        switch (from, end) {
        case (nil, nil):
            return fr ? "Au total" : "In all"
        case let (from?, nil):
            if from >= today { return fr ? "Le \(full(from))" : "On \(full(from))" }
            if startsMonth(from) { return fr ? "Depuis \(month(from))" : "Since \(month(from))" }
            return fr ? "Depuis le \(full(from))" : "Since \(full(from))"
        case let (nil, to?):
            if endsMonth(to) { return fr ? "Jusqu'en \(month(to))" : "Up to \(month(to))" }
            return fr ? "Jusqu'au \(full(to))" : "Up to \(full(to))"
        case let (from?, to?) where from > to:
            return fr ? "Sur une période vide" : "Over an empty period"
        case let (from?, to?) where from == to:
            return fr ? "Le \(full(from))" : "On \(full(from))"
        case let (from?, to?) where startsMonth(from) && endsMonth(to):
            if from.year == to.year, from.month == 1, to.month == 12 { return fr ? "En \(from.year)" : "In \(from.year)" }
            if from.month == 1, to.month == 12 { return fr ? "De \(from.year) à \(to.year)" : "From \(from.year) to \(to.year)" }
            if from.year == to.year, from.month == to.month { return fr ? "En \(month(from))" : "In \(month(from))" }
            return fr ? "Entre \(month(from)) et \(month(to))" : "Between \(month(from)) and \(month(to))"
        case let (from?, to?):
            let start: String
            if from.year == to.year, from.month == to.month { start = dayNumber(from) }
            else if from.year == to.year { start = "\(dayNumber(from)) \(format.monthName(from.month))" }
            else { start = full(from) }
            return fr ? "Du \(start) au \(full(to))" : "From \(start) to \(full(to))"
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
