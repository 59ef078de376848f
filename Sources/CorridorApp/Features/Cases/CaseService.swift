import CorridorCore
import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Why a change to a case was refused.
enum CaseError: Error, Sendable {
    case invalid([FieldIssue])
    /// Someone saved the case since `expectedVersion` was read; the stored case is attached.
    case conflict(currentVersion: Int)
    case notFound
    case transition(CaseStateMachine.Problem)
}

/// The household fields a case form edits.
struct CaseHeaderDraft: Sendable {
    var hostCountry: String
    var office: String
    var registeredOn: Day?
    var caseworkerID: UUID?
}

/// A kind of help given, as recorded on the case page or through the API.
struct AssistanceDraft: Sendable {
    var type: AssistanceType
    var memberNumber: Int?
    var providedOn: Day
    var description: String
    var amountCents: Int64?
    var currency: Currency?
}

/// Trafficking details and medical notes of a member.
/// The writes of the return-cases feature: each runs in one transaction with its audit entry.
struct CaseService: Sendable {
    let database: any Database
    let actor: AuditActor
    let now: Date
    /// The offices whose cases the writer reaches (need to know); nil: every office's.
    let offices: OfficeScope?

    init(_ context: ServiceContext) {
        database = context.database
        actor = context.actor
        now = context.now
        offices = Policy.caseOffices(context.principal)
    }

    var today: Day { Day(now) }

    // MARK: Creating and editing

    /// Registers a household with its principal applicant; the case number is generated.
    func create(_ header: CaseHeaderDraft, principal: MemberDraft) async throws -> ReturnCaseModel {
        var checked = principal
        checked.memberNumber = 1
        checked.relationship = .principal
        var issues = try await check(header)
        issues += MemberRules.check(&checked, registeredOn: header.registeredOn)
        // A case is registered for one of the writer's offices (or returns from its country).
        if let offices, !offices.covers(office: header.office, hostCountry: header.hostCountry) {
            issues.append(FieldIssue("office", "case.error.office_not_yours"))
        }
        guard issues.isEmpty, let registeredOn = header.registeredOn else { throw CaseError.invalid(issues) }
        let actor = self.actor, now = self.now
        let office = header.office.uppercased()
        let member = checked
        return try await database.writeTransaction { db in
            let number = try await Self.nextNumber(office: office, year: registeredOn.year, on: db)
            let record = ReturnCaseModel()
            record.caseNumber = number.description
            record.office = office
            record.hostCountry = header.hostCountry.uppercased()
            record.status = CaseStatus.registered.rawValue
            record.registeredOn = registeredOn.iso
            record.caseworkerID = header.caseworkerID
            record.principalName = Self.displayName(member)
            record.memberCount = 1
            record.version = 1
            record.createdAt = now
            record.updatedAt = now
            try await record.create(on: db)
            let caseID = try record.requireID()
            try await Self.memberModel(member, caseID: caseID).create(on: db)
            let transition = CaseTransitionModel()
            transition.caseID = caseID
            transition.toStatus = CaseStatus.registered.rawValue
            transition.occurredOn = registeredOn.iso
            transition.actorLabel = actor.label
            transition.recordedAt = now
            try await transition.create(on: db)
            try await CaseDerivedData.refresh(caseID, before: [:], on: db)
            try await AuditLog.append(
                AuditEvent(action: .create, entityType: "return_case", entityID: number.description,
                           changedFields: ["host_country", "office", "registered_on", "caseworker_id", "member 1"]),
                by: actor, at: now, on: db)
            return record
        }
    }

