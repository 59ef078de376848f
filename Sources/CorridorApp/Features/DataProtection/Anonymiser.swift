import CorridorCore
import Fluent
import Foundation
import SQLKit

/// Removes what identifies people from their records while every count stays what it was
/// (`Anonymisation` in the domain says what is kept). It runs inside the caller's transaction:
/// the retention run anonymises whole cases, an erasure request one member. After the change
/// the case's summary cells are counted again and compared with those before: if a single
/// count would move, the transaction is refused, so no figure can drift.
enum Anonymiser {
    enum Failure: Error, Equatable {
        /// Anonymising would change a count of the return summary (a bug; nothing was written).
        case figuresWouldChange(caseNumber: String)
    }

    struct MemberRow: Decodable {
        var id: UUID
        var memberNumber: Int
        var birthDate: String?
        var birthYear: Int?
        var anonymisedOn: String?
    }

    struct Outcome: Sendable, Equatable {
        /// Members anonymised now (those done before are left as they are).
        var members = 0
        /// The stored files of the attachments whose rows went: the caller deletes them once
        /// its transaction is committed (the orphan sweep catches a crash in between).
        var files: [String] = []
    }

    /// Anonymises the members of a case given (nil: all of them) and deletes their attachments
    /// (and the household's, once the whole household is anonymous).
    @discardableResult
    static func anonymise(caseID: UUID, caseNumber: String, members only: Set<Int>? = nil, on day: Day, now: Date,
                          on db: any Database) async throws -> Outcome {
        let sql = try db.sqlDatabase
        struct CaseRow: Decodable { var arrivalDate: String? }
        let arrival = try await sql.raw("SELECT arrival_date FROM return_cases WHERE id = \(bind: caseID)")
            .first(decoding: CaseRow.self, with: CaseDerivedData.decoder)?.arrivalDate.flatMap(Day.init(iso:))
        let members = try await sql.raw("""
            SELECT id, member_number, birth_date, birth_year, anonymised_on FROM case_members WHERE case_id = \(bind: caseID)
            """).all(decoding: MemberRow.self, with: CaseDerivedData.decoder)
        let due = members.filter { $0.anonymisedOn == nil && (only?.contains($0.memberNumber) ?? true) }
        guard !due.isEmpty else { return Outcome() }
        let before = try await CaseDerivedData.cells(of: [caseID], on: db)
        let textQuestions = try await freeTextQuestionCodes(on: db)
        for member in due {
            let year = Anonymisation.birthYear(exact: member.birthDate.flatMap(Day.init(iso:)), year: member.birthYear, arrival: arrival)
            try await sql.raw("""
                UPDATE case_members SET given_names = '', family_name = '', birth_date = NULL, birth_year = \(bind: year),
                    document_number = NULL, phone = NULL, origin_department = NULL, left_country_on = NULL, occupation = NULL, search_text = '',
                    anonymised_on = \(bind: day.iso)
                WHERE id = \(bind: member.id)
                """).run()
            try await sql.raw("DELETE FROM case_protected_details WHERE member_id = \(bind: member.id)").run()
            try await sql.raw("UPDATE case_assistance SET description = '' WHERE member_id = \(bind: member.id)").run()
            try await removeFreeText(ofMember: member.id, caseNumber: caseNumber, memberNumber: member.memberNumber, questions: textQuestions,
                                     now: now, on: db)
        }
        let remaining = members.filter { $0.anonymisedOn == nil }.count - due.count
        // What the audit trail keeps beside its entries about them goes; the entries stay.
        try await AuditLog.forgetPersonalDetails(entityIDs: due.map { "\(caseNumber)/\($0.memberNumber)" } + (remaining == 0 ? [caseNumber] : []), on: db)
        let files = try await AttachmentQueries.storageNames(caseID: caseID, members: due.map(\.id), householdToo: remaining == 0, on: db)
        if !files.isEmpty { try await CaseAttachmentModel.query(on: db).filter(\.$storageName ~~ files).delete() }
        if remaining == 0 {
            // The whole household is anonymous: the case's own notes go too.
            try await sql.raw("UPDATE case_transitions SET note = NULL WHERE case_id = \(bind: caseID)").run()
            try await sql.raw("UPDATE case_assistance SET description = '' WHERE case_id = \(bind: caseID)").run()
            try await sql.raw("DELETE FROM case_protected_details WHERE case_id = \(bind: caseID)").run()
        }
        let all = try await CaseMemberModel.query(on: db).filter(\.$returnCase.$id == caseID).all()
        guard let record = try await ReturnCaseModel.find(caseID, on: db) else { throw CaseError.notFound }
        record.principalName = CaseService.principalName(all)
        record.anonymisedOn = remaining == 0 ? day.iso : nil
        record.version += 1
        record.updatedAt = now
        try await record.update(on: db)
        let after = try await CaseDerivedData.cells(of: [caseID], on: db)
        guard after == before else { throw Failure.figuresWouldChange(caseNumber: caseNumber) }
        try await CaseDerivedData.refresh(caseID, before: before, on: db)
        return Outcome(members: due.count, files: files)
    }

    /// The codes of the questions answered in free text, in every stored questionnaire version.
    static func freeTextQuestionCodes(on db: any Database) async throws -> Set<String> {
        var codes: Set<String> = []
        for model in try await QuestionnaireModel.query(on: db).all() {
            guard let questionnaire = try? ProfilingCatalog.decode(model.definition) else { continue }
            for question in questionnaire.questions where question.type == .text { codes.insert(question.code) }
        }
        return codes
    }

    /// Deletes a member's free-text interview answers (coded answers, which the figures count, stay).
    static func removeFreeText(ofMember memberID: UUID, caseNumber: String, memberNumber: Int, questions: Set<String>, now: Date,
                               on db: any Database) async throws {
        guard !questions.isEmpty else { return }
        // Linked to the member, or only named by case and member number (an import without the link).
        let interviews = try await InterviewModel.query(on: db).group(.or) { group in
            group.filter(\.$caseMemberID == memberID)
            group.group(.and) { $0.filter(\.$caseNumber == caseNumber).filter(\.$memberNumber == memberNumber) }
        }.all()
        for interview in interviews {
            guard let id = interview.id, var answers = try? JSONDecoder().decode(Answers.self, from: Data(interview.answers.utf8)) else { continue }
            let dropped = questions.intersection(answers.keys)
            guard !dropped.isEmpty else { continue }
            for code in dropped { answers.removeValue(forKey: code) }
            interview.answers = String(decoding: try JSONEncoder.sorted.encode(answers), as: UTF8.self)
            // Moved: an incremental export (`updated_since`) sends the scrubbed interview on.
            interview.updatedAt = now
            try await interview.update(on: db)
            try await InterviewAnswerModel.query(on: db).filter(\.$interviewID == id).filter(\.$questionCode ~~ Array(dropped)).delete()
        }
    }
}
