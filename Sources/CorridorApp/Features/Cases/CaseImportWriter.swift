import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Where a case file comes from: a path (the command line, read a megabyte at a time) or an
/// upload already in memory.
enum CaseImportSource: Sendable {
    case file(String)
    case data(Data)

    var byteCount: Int {
        switch self {
        case .file(let path): return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        case .data(let data): return data.count
        }
    }

    /// The file as households: read as it is when its households are together, else in
    /// household order (`CaseFileOrder`), each row keeping its own line number. A workbook's
    /// first sheet is first written out as CSV, a row at a time, to a file no other process can
    /// open (unlinked at once), and read from there like a CSV file.
    func stream(today: Day) throws -> CaseImportStream {
        do {
            switch self {
            case .file(let path) where !Self.isWorkbook(path: path):
                guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
                return try Self.stream(handle: handle, today: today)
            case .file(let path):
                let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
                return try Self.stream(handle: try Self.workbookAsCSV(data, limits: .commandLine), today: today)
            case .data(let upload) where Self.isWorkbook(upload):
                return try Self.stream(handle: try Self.workbookAsCSV(upload, limits: .upload), today: today)
            case .data(let upload):
                // CSV stays bytes (no copy of a large upload).
                if let order = try CaseFileOrder.plan(try CSVStream(data: upload)) {
                    let reader = try order.stream { offset, length in
                        let start = upload.startIndex + offset
                        return [UInt8](upload[start..<(start + length)])
                    }
                    return try CaseImportStream(reader: reader, today: today, originalLines: order.lines)
                }
                return try CaseImportStream(reader: try CSVStream(data: upload), today: today, originalLines: nil)
            }
        } catch let error as TabularFileError {
            throw error
        } catch {
            throw TabularFileError.reading(error, line: 1)
        }
    }

    /// A CSV file read from an open handle, in household order when its households are spread.
    private static func stream(handle: FileHandle, today: Day) throws -> CaseImportStream {
        func reader() throws -> CSVStream {
            try handle.seek(toOffset: 0)
            return try CSVStream(source: { [UInt8](try handle.read(upToCount: 1 << 20) ?? Data()) })
        }
        if let order = try CaseFileOrder.plan(try reader()) {
            let ordered = try order.stream { offset, length in
                try handle.seek(toOffset: UInt64(offset))
                return [UInt8](try handle.read(upToCount: length) ?? Data())
            }
            return try CaseImportStream(reader: ordered, today: today, originalLines: order.lines)
        }
        return try CaseImportStream(reader: try reader(), today: today, originalLines: nil)
    }

    /// A workbook's first sheet as CSV in a temporary file that is unlinked as soon as it is
    /// open: the rows (personal data) never outlive the import, even one killed halfway.
    private static func workbookAsCSV(_ data: Data, limits: WorkbookReader.Limits) throws -> FileHandle {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-import-\(UUID().uuidString).csv").path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forUpdatingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        try FileManager.default.removeItem(atPath: path)
        try TabularText.firstSheetAsCSV(data, limits: limits) { try handle.write(contentsOf: $0) }
        return handle
    }

    static func isWorkbook(_ data: Data) -> Bool { data.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    static func isWorkbook(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return isWorkbook(handle.readData(ofLength: 4))
    }
}

/// What a whole import read and did.
struct CaseImportReport: Sendable {
    var outcome = CaseService.ImportOutcome()
    var issues: [ImportIssue] = []
    var rowCount = 0
    var acceptedRows = 0
    var households = 0
    /// Whether the accepted rows were written (false for a dry run or a rolled-back import).
    var written = false
    /// The numbers of the cases created, the first `createdCaseNumbersKept`: the report checks
    /// their people against the people already stored.
    var createdCaseNumbers: [String] = []
    static let createdCaseNumbersKept = 1_000
    var rejectedLines: Set<Int> { Set(issues.map(\.line)) }
}

/// The database refused rows of an import (the whole import is rolled back). `underlying` is the
/// driver's text, for the log only: users read the lines and a sentence.
struct CaseImportWriteError: Error, Sendable {
    var firstLine: Int
    var lastLine: Int
    var underlying: String
    /// A catalogue key naming what went wrong, without the driver's words.
    var reason: String {
        let text = underlying.lowercased()
        if text.contains("unique") || text.contains("duplicate key") { return "import.error.write_duplicate" }
        return "import.error.write_refused"
    }

