import Foundation

/// What Corridor can count.
public enum Indicator: String, Sendable, CaseIterable, Codable {
    /// Individuals returned, dated by arrival date: returns, one per member of a returned case.
    case returns
    /// Distinct people returned, dated by arrival: the records linked as one person (a
    /// person who returned twice, or was registered at two offices) count once.
    case peopleReturned = "people_returned"
    /// Households registered, dated by registration.
    case registrations
    /// Households neither completed nor closed, now.
    case casesOpen = "cases_open"
    /// Victims of trafficking among the people registered (returned or not yet), dated by
    /// registration. Victims *helped to return* are `returns` with the `vot` vulnerability,
    /// dated by arrival: a smaller number, answering another question.
    case votIdentified = "vot_identified"
    /// Items of assistance, dated by when they were provided.
    case assistanceItems = "assistance_items"
    /// Share of profiling respondents choosing an answer.
    case profilingShare = "profiling_share"
    /// Mean composite reintegration score.
    case reintegrationScore = "reintegration_score"
}

/// The filters a figure is computed with.
public struct FigureFilters: Sendable, Equatable, Codable {
    public var from: Day?
    public var to: Day?
    public var hostCountry: String?
    public var nationality: String?
    public var sex: String?
    public var ageGroup: String?
    public var region: String?
    public var vulnerability: String?
    public var office: String?
    public var assistanceType: String?
    public var question: String?
    public var choice: String?

    public init(from: Day? = nil, to: Day? = nil, hostCountry: String? = nil, nationality: String? = nil, sex: String? = nil, ageGroup: String? = nil,
                region: String? = nil, vulnerability: String? = nil, office: String? = nil, assistanceType: String? = nil,
                question: String? = nil, choice: String? = nil) {
        self.from = from
        self.to = to
        self.hostCountry = hostCountry
        self.nationality = nationality
        self.sex = sex
        self.ageGroup = ageGroup
        self.region = region
        self.vulnerability = vulnerability
        self.office = office
        self.assistanceType = assistanceType
        self.question = question
        self.choice = choice
    }
}

/// Writes a figure as the sentence of a press release, in French or English.
public enum FigureSentence {
    /// `value` is a count, a share (0–1) for `profiling_share`, or a mean score; `n` the
    /// respondents or surveys behind a share or a mean; `choiceLabel` the answer's label.
    public static func write(_ indicator: Indicator, filters: FigureFilters, value: Double, n: Int?, choiceLabel: String?, today: Day, _ language: Language) -> String {
        let fr = language == .fr
        let period = FigureText.period(from: filters.from, to: filters.to, today: today, language)
        let count = Int(value)
        let headline = FigureText.headline(count, language)
        let one = count == 1
        let host = filters.hostCountry.map { " " + (fr ? "en provenance " : "") + FigureText.fromCountry($0, language) } ?? ""
        switch indicator {
        case .returns:
            if filters.vulnerability == "vot" {
                return fr ? "\(period), \(headline) \(one ? "victime de la traite a été aidée" : "victimes de la traite ont été aidées") à rentrer\(host.replacingOccurrences(of: " en provenance ", with: " "))."
                    : "\(period), \(headline) \(one ? "victim of trafficking was" : "victims of trafficking were") helped to return\(host)."
            }
            if let nationality = filters.nationality {
                let nationals = FigureText.fromCountry(nationality, language)
                return fr ? "\(period), \(headline) \(one ? "ressortissant" : "ressortissants") \(nationals) \(one ? "a été aidé" : "ont été aidés") à rentrer\(host.replacingOccurrences(of: " en provenance ", with: " "))."
                    : "\(period), \(headline) \(one ? "national" : "nationals") of \(Countries.named(nationality)?.english ?? nationality) \(one ? "was" : "were") helped to return\(host)."
            }
            return fr ? "\(period), \(headline) \(one ? "personne a été aidée" : "personnes ont été aidées") à rentrer\(host.replacingOccurrences(of: " en provenance ", with: " "))."
                : "\(period), \(headline) \(one ? "person was" : "people were") helped to return\(host)."
        case .peopleReturned:
            return fr ? "\(period), \(headline) \(one ? "personne distincte a été aidée" : "personnes distinctes ont été aidées") à rentrer, chacune comptée une fois\(host.replacingOccurrences(of: " en provenance ", with: " "))."
                : "\(period), \(headline) distinct \(one ? "person was" : "people were") helped to return, each counted once\(host)."
        case .registrations:
            return fr ? "\(period), \(headline) \(one ? "demande de retour a été enregistrée" : "demandes de retour ont été enregistrées")\(host)."
                : "\(period), \(headline) return \(one ? "request was" : "requests were") registered\(host)."
        case .casesOpen:
            return fr ? "\(capitalised(headline)) \(one ? "dossier de retour est" : "dossiers de retour sont") en cours\(host)."
                : "\(capitalised(headline)) return \(one ? "case is" : "cases are") open\(host)."
        case .votIdentified:
            // Not the same question as `returns` of victims: these are registered, returned or not yet.
            return fr ? "\(period), \(headline) \(one ? "victime de la traite a été identifiée" : "victimes de la traite ont été identifiées") parmi les personnes enregistrées pour un retour, rentrées ou non\(host)."
                : "\(period), \(headline) \(one ? "victim of trafficking was" : "victims of trafficking were") identified among the people registered for return, whether they have returned yet or not\(host)."
        case .assistanceItems:
            return fr ? "\(period), \(headline) \(one ? "prestation d'assistance a été fournie" : "prestations d'assistance ont été fournies")\(host)."
                : "\(period), \(headline) \(one ? "item" : "items") of assistance \(one ? "was" : "were") provided\(host)."
        case .profilingShare:
            let percent = FigureText.percent(value, language)
            let answers = LocaleFormatting(language).integer(n ?? 0)
            let choice = (choiceLabel ?? filters.choice ?? "").lowercasedFirst
            return fr ? "\(period), \(percent) des personnes interrogées à leur retour ont cité « \(choice) » (n = \(answers))."
                : "\(period), \(percent) of returnees interviewed cited “\(choice)” (n = \(answers))."
        case .reintegrationScore:
            let written = LocaleFormatting(language).decimal(value, digits: 2)
            let surveys = LocaleFormatting(language).integer(n ?? 0)
            return fr ? "\(period), le score composite moyen de réintégration est de \(written) sur 1 (\(surveys) enquêtes)."
                : "\(period), the mean composite reintegration score is \(written) out of 1 (\(surveys) surveys)."
        }
    }

    static func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
}

extension String {
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
