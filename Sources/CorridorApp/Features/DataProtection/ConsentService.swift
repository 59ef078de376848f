import CorridorCore
import Fluent
import Foundation
import SQLKit

/// Recording and withdrawing a member's consent. Each write runs with its audit entry, which
/// names the purpose and the answer, never the person.
struct ConsentService: Sendable {
    let context: ServiceContext

    /// Records an answer; it becomes the one in force for its purpose.
    func record(number: String, member memberNumber: Int, _ draft: ConsentDraft) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            let record = try await CaseService.find(number, on: db)
            let caseID = try record.requireID()
            guard let member = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID)
                .filter(\.$memberNumber == memberNumber).first(), let memberID = member.id else { throw CaseError.notFound }
            guard member.anonymisedOn == nil else { throw CaseError.invalid([FieldIssue("purpose", "case.error.anonymised")]) }
            let birth = member.birthDate.flatMap(Day.init(iso:)).map(BirthDate.init(exact:)) ?? member.birthYear.flatMap(BirthDate.init(estimatedYear:))
            var issues = ConsentRules.check(draft, today: Day(now), registeredOn: Day(iso: record.registeredOn), birth: birth)
            let known = Set(try await InstitutionModel.query(on: db).filter(\.$isActive == true).all().compactMap { $0.id?.uuidString.lowercased() })
            if draft.partners.contains(where: { !known.contains($0.lowercased()) }) { issues.append(FieldIssue("partners", "consent.error.unknown_partner")) }
            guard issues.isEmpty, let purpose = draft.purpose, let answer = draft.answer, let method = draft.method, let day = draft.recordedOn else {
                throw CaseError.invalid(issues)
            }
            let partners = try await Self.insert(draft, purpose: purpose, answer: answer, method: method, day: day,
                                                 memberID: memberID, caseID: caseID, actor: actor, now: now, on: db)
            try await AuditLog.append(
                AuditEvent(action: .create, entityType: "consent", entityID: "\(record.caseNumber)/\(memberNumber)", changedFields: [purpose.rawValue],
                           detail: "\(answer.rawValue), \(method.rawValue), \(day.iso)\(partners.isEmpty ? "" : ", partners \(partners.joined(separator: " "))")"),
                by: actor, at: now, on: db)
        }
    }

    /// Withdraws the answer in force (a consent given, taken back on `day`).
    func withdraw(number: String, member memberNumber: Int, consent consentID: UUID, on day: Day?) async throws {
        let actor = context.actor, now = context.now
        guard let day else { throw CaseError.invalid([FieldIssue("withdrawn_on", "case.error.required")]) }
        guard day <= Day(now) else { throw CaseError.invalid([FieldIssue("withdrawn_on", "case.error.date_in_future")]) }
        try await context.database.writeTransaction { db in
            let record = try await CaseService.find(number, on: db)
            let caseID = try record.requireID()
            guard let member = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID)
                .filter(\.$memberNumber == memberNumber).first(), let memberID = member.id,
                  let consent = try await MemberConsentModel.find(consentID, on: db), consent.memberID == memberID else { throw CaseError.notFound }
            guard member.anonymisedOn == nil else { throw CaseError.invalid([FieldIssue("withdrawn_on", "case.error.anonymised")]) }
            guard consent.isCurrent == 1, consent.answer == ConsentAnswer.given.rawValue, consent.withdrawnOn == nil else {
                throw CaseError.invalid([FieldIssue("withdrawn_on", "consent.error.not_withdrawable")])
            }
            guard day.iso >= consent.recordedOn else { throw CaseError.invalid([FieldIssue("withdrawn_on", "consent.error.withdrawn_before_given")]) }
            consent.withdrawnOn = day.iso
            consent.withdrawnBy = actor.label
            try await consent.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "consent", entityID: "\(record.caseNumber)/\(memberNumber)", changedFields: [consent.purpose],
                           detail: "withdrawn \(day.iso)"),
                by: actor, at: now, on: db)
        }
    }
}

