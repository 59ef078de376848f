import CorridorCore
import Fluent
import Foundation
import SQLKit

/// One person, many records: finds the records of one person in the stored caseload,
/// proposes them for review, and records what people decide. Linking never deletes or merges
/// a record: it gives the members one person, by a decision kept with who, when and why, that
/// can be undone; the audit trail has each.
struct PeopleService: Sendable {
    let context: ServiceContext

    init(_ context: ServiceContext) { self.context = context }

    enum Decision: String, Sendable, CaseIterable {
        case same
        case different
    }

    enum PeopleError: Error, Equatable {
        case notFound
        /// The candidate was decided by someone else meanwhile.
        case alreadyDecided
        case reasonRequired
    }

    /// What a caseload run found.
    struct CaseloadSummary: Sendable, Equatable {
        var records: Int
        var comparedPairs: Int
        var judgedSame: Int
        var toReview: Int
        var newCandidates: Int
        var people: Int
        var seconds: Double
    }

    // MARK: The caseload

    /// Runs the engine over every named member (the anonymised have nothing left to match),
    /// and, with `commit`, records the pairs found as candidates for review (those not yet one
    /// person, and not decided "different") and the model it fitted, which the check of a
    /// new registration then uses.
    func runCaseload(commit: Bool, settings: LinkageSettings = .init(), pageSize: Int = PeopleService.pageSize) async throws -> CaseloadSummary {
        let started = Date()
        let sql = try context.database.sqlDatabase
        // Read a page at a time and prepared as read: a million members' rows are never all
        // held at once; what the proposals need is kept beside (id, person, trafficking flag).
        var input = LinkageRecords()
        var ids: [UUID] = [], persons: [UUID] = [], sensitive: [Bool] = []
        var last: UUID? = nil
        while true {
            let condition: SQLQueryString = last.map { "m.anonymised_on IS NULL AND m.id > \(bind: $0)" } ?? "m.anonymised_on IS NULL"
            let page = try await sql.raw("SELECT \(PeopleQueries.memberColumns) FROM case_members m JOIN return_cases c ON c.id = m.case_id WHERE \(condition) ORDER BY m.id LIMIT \(literal: pageSize)")
                .all(decoding: PeopleQueries.MemberSummary.self)
            for member in page {
                input.append(member.record)
                ids.append(member.id)
                persons.append(member.person)
                sensitive.append(member.isVictimOfTrafficking)
            }
            guard page.count == pageSize, let next = page.last?.id else { break }
            last = next
        }
        let records = input.count
        let (engine, candidates, comparisons) = await LinkageEngine.fitted(input, settings: settings)
        let result = engine.resolve(candidates: candidates, comparisons: comparisons)
        let different = try await decidedDifferent()
        var proposals: [LinkagePair] = []
        for pair in result.pairs + result.reviewPairs {
            if persons[pair.first] == persons[pair.second] { continue }
            if different.contains(Self.key(ids[pair.first], ids[pair.second])) { continue }
            proposals.append(pair)
        }
        var inserted = 0
        if commit {
            let now = context.now
            let model = try String(decoding: JSONEncoder().encode(engine.model), as: UTF8.self)
            let actor = context.actor
            let proposed = proposals, memberIDs = ids, flags = sensitive
            inserted = try await context.database.writeTransaction { db in
                var added = 0
                for pair in proposed {
                    let evidence = Self.evidenceText(engine.evidence(pair.first, pair.second))
                    added += try await Self.propose(memberIDs[pair.first], memberIDs[pair.second], probability: pair.probability, evidence: evidence, origin: "caseload",
                                                    sensitive: flags[pair.first] || flags[pair.second], at: now, on: db).isNew ? 1 : 0
                }
                let row = MatchModelRecord()
                row.model = model
                row.records = records
                row.fittedAt = now
                try await row.create(on: db)
                try await AuditLog.append(AuditEvent(action: .update, entityType: "match_candidates", entityID: nil,
                                                     detail: "caseload run: \(records) records, \(proposed.count) pairs proposed, \(added) new"),
                                          by: actor, at: now, on: db)
                return added
            }
        }
        return CaseloadSummary(records: records, comparedPairs: result.comparedPairs, judgedSame: result.pairs.count, toReview: result.reviewPairs.count,
                               newCandidates: inserted, people: Set(result.clusters).count, seconds: Date().timeIntervalSince(started))
    }

