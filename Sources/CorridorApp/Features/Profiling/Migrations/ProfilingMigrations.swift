import Fluent

/// The migrations of this feature, in the order they were added. Names are history: never
/// rename one, only append.
enum ProfilingMigrations {
    static let all: [any Migration] = [
        CreateProfiling(),
        CreateFieldSources(),
    ]
}
