import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// The structures kept for speed (return counts, search words) against what they stand for.
@Suite struct SummaryExactnessTests {
    /// One cache for the whole test, as a server keeps one: it must follow every write.
    static let cache = SummaryCache()

    static func expectExact(_ corridor: TestCorridor, _ step: String) async throws {
        let stored = try await CaseDerivedData.stored(on: corridor.app.db)
        let recount = try await CaseDerivedData.recount(on: corridor.app.db)
        #expect(!stored.isEmpty, "\(step): the summary holds counts")
        #expect(stored == recount, "\(step): the summary equals a recount")
        let catalog = corridor.app.profilingCatalog
        let cached = IndicatorQueries(database: corridor.app.db, cache: cache, today: Day(corridor.clock.now()))
        for filters in [FigureFilters(), FigureFilters(hostCountry: "TUN"), FigureFilters(vulnerability: "vot")] {
            for indicator in [Indicator.returns, .registrations, .casesOpen] {
                let fast = try await cached.figure(indicator, filters, catalog: catalog, language: .en).value
                let slow = try await cached.figure(indicator, filters, catalog: catalog, language: .en, useSummary: false).value
                #expect(fast == slow, "\(step): cached \(indicator) \(filters)")
            }
        }
        let table = try await cached.returnsTable(by: ["host_country", "year"], filters: FigureFilters())
        let counted = try await cached.returnsTable(by: ["host_country", "year"], filters: FigureFilters(), useSummary: false)
        #expect(table.counts == counted.counts && table.rows == counted.rows, "\(step): cached table")
    }

