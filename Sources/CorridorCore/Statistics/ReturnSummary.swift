import Foundation

/// Counts of returns kept ready by month, host country and office, in a few slices, so that
/// dashboards and figures read thousands of summary rows instead of a million members. Each
/// case adds its `cells`; a change to a case removes its old cells and adds its new ones, in
/// the same transaction, so the summary always equals a recount (a test checks it).
public enum ReturnSummary {
    /// One slice of the summary: which member (or case) property the `a` and `b` columns hold.
    public enum Slice: String, Sendable, CaseIterable {
        /// Members by arrival month: `a` sex code, `b` age group at arrival ('' when unknown).
        case returns
        /// Members by arrival month: `a` region of origin ('' when unknown), `b` sex code.
        case returnsRegion = "returns_region"
        /// Members by arrival month: `a` nationality, `b` sex code.
        case returnsNationality = "returns_nationality"
        /// Members by arrival month, once per vulnerability: `a` vulnerability code, `b` sex code.
        case returnsVulnerability = "returns_vulnerability"
        /// Cases by registration month.
        case registrations
        /// Members identified as victims of trafficking, by the case's registration month.
        case vot
        /// Cases by status (`a`), whatever the month.
        case status

        /// The slice's column holding a dimension, if it has it.
        public func column(for dimension: String) -> String? {
            switch (self, dimension) {
            case (.returns, "sex"): return "a"
            case (.returns, "age_group"): return "b"
            case (.returnsRegion, "region"), (.returnsNationality, "nationality"), (.returnsVulnerability, "vulnerability"): return "a"
            case (.returnsRegion, "sex"), (.returnsNationality, "sex"), (.returnsVulnerability, "sex"): return "b"
            default: return nil
            }
        }

        /// The member slice holding every member-level dimension named, if one does.
        public static func forReturns(dimensions: Set<String>) -> Slice? {
            let memberDimensions = dimensions.subtracting(["host_country", "office", "year", "quarter", "month"])
            return [.returns, .returnsRegion, .returnsNationality, .returnsVulnerability].first { slice in
                memberDimensions.allSatisfy { slice.column(for: $0) != nil }
            }
        }
    }

    public struct Cell: Hashable, Sendable, Comparable {
        public var slice: String
        public var period: String
        public var hostCountry: String
        public var office: String
        public var a: String
        public var b: String

        public init(slice: Slice, period: String, hostCountry: String, office: String, a: String = "", b: String = "") {
            self.init(slice: slice.rawValue, period: period, hostCountry: hostCountry, office: office, a: a, b: b)
        }

        public init(slice: String, period: String, hostCountry: String, office: String, a: String, b: String) {
            self.slice = slice
            self.period = period
            self.hostCountry = hostCountry
            self.office = office
            self.a = a
            self.b = b
        }

        public static func < (lhs: Cell, rhs: Cell) -> Bool {
            (lhs.slice, lhs.period, lhs.hostCountry, lhs.office, lhs.a, lhs.b) < (rhs.slice, rhs.period, rhs.hostCountry, rhs.office, rhs.a, rhs.b)
        }
    }

    /// What of a case the summary counts.
    public struct CaseFacts: Sendable {
        public var registeredOn: String
        public var arrivalDate: String?
        public var hostCountry: String
        public var office: String
        public var status: String

        public init(registeredOn: String, arrivalDate: String?, hostCountry: String, office: String, status: String) {
            self.registeredOn = registeredOn
            self.arrivalDate = arrivalDate
            self.hostCountry = hostCountry
            self.office = office
            self.status = status
        }
    }

    /// What of a member the summary counts, as stored.
    public struct MemberFacts: Sendable {
        public var sex: String
        public var birthDate: String?
        public var birthYear: Int?
        public var nationality: String
        public var originRegion: String?
        /// As stored: `|code|code|` or empty.
        public var vulnerabilities: String

        public init(sex: String, birthDate: String?, birthYear: Int?, nationality: String, originRegion: String?, vulnerabilities: String) {
            self.sex = sex
            self.birthDate = birthDate
            self.birthYear = birthYear
            self.nationality = nationality
            self.originRegion = originRegion
            self.vulnerabilities = vulnerabilities
        }
    }

    /// Age in whole years on the arrival day, from the birth date or 1 July of an estimated year
    /// (the same rule as the indicator engine's SQL).
    public static func ageGroup(arrival: String, birthDate: String?, birthYear: Int?) -> String {
        guard let birthYear, let arrivalYear = Int(arrival.prefix(4)) else { return "" }
        let arrivalDay = arrival.dropFirst(5).prefix(5)
        let birthDay = birthDate.map { $0.dropFirst(5).prefix(5) } ?? "07-01"
        let age = arrivalYear - birthYear - (arrivalDay < birthDay ? 1 : 0)
        return AgeGroup(age: age).rawValue
    }

    /// The cells a case adds to the summary, with their counts.
    public static func cells(_ facts: CaseFacts, members: [MemberFacts]) -> [Cell: Int] {
        var cells = memberCells(facts, members: members)
        let registeredMonth = String(facts.registeredOn.prefix(7))
        cells[Cell(slice: .registrations, period: registeredMonth, hostCountry: facts.hostCountry, office: facts.office, a: "", b: ""), default: 0] += 1
        cells[Cell(slice: .status, period: "", hostCountry: facts.hostCountry, office: facts.office, a: facts.status, b: ""), default: 0] += 1
        return cells
    }

    /// The cells that members add to their case's, without the case's own (a registration, a
    /// status): what more members of a household already counted add.
    public static func memberCells(_ facts: CaseFacts, members: [MemberFacts]) -> [Cell: Int] {
        var cells: [Cell: Int] = [:]
        func add(_ slice: Slice, _ period: String, _ a: String = "", _ b: String = "") {
            cells[Cell(slice: slice, period: period, hostCountry: facts.hostCountry, office: facts.office, a: a, b: b), default: 0] += 1
        }
        let registeredMonth = String(facts.registeredOn.prefix(7))
        for member in members where member.vulnerabilities.contains("|vot|") { add(.vot, registeredMonth) }
        if let arrival = facts.arrivalDate {
            let month = String(arrival.prefix(7))
            for member in members {
                add(.returns, month, member.sex, ageGroup(arrival: arrival, birthDate: member.birthDate, birthYear: member.birthYear))
                add(.returnsRegion, month, member.originRegion ?? "", member.sex)
                add(.returnsNationality, month, member.nationality, member.sex)
                for code in member.vulnerabilities.split(separator: "|") { add(.returnsVulnerability, month, String(code), member.sex) }
            }
        }
        return cells
    }

    /// `after` minus `before`, without the cells that do not move.
    public static func difference(from before: [Cell: Int], to after: [Cell: Int]) -> [Cell: Int] {
        var delta = after
        for (cell, count) in before { delta[cell, default: 0] -= count }
        return delta.filter { $0.value != 0 }
    }

    /// `YYYY-MM` bounds of a period when it starts on the first of a month and ends on the last
    /// day of one (or is open); nil when the summary cannot answer it exactly.
    public static func months(from: Day?, to: Day?) -> (from: String?, to: String?)? {
        if let from, from.day != 1 { return nil }
        if let to, to.adding(days: 1).day != 1 { return nil }
        return (from.map { String($0.iso.prefix(7)) }, to.map { String($0.iso.prefix(7)) })
    }
}
