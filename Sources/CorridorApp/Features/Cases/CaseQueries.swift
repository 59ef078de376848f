import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The caseload filters, from the list page's query string or the API's.
struct CaseFilter: Content, Sendable {
    var q: String?
    var status: String?
    var host_country: String?
    var office: String?
    var vulnerability: String?
    var caseworker: String?
    var registered_from: String?
    var registered_to: String?
    var arrived_from: String?
    var arrived_to: String?
    var mine: String?
    var recent: String?
    /// Cases changed at or after this instant (`2026-11-30` or `2026-11-30T08:00:00Z`), for a
    /// script that refreshes only what changed since its last run.
    var updated_since: String?
    var sort: String?
    var dir: String?
    var page: Int?
    /// The API's keyset pagination: where the previous page ended (`nextCursor`); `page` is then ignored.
    var cursor: String?

    static let pageSize = 50

    /// `updated_since` as an instant; nil when absent or unreadable (`checkUpdatedSince` refuses the latter).
    var updatedSince: Date? { updated_since.flatMap { $0.isEmpty ? nil : Instant.parse($0) } }

    /// A malformed `updated_since` is refused rather than read as "everything".
    func checkUpdatedSince() throws {
        if let text = updated_since, !text.trimmingCharacters(in: .whitespaces).isEmpty, updatedSince == nil {
            throw Abort(.badRequest, reason: "error.date_format")
        }
    }

    /// The criteria that cannot be applied (an unknown status, country, vulnerability or
    /// caseworker, an unreadable date or sort): the page says so instead of ignoring them, and
    /// the API refuses them.
    func problems() -> [FieldIssue] {
        func value(_ text: String?) -> String? { text?.trimmingCharacters(in: .whitespaces).nilIfEmpty }
        var issues: [FieldIssue] = []
        if let status = value(status), CaseStatus(rawValue: status) == nil { issues.append(FieldIssue("status", "filter.error.unknown_value")) }
        if let code = value(vulnerability), Vulnerability(code: code) == nil { issues.append(FieldIssue("vulnerability", "filter.error.unknown_value")) }
        for (field, text) in [("host_country", host_country), ("office", office)] {
            if let code = value(text), !Countries.isKnown(code.uppercased()) { issues.append(FieldIssue(field, "filter.error.unknown_country")) }
        }
        if let worker = value(caseworker), UUID(uuidString: worker) == nil { issues.append(FieldIssue("caseworker", "filter.error.unknown_value")) }
        for (field, text) in [("registered_from", registered_from), ("registered_to", registered_to), ("arrived_from", arrived_from), ("arrived_to", arrived_to)] {
            if let text = value(text), Day(iso: text) == nil { issues.append(FieldIssue(field, "filter.error.date")) }
        }
        if let sort = value(sort), Self.sortColumns[sort] == nil { issues.append(FieldIssue("sort", "filter.error.unknown_value")) }
        if let dir = value(dir), dir != "asc", dir != "desc" { issues.append(FieldIssue("dir", "filter.error.unknown_value")) }
        if let text = value(cursor) {
            // A cursor belongs to one sort and direction: another would start from the wrong place.
            if let cursor = CaseCursor(encoded: text) {
                if cursor.sort != sortKey || cursor.dir != direction { issues.append(FieldIssue("cursor", "filter.error.cursor_other_sort")) }
            } else {
                issues.append(FieldIssue("cursor", "filter.error.cursor"))
            }
        }
        return issues
    }

    /// Whether criteria beyond search and status are set (the page then shows them open).
    var hasAdvancedCriteria: Bool {
        [host_country, office, vulnerability, caseworker, registered_from, registered_to, arrived_from, arrived_to, mine, recent]
            .contains { ($0 ?? "").isEmpty == false }
    }
    /// The sort asked for, or the list's default (registration, newest first).
    var sortKey: String { sort.flatMap { Self.sortColumns[$0] == nil ? nil : $0 } ?? "registered_on" }
    var direction: String { dir == "asc" ? "asc" : "desc" }

    static let sortColumns: [String: String] = [
        "registered_on": "c.registered_on", "arrival_date": "c.arrival_date", "case_number": "c.case_number",
        "updated_at": "c.updated_at", "principal_name": "c.principal_name", "status": "c.status",
    ]

    /// The query string of this filter with another page or sort, for links.
    /// The filter as the audit trail keeps it: the criteria, never the words typed in the search
    /// box (often a name): only that there were some.
    var audited: String {
        var criteria = self
        let searched = !(q ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        criteria.q = nil
        let rest = criteria.query()
        guard searched else { return rest }
        return (rest.isEmpty ? "" : rest + "&") + "q=(search words, not recorded)"
    }

    func query(page: Int? = nil, sort: String? = nil, dir: String? = nil) -> String {
        var items: [URLQueryItem] = []
        let values: [(String, String?)] = [
            ("q", q), ("status", status), ("host_country", host_country), ("office", office), ("vulnerability", vulnerability),
            ("caseworker", caseworker), ("registered_from", registered_from), ("registered_to", registered_to),
            ("arrived_from", arrived_from), ("arrived_to", arrived_to), ("mine", mine), ("recent", recent), ("updated_since", updated_since),
            ("sort", sort ?? self.sort), ("dir", dir ?? self.dir),
        ]
        for (name, value) in values { if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) } }
        if let page, page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }
}