    /// Changes the household fields if nobody saved the case since `expectedVersion`.
    func updateHeader(number: String, _ header: CaseHeaderDraft, expectedVersion: Int) async throws {
        let issues = try await check(header)
        guard issues.isEmpty, let registeredOn = header.registeredOn else { throw CaseError.invalid(issues) }
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            let record = try await Self.find(number, on: db)
            guard record.version == expectedVersion else { throw CaseError.conflict(currentVersion: record.version) }
            let status = CaseStatus(rawValue: record.status) ?? .registered
            if let problem = CaseStateMachine.datesProblem(status: status, registeredOn: registeredOn,
                                                           departure: record.departureDate.flatMap(Day.init(iso:)),
                                                           arrival: record.arrivalDate.flatMap(Day.init(iso:))) {
                throw CaseError.invalid([FieldIssue("registered_on", problem == .departureBeforeRegistration ? problem.rawValue : "case.error.dates_inconsistent")])
            }
            var changed: [String] = []
            if record.hostCountry != header.hostCountry.uppercased() { record.hostCountry = header.hostCountry.uppercased(); changed.append("host_country") }
            // Another office takes the case over (the host-country office hands it to the origin
            // office); its number keeps the office that registered it.
            let office = header.office.uppercased()
            if !office.isEmpty, record.office != office { record.office = office; changed.append("office") }
            if record.registeredOn != registeredOn.iso { record.registeredOn = registeredOn.iso; changed.append("registered_on") }
            if record.caseworkerID != header.caseworkerID { record.caseworkerID = header.caseworkerID; changed.append("caseworker_id") }
            guard !changed.isEmpty else { return }
            let before = try await CaseDerivedData.cells(of: [record.requireID()], on: db)
            try await Self.touch(record, now: now, on: db)
            try await CaseDerivedData.refresh(record.requireID(), before: before, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "return_case", entityID: number, changedFields: changed),
                                      by: actor, at: now, on: db)
        }
    }

    /// Adds a member (`memberNumber` 0 = next free) or replaces one, checking the case version.
    func saveMember(number: String, _ draft: MemberDraft, isNew: Bool, expectedVersion: Int) async throws -> Int {
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            let record = try await Self.find(number, on: db)
            guard record.version == expectedVersion else { throw CaseError.conflict(currentVersion: record.version) }
            var member = draft
            let issues = MemberRules.check(&member, registeredOn: Day(iso: record.registeredOn))
            guard issues.isEmpty else { throw CaseError.invalid(issues) }
            let caseID = try record.requireID()
            let before = try await CaseDerivedData.cells(of: [caseID], on: db)
            let existing = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID).all()
            let changed: [String]
            if isNew {
                // An anonymised household takes no named person: retention would never see them.
                guard record.anonymisedOn == nil else { throw CaseError.invalid([FieldIssue("given_names", "case.error.anonymised")]) }
                member.memberNumber = (existing.map(\.memberNumber).max() ?? 0) + 1
                if member.relationship == .principal, existing.contains(where: { $0.relationship == Relationship.principal.rawValue }) {
                    throw CaseError.invalid([FieldIssue("relationship", "case.error.second_principal")])
                }
                try await Self.memberModel(member, caseID: caseID).create(on: db)
                changed = ["member \(member.memberNumber)"]
            } else {
                guard let model = existing.first(where: { $0.memberNumber == member.memberNumber }) else { throw CaseError.notFound }
                guard model.anonymisedOn == nil else { throw CaseError.invalid([FieldIssue("given_names", "case.error.anonymised")]) }
                if member.relationship == .principal,
                   existing.contains(where: { $0.relationship == Relationship.principal.rawValue && $0.memberNumber != member.memberNumber }) {
                    throw CaseError.invalid([FieldIssue("relationship", "case.error.second_principal")])
                }
                changed = Self.apply(member, to: model)
                guard !changed.isEmpty else { return member.memberNumber }
                try await model.update(on: db)
            }
            let all = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID).all()
            record.memberCount = all.count
            record.principalName = Self.principalName(all)
            try await Self.touch(record, now: now, on: db)
            try await CaseDerivedData.refresh(caseID, before: before, on: db)
            try await AuditLog.append(
                AuditEvent(action: isNew ? .create : .update, entityType: "case_member", entityID: "\(number)/\(member.memberNumber)",
                           changedFields: changed),
                by: actor, at: now, on: db)
            return member.memberNumber
        }
    }

    /// Moves a case one step along its lifecycle (or closes it), dated and attributed.
    func transition(number: String, to target: CaseStatus, on day: Day, reason: ClosureReason?, note: String?, expectedVersion: Int) async throws {
        let actor = self.actor, now = self.now, today = self.today
        try await database.writeTransaction { db in
            let record = try await Self.find(number, on: db)
            guard record.version == expectedVersion else { throw CaseError.conflict(currentVersion: record.version) }
            let caseID = try record.requireID()
            let current = CaseStatus(rawValue: record.status) ?? .registered
            let last = try await CaseTransitionModel.query(on: db).filter(\.$caseID == caseID).sort(\.$occurredOn, .descending).first()
            guard let registeredOn = Day(iso: record.registeredOn) else { throw CaseError.notFound }
            let dates = CaseStateMachine.Dates(
                registeredOn: registeredOn, departureDate: record.departureDate.flatMap(Day.init(iso:)),
                arrivalDate: record.arrivalDate.flatMap(Day.init(iso:)), lastTransitionOn: last.flatMap { Day(iso: $0.occurredOn) })
            let next: CaseStateMachine.Dates
            do {
                next = try CaseStateMachine.apply(from: current, to: target, on: day, today: today, reason: reason, dates: dates)
            } catch let problem as CaseStateMachine.Problem {
                throw CaseError.transition(problem)
            }
            let before = try await CaseDerivedData.cells(of: [caseID], on: db)
            record.status = target.rawValue
            record.closureReason = reason?.rawValue
            record.departureDate = next.departureDate?.iso
            record.arrivalDate = next.arrivalDate?.iso
            try await Self.touch(record, now: now, on: db)
            let transition = CaseTransitionModel()
            transition.caseID = caseID
            transition.fromStatus = current.rawValue
            transition.toStatus = target.rawValue
            transition.occurredOn = day.iso
            transition.closureReason = reason?.rawValue
            transition.note = note?.nilIfEmpty
            transition.actorLabel = actor.label
            transition.recordedAt = now
            try await transition.create(on: db)
            try await CaseDerivedData.refresh(caseID, before: before, on: db)
            var fields = ["status"]
            if target == .departed { fields.append("departure_date") }
            if target == .arrived { fields.append("arrival_date") }
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "return_case", entityID: number, changedFields: fields,
                           detail: "\(current.rawValue) → \(target.rawValue)"),
                by: actor, at: now, on: db)
        }
    }

    /// Records an item of assistance.
    func addAssistance(number: String, _ draft: AssistanceDraft) async throws {
        var issues: [FieldIssue] = []
        if draft.description.nilIfEmpty == nil { issues.append(FieldIssue("description", "case.error.required")) }
        if draft.providedOn > today { issues.append(FieldIssue("provided_on", "case.error.date_in_future")) }
        if (draft.amountCents == nil) != (draft.currency == nil) { issues.append(FieldIssue("amount", "case.error.amount_and_currency")) }
        if let amount = draft.amountCents, amount < 0 { issues.append(FieldIssue("amount", "case.error.amount_negative")) }
        guard issues.isEmpty else { throw CaseError.invalid(issues) }
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            let record = try await Self.find(number, on: db)
            let caseID = try record.requireID()
            var memberID: UUID?
            if let memberNumber = draft.memberNumber {
                memberID = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID)
                    .filter(\.$memberNumber == memberNumber).first()?.id
            }
            let item = AssistanceItemModel()
            item.caseID = caseID
            item.memberID = memberID
            item.type = draft.type.rawValue
            item.phase = draft.type.phase.rawValue
            item.providedOn = draft.providedOn.iso
            item.description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
            item.amountCents = draft.amountCents
            item.currency = draft.currency?.rawValue
            item.actorLabel = actor.label
            item.recordedAt = now
            try await item.create(on: db)
            record.updatedAt = now
            try await record.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .create, entityType: "case_assistance", entityID: number, changedFields: [draft.type.rawValue]),
                by: actor, at: now, on: db)
        }
    }

    /// Saves a member's protected details; the audit names the fields, never their content.
    func saveProtected(number: String, memberNumber: Int, _ draft: ProtectedDraft, expectedVersion: Int) async throws {
        if let day = draft.identifiedOn, day > today { throw CaseError.invalid([FieldIssue("identified_on", "case.error.date_in_future")]) }
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            let record = try await Self.find(number, on: db)
            let caseID = try record.requireID()
            guard let member = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID)
                .filter(\.$memberNumber == memberNumber).first(), let memberID = member.id else { throw CaseError.notFound }
            guard member.anonymisedOn == nil else { throw CaseError.invalid([FieldIssue("exploitation_form", "case.error.anonymised")]) }
            let details = try await ProtectedDetailsModel.forMember(memberID, caseID: caseID, on: db)
            guard details.version == expectedVersion else { throw CaseError.conflict(currentVersion: details.version) }
            let values: [(String, ReferenceWritableKeyPath<ProtectedDetailsModel, String?>, String?)] = [
                ("exploitation_form", \.exploitationForm, draft.exploitationForm?.nilIfEmpty),
                ("identified_on", \.identifiedOn, draft.identifiedOn?.iso),
                ("identified_place", \.identifiedPlace, draft.identifiedPlace?.nilIfEmpty),
                ("identified_by", \.identifiedBy, draft.identifiedBy?.nilIfEmpty),
                ("referral", \.referral, draft.referral?.nilIfEmpty),
                ("medical_notes", \.medicalNotes, draft.medicalNotes?.nilIfEmpty),
            ]
            var changed: [String] = []
            for (name, keyPath, value) in values where details[keyPath: keyPath] != value {
                details[keyPath: keyPath] = value
                changed.append(name)
            }
            guard !changed.isEmpty else { return }
            details.version += 1
            details.updatedAt = now
            try await details.save(on: db)
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "case_protected", entityID: "\(number)/\(memberNumber)", changedFields: changed),
                by: actor, at: now, on: db)
        }
    }

    /// Erases a case with its members, protected details, timeline and assistance (a person's
    /// right to erasure, or a registration made in error). The audit keeps the number only.
    func delete(number: String, expectedVersion: Int) async throws {
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            let record = try await Self.find(number, on: db)
            guard record.version == expectedVersion else { throw CaseError.conflict(currentVersion: record.version) }
            let caseID = try record.requireID()
            let before = try await CaseDerivedData.cells(of: [caseID], on: db)
            try await record.delete(on: db)
            try await CaseDerivedData.apply(ReturnSummary.difference(from: before, to: [:]), on: db)
            try await AuditLog.append(AuditEvent(action: .delete, entityType: "return_case", entityID: number), by: actor, at: now, on: db)
        }
    }

    // MARK: Import

    struct ImportOutcome: Sendable, Equatable {
        var casesCreated = 0
        var casesUpdated = 0
        var casesUnchanged = 0
        var membersWritten = 0
        /// New members' protected details written (stored members' are audited one by one).
        var protectedWritten = 0
    }

    /// Writes a validated import in one transaction: cases are matched on their number and
    /// members on their number within the case, so importing the same file twice changes nothing.
    func commit(_ plan: CaseImportPlan, fileName: String) async throws -> ImportOutcome {
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            let writer = CaseImportWriter(db: db, actor: actor, now: now, write: true)
            do {
                for start in stride(from: 0, to: plan.cases.count, by: 1_000) {
                    try await writer.add(Array(plan.cases[start..<min(start + 1_000, plan.cases.count)]))
                }
            } catch {
                if let refused = await writer.drain() { throw refused }
                throw error
            }
            var highest: [String: CaseNumber] = [:]
            for number in plan.cases.compactMap(\.caseNumber) { CaseNumber.keepHighest(number, in: &highest) }
            writer.reject(plan.issues)
            try await writer.finish(fileName: fileName, highestNumbers: highest)
            try await OfficeService.addMissing(Set(plan.cases.map(\.fields.office)), at: now, on: db)
            return writer.report.outcome
        }
    }

    /// Whether a file is large and holds at least four times as many rows as there are cases
    /// (counting a row per 100 bytes): a load worth building the indexes again for.
    func isBulkLoad(_ source: CaseImportSource) async throws -> Bool {
        guard source.byteCount > 50_000_000 else { return false }
        let stored = try await ReturnCaseModel.query(on: database).count()
        return source.byteCount / 100 > 4 * stored
    }

    /// Reads a case file a batch of households at a time, screens it against the stored cases
    /// and, with `write`, imports it in one transaction (nothing is written if anything fails).
    /// Memory stays flat in the size of the file.
    ///
    /// With `onlyIfClean`, a file with any rejected row writes nothing: the import is rolled back
    /// and its report returned with `written` false.
    /// `mayWriteProtected`: whether the importer may write trafficking details and medical
    /// notes; a file with protected columns is refused whole otherwise.
    func importCases(from source: CaseImportSource, fileName: String, write: Bool, onlyIfClean: Bool = false,
                     mayWriteProtected: Bool = false) async throws -> CaseImportReport {
        do {
            let report = try await importCases(source, fileName: fileName, write: write, onlyIfClean: onlyIfClean, mayWriteProtected: mayWriteProtected)
            if write, report.written, report.outcome.casesCreated + report.outcome.casesUpdated >= Self.analyzeAfter {
                try await Self.refreshStatistics(on: database)
            }
            if write {
                Observability.count("imports", [("kind", "cases"), ("outcome", "written")])
                Observability.count("imported_rows", [("kind", "cases"), ("outcome", "rejected")], by: report.issues.count)
            }
            return report
        } catch let rolledBack as CaseImportRolledBack {
            Observability.count("imports", [("kind", "cases"), ("outcome", "refused")])
            var report = rolledBack.report
            report.outcome = ImportOutcome()
            report.written = false
            return report
        } catch {
            if write { Observability.count("imports", [("kind", "cases"), ("outcome", "failed")]) }
            throw error
        }
    }

    /// An import writing this many cases or more refreshes PostgreSQL's statistics and
    /// visibility map at once (`VACUUM (ANALYZE)`, after the import's transaction), rather than
    /// leaving the planner on the caseload's old size, and every count reading the table's rows,
    /// until autovacuum comes round. At a million: 1.7 s; counting the cases updated this week
    /// went from a table scan (61 ms) to the index alone (22 ms).
    static let analyzeAfter = 10_000

    static func refreshStatistics(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("VACUUM (ANALYZE) return_cases, case_members, case_terms, return_summary").run()
    }

    /// The households of a file the writer's offices reach — held by one of them or returning
    /// from its country, in the file and, for a case already registered, in the database — and
    /// a rejected row for each row of the others.
    static func withinOffices(_ cases: [ImportedCase], _ offices: OfficeScope, on db: any Database) async throws -> (kept: [ImportedCase], refused: [ImportIssue]) {
        let numbers = cases.compactMap { $0.caseNumber?.description }
        var foreign: Set<String> = []
        for start in stride(from: 0, to: numbers.count, by: 500) {
            let chunk = Array(numbers[start..<min(start + 500, numbers.count)])
            for record in try await ReturnCaseModel.query(on: db).filter(\.$caseNumber ~~ chunk).all()
            where !offices.covers(office: record.office, hostCountry: record.hostCountry) {
                foreign.insert(record.caseNumber)
            }
        }
        var kept: [ImportedCase] = []
        var refused: [ImportIssue] = []
        for item in cases {
            if offices.covers(office: item.fields.office, hostCountry: item.fields.hostCountry), !foreign.contains(item.caseNumber?.description ?? "") {
                kept.append(item)
            } else {
                refused += item.lines.map { ImportIssue(line: $0, column: "office", code: "import.error.office_not_yours", value: item.fields.office) }
            }
        }
        return (kept, refused)
    }

    /// A file with rejected rows, when every row had to be right: the transaction is undone.
    private struct CaseImportRolledBack: Error {
        var report: CaseImportReport
    }

    private func importCases(_ source: CaseImportSource, fileName: String, write: Bool, onlyIfClean: Bool,
                             mayWriteProtected: Bool) async throws -> CaseImportReport {
        let actor = self.actor, now = self.now, today = self.today, offices = self.offices
        let bulk = write ? try await isBulkLoad(source) : false
        let work: @Sendable (any Database) async throws -> CaseImportReport = { db in
            var stream = try source.stream(today: today)
            if !mayWriteProtected, !stream.protectedColumns.isEmpty { throw TabularFileError.protectedColumns(stream.protectedColumns) }
            var writer = CaseImportWriter(db: db, actor: actor, now: now, write: write)
            if bulk { try await writer.deferIndexes() }
            // While one batch is written (on the database's thread), the next is prepared (the
            // writer's `add` returns once its new rows are on their way) and the one after it read.
            var inFlight: Task<CaseImportWriter, any Error>?
            var namedOffices: Set<String> = []
            do {
                while let batch = try stream.nextBatch(households: 1_000) {
                    if let inFlight { writer = try await inFlight.value }
                    writer.reject(batch.issues)
                    var cases = batch.cases
                    if let offices {
                        let screened = try await Self.withinOffices(cases, offices, on: db)
                        writer.reject(screened.refused)
                        cases = screened.kept
                    }
                    for item in cases { namedOffices.insert(item.fields.office) }
                    let current = writer, kept = cases
                    inFlight = Task {
                        try await current.add(kept)
                        return current
                    }
                }
                if let inFlight { writer = try await inFlight.value }
                try await writer.finish(fileName: fileName, highestNumbers: stream.highestNumbers)
            } catch {
                _ = try? await inFlight?.value
                // The rows of the last batch may still be on their way: nothing runs on the
                // transaction when it is rolled back, and their refusal is the one reported.
                if let refused = await writer.drain() { throw refused }
                throw error
            }
            // The offices the file names join the one list of offices, to be completed.
            if write { try await OfficeService.addMissing(namedOffices, at: now, on: db) }
            var report = writer.report
            report.rowCount = stream.rowCount
            report.issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
            if write, onlyIfClean, !report.issues.isEmpty { throw CaseImportRolledBack(report: report) }
            report.written = write
            return report
        }
        guard write else { return try await work(database) }
        // A large file on SQLite gets a page cache that holds the indexes being written (a
        // connection's default is 2 MB), given back at the end.
        guard bulk, database is any SQLiteDatabase else { return try await database.writeTransaction(work) }
        return try await database.withConnection { connection in
            let sql = try connection.sqlDatabase
            try await sql.raw("PRAGMA cache_size = -65536").run()
            do {
                let report = try await connection.writeTransaction(work)
                try await sql.raw("PRAGMA cache_size = -2000").run()
                return report
            } catch {
                try? await sql.raw("PRAGMA cache_size = -2000").run()
                throw error
            }
        }
    }

    /// Whether an import may move a stored case from `current` to `target`: forward (or to
    /// closed), never back, and never out of completed or closed.
    static func importMayMove(from current: CaseStatus, to target: CaseStatus) -> Bool {
        if current == target { return true }
        if current == .completed || current == .closed { return false }
        return target == .closed || target > current
    }

    // MARK: Helpers

    static func columnName(_ keyPath: PartialKeyPath<ReturnCaseModel>) -> String {
        switch keyPath {
        case \ReturnCaseModel.caseNumber: return "case_number"
        case \ReturnCaseModel.office: return "office"
        case \ReturnCaseModel.hostCountry: return "host_country"
        case \ReturnCaseModel.status: return "status"
        case \ReturnCaseModel.registeredOn: return "registered_on"
        case \ReturnCaseModel.closureReason: return "closure_reason"
        case \ReturnCaseModel.departureDate: return "departure_date"
        case \ReturnCaseModel.arrivalDate: return "arrival_date"
        default: return "case"
        }
    }

    static func find(_ number: String, on db: any Database) async throws -> ReturnCaseModel {
        guard let record = try await ReturnCaseModel.query(on: db).filter(\.$caseNumber == number.uppercased()).first() else {
            throw CaseError.notFound
        }
        return record
    }

    private static func touch(_ record: ReturnCaseModel, now: Date, on db: any Database) async throws {
        record.version += 1
        record.updatedAt = now
        try await record.update(on: db)
    }

    /// The next number for an office and year; numbers are never given twice.
    static func nextNumber(office: String, year: Int, on db: any Database) async throws -> CaseNumber {
        let prefix = CaseNumber.prefix(office: office, year: year)
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            _ = try await sql.raw("SELECT prefix FROM case_number_counters WHERE prefix = \(bind: prefix) FOR UPDATE").all()
        }
        let counter = try await CaseNumberCounterModel.find(prefix, on: db)
        let sequence = (counter?.lastSequence ?? 0) + 1
        if let counter {
            counter.lastSequence = sequence
            try await counter.update(on: db)
        } else {
            let fresh = CaseNumberCounterModel()
            fresh.id = prefix
            fresh.lastSequence = sequence
            try await fresh.create(on: db)
        }
        guard let number = CaseNumber(office: office, year: year, sequence: sequence) else { throw CaseError.invalid([FieldIssue("office", "case.error.sequence_exhausted")]) }
        return number
    }

    /// Keeps the counter at or above an imported number, so generated numbers never collide with it.
    static func raiseCounter(to number: CaseNumber, on db: any Database) async throws {
        let prefix = CaseNumber.prefix(office: number.office, year: number.year)
        if let counter = try await CaseNumberCounterModel.find(prefix, on: db) {
            if counter.lastSequence < number.sequence {
                counter.lastSequence = number.sequence
                try await counter.update(on: db)
            }
        } else {
            let fresh = CaseNumberCounterModel()
            fresh.id = prefix
            fresh.lastSequence = number.sequence
            try await fresh.create(on: db)
        }
    }

    func check(_ header: CaseHeaderDraft) async throws -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if header.hostCountry.nilIfEmpty == nil {
            issues.append(FieldIssue("host_country", "case.error.choose"))
        } else if !Countries.isKnown(header.hostCountry) {
            issues.append(FieldIssue("host_country", "case.error.unknown_country"))
        }
        // One of the mission's offices (the offices table), as the form offers them.
        if !Countries.isKnown(header.office) {
            issues.append(FieldIssue("office", "case.error.unknown_country"))
        } else if try await !OfficeQueries(database: database).exists(header.office) {
            issues.append(FieldIssue("office", "case.error.office_unknown"))
        }
        if let day = header.registeredOn {
            if day > today { issues.append(FieldIssue("registered_on", "case.error.date_in_future")) }
        } else {
            issues.append(FieldIssue("registered_on", "case.error.date_required"))
        }
        if let worker = header.caseworkerID {
            let user = try await UserModel.find(worker, on: database)
            if user == nil || user?.isActive == false { issues.append(FieldIssue("caseworker", "case.error.unknown_caseworker")) }
        }
        return issues
    }

    static func displayName(_ member: MemberDraft) -> String { "\(member.givenNames) \(member.familyName)" }

    static func principalName(_ members: [CaseMemberModel]) -> String {
        let principal = members.first { $0.relationship == Relationship.principal.rawValue } ?? members.min { $0.memberNumber < $1.memberNumber }
        return principal.map { "\($0.givenNames) \($0.familyName)".trimmedWhitespace } ?? ""
    }

    /// Vulnerabilities as stored: `|code|code|`, so that one can be found with LIKE '%|code|%'.
    static func storedVulnerabilities(_ list: [Vulnerability]) -> String {
        list.isEmpty ? "" : "|" + Vulnerability.joined(list) + "|"
    }

    static func memberModel(_ member: MemberDraft, caseID: UUID) -> CaseMemberModel {
        let model = CaseMemberModel()
        model.$returnCase.id = caseID
        fill(member, into: model)
        return model
    }

    /// Sets every field of a member model from a draft (a new model's fields cannot be read before this).
    static func fill(_ member: MemberDraft, into model: CaseMemberModel) {
        model.memberNumber = member.memberNumber
        model.relationship = member.relationship.rawValue
        model.givenNames = member.givenNames
        model.familyName = member.familyName
        model.sex = member.sex.rawValue
        model.birthDate = member.birthDate?.exact?.iso
        model.birthYear = member.birthDate?.year
        model.nationality = member.nationality
        model.documentType = member.documentType.rawValue
        model.documentNumber = member.documentNumber
        model.phone = member.phone
        model.languages = member.languages
        model.originRegion = member.originRegion
        model.originDepartment = member.originDepartment
        model.educationLevel = member.educationLevel?.rawValue
        model.occupation = member.occupation
        model.leftCountryOn = member.leftCountryOn?.iso
        model.route = member.route.joined(separator: "|")
        model.stay = member.stay?.rawValue
        model.vulnerabilities = storedVulnerabilities(member.vulnerabilities)
        model.searchText = member.searchText
    }

    /// The stored fields of a member and how to copy each from one model to another.
    private static let memberFields: [(name: String, copyIfDifferent: @Sendable (CaseMemberModel, CaseMemberModel) -> Bool)] = [
        field("relationship", \.relationship), field("given_names", \.givenNames), field("family_name", \.familyName),
        field("sex", \.sex), field("birth_date", \.birthDate), field("birth_date", \.birthYear), field("nationality", \.nationality),
        field("document_type", \.documentType), field("document_number", \.documentNumber), field("phone", \.phone),
        field("languages", \.languages), field("origin_region", \.originRegion), field("origin_department", \.originDepartment),
        field("education_level", \.educationLevel), field("occupation", \.occupation), field("left_country_on", \.leftCountryOn),
        field("route", \.route), field("stay", \.stay), field("vulnerabilities", \.vulnerabilities), field("search_text", \.searchText),
    ]

    private static func field<T: Equatable & Sendable>(
        _ name: String, _ keyPath: ReferenceWritableKeyPath<CaseMemberModel, T> & Sendable
    ) -> (name: String, copyIfDifferent: @Sendable (CaseMemberModel, CaseMemberModel) -> Bool) {
        (name, { target, source in
            let value = source[keyPath: keyPath]
            guard target[keyPath: keyPath] != value else { return false }
            target[keyPath: keyPath] = value
            return true
        })
    }

    /// Copies a draft onto a stored member; returns the names of the fields that changed.
    @discardableResult
    static func apply(_ member: MemberDraft, to model: CaseMemberModel) -> [String] {
        let fresh = CaseMemberModel()
        fill(member, into: fresh)
        var changed = Set<String>()
        for field in memberFields where field.copyIfDifferent(model, fresh) { changed.insert(field.name) }
        changed.remove("search_text")
        return changed.sorted()
    }
}
