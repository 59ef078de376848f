/// What a person does in Corridor; one role per account.
public enum Role: String, Sendable, CaseIterable, Codable, Hashable {
    case admin
    case caseworker
    case protection
    case meOfficer = "me_officer"
    case focalPoint = "focal_point"
    case communications

    /// A focal point acts for one institution only; the account must name it.
    public var requiresInstitution: Bool { self == .focalPoint }
}

/// Who is asking: nobody, or a signed-in person with a role and perhaps an institution.
public struct Principal: Sendable, Equatable {
    public var role: Role
    public var institutionID: String?
    /// The offices whose cases they work on (need to know; see `Policy.caseOffices`).
    public var offices: OfficeScope

    public init(role: Role, institutionID: String? = nil, offices: OfficeScope = .all) {
        self.role = role
        self.institutionID = institutionID
        self.offices = offices
    }
}