/// Reads of the return-cases feature. List queries never touch protected details.
struct CaseQueries: Sendable {
    let database: any Database
    /// The reader's institution when they work for a partner institution: they see only the
    /// people whose sharing consent names it (and list a case when its principal's does).
    var partnerInstitution: UUID? = nil
    /// The offices whose cases the reader reaches (need to know); nil: every office's.
    var offices: OfficeScope? = nil
    /// Up to this many cases changed since an instant are counted one by one; past it, the
    /// count is the summary's less the cases not changed since (see `recentCount`; tests vary it).
    var recentCountedRows = 10_000

    var sql: any SQLDatabase { get throws { try database.sqlDatabase } }

    struct ListRow: Decodable, Sendable {
        var caseNumber: String
        var principalName: String
        var memberCount: Int
        var hostCountry: String
        var office: String
        var status: String
        var registeredOn: String
        var departureDate: String?
        var arrivalDate: String?
        var caseworkerName: String?
        var updatedAt: Date
        var version: Int
        /// `updated_at` as SQLite stores it (seconds, a Double), for a cursor; nil on PostgreSQL.
        var updatedSeconds: Double? = nil
    }

    struct ListPage: Sendable {
        var rows: [ListRow]
        var total: Int
        var page: Int
        /// Where the next page starts, when there is one (asked with `cursors`).
        var nextCursor: CaseCursor? = nil
        var pageCount: Int { max(1, (total + CaseFilter.pageSize - 1) / CaseFilter.pageSize) }
    }