extension ConsentService {
    /// The answers of a file that differ from those in force, by member number (members not
    /// stored yet, or anonymised, are left to the insert and to nobody).
    static func importedChanges(_ drafts: [MemberDraft], members: [CaseMemberModel], on db: any Database) async throws -> [Int: [ConsentDraft]] {
        let carrying = drafts.filter { !($0.consent ?? []).isEmpty }
        guard !carrying.isEmpty else { return [:] }
        let ids = members.filter { $0.anonymisedOn == nil }.compactMap(\.id)
        let current = ids.isEmpty ? [] : try await MemberConsentModel.query(on: db).filter(\.$memberID ~~ ids).filter(\.$isCurrent == 1).all()
        var changes: [Int: [ConsentDraft]] = [:]
        for draft in carrying {
            guard let member = members.first(where: { $0.memberNumber == draft.memberNumber }), member.anonymisedOn == nil, let memberID = member.id else { continue }
            let differing = (draft.consent ?? []).filter { answer in
                guard let stored = current.first(where: { $0.memberID == memberID && $0.purpose == answer.purpose?.rawValue }) else { return true }
                // The answer itself, not its date or method: an export carries one date and
                // method per person, and bringing it back must not rewrite the history.
                return stored.answer != answer.answer?.rawValue || Set(stored.partnerIDs) != Set(answer.partners.map { $0.lowercased() })
                    || (stored.withdrawnOn == nil) != (answer.withdrawnOn == nil)
            }
            if !differing.isEmpty { changes[draft.memberNumber] = differing }
        }
        return changes
    }

    /// Stores an answer as the one in force for its purpose (the earlier ones stay, not current);
    /// returns the partners it names, sorted.
    static func insert(_ draft: ConsentDraft, purpose: ConsentPurpose, answer: ConsentAnswer, method: ConsentMethod, day: Day,
                       memberID: UUID, caseID: UUID, actor: AuditActor, now: Date, on db: any Database) async throws -> [String] {
        try await MemberConsentModel.query(on: db).filter(\.$memberID == memberID).filter(\.$purpose == purpose.rawValue).set(\.$isCurrent, to: 0).update()
        let consent = MemberConsentModel()
        consent.memberID = memberID
        consent.caseID = caseID
        consent.purpose = purpose.rawValue
        consent.answer = answer.rawValue
        consent.method = method.rawValue
        consent.recordedOn = day.iso
        let partners = Set(draft.partners.map { $0.lowercased() }).sorted()
        consent.partners = partners.isEmpty ? "" : "|" + partners.joined(separator: "|") + "|"
        consent.isCurrent = 1
        consent.recordedBy = actor.label
        consent.recordedAt = now
        consent.withdrawnOn = draft.withdrawnOn?.iso
        consent.withdrawnBy = draft.withdrawnOn == nil ? nil : actor.label
        try await consent.create(on: db)
        return partners
    }

    /// Writes a file's answers for a stored member: each becomes the one in force for its purpose.
    static func applyImported(_ drafts: [ConsentDraft], memberID: UUID, caseID: UUID, caseNumber: String, memberNumber: Int,
                              actor: AuditActor, now: Date, on db: any Database) async throws {
        for draft in drafts {
            guard let purpose = draft.purpose, let answer = draft.answer, let method = draft.method, let day = draft.recordedOn else { continue }
            _ = try await insert(draft, purpose: purpose, answer: answer, method: method, day: day,
                                 memberID: memberID, caseID: caseID, actor: actor, now: now, on: db)
            try await AuditLog.append(
                AuditEvent(action: .create, entityType: "consent", entityID: "\(caseNumber)/\(memberNumber)", changedFields: [purpose.rawValue],
                           detail: "import: \(answer.rawValue)\(draft.withdrawnOn == nil ? "" : ", withdrawn"), \(method.rawValue), \(day.iso)"),
                by: actor, at: now, on: db)
        }
    }
}

