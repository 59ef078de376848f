/// The offices whose cases a user works on (need to know): case workers and protection officers
/// see and edit the cases of their offices only. An office is named by its country's ISO code
/// (`CIV` for the mission in Abidjan, `TUN` for the office in Tunis), as the case's `office`
/// is. A case is an office's when the office holds it, or when the case's host country is the
/// office's country: a case registered by the host-country office and handed to the origin
/// office is seen by both.
public struct OfficeScope: Sendable, Equatable, Hashable {
    /// Every office (a regional officer); stored as `*`.
    public var everyOffice: Bool
    public var offices: Set<String>

    public static let all = OfficeScope(everyOffice: true, offices: [])
    public static let none = OfficeScope(everyOffice: false, offices: [])

    public init(everyOffice: Bool = false, offices: Set<String>) {
        self.everyOffice = everyOffice
        self.offices = Set(offices.map { $0.uppercased() })
    }

    /// The stored form: `*`, or the codes between bars (`|CIV|TUN|`), or empty for none.
    public init(stored: String) {
        if stored.trimmingCharacters(in: .whitespaces) == "*" { self = .all; return }
        self.init(offices: Set(stored.split(separator: "|").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
    }

    public var stored: String {
        if everyOffice { return "*" }
        return offices.isEmpty ? "" : "|" + offices.sorted().joined(separator: "|") + "|"
    }

    /// As an administrator types it: codes separated by commas, spaces or semicolons, or `*`;
    /// the codes that are no country's are returned apart.
    public static func parse(_ text: String) -> (scope: OfficeScope, unknown: [String]) {
        let words = text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "|" }).map { String($0).uppercased() }
        if words.contains("*") { return (.all, words.filter { $0 != "*" && !Countries.isKnown($0) }) }
        let unknown = words.filter { !Countries.isKnown($0) }
        return (OfficeScope(offices: Set(words.filter(Countries.isKnown))), unknown)
    }

    /// The list as people read it: `CIV, TUN`, or `*`.
    public var display: String { everyOffice ? "*" : offices.sorted().joined(separator: ", ") }

    /// Whether a case held by `office`, returning from `hostCountry`, is one of these offices'.
    public func covers(office: String, hostCountry: String) -> Bool {
        everyOffice || offices.contains(office.uppercased()) || offices.contains(hostCountry.uppercased())
    }

    /// The roles whose reach the offices limit; administrators see every office's cases, and
    /// the other roles see no case at all.
    public static func limits(_ role: Role) -> Bool { role == .caseworker || role == .protection }
}