    func message(_ catalogue: Catalogue) -> String {
        catalogue.text("import.error.write_failed", ["from": String(firstLine), "to": String(lastLine), "reason": catalogue.text(reason)])
    }
}

/// Writes imported households a batch at a time inside one transaction: new cases with
/// multi-row inserts (cases, members, timeline, search words), stored cases compared field by
/// field and updated one by one with their audit entry, and the return counts moved once at
/// the end. The caller's transaction makes it all or nothing.
///
/// A class, so that handing it from one batch's task to the next moves a reference instead of
/// copying its sets of every household met (a struct copied per batch duplicated them on the
/// first write: seconds at a million rows). Only one task uses it at a time: the import awaits
/// each batch before it hands the writer on, which is what makes `@unchecked Sendable` sound.
final class CaseImportWriter: @unchecked Sendable {
    let db: any Database
    let actor: AuditActor
    let now: Date
    let write: Bool
    private(set) var report = CaseImportReport()
    private var summary: CaseDerivedData.Cells = [:]
    private var ids = OrderedIDGenerator()
    /// The numbered households met so far in this import (8 bytes each), so that a household
    /// whose rows are spread over the file is counted once and its later rows join it.
    private var households: Set<Int64> = []
    /// Cases this import created and then gave more members (a household spread over the file):
    /// their member count, principal and search words are set once at the end.
    private var extended: Set<UUID> = []
    /// Households this import created, and stored households it met and changed: counted once
    /// each however many parts they come in.
    private var created: Set<Int64> = []
    private var storedMet: Set<Int64> = []
    private var storedChanged: Set<Int64> = []
    /// The new households' rows of the last batch, being written while the next batch is
    /// screened and prepared (the CPU's work overlaps SQLite's), with that batch's lines.
    private var pending: (write: Task<Void, any Error>, lines: [Int])?

    init(db: any Database, actor: AuditActor, now: Date, write: Bool) {
        self.db = db
        self.actor = actor
        self.now = now
        self.write = write
    }

    func reject(_ issues: [ImportIssue]) { report.issues += issues }

    /// The tables an import fills.
    static let tables = ["return_cases", "case_members", "case_transitions", "case_terms", "case_protected_details"]
    /// Secondary indexes dropped for a bulk load, as the statements that build them again.
    private var deferredIndexes: [String] = []
    /// Institutions by acronym and identifier, read when a file first names a partner.
    private var partnerIDs: [String: String]?

    /// For a load that dwarfs what is stored: drops the secondary indexes of the tables it
    /// fills (a unique constraint and primary keys stay), so that rows are appended instead of
    /// being inserted at random places of ten indexes; `finish` builds them again, each with
    /// one sort. Both run inside the import's transaction: a failed import keeps the indexes.
    func deferIndexes() async throws {
        let sql = try db.sqlDatabase
        struct Index: Decodable { var name: String; var definition: String }
        let list = Self.tables.map { "'\($0)'" }.joined(separator: ", ")
        let indexes: [Index]
        if sql.dialect.name == "postgresql" {
            indexes = try await sql.raw("""
                SELECT indexname AS name, indexdef AS definition FROM pg_indexes
                WHERE schemaname = current_schema() AND tablename IN (\(unsafeRaw: list))
                AND indexname NOT IN (SELECT conname FROM pg_constraint)
                """).all(decoding: Index.self)
        } else {
            indexes = try await sql.raw("""
                SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(unsafeRaw: list))
                """).all(decoding: Index.self)
        }
        for index in indexes {
            try await sql.raw("DROP INDEX \(ident: index.name)").run()
            deferredIndexes.append(index.definition)
        }
    }

    /// Screens a batch against the stored cases and, when writing, writes what passes. Rows of
    /// one household may come in any order: parts of a household in the batch are put together,
    /// and a part of a household written by an earlier batch is added to it.
    func add(_ parts: [ImportedCase]) async throws {
        do {
            try await screenAndWrite(parts)
        } catch {
            // The batch written meanwhile may be why this one failed (see `drain`).
            if let refused = await drain() { throw refused }
            throw error
        }
    }

