import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// A value for a bulk insert, bound the way Fluent stores it on each driver.
enum BulkValue: Sendable {
    case text(String)
    case int(Int)
    case uuid(UUID)
    case date(Date)
    case null

    static func text(_ value: String?) -> BulkValue { value.map(BulkValue.text) ?? .null }
    static func int(_ value: Int?) -> BulkValue { value.map(BulkValue.int) ?? .null }
}

/// Writes many rows with one multi-row `INSERT` per few thousand values, binding values
/// straight into the driver (no `Codable` encoding per value): the write path of large imports.
struct BulkInsert {
    let database: any Database
    let table: String
    let columns: [String]
    private var rows: [[BulkValue]] = []

    /// How many values one statement binds (SQLite accepts 32 766, PostgreSQL 65 535).
    static let valuesPerStatement = 30_000

    init(into table: String, columns: [String], on database: any Database) {
        self.database = database
        self.table = table
        self.columns = columns
    }

    var rowsPerStatement: Int { max(1, Self.valuesPerStatement / columns.count) }

    /// Keeps a row until `flush` (rows that reference others are flushed after them).
    mutating func append(_ row: [BulkValue]) {
        precondition(row.count == columns.count, "a bulk row has one value per column")
        rows.append(row)
    }

    /// Writes the rows kept, a statement per `rowsPerStatement` rows.
    mutating func flush() async throws {
        let all = rows
        rows.removeAll(keepingCapacity: true)
        for start in stride(from: 0, to: all.count, by: rowsPerStatement) {
            try await write(Array(all[start..<min(start + rowsPerStatement, all.count)]))
        }
    }

    private func write(_ batch: [[BulkValue]]) async throws {
        if let sqlite = database as? any SQLiteDatabase {
            try await Self.insertSQLite(batch, table: table, columns: columns, on: sqlite)
        } else if let postgres = database as? any PostgresDatabase {
            try await Self.insertPostgres(batch, table: table, columns: columns, on: postgres)
        } else {
            throw Abort(.internalServerError, reason: "bulk insert needs SQLite or PostgreSQL")
        }
    }

    private static func statement(rows: Int, columns: [String], table: String, placeholder: (Int) -> String) -> String {
        var sql = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * columns.count * 7)
        var parameter = 0
        for row in 0..<rows {
            sql += row == 0 ? "(" : ", ("
            for column in 0..<columns.count {
                parameter += 1
                if column > 0 { sql += ", " }
                sql += placeholder(parameter)
            }
            sql += ")"
        }
        return sql
    }

    private static func insertSQLite(_ rows: [[BulkValue]], table: String, columns: [String], on database: any SQLiteDatabase) async throws {
        let sql = statement(rows: rows.count, columns: columns, table: table) { _ in "?" }
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * columns.count)
        for row in rows {
            for value in row {
                switch value {
                case .text(let text): binds.append(.text(text))
                case .int(let number): binds.append(.integer(number))
                // Fluent's SQLite encoder writes identifiers as text and dates as seconds since 1970.
                case .uuid(let id): binds.append(.text(Self.text(of: id)))
                case .date(let date): binds.append(.float(date.timeIntervalSince1970))
                case .null: binds.append(.null)
                }
            }
        }
        try await database.query(sql, binds, logger: database.logger) { _ in }.get()
    }

    /// `UUID.uuidString` (upper-case hex, 8-4-4-4-12), without the formatted printing that
    /// Foundation goes through: an import binds millions of identifiers.
    static func text(of id: UUID) -> String {
        let digits: StaticString = "0123456789ABCDEF"
        return withUnsafeBytes(of: id.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 { buffer[position] = UInt8(ascii: "-"); position += 1 }
                    buffer[position] = digits.utf8Start[Int(byte >> 4)]
                    buffer[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    private static func insertPostgres(_ rows: [[BulkValue]], table: String, columns: [String], on database: any PostgresDatabase) async throws {
        let sql = statement(rows: rows.count, columns: columns, table: table) { "$\($0)" }
        var bindings = PostgresBindings(capacity: rows.count * columns.count)
        for row in rows {
            for value in row {
                switch value {
                case .text(let text): bindings.append(text)
                case .int(let number): bindings.append(number)
                case .uuid(let id): bindings.append(id)
                case .date(let date): bindings.append(date)
                case .null: bindings.appendNull()
                }
            }
        }
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let logger = database.logger
        _ = try await database.withConnection { connection in
            connection.query(query, logger: logger).map { _ in () }
        }.get()
    }
}
