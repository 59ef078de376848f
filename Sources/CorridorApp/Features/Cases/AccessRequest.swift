import CorridorCore
import Fluent
import Foundation
import Vapor

/// A person's complete file, for their request to see what is held about them (data
/// protection): their record as a member of a case, the case's course, the assistance they
/// received, their interviews, and — for the protection role only — their protected details and
/// who read them, when. A person is a case member until record linkage joins their records.
struct PersonFile: Content, Sendable {
    struct CaseSummary: Codable, Sendable {
        var caseNumber: String
        var office: String
        var hostCountry: String
        var status: String
        var registeredOn: String
        var departureDate: String?
        var arrivalDate: String?
        /// How many people the household counts (the others' data is theirs, not in this file).
        var householdSize: Int
    }

    struct InterviewSummary: Codable, Sendable {
        var questionnaire: String
        var interviewedOn: String
        var round: Int?
        var source: String
        /// The answers as recorded (question code → answer).
        var answers: [String: String]
    }

    struct ProtectedRead: Codable, Sendable {
        var at: Date
        var by: String
    }

    var generatedAt: Date
    var person: CaseQueries.MemberView
    var caseSummary: CaseSummary
    var history: [CaseQueries.TransitionView]
    /// Assistance given to this person, and to the whole household.
    var assistance: [CaseQueries.AssistanceView]
    var interviews: [InterviewSummary]
    /// Nil unless the reader holds the protection role.
    var protectedDetails: CaseQueries.ProtectedView?
    /// Reads of the household's protected details (nil unless the protection role).
    var protectedReads: [ProtectedRead]?
    /// Every consent answer recorded for the person, newest first, withdrawals included.
    var consent: [ConsentQueries.Entry]
    /// The documents attached about the person (protected ones for the protection role only).
    var attachments: [AttachmentSummary] = []

    struct AttachmentSummary: Codable, Sendable {
        var kind: String
        var fileName: String
        var mediaType: String
        var bytes: Int
        var addedAt: Date
        var isProtected: Bool
    }
}

extension CaseQueries {
    func personFile(_ number: String, member memberNumber: Int, includeProtected: Bool, now: Date) async throws -> PersonFile? {
        guard let view = try await detail(number), let person = view.members.first(where: { $0.memberNumber == memberNumber }) else { return nil }
        let interviews = try await InterviewModel.query(on: database)
            .filter(\.$caseNumber == view.caseNumber).filter(\.$memberNumber == memberNumber).sort(\.$interviewedOn).all()
            .map { interview -> PersonFile.InterviewSummary in
                let answers = (try? JSONDecoder().decode(Answers.self, from: Data(interview.answers.utf8)))?.mapValues { $0.joined(separator: " ") } ?? [:]
                return PersonFile.InterviewSummary(questionnaire: interview.questionnaireCode, interviewedOn: interview.interviewedOn,
                                                   round: interview.round, source: interview.source, answers: answers)
            }
        let memberID = try await CaseMemberModel.query(on: database).join(ReturnCaseModel.self, on: \CaseMemberModel.$returnCase.$id == \ReturnCaseModel.$id)
            .filter(ReturnCaseModel.self, \.$caseNumber == view.caseNumber).filter(\.$memberNumber == memberNumber).first()?.id
        let consent = try await memberID.asyncMap { try await ConsentQueries(database: database).history(memberID: $0) } ?? []
        var protected: CaseQueries.ProtectedView?
        var reads: [PersonFile.ProtectedRead]?
        if includeProtected {
            protected = try await protectedDetails(view.caseNumber)?.first { $0.memberNumber == memberNumber }
            reads = try await AuditEntryModel.query(on: database).filter(\.$action == AuditAction.readProtected.rawValue)
                .group(.or) { $0.filter(\.$entityID == view.caseNumber).filter(\.$entityID == "\(view.caseNumber)/\(memberNumber)") }
                .sort(\.$id).all()
                .map { PersonFile.ProtectedRead(at: Date(timeIntervalSince1970: Double($0.occurredAtMilliseconds) / 1000), by: $0.actorLabel) }
        }
        let attachments = try await AttachmentQueries(database: database).list(caseNumber: view.caseNumber)
            .filter { $0.memberNumber == memberNumber && (!$0.isProtected || includeProtected) }
            .map { PersonFile.AttachmentSummary(kind: $0.kind?.rawValue ?? "other", fileName: $0.fileName, mediaType: $0.mediaType, bytes: $0.byteCount,
                                                addedAt: $0.uploadedAt, isProtected: $0.isProtected) }
        return PersonFile(
            generatedAt: now, person: person,
            caseSummary: PersonFile.CaseSummary(caseNumber: view.caseNumber, office: view.office, hostCountry: view.hostCountry, status: view.status,
                                                registeredOn: view.registeredOn, departureDate: view.departureDate, arrivalDate: view.arrivalDate,
                                                householdSize: view.members.count),
            history: view.transitions, assistance: view.assistance.filter { $0.memberNumber == nil || $0.memberNumber == memberNumber },
            interviews: interviews, protectedDetails: protected, protectedReads: reads, consent: consent, attachments: attachments)
    }
}

/// `GET /cases/<number>/members/<n>/file` (a printable page) and `…/file.json` (a download).
struct AccessRequestController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("cases", ":number", "members", ":member", "file", action: .answerAccessRequests, use: page)
        web.get("cases", ":number", "members", ":member", "file.json", action: .answerAccessRequests, use: json)
    }

    @Sendable func page(_ req: Request) async throws -> HTML {
        let (file, number) = try await load(req, format: "page")
        return AccessRequestPages.file(file, req.pageContext(), json: "/cases/\(number)/members/\(file.person.memberNumber)/file.json")
    }

    @Sendable func json(_ req: Request) async throws -> Response {
        let (file, number) = try await load(req, format: "json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return FileDownload.response(try encoder.encode(file), name: "corridor-file-\(number)-\(file.person.memberNumber).json",
                                     type: "application/json; charset=utf-8")
    }

    /// The file, audited: who answered the request, for whom, whether protected details were in it.
    private func load(_ req: Request, format: String) async throws -> (PersonFile, String) {
        let user = try req.requireUser()
        guard let number = req.parameters.get("number"), let memberNumber = req.parameters.get("member", as: Int.self) else { throw Abort(.notFound) }
        let includeProtected = user.role == .protection
        guard let file = try await req.caseQueries.personFile(number, member: memberNumber, includeProtected: includeProtected, now: req.now) else {
            throw Abort(.notFound)
        }
        try await AuditLog.record(AuditEvent(action: includeProtected ? .readProtected : .export, entityType: "access_request",
                                             entityID: "\(file.caseSummary.caseNumber)/\(memberNumber)",
                                             detail: "\(format)\(includeProtected ? ", with protected details" : "")"), req.serviceContext)
        return (file, file.caseSummary.caseNumber)
    }
}