    private func screenAndWrite(_ parts: [ImportedCase]) async throws {
        let batch = try await resolvePartners(Self.merged(parts))
        // A household met in an earlier batch is looked up among the stored cases: that batch's
        // rows must be written first.
        if batch.contains(where: { household in household.caseNumber.map { households.contains(CaseImportStream.key($0)) } ?? false }) {
            try await settle()
        }
        let numbers = batch.compactMap { $0.caseNumber?.description }
        var stored: [String: ReturnCaseModel] = [:]
        for start in stride(from: 0, to: numbers.count, by: 500) {
            let chunk = Array(numbers[start..<min(start + 500, numbers.count)])
            for record in try await ReturnCaseModel.query(on: db).filter(\.$caseNumber ~~ chunk).all() { stored[record.caseNumber] = record }
        }
        var fresh: [ImportedCase] = []
        var existing: [(ImportedCase, ReturnCaseModel)] = []
        var laterParts: [(ImportedCase, ReturnCaseModel)] = []
        for household in batch {
            let key = household.caseNumber.map(CaseImportStream.key)
            let metBefore = key.map { households.contains($0) } ?? false
            if let number = household.caseNumber?.description, let record = stored[number] {
                // An anonymised household never takes names back from a file.
                guard record.anonymisedOn == nil else {
                    for line in household.lines {
                        report.issues.append(ImportIssue(line: line, column: "case_number", code: "import.error.case_anonymised", value: number))
                    }
                    continue
                }
                guard let current = CaseStatus(rawValue: record.status), CaseService.importMayMove(from: current, to: household.fields.status) else {
                    for line in household.lines {
                        report.issues.append(ImportIssue(line: line, column: "status", code: "import.error.status_backwards", value: household.fields.status.rawValue))
                    }
                    continue
                }
                if let key, created.contains(key) { laterParts.append((household, record)) } else { existing.append((household, record)) }
            } else if !metBefore || !write {
                fresh.append(household)
            }
            if let key { households.insert(key) }
            if !metBefore { report.households += 1 }
            report.acceptedRows += household.members.count
        }
        guard write else { return }
        let lines = batch.flatMap(\.lines)
        do {
            let rows = try await prepareInsert(fresh)
            try await settle()
            if laterParts.isEmpty && existing.isEmpty {
                // Written while the next batch is read and prepared; `settle` waits for it.
                pending = (Task { try await Self.write(rows) }, lines)
                return
            }
            try await Self.write(rows)
            try await extend(laterParts)
            if !existing.isEmpty {
                let caseIDs = try existing.map { try $0.1.requireID() }
                let members = Dictionary(grouping: try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id ~~ caseIDs).all(), by: \.$returnCase.id)
                for (household, record) in existing {
                    let changed = try await update(record, with: household, members: members[try record.requireID()] ?? [])
                    report.outcome.membersWritten += changed ? household.members.count : 0
                    guard let key = household.caseNumber.map(CaseImportStream.key) else { continue }
                    storedMet.insert(key)
                    if changed { storedChanged.insert(key) }
                }
                report.outcome.casesUpdated = storedChanged.count
                report.outcome.casesUnchanged = storedMet.count - storedChanged.count
            }
        } catch let error where !(error is CaseImportWriteError) {
            throw CaseImportWriteError(firstLine: lines.min() ?? 0, lastLine: lines.max() ?? 0, underlying: String(reflecting: error))
        }
    }

    /// Waits for the rows of the batch being written; a refusal names that batch's lines.
    func settle() async throws {
        guard let (write, lines) = pending else { return }
        pending = nil
        do {
            try await write.value
        } catch let error where !(error is CaseImportWriteError) {
            throw CaseImportWriteError(firstLine: lines.min() ?? 0, lastLine: lines.max() ?? 0, underlying: String(reflecting: error))
        }
    }

    /// Waits for a batch still being written when the import stops on an error (the
    /// transaction is then rolled back with nothing running on it), and returns that batch's
    /// refusal if it had one: on PostgreSQL a refused COPY aborts the transaction, and whatever
    /// ran next failed only because of it — the refusal, with its own lines, is what to report.
    func drain() async -> CaseImportWriteError? {
        do {
            try await settle()
            return nil
        } catch let error as CaseImportWriteError {
            return error
        } catch {
            return nil
        }
    }

