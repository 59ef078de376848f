import CorridorCore
import Fluent
import Foundation
import Vapor

/// What the registration form asks of the people feature: the likely matches of the person
/// being registered, and the link the case worker chose.
enum LikelyMatchesSection {
    static func record(_ member: MemberDraft, hostCountry: String) -> MatchRecord {
        let birth = member.birthDate.map { $0.exact?.iso ?? String($0.year) }
        return MatchRecord(id: "new", givenNames: member.givenNames, familyName: member.familyName, sex: member.sex.rawValue, birthDate: birth,
                           nationality: member.nationality, documentType: member.documentType.rawValue, documentNumber: member.documentNumber,
                           phone: member.phone, originRegion: member.originRegion, hostCountry: hostCountry)
    }

    /// The section to show above the form's button, or nil when nobody stored looks like them.
    static func render(for member: MemberDraft, hostCountry: String, _ req: Request) async throws -> HTML? {
        guard req.currentUser?.institutionID == nil else { return nil }
        let model = try await LinkageModelStore.shared.model(on: req.db)
        let matches = try await PeopleQueries(database: req.db, principal: req.currentUser?.principal)
            .likelyMatches(record(member, hostCountry: hostCountry), model: model)
        return matches.isEmpty ? nil : PeoplePages.likelyMatches(matches, req.pageContext())
    }

    /// Links the new case's principal to the stored member chosen on the form; false when
    /// that member is not one the reader may link to.
    static func link(newCase: ReturnCaseModel, to member: UUID, _ req: Request) async throws -> Bool {
        guard req.currentUser?.institutionID == nil, Policy.allows(req.currentUser?.principal, .editCases) else { return false }
        let queries = PeopleQueries(database: req.db, principal: req.currentUser?.principal)
        guard let stored = try await queries.members([member])[member], !stored.isVictimOfTrafficking || req.currentUser?.role == .protection,
              let principal = try await CaseMemberModel.query(on: req.db).filter(\.$returnCase.$id == newCase.requireID()).filter(\.$memberNumber == 1).first(),
              let principalID = principal.id else { return false }
        try await PeopleService(req.serviceContext).link(principalID, member, reason: req.t("match.reason_registration"), origin: "registration")
        return true
    }
}
