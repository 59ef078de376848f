import Fluent

/// The migrations of this feature, in the order they were added. Names are history: never
/// rename one, only append.
enum CaseMigrations {
    static let all: [any Migration] = [
        CreateReturnCases(),
        CreateCaseTermsAndSummary(),
        AddArrivalSortIndex(),
        AddOfficeNumberIndex(),
        AddTermProbeIndex(),
    ]
}