    /// The partners a file's sharing consents name (acronyms, or identifiers), found among the
    /// institutions; a household naming one that is not known is rejected, every row of it.
    private func resolvePartners(_ batch: [ImportedCase]) async throws -> [ImportedCase] {
        guard batch.contains(where: { household in household.members.contains { !($0.consent ?? []).allSatisfy(\.partners.isEmpty) } }) else { return batch }
        if partnerIDs == nil {
            var known: [String: String] = [:]
            for institution in try await InstitutionModel.query(on: db).all() {
                guard let id = institution.id?.uuidString.lowercased() else { continue }
                known[institution.acronym.uppercased()] = id
                known[id.uppercased()] = id
            }
            partnerIDs = known
        }
        let known = partnerIDs ?? [:]
        var result: [ImportedCase] = []
        for var household in batch {
            var unknown: [String] = []
            for index in household.members.indices {
                guard var answers = household.members[index].consent else { continue }
                for position in answers.indices {
                    answers[position].partners = answers[position].partners.compactMap { name in
                        if let id = known[name.uppercased()] { return id }
                        unknown.append(name)
                        return nil
                    }
                }
                household.members[index].consent = answers
            }
            if unknown.isEmpty {
                result.append(household)
            } else {
                for line in household.lines {
                    report.issues.append(ImportIssue(line: line, column: "consent_partners", code: "consent.error.unknown_partner", value: unknown.joined(separator: " ")))
                }
            }
        }
        return result
    }

    /// Puts together the parts of each numbered household in a batch, in the order first met.
    static func merged(_ parts: [ImportedCase]) -> [ImportedCase] {
        var result: [ImportedCase] = []
        var position: [CaseNumber: Int] = [:]
        for part in parts {
            if let number = part.caseNumber, let index = position[number] {
                result[index].join(part)
            } else {
                if let number = part.caseNumber { position[number] = result.count }
                result.append(part)
            }
        }
        return result
    }

    /// Moves the numbering counters past the imported numbers, the return counts by what was
    /// created, and records the import in the audit trail.
    func finish(fileName: String, highestNumbers: [String: CaseNumber]) async throws {
        guard write else { return }
        try await settle()
        let sql = try db.sqlDatabase
        for definition in deferredIndexes { try await sql.raw("\(unsafeRaw: definition)").run() }
        // With the indexes back, households that grew over the file get their count, principal
        // and words from what is stored.
        try await settleExtended()
        // After a bulk load the planner needs to know how the values spread (one office, a
        // few host countries) to choose between a filter's index and a sort's.
        if !deferredIndexes.isEmpty { try await sql.raw("ANALYZE").run() }
        deferredIndexes = []
        for number in highestNumbers.values { try await CaseService.raiseCounter(to: number, on: db) }
        try await CaseDerivedData.apply(summary, on: db)
        summary = [:]
        let outcome = report.outcome
        try await AuditLog.append(
            // The file's name may be a person's ("dossier Awa Koné.xlsx"): kept beside the entry.
            AuditEvent(action: .create, entityType: "case_import", entityID: nil,
                       detail: "\(report.acceptedRows) rows accepted, \(report.rejectedLines.count) rejected; \(outcome.casesCreated) cases created, \(outcome.casesUpdated) updated, \(outcome.casesUnchanged) unchanged"
                           + (outcome.protectedWritten > 0 ? "; protected details of \(outcome.protectedWritten) new members" : ""),
                       personalDetail: fileName),
            by: actor, at: now, on: db)
    }

    // MARK: New cases

    static let caseColumns = [
        "id", "case_number", "office", "host_country", "status", "closure_reason", "registered_on", "departure_date", "arrival_date",
        "caseworker_id", "principal_name", "member_count", "version", "created_at", "updated_at",
    ]
    static let memberColumns = [
        "id", "case_id", "member_number", "relationship", "given_names", "family_name", "sex", "birth_date", "birth_year", "nationality",
        "document_type", "document_number", "phone", "languages", "origin_region", "origin_department", "education_level", "occupation",
        "left_country_on", "route", "stay", "vulnerabilities", "search_text",
    ]
    static let transitionColumns = ["id", "case_id", "from_status", "to_status", "occurred_on", "closure_reason", "note", "actor_label", "recorded_at"]
    static let protectedColumns = ["id", "member_id", "case_id"] + CaseImportReader.protectedColumns + ["version", "updated_at"]

    /// The `case_protected_details` row of one member.
    static func protectedRow(_ details: ProtectedDraft, memberID: UUID, caseID: UUID, ids: inout OrderedIDGenerator, now: Date) -> [BulkValue] {
        [.uuid(ids.next(now: now)), .uuid(memberID), .uuid(caseID), .text(details.exploitationForm), .text(details.identifiedOn?.iso),
         .text(details.identifiedPlace), .text(details.identifiedBy), .text(details.referral), .text(details.medicalNotes), .int(1), .date(now)]
    }

    /// The rows of one new household.
    struct Prepared: Sendable {
        var caseRow: [BulkValue]
        var members: [[BulkValue]]
        var protected: [[BulkValue]]
        var consents: [[BulkValue]] = []
        var transitions: [[BulkValue]]
        var terms: [[BulkValue]]
        var cells: CaseDerivedData.Cells
    }

