import Fluent
import Foundation
import SQLKit
import Vapor

extension Database {
    /// Runs `work` in a transaction, trying again when another writer got there first
    /// (SQLite's single writer, or two audit entries claiming the same sequence number).
    func writeTransaction<T: Sendable>(
        attempts: Int = 8,
        _ work: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await transaction { try await work($0) }
            } catch where attempt < attempts && Self.isWriteConflict(error) {
                attempt += 1
                try await Task.sleep(nanoseconds: UInt64.random(in: 2_000_000...20_000_000) * UInt64(attempt))
            }
        }
    }

    static func isWriteConflict(_ error: any Error) -> Bool {
        let text = String(reflecting: error).lowercased()
        return text.contains("busy") || text.contains("locked")
            || text.contains("audit_entries") || text.contains("could not serialize")
    }
}

extension Database {
    /// The SQL side of the database, for queries Fluent cannot express (both drivers have one).
    var sqlDatabase: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else { throw Abort(.internalServerError) }
            return sql
        }
    }
}