    /// One page of the caseload matching `filter`; `userID` serves "assigned to me".
    /// Past `scanThreshold` matches, SQLite reads the sort column's index (tests lower it).
    /// Up to `wordsFirstLimit` matches (nil: from the caseload's size), PostgreSQL reads a
    /// search's words first; past it, one word is probed case by case along the sort (tests vary it).
    func list(_ filter: CaseFilter, userID: UUID?, now: Date, pageSize: Int = CaseFilter.pageSize, scanThreshold: Int = 2_000,
              wordsFirstLimit: Int? = nil, cursors: Bool = false) async throws -> ListPage {
        let sql = try self.sql
        let conditions = conditions(filter, userID: userID, now: now)
        var whereClause = conditions.isEmpty ? SQLQueryString("") : SQLQueryString(" WHERE ") + conditions.joined(separator: " AND ")
        struct Count: Decodable { var total: Int }
        // Status, host country and office alone are counted in the return summary (kept exact by
        // every write, as the figures are); a vulnerability or a single word alone in the words'
        // index itself — a case holds a vulnerability's word once, a prefix may match several of
        // its words. Counting a million rows is what made PostgreSQL slow (no index-only count).
        let countQuery: SQLQueryString = summaryCount(filter)
            ?? soleWordRange(filter).map { range, exact in
                (exact ? "SELECT COUNT(*) AS total FROM case_terms t WHERE " : "SELECT COUNT(DISTINCT t.case_id) AS total FROM case_terms t WHERE ") + range
            }
            ?? "SELECT COUNT(*) AS total FROM return_cases c" + whereClause
        let total: Int
        if let recent = try await recentCount(filter, whereClause: whereClause, now: now) {
            total = recent
        } else {
            total = try await sql.raw(countQuery).first(decoding: Count.self)?.total ?? 0
        }
        // Many matches: reading the sort column's index in order and keeping the matching rows
        // finds a page at once, where the filter's index would sort every match first. SQLite
        // is told so (a unary + keeps a column's index out of a plan); PostgreSQL's planner
        // weighs it from its statistics.
        if total > scanThreshold, !conditions.isEmpty, sql.dialect.name == "sqlite" {
            let sortColumn = CaseFilter.sortColumns[filter.sort ?? ""] ?? "c.registered_on"
            let scanning = self.conditions(filter, userID: userID, now: now, scanSortIndex: String(sortColumn.dropFirst(2)))
            whereClause = SQLQueryString(" WHERE ") + scanning.joined(separator: " AND ")
        }
        // A search on PostgreSQL, whose planner guesses how many cases hold a word and often
        // guesses wrong. Few matches: the matching cases' identifiers are handed over as an
        // array, read from the words' index first (a family name of 3 768 cases of a million:
        // 211–264 ms left to the planner, 9.5 ms so). Many matches of one word: the cases are
        // read in the list's order and each one's words probed through (case_id, term) until the
        // page is full — reading 37 000 matches first cost 120–190 ms at 10 M, the walk 33 ms.
        var source: SQLQueryString = "return_cases c"
        let words = Self.searchWords(filter.q ?? "")
        if !words.isEmpty, sql.dialect.name == "postgresql" {
            let limit: Int
            if let wordsFirstLimit { limit = wordsFirstLimit } else { limit = try await self.wordsFirstLimit() }
            // One word: how many cases hold it, up to the limit (the array holds them all, whatever
            // else the filter asks); several: the cases the whole filter keeps.
            let held = words.count == 1 ? try await wordCount(words[0], upTo: limit) : total
            if held <= limit || words.count > 1 {
                whereClause = " WHERE " + self.conditions(filter, userID: userID, now: now, words: held <= limit ? .first : .caseload).joined(separator: " AND ")
            } else {
                whereClause = " WHERE " + self.conditions(filter, userID: userID, now: now, words: .probed).joined(separator: " AND ")
                let order = SQLQueryString(Self.order(column: CaseFilter.sortColumns[filter.sort ?? ""] ?? "c.registered_on", ascending: filter.dir == "asc", postgres: true))
                source = "(SELECT * FROM return_cases c ORDER BY " + order + ") c"
            }
        }
        // After a cursor, the rows beyond it (and no OFFSET): only for the API (`cursors`), and
        // only a cursor of this sort and direction (`problems` names any other; a page ignores it).
        let after = filter.cursor.flatMap { $0.isEmpty ? nil : CaseCursor(encoded: $0) }
            .flatMap { cursors && $0.sort == filter.sortKey && $0.dir == filter.direction ? $0 : nil }
        if let after {
            let keyset = after.condition(postgres: sql.dialect.name == "postgresql")
            whereClause = conditions.isEmpty ? " WHERE " + keyset : whereClause + " AND " + keyset
        }
        let order = Self.order(column: CaseFilter.sortColumns[filter.sort ?? ""] ?? "c.registered_on", ascending: filter.dir == "asc",
                               postgres: sql.dialect.name == "postgresql")
        let page = min(max(1, filter.page ?? 1), max(1, (total + pageSize - 1) / pageSize))
        let query: SQLQueryString = """
            SELECT c.case_number, c.principal_name, c.member_count, c.host_country, c.office, c.status, c.registered_on,
                   c.departure_date, c.arrival_date, u.name AS caseworker_name, c.updated_at, c.version
            """ + (sql.dialect.name == "sqlite" ? ", c.updated_at AS updated_seconds" : "") + """
             FROM 
            """ + source + " LEFT JOIN users u ON u.id = c.caseworker_id" + whereClause
            + SQLQueryString(" ORDER BY \(unsafeRaw: order) LIMIT \(unsafeRaw: String(pageSize + (cursors ? 1 : 0))) OFFSET \(unsafeRaw: String(after == nil ? (page - 1) * pageSize : 0))")
        var rows = try await sql.raw(query).all(decoding: ListRow.self, with: SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase))
        // One row more than a page says whether another page follows.
        var next: CaseCursor?
        if cursors, rows.count > pageSize {
            rows.removeLast(rows.count - pageSize)
            next = rows.last.map { CaseCursor(after: $0, sort: filter.sortKey, dir: filter.direction) }
        }
        return ListPage(rows: rows, total: total, page: page, nextCursor: next)
    }

    /// The list's order: the sort column, then the case number, the same way. Cases without an
    /// arrival date come first going up and last going down, on both databases (SQLite's own
    /// order; PostgreSQL is told, and has the index for it).
    static func order(column: String, ascending: Bool, postgres: Bool) -> String {
        let direction = ascending ? "ASC" : "DESC"
        let nulls = column == "c.arrival_date" && postgres ? (ascending ? " NULLS FIRST" : " NULLS LAST") : ""
        return "\(column) \(direction)\(nulls), c.case_number \(direction)"
    }

    /// Up to how many matches PostgreSQL reads a search's words first (see `list`): where
    /// reading m matches (about 5 µs each, a probe of the cases' key) costs what walking the
    /// list probes until a page of 50 is found (about 2 µs a case, 50 × N / m cases for N
    /// cases): m = √(20 N), at least 2 000 — 3 240 at a million, 10 260 at 10 M individuals.
    private func wordsFirstLimit() async throws -> Int {
        struct Count: Decodable { var total: Int }
        // The whole caseload's size, whatever the reader's scope: an estimate of the walk, never shown.
        let all = try await sql.raw("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total FROM return_summary WHERE slice = \(bind: ReturnSummary.Slice.status.rawValue)")
            .first(decoding: Count.self)?.total ?? 0
        return max(2_000, Int((20 * Double(all)).squareRoot()))
    }

    /// How many words of cases begin so, counted up to `limit + 1` (a case holding two such
    /// words counts twice: the count only chooses the plan, and reads no more than the limit).
    private func wordCount(_ word: String, upTo limit: Int) async throws -> Int {
        guard limit >= 0, limit < Int.max else { return limit < 0 ? 0 : Int.max }
        struct Count: Decodable { var total: Int }
        return try await sql.raw("""
            SELECT COUNT(*) AS total FROM (SELECT 1 FROM case_terms t
            WHERE t.term >= \(bind: word) AND t.term < \(bind: SearchText.upperBound(ofPrefix: word)) LIMIT \(unsafeRaw: String(limit + 1))) AS held
            """).first(decoding: Count.self)?.total ?? 0
    }

    /// How a search's words are read: from the words' index inside the query (the caseload's
    /// plan), first as an array of identifiers, or probed for each case along the list's order.
    enum WordPlan { case caseload, first, probed }

    /// The words searched for (at most five): a case number is one word, anything else is
    /// split as names are.
    static func searchWords(_ q: String) -> [String] {
        let words = q.split(separator: " ").flatMap { token -> [String] in
            CaseNumber(token.uppercased()) != nil ? [token.lowercased()] : SearchText.words(String(token))
        }
        return Array(words.filter { !$0.hasPrefix("~") }.prefix(5))
    }

    /// The count of a filter on status, host country and office alone (or none), from the
    /// summary's status slice: one row per status, host country and office.
    private func summaryCount(_ filter: CaseFilter) -> SQLQueryString? {
        guard partnerInstitution == nil, offices == nil, filter.updatedSince == nil else { return nil }
        let others = [filter.q, filter.vulnerability, filter.caseworker, filter.mine, filter.recent,
                      filter.registered_from, filter.registered_to, filter.arrived_from, filter.arrived_to]
        guard others.allSatisfy({ ($0 ?? "").trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
        func value(_ text: String?) -> String? { text?.trimmingCharacters(in: .whitespaces).nilIfEmpty }
        var query: SQLQueryString = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total FROM return_summary WHERE slice = \(bind: ReturnSummary.Slice.status.rawValue)"
        if let status = value(filter.status), CaseStatus(rawValue: status) != nil { query = query + " AND a = \(bind: status)" }
        if let host = value(filter.host_country) { query = query + " AND host_country = \(bind: host.uppercased())" }
        if let office = value(filter.office) { query = query + " AND office = \(bind: office.uppercased())" }
        return query
    }


    /// The count of cases changed since an instant (`recent`, `updated_since`), alone or with
    /// status, host country and office: the rows themselves while they are few; when there are
    /// more, the summary's count of those criteria less the cases *not* changed since — the
    /// smaller side after a bulk import, when every case changed this week (PostgreSQL counts an
    /// index of half a million entries in 16–22 ms; the few unchanged in well under one).
    /// Exact either way: the summary is kept exact by every write.
    private func recentCount(_ filter: CaseFilter, whereClause: SQLQueryString, now: Date) async throws -> Int? {
        guard filter.recent == "1" || filter.updatedSince != nil else { return nil }
        var criteria = filter
        criteria.recent = nil
        criteria.updated_since = nil
        guard let all = summaryCount(criteria) else { return nil }
        let sql = try self.sql
        struct Count: Decodable { var total: Int }
        let limit = recentCountedRows
        let counted = try await sql.raw("SELECT COUNT(*) AS total FROM (SELECT 1 FROM return_cases c" + whereClause
                                        + " LIMIT \(unsafeRaw: String(limit + 1))) AS changed").first(decoding: Count.self)?.total ?? 0
        guard counted > limit else { return counted }
        let since = [filter.recent == "1" ? now.addingTimeInterval(-7 * 86_400) : nil, filter.updatedSince].compactMap { $0 }.max() ?? now
        // The same status, host country and office as the list's conditions say them.
        let same = conditions(criteria, userID: nil, now: now) + ["c.updated_at < \(bind: since)"]
        let unchanged: SQLQueryString = "SELECT COUNT(*) AS total FROM return_cases c WHERE " + same.joined(separator: " AND ")
        let total = try await sql.raw(all).first(decoding: Count.self)?.total ?? 0
        let before = try await sql.raw(unchanged).first(decoding: Count.self)?.total ?? 0
        return total - before
    }

    /// The range of words a filter reads when a vulnerability, or one search word, is all it
    /// asks, and whether it is one exact word (held once per case).
    private func soleWordRange(_ filter: CaseFilter) -> (range: SQLQueryString, exact: Bool)? {
        guard partnerInstitution == nil, offices == nil else { return nil }
        let others = [filter.status, filter.host_country, filter.office, filter.caseworker, filter.mine, filter.recent,
                      filter.registered_from, filter.registered_to, filter.arrived_from, filter.arrived_to]
        guard others.allSatisfy({ ($0 ?? "").trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
        let vulnerability = filter.vulnerability?.nilIfEmpty.flatMap(Vulnerability.init(code:))
        let words = Self.searchWords(filter.q ?? "")
        if let vulnerability, words.isEmpty { return ("t.term = \(bind: SearchText.vulnerabilityTerm(vulnerability.rawValue))", true) }
        if vulnerability == nil, words.count == 1 { return ("t.term >= \(bind: words[0]) AND t.term < \(bind: SearchText.upperBound(ofPrefix: words[0]))", false) }
        return nil
    }

    /// The filter as SQL conditions on `c` (return_cases). With `scanSortIndex` (the sort
    /// column), other column comparisons are written `+c.column` and the vulnerability lookup as
    /// a correlated EXISTS, so that SQLite reads the sort column's index instead of the filter's.
    /// `words` (PostgreSQL) says how the searched words are read (`WordPlan`).
    private func conditions(_ filter: CaseFilter, userID: UUID?, now: Date, scanSortIndex sortColumn: String? = nil,
                            words plan: WordPlan = .caseload) -> [SQLQueryString] {
        let scanSortIndex = sortColumn != nil
        var conditions: [SQLQueryString] = []
        if let partnerInstitution { conditions.append(ConsentQueries.principalShares(with: partnerInstitution)) }
        if let offices { conditions.append(Self.officeCondition(offices)) }
        func value(_ text: String?) -> String? { text?.trimmingCharacters(in: .whitespaces).nilIfEmpty }
        // The sort column keeps its index: a range on it is read in order.
        // The office keeps its index when the sort is the case number: (office, case_number) is both.
        let column: (String) -> SQLQueryString = { name in
            let keeps = name == sortColumn || (name == "office" && sortColumn == "case_number")
            return SQLQueryString("\(unsafeRaw: scanSortIndex && !keeps ? "+" : "")c.\(unsafeRaw: name)")
        }
        // An exact word is checked row by row through the (term, case_id) index when scanning;
        // a prefix always drives the query from the words it matches.
        func hasTerm(_ range: SQLQueryString, exact: Bool = false) -> SQLQueryString {
            scanSortIndex && exact ? "EXISTS (SELECT 1 FROM case_terms t WHERE " + range + " AND t.case_id = c.id)"
                : "c.id IN (SELECT t.case_id FROM case_terms t WHERE " + range + ")"
        }
        if let status = value(filter.status), CaseStatus(rawValue: status) != nil { conditions.append(column("status") + " = \(bind: status)") }
        if let host = value(filter.host_country) { conditions.append(column("host_country") + " = \(bind: host.uppercased())") }
        if let office = value(filter.office) { conditions.append(column("office") + " = \(bind: office.uppercased())") }
        if let code = value(filter.vulnerability), let vulnerability = Vulnerability(code: code) {
            conditions.append(hasTerm("t.term = \(bind: SearchText.vulnerabilityTerm(vulnerability.rawValue))", exact: true))
        }
        if let worker = value(filter.caseworker).flatMap(UUID.init(uuidString:)) { conditions.append(column("caseworker_id") + " = \(bind: worker)") }
        if filter.mine == "1", let userID { conditions.append(column("caseworker_id") + " = \(bind: userID)") }
        if filter.recent == "1" { conditions.append(column("updated_at") + " >= \(bind: now.addingTimeInterval(-7 * 86_400))") }
        if let since = filter.updatedSince { conditions.append(column("updated_at") + " >= \(bind: since)") }
        if let from = value(filter.registered_from).flatMap(Day.init(iso:)) { conditions.append(column("registered_on") + " >= \(bind: from.iso)") }
        if let to = value(filter.registered_to).flatMap(Day.init(iso:)) { conditions.append(column("registered_on") + " <= \(bind: to.iso)") }
        if let from = value(filter.arrived_from).flatMap(Day.init(iso:)) { conditions.append(column("arrival_date") + " >= \(bind: from.iso)") }
        if let to = value(filter.arrived_to).flatMap(Day.init(iso:)) { conditions.append(column("arrival_date") + " <= \(bind: to.iso)") }
        if let q = value(filter.q) {
            // Each word must begin a word of the case (a name, a document or case number):
            // an index range on case_terms, never a scan of the caseload. A case number is
            // one word; anything else is split as names are.
            let ranges = Self.searchWords(q).map { word -> SQLQueryString in
                "(t.term >= \(bind: word) AND t.term < \(bind: SearchText.upperBound(ofPrefix: word)))"
            }
            // Several words: each word's range is read once and the cases holding every word are
            // the intersection (grouping the ranges' rows instead took 314 ms at 10 M, this 11 ms).
            let cases: SQLQueryString? = ranges.isEmpty ? nil
                : ranges.map { "SELECT t.case_id FROM case_terms t WHERE " + $0 }.joined(separator: " INTERSECT ")
            if let cases, plan == .first {
                conditions.append("c.id = ANY(ARRAY(" + cases + "))")
            } else if ranges.count == 1, plan == .probed {
                // OFFSET 0 keeps the probe a probe (the planner would make it a join).
                conditions.append("EXISTS (SELECT 1 FROM case_terms t WHERE t.case_id = c.id AND " + ranges[0] + " OFFSET 0)")
            } else if ranges.count == 1 {
                conditions.append(hasTerm(ranges[0]))
            } else if let cases {
                conditions.append("c.id IN (" + cases + ")")
            }
        }
        return conditions
    }

    // MARK: One case

    struct MemberView: Sendable, Codable {
        var memberNumber: Int
        var relationship: String
        var givenNames: String
        var familyName: String
        var sex: String
        var birthDate: String?
        var birthYear: Int?
        var birthEstimated: Bool
        var nationality: String
        var documentType: String
        var documentNumber: String?
        var phone: String?
        var languages: String?
        var originRegion: String?
        var originDepartment: String?
        var educationLevel: String?
        var occupation: String?
        var leftCountryOn: String?
        var route: [String]
        var stay: String?
        var vulnerabilities: [String]
        /// The day the member was anonymised (retention or erasure); nil while they are named.
        var anonymisedOn: String? = nil
        /// The consent answers in force (read with the case, not kept in the member row).
        var consent = ConsentState()

        enum CodingKeys: String, CodingKey {
            case memberNumber, relationship, givenNames, familyName, sex, birthDate, birthYear, birthEstimated, nationality, documentType,
                 documentNumber, phone, languages, originRegion, originDepartment, educationLevel, occupation, leftCountryOn, route, stay,
                 vulnerabilities, anonymisedOn
        }
    }

    struct TransitionView: Sendable, Codable {
        var fromStatus: String?
        var toStatus: String
        var occurredOn: String
        var closureReason: String?
        var note: String?
        var actor: String
        var recordedAt: Date
    }

    struct AssistanceView: Sendable, Codable {
        var type: String
        var phase: String
        var memberNumber: Int?
        var providedOn: String
        var description: String
        var amountCents: Int64?
        var currency: String?
        var actor: String
    }

    struct CaseView: Sendable {
        var caseNumber: String
        var office: String
        var hostCountry: String
        var status: String
        var closureReason: String?
        var registeredOn: String
        var departureDate: String?
        var arrivalDate: String?
        var caseworkerID: UUID?
        var caseworkerName: String?
        var version: Int
        var updatedAt: Date
        var members: [MemberView]
        /// Members left out for a partner institution's reader (no sharing consent naming it).
        var hiddenMembers: Int = 0
        var transitions: [TransitionView]
        var assistance: [AssistanceView]
        /// Member numbers with protected details on record (the content is not here); empty for
        /// roles that may not read protected fields, since knowing who has them already says much.
        var membersWithProtectedDetails: [Int]
        /// Edits recorded in the audit trail: who changed which fields, and when.
        var changes: [ChangeView]
    }

    struct ChangeView: Sendable {
        var at: Date
        var actor: String
        var entityType: String
        var entityID: String?
        var action: String
        var fields: [String]
    }

    /// The cases of `offices` as SQL on `c`: held by one of them, or returning from the country
    /// of one of them (`OfficeScope.covers`).
    static func officeCondition(_ offices: OfficeScope) -> SQLQueryString {
        guard !offices.everyOffice else { return "1 = 1" }
        guard !offices.offices.isEmpty else { return "1 = 0" }
        let codes = offices.offices.sorted().map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
        return "(c.office IN (" + codes + ") OR c.host_country IN (" + codes + "))"
    }

    /// A case with its members, timeline and assistance; never its protected details.
    func detail(_ number: String, revealProtectedMarkers: Bool = false) async throws -> CaseView? {
        guard let record = try await ReturnCaseModel.query(on: database).filter(\.$caseNumber == number.uppercased()).first(),
              let caseID = record.id else { return nil }
        if let offices, !offices.covers(office: record.office, hostCountry: record.hostCountry) { return nil }
        var members = try await CaseMemberModel.query(on: database).filter(\.$returnCase.$id == caseID).sort(\.$memberNumber).all()
        let consent = try await ConsentQueries(database: database).states(memberIDs: members.compactMap(\.id))
        let householdSize = members.count
        if let partnerInstitution {
            members = members.filter { member in member.id.flatMap { consent[$0] }?.sharedWith(partnerInstitution.uuidString) ?? false }
            guard !members.isEmpty else { return nil }
        }
        let memberNumbers = Dictionary(uniqueKeysWithValues: members.compactMap { member in member.id.map { ($0, member.memberNumber) } })
        let transitions = try await CaseTransitionModel.query(on: database).filter(\.$caseID == caseID)
            .sort(\.$occurredOn).sort(\.$recordedAt).all()
        let assistance = try await AssistanceItemModel.query(on: database).filter(\.$caseID == caseID).sort(\.$providedOn).all()
        let protected = try await ProtectedDetailsModel.query(on: database).filter(\.$caseID == caseID).all()
        let worker = try await record.caseworkerID.asyncMap { try await UserModel.find($0, on: database)?.name } ?? nil
        let changes = try await AuditEntryModel.query(on: database)
            .filter(\.$entityType ~~ (revealProtectedMarkers ? ["return_case", "case_member", "case_assistance", "case_protected"] : ["return_case", "case_member", "case_assistance"]))
            .group(.or) { $0.filter(\.$entityID == record.caseNumber).filter(\.$entityID, .custom("LIKE"), record.caseNumber + "/%") }
            .sort(\.$id, .descending).limit(100).all()
            .map { ChangeView(at: Date(timeIntervalSince1970: Double($0.occurredAtMilliseconds) / 1000), actor: $0.actorLabel, entityType: $0.entityType,
                              entityID: $0.entityID, action: $0.action,
                              fields: $0.changedFields.isEmpty ? [] : $0.changedFields.split(separator: ",").map(String.init)) }
        // A partner institution's user: nothing of the people left out (their changes, and the
        // notes of the steps, free text that may name them).
        let shownNumbers = Set(memberNumbers.values.map { "\(record.caseNumber)/\($0)" })
        let visibleChanges = partnerInstitution == nil ? changes
            : changes.filter { change in change.entityID == record.caseNumber || shownNumbers.contains(change.entityID ?? "") }
        return CaseView(
            caseNumber: record.caseNumber, office: record.office, hostCountry: record.hostCountry, status: record.status,
            closureReason: record.closureReason, registeredOn: record.registeredOn, departureDate: record.departureDate,
            arrivalDate: record.arrivalDate, caseworkerID: record.caseworkerID, caseworkerName: worker, version: record.version,
            updatedAt: record.updatedAt, members: members.map { member in
                var view = Self.view(member)
                view.consent = member.id.flatMap { consent[$0] } ?? ConsentState()
                return view
            }, hiddenMembers: householdSize - members.count,
            transitions: transitions.map { TransitionView(fromStatus: $0.fromStatus, toStatus: $0.toStatus, occurredOn: $0.occurredOn,
                                                          closureReason: $0.closureReason, note: partnerInstitution == nil ? $0.note : nil,
                                                          actor: $0.actorLabel, recordedAt: $0.recordedAt) },
            assistance: assistance.filter { item in item.memberID.map { memberNumbers[$0] != nil } ?? true }.map { AssistanceView(type: $0.type, phase: $0.phase, memberNumber: $0.memberID.flatMap { memberNumbers[$0] },
                                                        providedOn: $0.providedOn, description: $0.description, amountCents: $0.amountCents,
                                                        currency: $0.currency, actor: $0.actorLabel) },
            membersWithProtectedDetails: revealProtectedMarkers ? protected.compactMap { memberNumbers[$0.memberID] }.sorted() : [], changes: visibleChanges)
    }

    static func view(_ member: CaseMemberModel) -> MemberView {
        MemberView(
            memberNumber: member.memberNumber, relationship: member.relationship, givenNames: member.givenNames,
            familyName: member.familyName, sex: member.sex, birthDate: member.birthDate, birthYear: member.birthYear,
            birthEstimated: member.birthDate == nil && member.birthYear != nil, nationality: member.nationality,
            documentType: member.documentType, documentNumber: member.documentNumber, phone: member.phone,
            languages: member.languages, originRegion: member.originRegion, originDepartment: member.originDepartment,
            educationLevel: member.educationLevel, occupation: member.occupation, leftCountryOn: member.leftCountryOn,
            route: member.route.split(separator: "|").map(String.init), stay: member.stay,
            vulnerabilities: member.vulnerabilities.split(separator: "|").map(String.init), anonymisedOn: member.anonymisedOn)
    }

    struct ProtectedView: Sendable, Codable {
        var memberNumber: Int
        var memberName: String
        var exploitationForm: String?
        var identifiedOn: String?
        var identifiedPlace: String?
        var identifiedBy: String?
        var referral: String?
        var medicalNotes: String?
        var version: Int
    }

    /// The protected details of every member of a case (empty ones included, version 0).
    /// Callers must hold `viewProtected` and audit the read.
    func protectedDetails(_ number: String) async throws -> [ProtectedView]? {
        guard let record = try await ReturnCaseModel.query(on: database).filter(\.$caseNumber == number.uppercased()).first(),
              let caseID = record.id else { return nil }
        let members = try await CaseMemberModel.query(on: database).filter(\.$returnCase.$id == caseID).sort(\.$memberNumber).all()
        let details = try await ProtectedDetailsModel.query(on: database).filter(\.$caseID == caseID).all()
        return members.map { member in
            let found = details.first { $0.memberID == member.id }
            return ProtectedView(memberNumber: member.memberNumber, memberName: "\(member.givenNames) \(member.familyName)",
                                 exploitationForm: found?.exploitationForm, identifiedOn: found?.identifiedOn,
                                 identifiedPlace: found?.identifiedPlace, identifiedBy: found?.identifiedBy,
                                 referral: found?.referral, medicalNotes: found?.medicalNotes, version: found?.version ?? 0)
        }
    }

    /// Active users who can be assigned cases.
    func caseworkers() async throws -> [(id: UUID, name: String)] {
        let roles = [Role.caseworker.rawValue, Role.protection.rawValue, Role.admin.rawValue]
        return try await UserModel.query(on: database).filter(\.$isActive == true).filter(\.$role ~~ roles).sort(\.$name).all()
            .compactMap { user in user.id.map { ($0, user.name) } }
    }

    // MARK: Export

    struct ExportRow: Sendable {
        var values: [String: String]
    }

    /// Every member of every case matching `filter`, in case-number order, for exports;
    /// protected columns only when `includeProtected`.
    func exportRows(_ filter: CaseFilter, userID: UUID?, now: Date, includeProtected: Bool) async throws -> [ExportRow] {
        let sql = try self.sql
        var conditions = conditions(filter, userID: userID, now: now)
        if let partnerInstitution {
            // Each row is a person: only those who share with the reader's institution.
            conditions.append("""
                EXISTS (SELECT 1 FROM member_consents mc WHERE mc.member_id = m.id AND mc.purpose = 'sharing' AND mc.is_current = 1
                        AND mc.answer = 'given' AND mc.withdrawn_on IS NULL AND mc.partners LIKE \(bind: "%|\(partnerInstitution.uuidString.lowercased())|%"))
                """)
        }
        let whereClause = conditions.isEmpty ? SQLQueryString("") : SQLQueryString(" WHERE ") + conditions.joined(separator: " AND ")
        let protectedColumns: SQLQueryString = includeProtected
            ? ", p.exploitation_form, p.identified_on, p.identified_place, p.identified_by, p.referral, p.medical_notes" : ""
        let protectedJoin: SQLQueryString = includeProtected ? " LEFT JOIN case_protected_details p ON p.member_id = m.id" : ""
        let query: SQLQueryString = """
            SELECT c.case_number, CAST(m.id AS TEXT) AS member_id, CAST(m.member_number AS TEXT) AS member, m.relationship, m.given_names, m.family_name, m.sex, m.birth_date,
                   CAST(m.birth_year AS TEXT) AS birth_year,
                   m.nationality, c.host_country, c.office, c.registered_on, c.departure_date, c.arrival_date, c.status,
                   m.origin_region, m.origin_department, m.document_type, m.document_number, m.vulnerabilities, c.closure_reason,
                   m.phone, m.languages, m.education_level, m.occupation, m.left_country_on, m.route, m.stay
            """ + protectedColumns + " FROM return_cases c JOIN case_members m ON m.case_id = c.id" + protectedJoin
            + whereClause + " ORDER BY c.case_number, m.member_number"
        // Whole numbers are cast to text in SQL: PostgreSQL would hand their binary form to a
        // text decoder.
        var rows: [ExportRow] = []
        for row in try await sql.raw(query).all() {
            var values: [String: String] = [:]
            for column in row.allColumns {
                if let text = try? row.decodeNil(column: column), text { values[column] = ""; continue }
                if let text = try? row.decode(column: column, as: String.self) { values[column] = text }
                else if let number = try? row.decode(column: column, as: Int.self) { values[column] = String(number) }
            }
            let birth = values["birth_date"].flatMap { $0.isEmpty ? nil : $0 } ?? values["birth_year"] ?? ""
            values["birth_date"] = birth
            values["vulnerabilities"] = values["vulnerabilities"]?.split(separator: "|").joined(separator: "|")
            rows.append(ExportRow(values: values))
        }
        try await fillConsent(&rows)
        return rows
    }

    /// The consent columns of exported rows: each purpose's answer in force (`withdrawn` for a
    /// consent taken back), the method and day of the latest of them, the partners by acronym.
    private func fillConsent(_ rows: inout [ExportRow]) async throws {
        let ids = rows.compactMap { $0.values["member_id"].flatMap(UUID.init(uuidString:)) }
        var current: [UUID: [MemberConsentModel]] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for model in try await MemberConsentModel.query(on: database).filter(\.$memberID ~~ chunk).filter(\.$isCurrent == 1).all() {
                current[model.memberID, default: []].append(model)
            }
        }
        guard !current.isEmpty else { return }
        let acronyms = Dictionary(try await InstitutionModel.query(on: database).all().compactMap { institution in
            institution.id.map { ($0.uuidString.lowercased(), institution.acronym) } }, uniquingKeysWith: { first, _ in first })
        for index in rows.indices {
            guard let id = rows[index].values["member_id"].flatMap(UUID.init(uuidString:)), let answers = current[id] else { continue }
            for answer in answers {
                rows[index].values["consent_" + answer.purpose] = answer.withdrawnOn == nil ? answer.answer : "withdrawn"
            }
            if let latest = answers.max(by: { ($0.recordedOn, $0.recordedAt) < ($1.recordedOn, $1.recordedAt) }) {
                rows[index].values["consent_method"] = latest.method
                rows[index].values["consent_date"] = latest.withdrawnOn ?? latest.recordedOn
            }
            if let sharing = answers.first(where: { $0.purpose == ConsentPurpose.sharing.rawValue }) {
                rows[index].values["consent_partners"] = sharing.partnerIDs.map { acronyms[$0] ?? $0 }.sorted().joined(separator: "|")
            }
        }
    }

    /// How many of a case worker's cases stand at each status (statuses with none left out).
    func statusCounts(caseworkerID: UUID) async throws -> [(String, Int)] {
        var cases = try await ReturnCaseModel.query(on: database).filter(\.$caseworkerID == caseworkerID).all()
        if let offices { cases.removeAll { !offices.covers(office: $0.office, hostCountry: $0.hostCountry) } }
        return CaseStatus.allCases.map { status in (status.rawValue, cases.filter { $0.status == status.rawValue }.count) }.filter { $0.1 > 0 }
    }
}


extension Request {
    /// The case reads of this request's reader (a partner institution's user sees only the
    /// people who consented to share with it).
    var caseQueries: CaseQueries {
        CaseQueries(database: db, partnerInstitution: currentUser?.institutionID, offices: Policy.caseOffices(currentUser?.principal))
    }
}

extension Request {
    /// For a partner institution's user, or one whose offices limit what they reach: the case of
    /// the route (and its member, when the route names one) must be among what they see, or the
    /// route answers 404 as for a case that does not exist. Every read and write of one case
    /// passes here.
    func requireVisibleCase() async throws {
        guard currentUser?.institutionID != nil || Policy.caseOffices(currentUser?.principal) != nil else { return }
        guard let number = parameters.get("number"), let view = try await caseQueries.detail(number.uppercased()) else { throw Abort(.notFound) }
        if let member = parameters.get("member", as: Int.self), !view.members.contains(where: { $0.memberNumber == member }) { throw Abort(.notFound) }
    }

    /// Whether the reader works for a partner institution (they see people by consent only).
    var readsByConsent: Bool { currentUser?.institutionID != nil }
}