/// Reads of consent: a member's history, and the answers in force of many members at once.
struct ConsentQueries: Sendable {
    let database: any Database

    /// The answer in force for a purpose of a case's member, if any.
    func current(number: String, member memberNumber: Int, purpose: ConsentPurpose) async throws -> UUID? {
        guard let member = try await CaseMemberModel.query(on: database)
            .join(ReturnCaseModel.self, on: \CaseMemberModel.$returnCase.$id == \ReturnCaseModel.$id)
            .filter(ReturnCaseModel.self, \.$caseNumber == number.uppercased()).filter(\.$memberNumber == memberNumber).first(),
              let memberID = member.id else { return nil }
        return try await MemberConsentModel.query(on: database).filter(\.$memberID == memberID).filter(\.$purpose == purpose.rawValue)
            .filter(\.$isCurrent == 1).first()?.id
    }

    struct Entry: Sendable, Codable {
        var id: UUID
        var purpose: String
        var answer: String
        var method: String
        var recordedOn: String
        var partners: [String]
        var isCurrent: Bool
        var recordedBy: String
        var withdrawnOn: String?
        var withdrawnBy: String?
    }

    func history(memberID: UUID) async throws -> [Entry] {
        try await MemberConsentModel.query(on: database).filter(\.$memberID == memberID).sort(\.$recordedAt, .descending).all().map(Self.entry)
    }

    static func entry(_ model: MemberConsentModel) -> Entry {
        Entry(id: model.id ?? UUID(), purpose: model.purpose, answer: model.answer, method: model.method, recordedOn: model.recordedOn,
              partners: model.partnerIDs, isCurrent: model.isCurrent == 1, recordedBy: model.recordedBy,
              withdrawnOn: model.withdrawnOn, withdrawnBy: model.withdrawnBy)
    }

    /// The answers in force of the members given.
    func states(memberIDs: [UUID]) async throws -> [UUID: ConsentState] {
        var states: [UUID: ConsentState] = [:]
        for start in stride(from: 0, to: memberIDs.count, by: 500) {
            let chunk = Array(memberIDs[start..<min(start + 500, memberIDs.count)])
            for model in try await MemberConsentModel.query(on: database).filter(\.$memberID ~~ chunk).filter(\.$isCurrent == 1).all() {
                guard let purpose = ConsentPurpose(rawValue: model.purpose), let answer = ConsentAnswer(rawValue: model.answer) else { continue }
                states[model.memberID, default: ConsentState()].current[purpose] =
                    ConsentState.Current(answer: answer, partners: Set(model.partnerIDs), withdrawn: model.withdrawnOn != nil)
            }
        }
        return states
    }

    /// SQL true when the principal of case `c` shares their record with `institution` (a
    /// sharing consent in force naming it): what a partner institution's user may list.
    static func principalShares(with institution: UUID) -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM member_consents mc JOIN case_members pm ON pm.id = mc.member_id
                WHERE mc.case_id = c.id AND pm.relationship = 'principal' AND mc.purpose = 'sharing' AND mc.is_current = 1
                  AND mc.answer = 'given' AND mc.withdrawn_on IS NULL AND mc.partners LIKE \(bind: "%|\(institution.uuidString.lowercased())|%"))
        """
    }

    /// SQL true when the principal of case `c` refused or withdrew being contacted for monitoring.
    static let principalDeclinedMonitoring: SQLQueryString = """
        EXISTS (SELECT 1 FROM member_consents mc JOIN case_members pm ON pm.id = mc.member_id
                WHERE mc.case_id = c.id AND pm.relationship = 'principal' AND mc.purpose = 'monitoring' AND mc.is_current = 1
                  AND (mc.answer = 'refused' OR mc.withdrawn_on IS NOT NULL))
        """
}