    /// Members read per query by the caseload run.
    static let pageSize = 20_000

    static func key(_ a: UUID, _ b: UUID) -> String {
        a.uuidString < b.uuidString ? a.uuidString + b.uuidString : b.uuidString + a.uuidString
    }

    /// Records a candidate pair (its members in a fixed order), or refreshes an open one: the
    /// candidate (nil when the pair was decided already) and whether it is new.
    @discardableResult
    static func propose(_ a: UUID, _ b: UUID, probability: Double, evidence: String, origin: String, sensitive: Bool, at now: Date,
                        on db: any Database) async throws -> (open: UUID?, isNew: Bool) {
        let (first, second) = a.uuidString < b.uuidString ? (a, b) : (b, a)
        if let existing = try await MatchCandidateModel.query(on: db).filter(\.$memberA == first).filter(\.$memberB == second).first() {
            guard existing.status == "open" else { return (nil, false) }
            existing.probability = probability
            existing.evidence = evidence
            existing.sensitive = sensitive
            try await existing.update(on: db)
            return (existing.id, false)
        }
        let candidate = MatchCandidateModel()
        candidate.memberA = first
        candidate.memberB = second
        candidate.probability = probability
        candidate.evidence = evidence
        candidate.origin = origin
        candidate.sensitive = sensitive
        candidate.status = "open"
        candidate.createdAt = now
        try await candidate.create(on: db)
        return (candidate.id, true)
    }

    /// The evidence as stored with a candidate: feature, level and weight, never a value (so
    /// no protected field, nor any other, can reach the queue through it).
    static func evidenceText(_ evidence: [FeatureEvidence]) -> String {
        evidence.compactMap { line in
            line.level.map { "\(line.feature.code):\($0):\(String(format: "%.2f", line.weight))" }
        }.joined(separator: ";")
    }

    private func decidedDifferent() async throws -> Set<String> {
        let rows = try await PersonDecisionModel.query(on: context.database).filter(\.$decision == Decision.different.rawValue).filter(\.$undoneAt == nil).all()
        return Set(rows.map { Self.key($0.memberA, $0.memberB) })
    }

    // MARK: Decisions

    /// Decides a candidate: "same" gives both members one person; "different" keeps them
    /// apart and the pair is never proposed again. The caller has checked that the reader may
    /// see the candidate (`PeopleQueries.candidate`).
    func decide(candidate id: UUID, _ decision: Decision, reason: String) async throws {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let actor = context.actor, now = context.now, user = context.user
        try await context.database.writeTransaction { db in
            guard let candidate = try await MatchCandidateModel.find(id, on: db) else { throw PeopleError.notFound }
            guard candidate.status == "open" else { throw PeopleError.alreadyDecided }
            candidate.status = decision.rawValue
            candidate.decidedBy = user?.id
            candidate.decidedAt = now
            try await candidate.update(on: db)
            try await Self.record(decision, candidate.memberA, candidate.memberB, reason: trimmed.isEmpty ? "review" : String(trimmed.prefix(500)),
                                  origin: "review", by: user, actor: actor, at: now, on: db)
        }
    }

    /// Links two members as one person outside the queue (a registration's case worker who
    /// recognised the person).
    func link(_ a: UUID, _ b: UUID, reason: String, origin: String) async throws {
        let actor = context.actor, now = context.now, user = context.user
        try await context.database.writeTransaction { db in
            try await Self.record(.same, a, b, reason: reason, origin: origin, by: user, actor: actor, at: now, on: db)
        }
    }

