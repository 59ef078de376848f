import CorridorCore
import Fluent
import Foundation
import Vapor

/// The review queue of likely duplicates (`/duplicates`), one person's records
/// (`/people/<member>`), and the API's check of a person before registering them.
struct DuplicatesController: Sendable {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("duplicates", action: .reviewDuplicates, use: queue)
        web.get("duplicates", ":id", action: .reviewDuplicates, use: candidate)
        web.post("duplicates", ":id", action: .reviewDuplicates, use: decide)
        web.get("people", ":member", action: .viewCases, use: person)
        web.post("people", "decisions", ":id", "undo", action: .reviewDuplicates, use: undo)
        api.post("people", "matches", action: .editCases, use: checkAPI)
    }

    /// Staff of a partner institution see people by consent only: never the queue.
    private func queries(_ req: Request) throws -> PeopleQueries {
        guard req.currentUser?.institutionID == nil else { throw Abort(.notFound) }
        return PeopleQueries(database: req.db, principal: req.currentUser?.principal)
    }

    @Sendable func queue(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(PeopleQueries.QueueFilter.self)
        let queue = try await queries(req).queue(filter)
        return PeoplePages.queue(queue, filter: filter, req.pageContext())
    }

    @Sendable func candidate(_ req: Request) async throws -> HTML {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let candidate = try await queries(req).candidate(id) else { throw Abort(.notFound) }
        return PeoplePages.candidate(candidate, req.pageContext())
    }

    struct DecisionForm: Content {
        var decision: String?
        var reason: String?
    }

    @Sendable func decide(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), try await queries(req).candidate(id) != nil else { throw Abort(.notFound) }
        let form = try req.content.decode(DecisionForm.self)
        guard let decision = form.decision.flatMap(PeopleService.Decision.init(rawValue:)) else { throw Abort(.badRequest) }
        do {
            try await PeopleService(req.serviceContext).decide(candidate: id, decision, reason: form.reason ?? "")
        } catch PeopleService.PeopleError.alreadyDecided {
            return req.redirect(to: "/duplicates?notice=duplicate_already_decided", redirectType: .normal)
        }
        return req.redirect(to: "/duplicates?notice=duplicate_\(decision.rawValue)", redirectType: .normal)
    }

    @Sendable func person(_ req: Request) async throws -> HTML {
        guard let member = req.parameters.get("member").flatMap(UUID.init(uuidString:)), let person = try await queries(req).person(of: member) else { throw Abort(.notFound) }
        return PeoplePages.person(person, canUndo: Policy.allows(req.currentUser?.principal, .reviewDuplicates), req.pageContext())
    }

    @Sendable func undo(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let decision = try await PersonDecisionModel.find(id, on: req.db),
              try await queries(req).person(of: decision.memberA) != nil else { throw Abort(.notFound) }
        do {
            try await PeopleService(req.serviceContext).undo(decision: id)
        } catch PeopleService.PeopleError.notFound {
            throw Abort(.notFound)
        }
        return req.redirect(to: "/people/\(decision.memberA.uuidString)?notice=link_undone", redirectType: .normal)
    }

    /// A person about to be registered, as the API takes it.
    struct PersonInput: Content {
        var given_names: String?
        var family_name: String?
        var sex: String?
        var birth_date: String?
        var nationality: String?
        var document_number: String?
        var phone: String?
        var origin_region: String?
        var host_country: String?

        var record: MatchRecord {
            MatchRecord(id: "new", givenNames: given_names, familyName: family_name, sex: sex, birthDate: birth_date, nationality: nationality,
                        documentNumber: document_number, phone: phone, originRegion: origin_region, hostCountry: host_country)
        }
    }

    struct MatchOutput: Content {
        struct Agreement: Content {
            var field: String
            var level: String
            var weight: Double
        }
        var member_id: UUID
        var person_id: UUID
        var case_number: String
        var member_number: Int
        var given_names: String
        var family_name: String
        var birth_date: String?
        var office: String
        var registered_on: String
        var probability: Double
        var evidence: [Agreement]
    }

    struct MatchesOutput: Content {
        var matches: [MatchOutput]
    }

    @Sendable func checkAPI(_ req: Request) async throws -> MatchesOutput {
        let input = try req.content.decode(PersonInput.self)
        guard !(input.family_name ?? "").isEmpty || !(input.given_names ?? "").isEmpty || !(input.document_number ?? "").isEmpty else {
            throw Abort(.unprocessableEntity, reason: "given_names, family_name or document_number is required")
        }
        let model = try await LinkageModelStore.shared.model(on: req.db)
        let matches = try await queries(req).likelyMatches(input.record, model: model)
        return MatchesOutput(matches: matches.map { match in
            MatchOutput(member_id: match.member.id, person_id: match.member.person, case_number: match.member.case_number, member_number: match.member.member_number,
                        given_names: match.member.given_names, family_name: match.member.family_name, birth_date: match.member.birth.nilIfEmpty,
                        office: match.member.office, registered_on: match.member.registered_on, probability: match.probability,
                        evidence: match.evidence.map { MatchOutput.Agreement(field: $0.feature, level: $0.level, weight: $0.weight) })
        })
    }
}
