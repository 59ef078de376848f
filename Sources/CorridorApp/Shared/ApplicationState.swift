import Vapor

extension Application {
    /// A value a feature keeps for the life of the application, stored by `configure`; reading it
    /// before is a programming error.
    func configured<Key: StorageKey>(_ key: Key.Type) -> Key.Value {
        guard let value = storage[key] else { fatalError("configure(_:) must run before \(Key.self) is used") }
        return value
    }
}
