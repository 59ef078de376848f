import Fluent

/// The migrations of this feature, in the order they were added. Names are history: never
/// rename one, only append.
enum AccountMigrations {
    static let all: [any Migration] = [
        CreateInstitutions(),
        CreateUsers(),
        CreateSessions(),
        CreateAPITokens(),
        CreateLoginAttempts(),
        AddTwoFactor(),
        AddUserOffices(),
    ]
}