    /// The `case_members` rows of members of one case, with what the summary and the search
    /// words need of them.
    static func memberRows(_ drafts: [MemberDraft], protected: [Int: ProtectedDraft], caseID: UUID, ids: inout OrderedIDGenerator, now: Date,
                           recordedBy: String = "")
        -> (rows: [[BulkValue]], protected: [[BulkValue]], facts: [ReturnSummary.MemberFacts], searchTexts: [String], consents: [[BulkValue]]) {
        var rows: [[BulkValue]] = []
        var protectedRows: [[BulkValue]] = []
        var consentRows: [[BulkValue]] = []
        var facts: [ReturnSummary.MemberFacts] = []
        var searchTexts: [String] = []
        for member in drafts {
            let vulnerabilities = CaseService.storedVulnerabilities(member.vulnerabilities)
            let birthDate = member.birthDate?.exact?.iso
            let searchText = member.searchText
            searchTexts.append(searchText)
            let memberID = ids.next(now: now)
            if let details = protected[member.memberNumber] {
                protectedRows.append(protectedRow(details, memberID: memberID, caseID: caseID, ids: &ids, now: now))
            }
            for consent in member.consent ?? [] {
                consentRows.append(consentRow(consent, memberID: memberID, caseID: caseID, ids: &ids, now: now, recordedBy: recordedBy))
            }
            rows.append([
                .uuid(memberID), .uuid(caseID), .int(member.memberNumber), .text(member.relationship.rawValue), .text(member.givenNames),
                .text(member.familyName), .text(member.sex.rawValue), .text(birthDate), .int(member.birthDate?.year), .text(member.nationality),
                .text(member.documentType.rawValue), .text(member.documentNumber), .text(member.phone), .text(member.languages),
                .text(member.originRegion), .text(member.originDepartment), .text(member.educationLevel?.rawValue), .text(member.occupation),
                .text(member.leftCountryOn?.iso), .text(member.route.joined(separator: "|")), .text(member.stay?.rawValue),
                .text(vulnerabilities), .text(searchText),
            ])
            facts.append(ReturnSummary.MemberFacts(sex: member.sex.rawValue, birthDate: birthDate, birthYear: member.birthDate?.year,
                                                   nationality: member.nationality, originRegion: member.originRegion, vulnerabilities: vulnerabilities))
        }
        return (rows, protectedRows, facts, searchTexts, consentRows)
    }

    static let consentColumns = ["id", "member_id", "case_id", "purpose", "answer", "method", "recorded_on", "partners", "is_current",
                                 "recorded_by", "recorded_at", "withdrawn_on", "withdrawn_by"]

    /// The `member_consents` row of an answer a file carries (partners already resolved to
    /// institution identifiers by `resolvePartners`).
    static func consentRow(_ consent: ConsentDraft, memberID: UUID, caseID: UUID, ids: inout OrderedIDGenerator, now: Date, recordedBy: String) -> [BulkValue] {
        let partners = Set(consent.partners.map { $0.lowercased() }).sorted()
        return [.uuid(ids.next(now: now)), .uuid(memberID), .uuid(caseID), .text(consent.purpose?.rawValue), .text(consent.answer?.rawValue),
                .text(consent.method?.rawValue), .text(consent.recordedOn?.iso), .text(partners.isEmpty ? "" : "|" + partners.joined(separator: "|") + "|"),
                .int(1), .text(recordedBy), .date(now), .text(consent.withdrawnOn?.iso), .text(consent.withdrawnOn == nil ? nil : recordedBy)]
    }

