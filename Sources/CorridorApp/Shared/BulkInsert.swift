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

/// Writes many rows at once, straight into the driver (no `Codable` encoding per value): the
/// write path of large imports. SQLite takes one multi-row `INSERT` per few thousand values;
/// PostgreSQL one `COPY` per flush.
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

    /// Writes the rows kept: on SQLite a statement per `rowsPerStatement` rows, on PostgreSQL one `COPY`.
    mutating func flush() async throws {
        let all = rows
        rows.removeAll(keepingCapacity: true)
        guard !all.isEmpty else { return }
        if let postgres = database as? any PostgresDatabase {
            // One COPY takes every row, however many.
            return try await Self.copyPostgres(all, table: table, columns: columns, on: postgres)
        }
        for start in stride(from: 0, to: all.count, by: rowsPerStatement) {
            try await write(Array(all[start..<min(start + rowsPerStatement, all.count)]))
        }
    }

    private func write(_ batch: [[BulkValue]]) async throws {
        if let sqlite = database as? any SQLiteDatabase {
            try await Self.insertSQLite(batch, table: table, columns: columns, on: sqlite)
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

    /// PostgreSQL takes the rows through `COPY … FROM STDIN` (text format), streamed a megabyte
    /// at a time: no statement to parse, no placeholder to bind, one command per flush. At a
    /// million individuals the import's writes went from multi-row `INSERT`s to this (see
    /// BENCHMARKS.md, issue 18). Inside a transaction it is that transaction's connection.
    private static func copyPostgres(_ rows: [[BulkValue]], table: String, columns: [String], on database: any PostgresDatabase) async throws {
        let logger = database.logger
        try await database.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    var text = CopyText()
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(CopyText.chunk + 4_096)
                    for row in rows {
                        text.append(row, to: &buffer)
                        if buffer.readableBytes >= CopyText.chunk {
                            try await writer.write(buffer)
                            buffer = ByteBuffer()
                            buffer.reserveCapacity(CopyText.chunk + 4_096)
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
            }
        }.get()
    }
}

/// Rows in PostgreSQL's `COPY` text format: values separated by tabs, a row per line, `\N` for
/// NULL, and a backslash before the backslash, tab, newline and carriage return a text holds.
/// Values read back exactly as the driver binds them: identifiers as UUIDs, dates to the
/// microsecond (truncated as PostgresNIO truncates), numbers in decimal.
struct CopyText {
    /// The size of one `CopyData` message.
    static let chunk = 1 << 20
    /// The last date written and its text: an import stamps every row with one `now`.
    private var lastDate: (Date, [UInt8])?

    mutating func append(_ row: [BulkValue], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.writeStaticString("\\N")
            case .int(let number): buffer.writeString(String(number))
            case .uuid(let id): buffer.writeString(BulkInsert.text(of: id))
            case .text(let text): Self.escape(text, to: &buffer)
            case .date(let date):
                if let (last, bytes) = lastDate, last == date {
                    buffer.writeBytes(bytes)
                } else {
                    let bytes = Array(Self.timestamp(date).utf8)
                    lastDate = (date, bytes)
                    buffer.writeBytes(bytes)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    static func escape(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    /// `YYYY-MM-DD hh:mm:ss.ffffff+00`, the microseconds PostgresNIO would bind for `date`.
    static func timestamp(_ date: Date) -> String {
        timestamp(micros: Int64(date.timeIntervalSince(Date(timeIntervalSince1970: 946_684_800)) * 1_000_000))
    }

    /// Microseconds since 2000-01-01 (PostgreSQL's epoch) as `YYYY-MM-DD hh:mm:ss.ffffff+00`.
    static func timestamp(micros: Int64) -> String {
        var seconds = micros / 1_000_000, fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400, time = seconds % 86_400
        if time < 0 { time += 86_400; days -= 1 }
        // Days since 2000-01-01 to a civil date (Howard Hinnant's `civil_from_days`, counted from
        // 0000-03-01: 2000-01-01 is day 730 425).
        let z = days + 730_425
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(time / 3_600, 2)):\(pad(time / 60 % 60, 2)):\(pad(time % 60, 2)).\(pad(fraction, 6))+00"
    }
}