    @Test func summaryEqualsARecountAfterEveryKindOfWrite() async throws {
        try await TestCorridor.run { corridor in
            let db = corridor.app.db
            let service = CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
            let today = Day(corridor.clock.now())
            let households = DemoCases.generate(households: 120, seed: 5, today: today)
            _ = try await service.commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            try await Self.expectExact(corridor, "import")

            // Created in the form.
            let principal = MemberDraft(memberNumber: 1, relationship: .principal, givenNames: "Adjoua", familyName: "Kouamé", sex: .female,
                                        birthDate: BirthDate(text: "1991-04-02"), nationality: "CIV", originRegion: "Gôh", vulnerabilities: [.vot])
            let created = try await service.create(CaseHeaderDraft(hostCountry: "MAR", office: "CIV", registeredOn: today.adding(days: -30), caseworkerID: nil),
                                                   principal: principal)
            try await Self.expectExact(corridor, "create")

            // Travelled and arrived: the case enters the return counts.
            var version = 1
            for (offset, status) in [CaseStatus.counselled, .approved, .travelReady, .departed, .arrived].enumerated() {
                try await service.transition(number: created.caseNumber, to: status, on: today.adding(days: -10 + offset), reason: nil, note: nil,
                                             expectedVersion: version)
                version += 1
            }
            try await Self.expectExact(corridor, "transition")

            // A member added, another edited, the household moved to another host country.
            var child = principal
            child.relationship = .child
            child.givenNames = "Éli"
            child.sex = .male
            child.birthDate = BirthDate(text: "2016")
            child.vulnerabilities = []
            _ = try await service.saveMember(number: created.caseNumber, child, isNew: true, expectedVersion: version)
            var edited = principal
            edited.birthDate = BirthDate(text: "1970-01-01")
            edited.vulnerabilities = [.disability]
            _ = try await service.saveMember(number: created.caseNumber, edited, isNew: false, expectedVersion: version + 1)
            try await service.updateHeader(number: created.caseNumber, CaseHeaderDraft(hostCountry: "TUN", office: "CIV", registeredOn: today.adding(days: -30),
                                                                                         caseworkerID: nil), expectedVersion: version + 2)
            try await Self.expectExact(corridor, "edit")

            // A streamed re-import that moves one stored case forward and adds a household.
            let stored = households.first { $0.fields.status == .registered }!
            let number = stored.caseNumber!.description
            let member = stored.members[0]
            let csv = """
                case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on,departure_date,arrival_date,status,vulnerabilities
                \(number),1,principal,\(member.givenNames),\(member.familyName),\(member.sex.rawValue),\(member.birthDate?.description ?? ""),\(member.nationality),\(stored.fields.hostCountry),CIV,\(stored.fields.registeredOn.iso),\(today.adding(days: -1).iso),\(today.iso),arrived,
                CIV-2019-09001,1,principal,Koffi,N'Guessan,M,1985-05-05,CIV,LBY,CIV,2019-02-01,2019-03-01,2019-03-02,reintegration_ongoing,vot
                CIV-2019-09001,2,spouse,Aya,N'Guessan,F,1988,CIV,LBY,CIV,2019-02-01,2019-03-01,2019-03-02,reintegration_ongoing,
                """
            let report = try await service.importCases(from: .data(Data(csv.utf8)), fileName: "more.csv", write: true)
            #expect(report.issues.isEmpty)
            #expect(report.outcome.casesCreated == 1)
            #expect(report.outcome.casesUpdated == 1)
            try await Self.expectExact(corridor, "streamed import")
            let again = try await service.importCases(from: .data(Data(csv.utf8)), fileName: "more.csv", write: true)
            #expect(again.outcome.casesUnchanged == 2 && again.outcome.casesCreated == 0 && again.outcome.casesUpdated == 0)

            // Erased.
            let record = try await CaseService.find(created.caseNumber, on: db)
            try await service.delete(number: created.caseNumber, expectedVersion: record.version)
            try await Self.expectExact(corridor, "delete")
            #expect(try await ReturnCaseModel.query(on: db).filter(\.$caseNumber == created.caseNumber).count() == 0)

            // Search words follow the same writes: found without accents or apostrophe, by a
            // word's beginning and by case number; the erased case is gone.
            let queries = CaseQueries(database: db)
            func found(_ q: String) async throws -> [String] {
                try await queries.list(CaseFilter(q: q), userID: nil, now: corridor.clock.now(), pageSize: 500).rows.map(\.caseNumber)
            }
            #expect(try await found("nguessan koff") == ["CIV-2019-09001"])
            #expect(try await found("civ-2019-09001") == ["CIV-2019-09001"])
            #expect(try await found("kouame adjoua").isEmpty)
            let vot = try await queries.list(CaseFilter(vulnerability: "vot"), userID: nil, now: corridor.clock.now(), pageSize: 500)
            struct Count: Decodable { var total: Int }
            let counted = try await db.sqlDatabase.raw("""
                SELECT COUNT(*) AS total FROM return_cases c WHERE EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.vulnerabilities LIKE '%|vot|%')
                """).first(decoding: Count.self)?.total
            #expect(vot.total == counted && vot.total > 0)

            // Both ways of reading a page (the filter's index, or the sort's index past many
            // matches) give the same rows.
            let filters = [
                CaseFilter(status: "registered"), CaseFilter(host_country: "MAR", sort: "principal_name", dir: "asc"),
                CaseFilter(vulnerability: "vot", sort: "arrival_date"), CaseFilter(q: "ko", sort: "case_number", dir: "asc"),
                CaseFilter(registered_from: "2020-01-01", registered_to: "2024-12-31", sort: "registered_on"),
                CaseFilter(office: "CIV", recent: "1", sort: "updated_at", page: 2),
            ]
            for filter in filters {
                let usual = try await queries.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7)
                let scanning = try await queries.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7, scanThreshold: 0)
                #expect(usual.rows.map(\.caseNumber) == scanning.rows.map(\.caseNumber) && usual.total == scanning.total, "\(filter)")
            }
            // Cases changed this week (or since an instant), alone or with status, host country
            // and office: counted one by one, or as the summary's count less the cases not
            // changed since — the same number as counting the rows.
            var counting = queries
            counting.recentCountedRows = 0
            struct Total: Decodable { var total: Int }
            // Half the caseload last changed a month ago.
            let month = corridor.clock.now().addingTimeInterval(-30 * 86_400)
            try await db.sqlDatabase.raw("""
                UPDATE return_cases SET updated_at = \(bind: month) WHERE case_number < (SELECT MIN(case_number) FROM return_cases WHERE status = 'registered')
                    OR case_number IN (SELECT case_number FROM return_cases ORDER BY case_number LIMIT 20)
                """).run()
            for filter in [CaseFilter(recent: "1"), CaseFilter(status: "registered", recent: "1"), CaseFilter(office: "CIV", recent: "1", sort: "updated_at"),
                           CaseFilter(host_country: "MAR", recent: "1"), CaseFilter(updated_since: "2000-01-01"), CaseFilter(updated_since: "2999-01-01")] {
                let byRows = try await queries.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7)
                let bySummary = try await counting.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7)
                #expect(byRows.total == bySummary.total && byRows.rows.map(\.caseNumber) == bySummary.rows.map(\.caseNumber), "\(filter)")
            }
            let weekAgo = corridor.clock.now().addingTimeInterval(-7 * 86_400)
            let changed = try await db.sqlDatabase.raw("SELECT COUNT(*) AS total FROM return_cases WHERE updated_at >= \(bind: weekAgo) AND status = 'registered'")
                .first(decoding: Total.self)?.total
            let registeredThisWeek = try await counting.list(CaseFilter(status: "registered", recent: "1"), userID: nil, now: corridor.clock.now()).total
            #expect(registeredThisWeek == changed && registeredThisWeek > 0)
            let all = try await queries.list(CaseFilter(), userID: nil, now: corridor.clock.now()).total
            let thisWeek = try await counting.list(CaseFilter(recent: "1"), userID: nil, now: corridor.clock.now()).total
            #expect(thisWeek < all && thisWeek > 0, "some cases changed this week, not all: \(thisWeek) of \(all)")

            // A search read from its words first (PostgreSQL, few matches) or from the caseload
            // gives the same rows, one word or several, alone or with another filter.
            let searches = [
                CaseFilter(q: "ko"), CaseFilter(q: "nguessan"), CaseFilter(q: "ko a", sort: "principal_name", dir: "asc"),
                CaseFilter(q: "ko", status: "registered", sort: "arrival_date"), CaseFilter(q: "civ-2019-09001"), CaseFilter(q: "zzzz"),
            ]
            for filter in searches {
                let wordsFirst = try await queries.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7, wordsFirstLimit: .max)
                let caseload = try await queries.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7, wordsFirstLimit: -1)
                let chosen = try await queries.list(filter, userID: nil, now: corridor.clock.now(), pageSize: 7)
                #expect(wordsFirst.rows.map(\.caseNumber) == caseload.rows.map(\.caseNumber) && wordsFirst.total == caseload.total, "\(filter)")
                #expect(chosen.rows.map(\.caseNumber) == caseload.rows.map(\.caseNumber) && chosen.total == caseload.total, "\(filter)")
                // The next page too, by number and by cursor (the walk goes on past an offset).
                let second = try await queries.list(CaseFilter(q: filter.q, status: filter.status, sort: filter.sort, dir: filter.dir, page: 2),
                                                    userID: nil, now: corridor.clock.now(), pageSize: 7, wordsFirstLimit: -1)
                let secondFirst = try await queries.list(CaseFilter(q: filter.q, status: filter.status, sort: filter.sort, dir: filter.dir, page: 2),
                                                         userID: nil, now: corridor.clock.now(), pageSize: 7, wordsFirstLimit: .max)
                #expect(second.rows.map(\.caseNumber) == secondFirst.rows.map(\.caseNumber), "\(filter) page 2")
                if filter.q != "zzzz" { #expect(!caseload.rows.isEmpty, "\(filter)") }
            }
        }
    }

    /// What `corridor summary rebuild` and the migration on an existing caseload do.
    @Test func rebuildingGivesTheSameSummaryAndWords() async throws {
        try await TestCorridor.run { corridor in
            let db = corridor.app.db
            let households = DemoCases.generate(households: 80, seed: 3, today: Day(corridor.clock.now()))
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let summary = try await CaseDerivedData.stored(on: db)
            struct Term: Decodable, Hashable { var term: String; var caseId: UUID }
            func terms() async throws -> Set<Term> {
                Set(try await db.sqlDatabase.raw("SELECT term, case_id FROM case_terms").all(decoding: Term.self, with: CaseDerivedData.decoder))
            }
            let words = try await terms()
            let version = try await CaseDerivedData.version(on: db)
            try await db.writeTransaction { try await CaseDerivedData.rebuild(on: $0) }
            #expect(try await CaseDerivedData.stored(on: db) == summary)
            #expect(try await terms() == words && !words.isEmpty)
            #expect(try await CaseDerivedData.version(on: db) > version, "a rebuild moves the version, so caches drop what they kept")
        }
    }

    /// Rows written in bulk (multi-row INSERT on SQLite, COPY on PostgreSQL) read back through
    /// the models exactly: a text with tabs, newlines, backslashes and `\N`, a NULL, a date to
    /// the microsecond, identifiers.
    @Test func bulkRowsReadBackThroughTheModels() async throws {
        try await TestCorridor.run { corridor in
            let today = Day(corridor.clock.now())
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: DemoCases.generate(households: 3, seed: 4, today: today), issues: [], rowCount: 0), fileName: "demo")
            let caseID = try #require(try await ReturnCaseModel.query(on: corridor.app.db).first()?.requireID())
            let note = "ligne 1\tcolonne\nligne 2 \\ fin\r\\N « Kouamé »"
            let recorded = Date(timeIntervalSince1970: 1_796_601_600.123456)
            var ids = OrderedIDGenerator()
            let id = ids.next()
            var insert = BulkInsert(into: "case_transitions", columns: CaseImportWriter.transitionColumns, on: corridor.app.db)
            insert.append([.uuid(id), .uuid(caseID), .null, .text("registered"), .text("2026-01-02"), .null, .text(note), .text("test"), .date(recorded)])
            for number in 0..<2_500 {
                insert.append([.uuid(ids.next()), .uuid(caseID), .text("registered"), .text("returned"), .text("2026-01-03"), .null, .text("n\(number)"),
                               .text("test"), .date(recorded)])
            }
            try await insert.flush()
            let row = try #require(try await CaseTransitionModel.find(id, on: corridor.app.db))
            #expect(row.note == note)
            #expect(row.fromStatus == nil)
            #expect(row.toStatus == "registered" && row.occurredOn == "2026-01-02" && row.caseID == caseID)
            #expect(abs(row.recordedAt.timeIntervalSince(recorded)) < 0.000_001, "\(row.recordedAt.timeIntervalSince1970)")
            let written = try await CaseTransitionModel.query(on: corridor.app.db).filter(\.$caseID == caseID).filter(\.$actorLabel == "test").count()
            #expect(written == 2_501)
        }
    }

    @Test func figuresFromTheSummaryEqualFiguresFromTheCases() async throws {
        try await TestCorridor.run { corridor in
            let today = Day(corridor.clock.now())
            let households = DemoCases.generate(households: 250, seed: 9, today: today)
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let queries = IndicatorQueries(database: corridor.app.db)
            let catalog = corridor.app.profilingCatalog
            let d = { (text: String) in Day(iso: text)! }
            let filters: [FigureFilters] = [
                FigureFilters(), FigureFilters(sex: "female"), FigureFilters(ageGroup: "25-34"), FigureFilters(region: "Gôh"),
                FigureFilters(vulnerability: "vot"), FigureFilters(hostCountry: "MAR"), FigureFilters(from: d("2020-01-01"), to: d("2023-12-31")),
                FigureFilters(from: d("2021-03-01"), to: d("2021-05-31"), hostCountry: "LBY", sex: "male"), FigureFilters(nationality: "CIV", sex: "F"),
                FigureFilters(from: d("2020-01-15")), FigureFilters(sex: "female", region: "Gôh"),
            ]
            for filter in filters {
                for indicator in [Indicator.returns, .registrations, .votIdentified, .casesOpen] {
                    let fast = try await queries.figure(indicator, filter, catalog: catalog, language: .en).value
                    let slow = try await queries.figure(indicator, filter, catalog: catalog, language: .en, useSummary: false).value
                    #expect(fast == slow, "\(indicator) \(filter)")
                }
            }
            for dimensions in [["host_country", "year"], ["sex", "age_group"], ["region"], ["quarter"], ["nationality", "sex"], ["year", "region"]] {
                for filter in [FigureFilters(), FigureFilters(from: d("2019-01-01"), to: d("2024-12-31"), hostCountry: "MAR")] {
                    let fast = try await queries.returnsTable(by: dimensions, filters: filter)
                    let slow = try await queries.returnsTable(by: dimensions, filters: filter, useSummary: false)
                    #expect(fast.rows == slow.rows && fast.columns == slow.columns && fast.counts == slow.counts, "\(dimensions) \(filter)")
                }
            }
        }
    }
}