    static func prepare(_ household: ImportedCase, number: CaseNumber, ids: inout OrderedIDGenerator, actor: AuditActor, now: Date) -> Prepared {
        let fields = household.fields
        let caseID = ids.next(now: now)
        let principal = household.members.first { $0.relationship == .principal } ?? household.members.min { $0.memberNumber < $1.memberNumber }
        let caseRow: [BulkValue] = [
            .uuid(caseID), .text(number.description), .text(fields.office), .text(fields.hostCountry), .text(fields.status.rawValue),
            .text(fields.closureReason?.rawValue), .text(fields.registeredOn.iso), .text(fields.departureDate?.iso), .text(fields.arrivalDate?.iso),
            .null, .text(principal.map(CaseService.displayName) ?? ""), .int(household.members.count), .int(1), .date(now), .date(now),
        ]
        let memberRows = Self.memberRows(household.members, protected: household.protectedDetails, caseID: caseID, ids: &ids, now: now,
                                         recordedBy: actor.label)
        let members = memberRows.rows, facts = memberRows.facts, searchTexts = memberRows.searchTexts
        // The timeline starts with what the file says: the registration, then the status reached.
        var steps: [(CaseStatus?, CaseStatus, Day)] = [(nil, .registered, fields.registeredOn)]
        if fields.status != .registered {
            steps.append((.registered, fields.status, fields.arrivalDate ?? fields.departureDate ?? fields.registeredOn))
        }
        let transitions: [[BulkValue]] = steps.map { from, to, day in
            [.uuid(ids.next(now: now)), .uuid(caseID), .text(from?.rawValue), .text(to.rawValue), .text(day.iso),
             .text(to == .closed ? fields.closureReason?.rawValue : nil), .null, .text(actor.label), .date(now)]
        }
        let words = SearchText.terms(caseNumber: number.description, searchTexts: searchTexts,
                                     vulnerabilities: household.members.flatMap { $0.vulnerabilities.map(\.rawValue) })
        let caseFacts = ReturnSummary.CaseFacts(registeredOn: fields.registeredOn.iso, arrivalDate: fields.arrivalDate?.iso,
                                                hostCountry: fields.hostCountry, office: fields.office, status: fields.status.rawValue)
        return Prepared(caseRow: caseRow, members: members, protected: memberRows.protected, consents: memberRows.consents, transitions: transitions, terms: words.map { [.text($0), .uuid(caseID)] },
                        cells: ReturnSummary.cells(caseFacts, members: facts))
    }

    /// The tables' rows of new households, in the order they are written (cases first: the
    /// other rows refer to them).
    struct NewRows: Sendable {
        var tables: [BulkInsert]
    }

    /// Numbers the new households and makes their rows (the CPU's share of writing them).
    private func prepareInsert(_ households: [ImportedCase]) async throws -> NewRows {
        var cases = BulkInsert(into: "return_cases", columns: Self.caseColumns, on: db)
        var members = BulkInsert(into: "case_members", columns: Self.memberColumns, on: db)
        var transitions = BulkInsert(into: "case_transitions", columns: Self.transitionColumns, on: db)
        var terms = BulkInsert(into: "case_terms", columns: ["term", "case_id"], on: db)
        var protected = BulkInsert(into: "case_protected_details", columns: Self.protectedColumns, on: db)
        var consents = BulkInsert(into: "member_consents", columns: Self.consentColumns, on: db)
        for household in households {
            let fields = household.fields
            let number: CaseNumber
            if let given = household.caseNumber { number = given } else {
                number = try await CaseService.nextNumber(office: fields.office, year: fields.registeredOn.year, on: db)
            }
            let prepared = Self.prepare(household, number: number, ids: &ids, actor: actor, now: now)
            cases.append(prepared.caseRow)
            for row in prepared.members { members.append(row) }
            for row in prepared.protected { protected.append(row) }
            for row in prepared.consents { consents.append(row) }
            report.outcome.protectedWritten += prepared.protected.count
            for row in prepared.transitions { transitions.append(row) }
            for row in prepared.terms { terms.append(row) }
            for (cell, count) in prepared.cells { summary[cell, default: 0] += count }
            report.outcome.casesCreated += 1
            if report.createdCaseNumbers.count < CaseImportReport.createdCaseNumbersKept { report.createdCaseNumbers.append(number.description) }
            report.outcome.membersWritten += household.members.count
            created.insert(CaseImportStream.key(number))
        }
        return NewRows(tables: [cases, members, protected, consents, transitions, terms])
    }

    private static func write(_ rows: NewRows) async throws {
        for var table in rows.tables { try await table.flush() }
    }