    private static func record(_ decision: Decision, _ a: UUID, _ b: UUID, reason: String, origin: String, by user: CurrentUser?, actor: AuditActor, at now: Date, on db: any Database) async throws {
        let row = PersonDecisionModel()
        row.memberA = a
        row.memberB = b
        row.decision = decision.rawValue
        row.reason = reason
        row.origin = origin
        row.decidedBy = user?.id
        row.decidedByName = user?.name ?? actor.label
        row.decidedAt = now
        try await row.create(on: db)
        if decision == .same { try await regroup([a, b], on: db) }
        // A decided pair leaves the queue whichever way it was decided.
        let (first, second) = a.uuidString < b.uuidString ? (a, b) : (b, a)
        if let open = try await MatchCandidateModel.query(on: db).filter(\.$memberA == first).filter(\.$memberB == second).filter(\.$status == "open").first() {
            open.status = decision.rawValue
            open.decidedBy = user?.id
            open.decidedAt = now
            try await open.update(on: db)
        }
        try await AuditLog.append(AuditEvent(action: .create, entityType: "person_decision", entityID: try row.requireID().uuidString,
                                             changedFields: [decision.rawValue], detail: "\(origin): members \(a.uuidString) and \(b.uuidString)"),
                                  by: actor, at: now, on: db)
    }

    /// Undoes a decision; the members' persons are worked out again from the decisions left.
    func undo(decision id: UUID) async throws {
        let actor = context.actor, now = context.now, user = context.user
        try await context.database.writeTransaction { db in
            guard let row = try await PersonDecisionModel.find(id, on: db), row.undoneAt == nil else { throw PeopleError.notFound }
            row.undoneAt = now
            row.undoneByName = user?.name ?? actor.label
            try await row.update(on: db)
            if row.decision == Decision.same.rawValue { try await Self.regroup([row.memberA, row.memberB], on: db) }
            let (first, second) = row.memberA.uuidString < row.memberB.uuidString ? (row.memberA, row.memberB) : (row.memberB, row.memberA)
            // The pair may be proposed again.
            try await MatchCandidateModel.query(on: db).filter(\.$memberA == first).filter(\.$memberB == second).delete()
            try await AuditLog.append(AuditEvent(action: .update, entityType: "person_decision", entityID: id.uuidString, changedFields: ["undone"],
                                                 detail: "members \(row.memberA.uuidString) and \(row.memberB.uuidString)"),
                                      by: actor, at: now, on: db)
        }
    }

    /// Works out the persons of every member connected to `members` by standing "same"
    /// decisions: each group of connected members gets one person, the smallest member id.
    static func regroup(_ members: [UUID], on db: any Database) async throws {
        var seen = Set<UUID>()
        var queue = members
        // Everyone who shares a person with these members now, then the decisions around them.
        let persons = try await CaseMemberModel.query(on: db).filter(\.$id ~~ members).all().map { $0.personID ?? $0.id! }
        let sharing = try await CaseMemberModel.query(on: db).group(.or) { group in
            group.filter(\.$personID ~~ persons).filter(\.$id ~~ persons)
        }.all()
        queue.append(contentsOf: sharing.compactMap(\.id))
        var edges: [UUID: Set<UUID>] = [:]
        while let member = queue.popLast() {
            guard seen.insert(member).inserted else { continue }
            let decisions = try await PersonDecisionModel.query(on: db).filter(\.$decision == Decision.same.rawValue).filter(\.$undoneAt == nil)
                .group(.or) { $0.filter(\.$memberA == member).filter(\.$memberB == member) }.all()
            for decision in decisions {
                let other = decision.memberA == member ? decision.memberB : decision.memberA
                edges[member, default: []].insert(other)
                edges[other, default: []].insert(member)
                if !seen.contains(other) { queue.append(other) }
            }
        }
        // Connected groups among the members seen.
        var assigned = Set<UUID>()
        for start in seen.sorted(by: { $0.uuidString < $1.uuidString }) where !assigned.contains(start) {
            var group: [UUID] = []
            var stack = [start]
            while let member = stack.popLast() {
                guard assigned.insert(member).inserted else { continue }
                group.append(member)
                stack.append(contentsOf: edges[member, default: []].filter { !assigned.contains($0) })
            }
            let person = group.min(by: { $0.uuidString < $1.uuidString }) ?? start
            for member in group {
                try await CaseMemberModel.query(on: db).filter(\.$id == member).set(\.$personID, to: group.count == 1 ? nil : person).update()
            }
        }
    }
}