@Suite struct BulkValueTests {
    /// Identifiers are bound as SQLite text exactly as Fluent writes them, so that rows written
    /// in bulk and rows written by models find each other.
    @Test func identifiersAreWrittenAsFluentWritesThem() {
        var ids = OrderedIDGenerator()
        for id in [UUID(), UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
                   ids.next(), ids.next()] {
            #expect(BulkInsert.text(of: id) == id.uuidString)
        }
    }

    /// PostgreSQL's COPY text: a date reads as the microsecond PostgresNIO would bind, before
    /// and after 2000 and across leap days; text escapes exactly its four special bytes.
    @Test func copyTextWritesDatesAndEscapesAsPostgreSQLReadsThem() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withFullTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let seconds: [TimeInterval] = [0, 946_684_800, 946_684_799.5, 951_782_400, 1_796_601_600.123456, 4_102_444_800, -86_400 * 365.25 * 30,
                                       1_709_164_800, 1_709_251_199.999999, 1_234_567_890.000001]
        for second in seconds {
            let date = Date(timeIntervalSince1970: second)
            let micros = Int64(date.timeIntervalSince(Date(timeIntervalSince1970: 946_684_800)) * 1_000_000)
            let text = CopyText.timestamp(date)
            // The text read back: the date part by Foundation, the fraction as written.
            let parts = text.split(separator: ".")
            let whole: Date? = formatter.date(from: parts[0].replacingOccurrences(of: " ", with: "T") + ".000Z")
            #expect(whole != nil, "\(text)")
            let fraction = Int64(parts[1].prefix(6)) ?? -1
            let readMicros = Int64(((whole ?? .distantPast).timeIntervalSince1970 - 946_684_800).rounded()) * 1_000_000 + fraction
            #expect(readMicros == micros, "\(second) → \(text)")
            #expect(text.hasSuffix("+00") && text.count == 29, "\(text)")
        }
        var buffer = ByteBuffer()
        var copy = CopyText()
        copy.append([.text("a\tb\nc\\d\re"), .text("\\N"), .null, .int(-7), .text("Kouamé Aḱ"), .text("")], to: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "a\\tb\\nc\\\\d\\re\t\\\\N\t\\N\t-7\tKouamé Aḱ\t\n")
    }
}