    /// Later parts of households this import created: their members go in with multi-row
    /// inserts, and the counts they add (never the case's own) join the summary.
    private func extend(_ parts: [(ImportedCase, ReturnCaseModel)]) async throws {
        guard !parts.isEmpty else { return }
        var members = BulkInsert(into: "case_members", columns: Self.memberColumns, on: db)
        var protected = BulkInsert(into: "case_protected_details", columns: Self.protectedColumns, on: db)
        var consents = BulkInsert(into: "member_consents", columns: Self.consentColumns, on: db)
        for (household, record) in parts {
            let caseID = try record.requireID()
            let rows = Self.memberRows(household.members, protected: household.protectedDetails, caseID: caseID, ids: &ids, now: now,
                                       recordedBy: actor.label)
            for row in rows.rows { members.append(row) }
            for row in rows.protected { protected.append(row) }
            for row in rows.consents { consents.append(row) }
            report.outcome.protectedWritten += rows.protected.count
            let fields = household.fields
            let caseFacts = ReturnSummary.CaseFacts(registeredOn: fields.registeredOn.iso, arrivalDate: fields.arrivalDate?.iso,
                                                    hostCountry: fields.hostCountry, office: fields.office, status: fields.status.rawValue)
            for (cell, count) in ReturnSummary.memberCells(caseFacts, members: rows.facts) { summary[cell, default: 0] += count }
            extended.insert(caseID)
            report.outcome.membersWritten += household.members.count
        }
        try await members.flush()
        try await protected.flush()
        try await consents.flush()
    }

