import CorridorCore
import Foundation
import SQLKit

/// Where a page of the caseload ends, for the API's `cursor=`: the list's sort and direction,
/// and the last row's sort value and case number. The next page is read from there through the
/// sort column's index (keyset pagination) instead of skipping `OFFSET` rows, so page 2 000 costs
/// what page 1 does, and a case registered meanwhile shifts nothing. Opaque to clients:
/// base64url of a small JSON object.
struct CaseCursor: Codable, Equatable, Sendable {
    var sort: String
    var dir: String
    /// The last row's value of the sort column (nil: no arrival date yet). `updated_at` as
    /// seconds since 1970, written so that the same `Double` reads back.
    var value: String?
    var caseNumber: String

    var encoded: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(sort: String, dir: String, value: String?, caseNumber: String) {
        self.sort = sort
        self.dir = dir
        self.value = value
        self.caseNumber = caseNumber
    }

    /// Nil when the text is not a cursor Corridor wrote.
    init?(encoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.count <= 1_000, let data = Data(base64Encoded: base64), let cursor = try? JSONDecoder().decode(CaseCursor.self, from: data),
              CaseFilter.sortColumns[cursor.sort] != nil, cursor.dir == "asc" || cursor.dir == "desc", CaseNumber(cursor.caseNumber) != nil
        else { return nil }
        // An instant between 1970 and 5138: anything else (NaN, infinity, 1e300) is not ours,
        // and would not convert to microseconds.
        if cursor.sort == "updated_at" {
            guard let value = cursor.value, let seconds = Double(value), seconds.isFinite, seconds >= 0, seconds < 1e11 else { return nil }
        }
        self = cursor
    }

    /// The cursor after `row` in a list sorted by `sort` and `dir`.
    init(after row: CaseQueries.ListRow, sort: String, dir: String) {
        let value: String? = switch sort {
        case "arrival_date": row.arrivalDate
        case "case_number": row.caseNumber
        // SQLite's stored Double as it is (its driver rounds a Date to the microsecond, so
        // the decoded Date may miss the stored value); PostgreSQL's microseconds read back
        // exactly from the Date (rounded in `timestamp`).
        case "updated_at": String(row.updatedSeconds ?? row.updatedAt.timeIntervalSince1970)
        case "principal_name": row.principalName
        case "status": row.status
        default: row.registeredOn
        }
        self.init(sort: sort, dir: dir, value: value, caseNumber: row.caseNumber)
    }

    /// The rows after this cursor, in the list's order: the sort column beyond the value, or
    /// equal to it with a case number beyond; cases without a value come last going down and
    /// first going up (the list's order on both databases).
    func condition(postgres: Bool) -> SQLQueryString {
        let column = SQLQueryString("\(unsafeRaw: CaseFilter.sortColumns[sort] ?? "c.registered_on")")
        let (beyond, caseBeyond) = dir == "asc" ? (">", ">") : ("<", "<")
        let number: SQLQueryString = "c.case_number \(unsafeRaw: caseBeyond) \(bind: caseNumber)"
        guard let value else {
            return dir == "asc" ? "((" + column + " IS NULL AND " + number + ") OR " + column + " IS NOT NULL)" : "(" + column + " IS NULL AND " + number + ")"
        }
        let bound: SQLQueryString
        if sort == "updated_at" {
            let seconds = Double(value) ?? 0
            // PostgreSQL keeps microseconds: the value is given as their text, rounded back
            // from the decoded Double (a bound Date would be truncated a microsecond short).
            bound = postgres ? "CAST(\(bind: Self.timestamp(seconds)) AS TIMESTAMPTZ)" : "\(bind: seconds)"
        } else {
            bound = "\(bind: value)"
        }
        // The redundant `>=` / `<=` bound lets either database start reading the sort's index
        // at the cursor instead of filtering from the first row.
        let reached = dir == "asc" ? ">=" : "<="
        let after = "(" + column + " \(unsafeRaw: reached) " + bound + " AND (" + column + " \(unsafeRaw: beyond) " + bound
            + " OR (" + column + " = " + bound + " AND " + number + ")))"
        return dir == "asc" ? after : "(" + after + " OR " + column + " IS NULL)"
    }

    /// Seconds since 1970 as PostgreSQL's timestamp text, to the nearest microsecond.
    static func timestamp(_ seconds: Double) -> String {
        CopyText.timestamp(micros: Int64(((seconds - 946_684_800) * 1_000_000).rounded()))
    }
}
