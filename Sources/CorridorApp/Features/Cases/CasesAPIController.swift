import CorridorCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/cases`: the caseload for scripts, with the permissions of the pages.
struct CasesAPIController: Sendable {
    struct MemberInput: Content, Sendable {
        var relationship: Relationship?
        var givenNames: String
        var familyName: String
        var sex: Sex
        var birthDate: BirthDate?
        var nationality: String
        var documentType: DocumentType?
        var documentNumber: String?
        var phone: String?
        var languages: String?
        var originRegion: String?
        var originDepartment: String?
        var educationLevel: EducationLevel?
        var occupation: String?
        var leftCountryOn: Day?
        var route: [String]?
        var stay: HostCountryStay?
        var vulnerabilities: [Vulnerability]?

        func draft(memberNumber: Int) -> MemberDraft {
            MemberDraft(memberNumber: memberNumber, relationship: relationship ?? (memberNumber == 1 ? .principal : .other),
                        givenNames: givenNames, familyName: familyName, sex: sex, birthDate: birthDate, nationality: nationality,
                        documentType: documentType ?? .none, documentNumber: documentNumber, phone: phone, languages: languages,
                        originRegion: originRegion, originDepartment: originDepartment, educationLevel: educationLevel,
                        occupation: occupation, leftCountryOn: leftCountryOn, route: route ?? [], stay: stay,
                        vulnerabilities: vulnerabilities ?? [])
        }
    }

    struct CreateInput: Content {
        var hostCountry: String
        var office: String?
        var registeredOn: Day
        var caseworkerID: UUID?
        var principal: MemberInput
    }

    struct UpdateInput: Content {
        var hostCountry: String
        var registeredOn: Day
        var caseworkerID: UUID?
        var version: Int
    }

    struct TransitionInput: Content {
        var to: CaseStatus
        var occurredOn: Day
        var reason: ClosureReason?
        var note: String?
        var version: Int
    }

    struct NewMemberInput: Content {
        var member: MemberInput
        var version: Int
    }

    struct ListOutput: Content {
        var total: Int
        /// The page's number; absent when the page was asked by `cursor`.
        var page: Int?
        var pageSize: Int
        var items: [CaseListItemOutput]
        /// Give it as `cursor` for the next page (same criteria, sort and direction); absent on the last page.
        var nextCursor: String?
    }

    /// A refused change: the API's problem shape, with the stored case on a conflict.
    struct CaseProblem: Content {
        var error: APIProblem.Detail
        var current: CaseOutput?
    }

    func register(api: any RoutesBuilder) {
        let cases = api.grouped("cases")
        cases.get(action: .viewCases, use: list)
        cases.post(action: .editCases, use: create)
        cases.get(":number", action: .viewCases, use: read)
        cases.put(":number", action: .editCases, use: update)
        cases.post(":number", "transitions", action: .editCases, use: transition)
        cases.get(":number", "members", action: .viewCases, use: members)
        cases.post(":number", "members", action: .editCases, use: addMember)
        cases.post(":number", "members", ":member", "consent", action: .editCases, use: recordConsent)
        cases.post(":number", "members", ":member", "consent", "withdrawal", action: .editCases, use: withdrawConsent)
    }

    struct ConsentInput: Content {
        var purpose: ConsentPurpose
        var answer: ConsentAnswer
        var method: ConsentMethod
        var recordedOn: Day
        /// Institutions by acronym (or identifier), for a sharing answer.
        var partners: [String]?
    }

    struct WithdrawalInput: Content {
        var purpose: ConsentPurpose
        var withdrawnOn: Day
    }

    private func memberNumber(_ req: Request) throws -> Int {
        guard let member = req.parameters.get("member", as: Int.self) else { throw Abort(.notFound) }
        return member
    }

    /// Records a consent answer, which becomes the one in force for its purpose (as the page does).
    @Sendable func recordConsent(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try number(req), member = try memberNumber(req)
        let input = try req.content.decode(ConsentInput.self)
        let institutions = try await AccountQueries(database: req.db).institutions(includeInactive: true)
        let partners = (input.partners ?? []).map { name in
            institutions.first { $0.acronym.caseInsensitiveCompare(name) == .orderedSame || $0.id.uuidString.caseInsensitiveCompare(name) == .orderedSame }?
                .id.uuidString.lowercased() ?? name
        }
        return try await answer(req, success: .created) {
            try await ConsentService(context: req.serviceContext).record(
                number: number, member: member,
                ConsentDraft(purpose: input.purpose, answer: input.answer, method: input.method, recordedOn: input.recordedOn, partners: partners))
            return number
        }
    }

    /// Withdraws the consent given for a purpose, on the day said.
    @Sendable func withdrawConsent(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try number(req), member = try memberNumber(req)
        let input = try req.content.decode(WithdrawalInput.self)
        return try await answer(req, success: .ok) {
            guard let current = try await ConsentQueries(database: req.db).current(number: number, member: member, purpose: input.purpose) else {
                throw CaseError.invalid([FieldIssue("purpose", "consent.error.not_withdrawable")])
            }
            try await ConsentService(context: req.serviceContext).withdraw(number: number, member: member, consent: current, on: input.withdrawnOn)
            return number
        }
    }

    @Sendable func list(_ req: Request) async throws -> Response {
        let filter = try req.query.decode(CaseFilter.self)
        try filter.checkUpdatedSince()
        let problems = filter.problems()
        guard problems.isEmpty else { return try await APIProblem.invalid(problems, req.catalogue).encodeResponse(status: .badRequest, for: req) }
        let page = try await req.caseQueries.list(filter, userID: try req.requireUser().id, now: req.now, cursors: true)
        let byCursor = !(filter.cursor ?? "").isEmpty
        return try await ListOutput(total: page.total, page: byCursor ? nil : page.page, pageSize: CaseFilter.pageSize,
                                    items: page.rows.map(CaseListItemOutput.init), nextCursor: page.nextCursor?.encoded)
            .encodeResponse(for: req)
    }

    @Sendable func read(_ req: Request) async throws -> CaseOutput {
        CaseOutput(try await load(req, try number(req)))
    }

    @Sendable func members(_ req: Request) async throws -> [MemberOutput] {
        try await req.requireVisibleCase()
        return try await load(req, try number(req)).members.map(MemberOutput.init)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let input = try req.content.decode(CreateInput.self)
        let header = CaseHeaderDraft(hostCountry: input.hostCountry, office: input.office ?? "CIV", registeredOn: input.registeredOn, caseworkerID: input.caseworkerID)
        return try await answer(req, success: .created) {
            let created = try await CaseService(req.serviceContext).create(header, principal: input.principal.draft(memberNumber: 1))
            return created.caseNumber
        }
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try number(req)
        let input = try req.content.decode(UpdateInput.self)
        return try await answer(req, success: .ok) {
            let office = try await load(req, number).office
            let header = CaseHeaderDraft(hostCountry: input.hostCountry, office: office, registeredOn: input.registeredOn, caseworkerID: input.caseworkerID)
            try await CaseService(req.serviceContext).updateHeader(number: number, header, expectedVersion: input.version)
            return number
        }
    }

    @Sendable func transition(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try number(req)
        let input = try req.content.decode(TransitionInput.self)
        return try await answer(req, success: .ok) {
            try await CaseService(req.serviceContext).transition(number: number, to: input.to, on: input.occurredOn, reason: input.reason,
                                                           note: input.note, expectedVersion: input.version)
            return number
        }
    }

    @Sendable func addMember(_ req: Request) async throws -> Response {
        try await req.requireVisibleCase()
        let number = try number(req)
        let input = try req.content.decode(NewMemberInput.self)
        return try await answer(req, success: .created) {
            _ = try await CaseService(req.serviceContext).saveMember(number: number, input.member.draft(memberNumber: 0), isNew: true, expectedVersion: input.version)
            return number
        }
    }

    /// Runs a change and answers with the case, or with the refusal in the API's error shape.
    private func answer(_ req: Request, success: HTTPResponseStatus, _ change: () async throws -> String) async throws -> Response {
        do {
            let number = try await change()
            return try await CaseOutput(load(req, number)).encodeResponse(status: success, for: req)
        } catch let error as CaseError {
            let catalogue = req.catalogue
            let output: CaseProblem
            let status: HTTPResponseStatus
            switch error {
            case .invalid(let issues):
                status = .unprocessableEntity
                output = CaseProblem(error: APIProblem.invalid(issues, catalogue).error)
            case .transition(let problem):
                status = .unprocessableEntity
                output = CaseProblem(error: APIProblem(code: "invalid_transition", message: catalogue.text(problem.rawValue)).error)
            case .conflict:
                status = .conflict
                let current = CaseOutput(try await load(req, try number(req)))
                output = CaseProblem(error: APIProblem(code: "conflict", message: catalogue.text("case.conflict_api")).error, current: current)
            case .notFound:
                throw Abort(.notFound)
            }
            return try await output.encodeResponse(status: status, for: req)
        }
    }

    private func number(_ req: Request) throws -> String {
        guard let number = req.parameters.get("number") else { throw Abort(.notFound) }
        return number.uppercased()
    }

    private func load(_ req: Request, _ number: String) async throws -> CaseQueries.CaseView {
        let reveal = Policy.allows(req.currentUser?.principal, .viewProtected)
        guard let view = try await req.caseQueries.detail(number, revealProtectedMarkers: reveal) else { throw Abort(.notFound) }
        return view
    }
}