    /// Sets the member count, the principal's name and the search words of the households that
    /// grew during this import, 500 at a time.
    private func settleExtended() async throws {
        let sql = try db.sqlDatabase
        let ids = Array(extended)
        extended = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let cases = try await ReturnCaseModel.query(on: db).filter(\.$id ~~ chunk).all()
            let members = Dictionary(grouping: try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id ~~ chunk).all(), by: \.$returnCase.id)
            try await sql.raw("DELETE FROM case_terms WHERE case_id IN (\(binds: chunk))").run()
            var terms = BulkInsert(into: "case_terms", columns: ["term", "case_id"], on: db)
            for record in cases {
                let caseID = try record.requireID()
                let all = members[caseID] ?? []
                try await sql.raw("""
                    UPDATE return_cases SET member_count = \(bind: all.count), principal_name = \(bind: CaseService.principalName(all)) WHERE id = \(bind: caseID)
                    """).run()
                let words = SearchText.terms(caseNumber: record.caseNumber, searchTexts: all.map(\.searchText),
                                             vulnerabilities: all.flatMap { $0.vulnerabilities.split(separator: "|").map(String.init) })
                for word in words.sorted() { terms.append([.text(word), .uuid(caseID)]) }
            }
            try await terms.flush()
        }
    }

    // MARK: Stored cases

    /// Compares a stored case with the file and writes the differences; false when it already matches.
    private func update(_ record: ReturnCaseModel, with imported: ImportedCase, members: [CaseMemberModel]) async throws -> Bool {
        let fields = imported.fields
        let caseID = try record.requireID()
        var changedFields: [String] = []
        let previousStatus = record.status
        let values: [(ReferenceWritableKeyPath<ReturnCaseModel, String>, String)] = [
            (\.office, fields.office), (\.hostCountry, fields.hostCountry), (\.status, fields.status.rawValue), (\.registeredOn, fields.registeredOn.iso),
        ]
        let optionals: [(ReferenceWritableKeyPath<ReturnCaseModel, String?>, String?)] = [
            (\.closureReason, fields.closureReason?.rawValue), (\.departureDate, fields.departureDate?.iso), (\.arrivalDate, fields.arrivalDate?.iso),
        ]
        for (keyPath, value) in values where record[keyPath: keyPath] != value { changedFields.append(CaseService.columnName(keyPath)) }
        for (keyPath, value) in optionals where record[keyPath: keyPath] != value { changedFields.append(CaseService.columnName(keyPath)) }
        var memberWrites: [CaseMemberModel] = []
        for draft in imported.members {
            if let model = members.first(where: { $0.memberNumber == draft.memberNumber }) {
                // A person erased on request stays erased, whatever an older file holds.
                guard model.anonymisedOn == nil else { continue }
                if !CaseService.apply(draft, to: model).isEmpty { memberWrites.append(model); changedFields.append("member \(draft.memberNumber)") }
            } else {
                memberWrites.append(CaseService.memberModel(draft, caseID: caseID))
                changedFields.append("member \(draft.memberNumber)")
            }
        }
        let protectedChanges = try await protectedChanges(imported, members: members)
        let consentChanges = try await ConsentService.importedChanges(imported.members, members: members, on: db)
        guard !changedFields.isEmpty || !protectedChanges.isEmpty || !consentChanges.isEmpty else { return false }
        let summaryBefore = try await CaseDerivedData.cells(of: [caseID], on: db)
        for (keyPath, value) in values { record[keyPath: keyPath] = value }
        for (keyPath, value) in optionals { record[keyPath: keyPath] = value }
        if previousStatus != fields.status.rawValue {
            let transition = CaseTransitionModel()
            transition.caseID = caseID
            transition.fromStatus = previousStatus
            transition.toStatus = fields.status.rawValue
            transition.occurredOn = (fields.arrivalDate ?? fields.departureDate ?? fields.registeredOn).iso
            transition.closureReason = fields.status == .closed ? fields.closureReason?.rawValue : nil
            transition.note = "import"
            transition.actorLabel = actor.label
            transition.recordedAt = now
            try await transition.create(on: db)
        }
        for model in memberWrites { try await model.save(on: db) }
        let all = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID).all()
        for draft in imported.members {
            guard let consent = consentChanges[draft.memberNumber], let model = all.first(where: { $0.memberNumber == draft.memberNumber }),
                  model.anonymisedOn == nil, let memberID = model.id else { continue }
            try await ConsentService.applyImported(consent, memberID: memberID, caseID: caseID, caseNumber: record.caseNumber,
                                                   memberNumber: draft.memberNumber, actor: actor, now: now, on: db)
        }
        try await writeProtected(protectedChanges, caseNumber: record.caseNumber, caseID: caseID, members: all)
        record.memberCount = all.count
        record.principalName = CaseService.principalName(all)
        record.version += 1
        record.updatedAt = now
        try await record.update(on: db)
        try await CaseDerivedData.refresh(caseID, before: summaryBefore, on: db)
        // Updates of stored cases are attributed one by one, as if typed in the form.
        if !changedFields.isEmpty {
            try await AuditLog.append(AuditEvent(action: .update, entityType: "return_case", entityID: record.caseNumber,
                                                 changedFields: changedFields, detail: "import"), by: actor, at: now, on: db)
        }
        return true
    }

    /// The protected details of the file that differ from what is stored, by member number,
    /// with the names of the fields that change. A file never erases stored details: an
    /// empty cell leaves the stored value as it is.
    private func protectedChanges(_ imported: ImportedCase, members: [CaseMemberModel]) async throws -> [Int: (ProtectedDraft, [String])] {
        guard !imported.protectedDetails.isEmpty else { return [:] }
        let memberIDs = members.compactMap(\.id)
        let stored = memberIDs.isEmpty ? [] : try await ProtectedDetailsModel.query(on: db).filter(\.$memberID ~~ memberIDs).all()
        var changes: [Int: (ProtectedDraft, [String])] = [:]
        for (memberNumber, details) in imported.protectedDetails {
            let member = members.first { $0.memberNumber == memberNumber }
            if member?.anonymisedOn != nil { continue }
            let memberID = member?.id
            let current = stored.first { $0.memberID == memberID }
            let pairs: [(String, String?, String?)] = [
                ("exploitation_form", details.exploitationForm, current?.exploitationForm), ("identified_on", details.identifiedOn?.iso, current?.identifiedOn),
                ("identified_place", details.identifiedPlace, current?.identifiedPlace), ("identified_by", details.identifiedBy, current?.identifiedBy),
                ("referral", details.referral, current?.referral), ("medical_notes", details.medicalNotes, current?.medicalNotes),
            ]
            let changed = pairs.filter { $0.1 != nil && $0.1 != $0.2 }.map(\.0)
            if !changed.isEmpty { changes[memberNumber] = (details, changed) }
        }
        return changes
    }

    /// Writes protected details of a stored case, each member's with its own audit entry (the
    /// fields' names, never their content), as the protected form does.
    private func writeProtected(_ changes: [Int: (ProtectedDraft, [String])], caseNumber: String, caseID: UUID, members: [CaseMemberModel]) async throws {
        for (memberNumber, (details, changed)) in changes.sorted(by: { $0.key < $1.key }) {
            guard let memberID = members.first(where: { $0.memberNumber == memberNumber })?.id else { continue }
            let model = try await ProtectedDetailsModel.forMember(memberID, caseID: caseID, on: db)
            if let value = details.exploitationForm { model.exploitationForm = value }
            if let value = details.identifiedOn { model.identifiedOn = value.iso }
            if let value = details.identifiedPlace { model.identifiedPlace = value }
            if let value = details.identifiedBy { model.identifiedBy = value }
            if let value = details.referral { model.referral = value }
            if let value = details.medicalNotes { model.medicalNotes = value }
            model.version += 1
            model.updatedAt = now
            try await model.save(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "case_protected", entityID: "\(caseNumber)/\(memberNumber)",
                                                 changedFields: changed, detail: "import"), by: actor, at: now, on: db)
        }
    }
}
