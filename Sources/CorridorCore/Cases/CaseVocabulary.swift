import Foundation

/// The controlled vocabularies of return cases. Raw values are the codes stored, imported
/// and exported; labels live in the string catalogues under the enum's catalogue prefix.
public protocol CaseCode: RawRepresentable, CaseIterable, Sendable, Hashable, Codable where RawValue == String {
    static var cataloguePrefix: String { get }
    /// Reads a code as people type it; a requirement, so that vocabularies can accept synonyms.
    init?(code: String)
}

extension CaseCode {
    public var catalogueKey: String { Self.cataloguePrefix + "." + rawValue }

    /// Reads a code leniently: case, accents, spaces and hyphens do not matter.
    public init?(code: String) {
        if let exact = Self.allCases.first(where: { $0.rawValue == code }) { self = exact; return }
        let wanted = SearchText.fold(code).replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        guard let match = Self.allCases.first(where: { $0.rawValue == wanted }) else { return nil }
        self = match
    }
}

public enum Relationship: String, CaseCode {
    case principal, spouse, child, parent, sibling, other
    public static let cataloguePrefix = "relationship"
}

public enum Sex: String, CaseCode {
    case female = "F", male = "M", other = "X"
    public static let cataloguePrefix = "sex"

    public init?(code: String) {
        switch SearchText.fold(code) {
        case "f", "female", "femme", "feminin": self = .female
        case "m", "male", "homme", "h", "masculin": self = .male
        case "x", "other", "autre": self = .other
        default: return nil
        }
    }
}

public enum DocumentType: String, CaseCode {
    case passport
    case consularCard = "consular_card"
    case laissezPasser = "laissez_passer"
    case nationalID = "national_id"
    case none
    public static let cataloguePrefix = "document"
}

public enum Vulnerability: String, CaseCode {
    case vot, uasc, medical, pregnant, disability, elderly
    case domesticWorker = "domestic_worker"
    case student
    case singleParent = "single_parent"
    public static let cataloguePrefix = "vulnerability"

    /// `a|b|c` as stored and imported; unknown codes are returned apart.
    public static func parseList(_ text: String) -> (known: [Vulnerability], unknown: [String]) {
        var known: [Vulnerability] = [], unknown: [String] = []
        for part in text.split(whereSeparator: { $0 == "|" || $0 == ";" || $0 == "," }) {
            let code = String(part).trimmedWhitespace
            if code.isEmpty { continue }
            if let vulnerability = Vulnerability(code: code) {
                if !known.contains(vulnerability) { known.append(vulnerability) }
            } else {
                unknown.append(code)
            }
        }
        return (known.sorted { $0.rawValue < $1.rawValue }, unknown)
    }

    public static func joined(_ list: [Vulnerability]) -> String {
        list.map(\.rawValue).sorted().joined(separator: "|")
    }
}

public enum EducationLevel: String, CaseCode {
    case none, primary, secondary, vocational, higher
    public static let cataloguePrefix = "education"
}

public enum HostCountryStay: String, CaseCode {
    case regular, irregular, unknown
    public static let cataloguePrefix = "stay"
}

public enum ClosureReason: String, CaseCode {
    case withdrawn, ineligible
    case lostContact = "lost_contact"
    case absconded, deceased, other
    public static let cataloguePrefix = "closure"
}

public enum Currency: String, CaseCode {
    case XOF, MAD, TND, EUR, USD
    public static let cataloguePrefix = "currency"

    public init?(code: String) {
        guard let value = Currency(rawValue: code.trimmingCharacters(in: .whitespaces).uppercased()) else { return nil }
        self = value
    }
}

/// Kinds of assistance, grouped in the four phases of a return.
public enum AssistanceType: String, CaseCode {
    case accommodation, medicalCheck = "medical_check", documents
    case flight, escort, transit
    case reception, pocketMoney = "pocket_money", onwardTransport = "onward_transport"
    case economic, social, psychosocial
    public static let cataloguePrefix = "assistance"

    public enum Phase: String, Sendable, CaseIterable {
        case preDeparture = "pre_departure", travel, arrival, reintegration
    }

    public var phase: Phase {
        switch self {
        case .accommodation, .medicalCheck, .documents: return .preDeparture
        case .flight, .escort, .transit: return .travel
        case .reception, .pocketMoney, .onwardTransport: return .arrival
        case .economic, .social, .psychosocial: return .reintegration
        }
    }
}
