import CorridorCore
import Fluent
import Foundation
import Vapor

enum CooperationError: Error, Sendable, Equatable {
    case invalid([FieldIssue])
    case conflict
    case notFound
    case forbidden
    case transitionNotAllowed
    /// A validated version is changed only through the draft of its next version.
    case validatedIsFrozen
    /// The draft of the next version is already being prepared.
    case revisionOpen
}

struct MatrixDraft: Sendable {
    var titleFrench: String
    var titleEnglish: String
    var descriptionFrench: String
    var descriptionEnglish: String
    var theme: String
    var countryA: String
    var countryB: String
    var project: String
}

struct IndicatorDraft: Sendable, Equatable {
    var name: String
    var unit: String?
    var baseline: String?
    var target: String?
    var current: String?
    var live: LiveFigure?
}

struct ActionDraft: Sendable {
    var code: String
    var axis: String
    var description: String
    var leadID: UUID?
    var partnerIDs: [UUID]
    var startDate: Day?
    var deadline: Day?
    var indicator: IndicatorDraft?
    var budget: String?
    var currency: Currency?
    var fundingSource: String?
    var status: ActionStatus
    var progress: Int
    var weight: Double
}

/// A follow-up entry: a comment, or (for the lead institution) new status, progress and value.
struct FollowUpDraft: Sendable {
    var text: String
    var evidenceURL: String?
    var occurredOn: Day
    var status: ActionStatus?
    var progress: Int?
    var indicatorValue: String?
}

struct WorkshopDraft: Sendable {
    var date: Day?
    var place: String
    var institutionsPresent: String
}

/// The writes of the cooperation feature; each in one transaction with its audit entry.
struct CooperationService: Sendable {
    let database: any Database
    let actor: AuditActor
    let principal: Principal?
    /// The acting user's institution, named on the follow-ups they write.
    let institutionID: UUID?
    let now: Date

    init(_ context: ServiceContext) {
        database = context.database
        actor = context.actor
        principal = context.principal
        institutionID = context.user?.institutionID
        now = context.now
    }

    var today: Day { Day(now) }

    private func institutionAcronym() async throws -> String? {
        guard let institutionID else { return nil }
        return try await InstitutionModel.find(institutionID, on: database)?.acronym
    }

    // MARK: Matrices

    func createMatrix(_ draft: MatrixDraft) async throws -> MatrixModel {
        let checked = try check(draft)
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            let matrix = MatrixModel()
            Self.fill(matrix, checked)
            matrix.status = MatrixStatus.draft.rawValue
            matrix.validatedVersion = 0
            matrix.version = 1
            matrix.createdAt = now
            matrix.updatedAt = now
            try await matrix.create(on: db)
            try await AuditLog.append(AuditEvent(action: .create, entityType: "matrix", entityID: matrix.id?.uuidString,
                                                 changedFields: ["title_fr", "title_en", "theme"]), by: actor, at: now, on: db)
            return matrix
        }
    }

    func updateMatrix(_ id: UUID, _ draft: MatrixDraft, expectedVersion: Int) async throws {
        let checked = try check(draft)
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            let matrix = try await Self.editableMatrix(id, expectedVersion: expectedVersion, on: db)
            Self.fill(matrix, checked)
            try await Self.touch(matrix, now: now, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "matrix", entityID: id.uuidString,
                                                 changedFields: ["title_fr", "title_en", "description", "theme", "countries", "project"]),
                                      by: actor, at: now, on: db)
        }
    }

    /// Moves a matrix along `draft → under_review → validated → archived`; validation records
    /// the workshop and freezes a snapshot as the next version.
    func setStatus(_ id: UUID, to target: MatrixStatus, workshop: WorkshopDraft?, expectedVersion: Int) async throws {
        var issues: [FieldIssue] = []
        if target == .validated {
            if workshop?.date == nil { issues.append(FieldIssue("workshop_date", "case.error.date_format")) }
            if let date = workshop?.date, date > today { issues.append(FieldIssue("workshop_date", "case.error.date_in_future")) }
            if workshop?.place.nilIfEmpty == nil { issues.append(FieldIssue("workshop_place", "case.error.required")) }
        }
        guard issues.isEmpty else { throw CooperationError.invalid(issues) }
        let actor = self.actor, now = self.now, today = self.today
        try await database.writeTransaction { db in
            guard let matrix = try await MatrixModel.find(id, on: db) else { throw CooperationError.notFound }
            guard matrix.version == expectedVersion else { throw CooperationError.conflict }
            let current = MatrixStatus(rawValue: matrix.status) ?? .draft
            guard current.allowedTargets.contains(target) else { throw CooperationError.transitionNotAllowed }
            if target == .archived, try await MatrixModel.query(on: db).filter(\.$revisionOf == id).count() > 0 { throw CooperationError.revisionOpen }
            if target == .validated, let workshop, let date = workshop.date {
                // A revision is validated by merging it into the matrix it revises, which then
                // freezes the next version; the draft itself goes.
                var matrix = matrix
                if let originalID = matrix.revisionOf {
                    guard let original = try await MatrixModel.find(originalID, on: db) else { throw CooperationError.notFound }
                    try await Self.merge(revision: matrix, into: original, now: now, on: db)
                    matrix = original
                }
                let matrixID = try matrix.requireID()
                guard let snapshot = try await CooperationQueries(database: db).currentSnapshot(matrixID: matrixID, today: today) else { throw CooperationError.notFound }
                let version = MatrixVersionModel()
                version.matrixID = matrixID
                version.number = matrix.validatedVersion + 1
                version.workshopDate = date.iso
                version.workshopPlace = workshop.place.trimmingCharacters(in: .whitespacesAndNewlines)
                version.institutionsPresent = workshop.institutionsPresent.trimmingCharacters(in: .whitespacesAndNewlines)
                version.snapshot = String(decoding: try JSONEncoder.sorted.encode(snapshot), as: UTF8.self)
                version.validatedBy = actor.label
                version.createdAt = now
                try await version.create(on: db)
                matrix.validatedVersion = version.number
                if matrix.id != id {
                    try await Self.touch(matrix, now: now, on: db)
                    try await AuditLog.append(AuditEvent(action: .update, entityType: "matrix", entityID: matrixID.uuidString, changedFields: ["version"],
                                                         detail: "v\(version.number) validated from revision \(id.uuidString)"), by: actor, at: now, on: db)
                    return
                }
            }
            matrix.status = target.rawValue
            try await Self.touch(matrix, now: now, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "matrix", entityID: id.uuidString, changedFields: ["status"],
                                                 detail: "\(current.rawValue) → \(target.rawValue)"), by: actor, at: now, on: db)
        }
    }

    /// Opens the draft of a validated matrix's next version: a copy of the matrix and of every
    /// action, each naming the validated action it revises. The validated version stays in force
    /// (focal points follow it, the report shows it) until the draft is validated at a workshop.
    func prepareRevision(of id: UUID, expectedVersion: Int) async throws -> UUID {
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            guard let original = try await MatrixModel.find(id, on: db), original.revisionOf == nil else { throw CooperationError.notFound }
            guard original.version == expectedVersion else { throw CooperationError.conflict }
            guard MatrixStatus(rawValue: original.status)?.acceptsRevision == true else { throw CooperationError.transitionNotAllowed }
            guard try await MatrixModel.query(on: db).filter(\.$revisionOf == id).count() == 0 else { throw CooperationError.revisionOpen }
            let revision = MatrixModel()
            Self.fill(revision, MatrixDraft(titleFrench: original.titleFrench, titleEnglish: original.titleEnglish, descriptionFrench: original.descriptionFrench,
                                            descriptionEnglish: original.descriptionEnglish, theme: original.theme, countryA: original.countryA,
                                            countryB: original.countryB, project: original.project))
            revision.status = MatrixStatus.draft.rawValue
            revision.validatedVersion = original.validatedVersion
            revision.version = 1
            revision.revisionOf = id
            revision.createdAt = now
            revision.updatedAt = now
            try await revision.create(on: db)
            let revisionID = try revision.requireID()
            let actions = try await MatrixActionModel.query(on: db).filter(\.$matrixID == id).sort(\.$position).all()
            let actionIDs = actions.compactMap(\.id)
            let partners = try await ActionPartnerModel.query(on: db).filter(\.$actionID ~~ actionIDs).all()
            let indicators = try await ActionIndicatorModel.query(on: db).filter(\.$actionID ~~ actionIDs).all()
            for action in actions {
                let copy = MatrixActionModel()
                copy.matrixID = revisionID
                copy.originActionID = action.id
                Self.copyStructure(of: action, to: copy)
                copy.status = action.status
                copy.progress = action.progress
                copy.version = 1
                copy.updatedAt = now
                try await copy.create(on: db)
                let copyID = try copy.requireID()
                try await Self.replacePartners(copyID, partners.filter { $0.actionID == action.id }.map(\.institutionID), on: db)
                for indicator in indicators where indicator.actionID == action.id {
                    let copied = ActionIndicatorModel()
                    copied.actionID = copyID
                    copied.name = indicator.name
                    copied.unit = indicator.unit
                    copied.baseline = indicator.baseline
                    copied.target = indicator.target
                    copied.currentValue = indicator.currentValue
                    copied.liveFigure = indicator.liveFigure
                    copied.position = indicator.position
                    try await copied.create(on: db)
                }
            }
            try await AuditLog.append(AuditEvent(action: .create, entityType: "matrix", entityID: revisionID.uuidString, changedFields: ["revision_of"],
                                                 detail: "draft of v\(original.validatedVersion + 1) of \(id.uuidString)"), by: actor, at: now, on: db)
            return revisionID
        }
    }

    /// Throws away the draft of a next version; the validated version is untouched.
    /// Returns the matrix it revised.
    func discardRevision(_ id: UUID, expectedVersion: Int) async throws -> UUID {
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            guard let revision = try await MatrixModel.find(id, on: db), let originalID = revision.revisionOf else { throw CooperationError.notFound }
            guard revision.version == expectedVersion else { throw CooperationError.conflict }
            try await Self.deleteMatrix(id, on: db)
            try await AuditLog.append(AuditEvent(action: .delete, entityType: "matrix", entityID: id.uuidString,
                                                 detail: "draft of v\(revision.validatedVersion + 1) of \(originalID.uuidString) discarded"), by: actor, at: now, on: db)
            return originalID
        }
    }

    /// Writes a validated revision into the matrix it revises. Each revised action keeps its
    /// identity, so its follow-up history carries over; its structure (code, axis, wording,
    /// institutions, dates, budget, weight, indicator definition) comes from the revision, and its
    /// follow-up state (status, progress, the indicator's value) stays as followed on the
    /// validated version. Actions the revision adds join the matrix as they are.
    private static func merge(revision: MatrixModel, into original: MatrixModel, now: Date, on db: any Database) async throws {
        let revisionID = try revision.requireID(), originalID = try original.requireID()
        fill(original, MatrixDraft(titleFrench: revision.titleFrench, titleEnglish: revision.titleEnglish, descriptionFrench: revision.descriptionFrench,
                                   descriptionEnglish: revision.descriptionEnglish, theme: revision.theme, countryA: revision.countryA,
                                   countryB: revision.countryB, project: revision.project))
        let proposed = try await MatrixActionModel.query(on: db).filter(\.$matrixID == revisionID).sort(\.$position).all()
        let live = Dictionary(uniqueKeysWithValues: try await MatrixActionModel.query(on: db).filter(\.$matrixID == originalID).all().compactMap { action in
            action.id.map { ($0, action) }
        })
        // Codes may be swapped between actions: free every changed code first (codes are unique per matrix).
        for action in proposed {
            guard let origin = action.originActionID.flatMap({ live[$0] }), origin.code != action.code else { continue }
            origin.code = "~" + (origin.id?.uuidString ?? UUID().uuidString)
            try await origin.update(on: db)
        }
        let proposedIDs = proposed.compactMap(\.id)
        let indicators = try await ActionIndicatorModel.query(on: db).filter(\.$actionID ~~ proposedIDs).sort(\.$position).all()
        let partners = try await ActionPartnerModel.query(on: db).filter(\.$actionID ~~ proposedIDs).all()
        for action in proposed {
            let proposedID = try action.requireID()
            guard let origin = action.originActionID.flatMap({ live[$0] }) else {
                action.matrixID = originalID
                action.updatedAt = now
                try await action.update(on: db)
                continue
            }
            let originID = try origin.requireID()
            let before = structure(of: origin)
            copyStructure(of: action, to: origin)
            if structure(of: origin) != before {
                origin.version += 1
                origin.updatedAt = now
            }
            try await origin.update(on: db)
            try await replacePartners(originID, partners.filter { $0.actionID == proposedID }.map(\.institutionID), on: db)
            let followed = try await ActionIndicatorModel.query(on: db).filter(\.$actionID == originID).sort(\.$position).first()
            if let indicator = indicators.first(where: { $0.actionID == proposedID }) {
                let value = indicator.liveFigure == nil ? (followed?.liveFigure == nil ? followed?.currentValue : nil) ?? indicator.currentValue : nil
                try await replaceIndicator(originID, IndicatorDraft(name: indicator.name, unit: indicator.unit, baseline: indicator.baseline, target: indicator.target,
                                                                    current: value, live: indicator.liveFigure.flatMap(LiveFigure.init(rawValue:))), on: db)
            } else if let followed {
                try await followed.delete(on: db)
            }
        }
        try await deleteMatrix(revisionID, on: db)
    }

    /// An action's structure, what a revision may change: code, axis, wording, lead institution,
    /// dates, budget, weight and place (not its follow-up state: status and progress).
    private static func copyStructure(of source: MatrixActionModel, to target: MatrixActionModel) {
        target.code = source.code
        target.axis = source.axis
        target.description = source.description
        target.leadInstitutionID = source.leadInstitutionID
        target.startDate = source.startDate
        target.deadline = source.deadline
        target.budget = source.budget
        target.currency = source.currency
        target.fundingSource = source.fundingSource
        target.weight = source.weight
        target.position = source.position
    }

    private static func structure(of action: MatrixActionModel) -> [String?] {
        [action.code, action.axis, action.description, action.leadInstitutionID.uuidString, action.startDate, action.deadline, action.budget,
         action.currency, action.fundingSource, String(action.weight), String(action.position)]
    }

    /// Deletes a matrix and what hangs on it, without relying on the database's cascades.
    private static func deleteMatrix(_ id: UUID, on db: any Database) async throws {
        let actionIDs = try await MatrixActionModel.query(on: db).filter(\.$matrixID == id).all().compactMap(\.id)
        let milestoneIDs = try await MilestoneModel.query(on: db).filter(\.$matrixID == id).all().compactMap(\.id)
        try await MilestoneActionModel.query(on: db).filter(\.$milestoneID ~~ milestoneIDs).delete()
        try await MilestoneActionModel.query(on: db).filter(\.$actionID ~~ actionIDs).delete()
        try await MilestoneModel.query(on: db).filter(\.$matrixID == id).delete()
        try await ActionPartnerModel.query(on: db).filter(\.$actionID ~~ actionIDs).delete()
        try await ActionIndicatorModel.query(on: db).filter(\.$actionID ~~ actionIDs).delete()
        try await ActionUpdateModel.query(on: db).filter(\.$actionID ~~ actionIDs).delete()
        try await MatrixActionModel.query(on: db).filter(\.$matrixID == id).delete()
        try await MatrixModel.query(on: db).filter(\.$id == id).delete()
    }

    // MARK: Actions

    /// Adds (`actionID` nil) or edits an action of a matrix: the structure, for M&E officers and administrators.
    func saveAction(matrixID: UUID, actionID: UUID?, _ draft: ActionDraft, expectedVersion: Int) async throws -> UUID {
        var issues: [FieldIssue] = []
        if draft.code.nilIfEmpty == nil { issues.append(FieldIssue("code", "case.error.required")) }
        if draft.axis.nilIfEmpty == nil { issues.append(FieldIssue("axis", "case.error.required")) }
        if draft.description.nilIfEmpty == nil { issues.append(FieldIssue("description", "case.error.required")) }
        if draft.leadID == nil { issues.append(FieldIssue("lead", "case.error.required")) }
        if let start = draft.startDate, let deadline = draft.deadline, deadline < start { issues.append(FieldIssue("deadline", "matrix.error.deadline_before_start")) }
        if !(0...100).contains(draft.progress) { issues.append(FieldIssue("progress", "matrix.error.progress")) }
        if draft.weight < 0 || draft.weight > 100 { issues.append(FieldIssue("weight", "matrix.error.weight")) }
        if draft.budget != nil, draft.currency == nil { issues.append(FieldIssue("currency", "case.error.amount_and_currency")) }
        guard issues.isEmpty, let leadID = draft.leadID else { throw CooperationError.invalid(issues) }
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            let matrix = try await Self.editableMatrix(matrixID, expectedVersion: expectedVersion, on: db)
            let code = draft.code.trimmingCharacters(in: .whitespaces)
            var duplicate = MatrixActionModel.query(on: db).filter(\.$matrixID == matrixID).filter(\.$code == code)
            if let actionID { duplicate = duplicate.filter(\.$id != actionID) }
            if try await duplicate.count() > 0 { throw CooperationError.invalid([FieldIssue("code", "matrix.error.duplicate_code")]) }
            let action: MatrixActionModel
            if let actionID {
                guard let existing = try await MatrixActionModel.find(actionID, on: db), existing.matrixID == matrixID else { throw CooperationError.notFound }
                action = existing
                action.version += 1
            } else {
                action = MatrixActionModel()
                action.matrixID = matrixID
                action.position = (try await MatrixActionModel.query(on: db).filter(\.$matrixID == matrixID).max(\.$position) ?? 0) + 1
                action.version = 1
            }
            // A revised action's follow-up state is the validated version's, not the draft's.
            let followed = action.originActionID == nil ? nil : (status: action.status, progress: action.progress)
            Self.fill(action, draft, code: code, leadID: leadID)
            if let followed {
                action.status = followed.status
                action.progress = followed.progress
            }
            action.updatedAt = now
            try await action.save(on: db)
            let id = try action.requireID()
            try await Self.replacePartners(id, draft.partnerIDs.filter { $0 != leadID }, on: db)
            try await Self.replaceIndicator(id, draft.indicator, on: db)
            try await Self.touch(matrix, now: now, on: db)
            try await AuditLog.append(AuditEvent(action: actionID == nil ? .create : .update, entityType: "matrix_action", entityID: id.uuidString,
                                                 changedFields: ["code", "axis", "description", "lead", "partners", "dates", "indicator", "budget", "status", "progress"]),
                                      by: actor, at: now, on: db)
            return id
        }
    }

    /// A follow-up entry on an action. The lead institution (and managers) may change status,
    /// progress and the indicator's value; partners add comments; anyone else is refused.
    func followUp(actionID: UUID, _ draft: FollowUpDraft, expectedVersion: Int?) async throws {
        guard let action = try await MatrixActionModel.find(actionID, on: database),
              let matrix = try await MatrixModel.find(action.matrixID, on: database),
              CooperationQueries.visible(matrix.status, to: principal) else { throw CooperationError.notFound }
        let partners = try await ActionPartnerModel.query(on: database).filter(\.$actionID == actionID).all().map(\.institutionID.uuidString)
        let right = Policy.actionRight(principal, leadInstitutionID: action.leadInstitutionID.uuidString, partnerInstitutionIDs: partners)
        guard right >= .comment else { throw CooperationError.forbidden }
        let changesState = draft.status != nil || draft.progress != nil || draft.indicatorValue != nil
        if changesState, right < .update { throw CooperationError.forbidden }
        guard matrix.status != MatrixStatus.archived.rawValue, matrix.revisionOf == nil else { throw CooperationError.transitionNotAllowed }
        var issues: [FieldIssue] = []
        if draft.text.nilIfEmpty == nil, !changesState { issues.append(FieldIssue("text", "case.error.required")) }
        if let progress = draft.progress, !(0...100).contains(progress) { issues.append(FieldIssue("progress", "matrix.error.progress")) }
        if draft.occurredOn > today { issues.append(FieldIssue("occurred_on", "case.error.date_in_future")) }
        if let url = draft.evidenceURL?.nilIfEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            issues.append(FieldIssue("evidence_url", "matrix.error.evidence_url"))
        }
        guard issues.isEmpty else { throw CooperationError.invalid(issues) }
        let acronym = try await institutionAcronym()
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            guard let action = try await MatrixActionModel.find(actionID, on: db) else { throw CooperationError.notFound }
            var changed: [String] = []
            var summary: [String] = []
            if changesState {
                if let expectedVersion, action.version != expectedVersion { throw CooperationError.conflict }
                if let status = draft.status, status.rawValue != action.status {
                    summary.append("status:\(action.status):\(status.rawValue)")
                    action.status = status.rawValue
                    changed.append("status")
                }
                if let progress = draft.progress, progress != action.progress {
                    summary.append("progress:\(action.progress):\(progress)")
                    action.progress = progress
                    changed.append("progress")
                }
                if let value = draft.indicatorValue?.nilIfEmpty,
                   let indicator = try await ActionIndicatorModel.query(on: db).filter(\.$actionID == actionID).sort(\.$position).first(),
                   indicator.liveFigure == nil, indicator.currentValue != value {
                    summary.append("indicator:\(indicator.currentValue ?? "—"):\(value)")
                    indicator.currentValue = value
                    try await indicator.update(on: db)
                    changed.append("indicator")
                }
                if !changed.isEmpty {
                    action.version += 1
                    action.updatedAt = now
                    try await action.update(on: db)
                }
            }
            let entry = ActionUpdateModel()
            entry.actionID = actionID
            entry.kind = changed.isEmpty ? "comment" : "update"
            entry.occurredOn = draft.occurredOn.iso
            entry.text = draft.text.trimmingCharacters(in: .whitespacesAndNewlines)
            entry.changes = summary.map { $0.replacingOccurrences(of: "|", with: "/") }.joined(separator: "|")
            entry.evidenceURL = draft.evidenceURL?.nilIfEmpty
            entry.authorID = actor.id.flatMap(UUID.init(uuidString:))
            entry.authorLabel = actor.label
            entry.institutionAcronym = acronym
            entry.createdAt = now
            try await entry.create(on: db)
            try await AuditLog.append(AuditEvent(action: changed.isEmpty ? .create : .update, entityType: changed.isEmpty ? "action_update" : "matrix_action",
                                                 entityID: actionID.uuidString, changedFields: changed.isEmpty ? ["follow_up"] : changed + ["follow_up"]),
                                      by: actor, at: now, on: db)
        }
    }

    // MARK: Milestones

    func addMilestone(matrixID: UUID, title: String, dueOn: Day?, actionIDs: [UUID]) async throws {
        guard title.nilIfEmpty != nil else { throw CooperationError.invalid([FieldIssue("title", "case.error.required")]) }
        let actor = self.actor, now = self.now
        try await database.writeTransaction { db in
            guard let matrix = try await MatrixModel.find(matrixID, on: db) else { throw CooperationError.notFound }
            guard matrix.revisionOf == nil else { throw CooperationError.transitionNotAllowed }
            let milestone = MilestoneModel()
            milestone.matrixID = matrixID
            milestone.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
            milestone.dueOn = dueOn?.iso
            milestone.createdAt = now
            try await milestone.create(on: db)
            let valid = try await MatrixActionModel.query(on: db).filter(\.$matrixID == matrixID).filter(\.$id ~~ actionIDs).all()
            for action in valid {
                let link = MilestoneActionModel()
                link.milestoneID = try milestone.requireID()
                link.actionID = try action.requireID()
                try await link.create(on: db)
            }
            try await AuditLog.append(AuditEvent(action: .create, entityType: "milestone", entityID: milestone.id?.uuidString,
                                                 changedFields: ["title", "due_on", "actions"]), by: actor, at: now, on: db)
        }
    }

    /// Marks a milestone done on `day`; returns the matrix it belongs to.
    @discardableResult
    func completeMilestone(_ id: UUID, on day: Day) async throws -> UUID {
        if day > today { throw CooperationError.invalid([FieldIssue("done_on", "case.error.date_in_future")]) }
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            guard let milestone = try await MilestoneModel.find(id, on: db) else { throw CooperationError.notFound }
            milestone.doneOn = day.iso
            try await milestone.update(on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "milestone", entityID: id.uuidString, changedFields: ["done_on"]),
                                      by: actor, at: now, on: db)
            return milestone.matrixID
        }
    }

    // MARK: Imports

    /// Creates a draft matrix with every action of a validated file, in one transaction.
    func importMatrix(_ plan: MatrixImportPlan, _ draft: MatrixDraft, fileName: String) async throws -> UUID {
        let checked = try check(draft)
        guard plan.issues.isEmpty, !plan.actions.isEmpty else { throw CooperationError.invalid([FieldIssue("file", "matrix.error.file_has_problems")]) }
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            let matrix = MatrixModel()
            Self.fill(matrix, checked)
            matrix.status = MatrixStatus.draft.rawValue
            matrix.validatedVersion = 0
            matrix.version = 1
            matrix.createdAt = now
            matrix.updatedAt = now
            try await matrix.create(on: db)
            let matrixID = try matrix.requireID()
            for (position, imported) in plan.actions.enumerated() {
                guard let leadID = UUID(uuidString: imported.leadID) else { throw CooperationError.notFound }
                let action = MatrixActionModel()
                action.matrixID = matrixID
                action.position = position + 1
                action.version = 1
                action.updatedAt = now
                let indicator = imported.indicator.map { IndicatorDraft(name: $0, baseline: imported.baseline, target: imported.target, current: nil, live: nil) }
                let actionDraft = ActionDraft(code: imported.code, axis: imported.axis, description: imported.description, leadID: leadID,
                                              partnerIDs: imported.partnerIDs.compactMap(UUID.init(uuidString:)), startDate: imported.startDate,
                                              deadline: imported.deadline, indicator: indicator, budget: imported.budget.map { "\($0)" },
                                              currency: imported.currency, fundingSource: imported.fundingSource, status: imported.status,
                                              progress: imported.progress, weight: 1)
                Self.fill(action, actionDraft, code: imported.code, leadID: leadID)
                try await action.create(on: db)
                let actionID = try action.requireID()
                try await Self.replacePartners(actionID, actionDraft.partnerIDs, on: db)
                try await Self.replaceIndicator(actionID, indicator, on: db)
            }
            try await AuditLog.append(AuditEvent(action: .create, entityType: "matrix", entityID: matrixID.uuidString,
                                                 detail: "imported from \(fileName): \(plan.actions.count) actions"), by: actor, at: now, on: db)
            return matrixID
        }
    }

    /// Creates or updates institutions by acronym, in one transaction; returns (created, updated).
    func importInstitutions(_ institutions: [ImportedInstitution], fileName: String) async throws -> (created: Int, updated: Int) {
        let actor = self.actor, now = self.now
        return try await database.writeTransaction { db in
            var created = 0, updated = 0
            for imported in institutions {
                if let existing = try await InstitutionModel.query(on: db).filter(\.$acronym == imported.acronym).first() {
                    if existing.name != imported.name || existing.country != imported.country || existing.kind != imported.kind.rawValue {
                        existing.name = imported.name
                        existing.country = imported.country
                        existing.kind = imported.kind.rawValue
                        existing.version += 1
                        try await existing.update(on: db)
                        updated += 1
                    }
                } else {
                    let institution = InstitutionModel()
                    institution.acronym = imported.acronym
                    institution.name = imported.name
                    institution.country = imported.country
                    institution.kind = imported.kind.rawValue
                    institution.isActive = true
                    institution.version = 1
                    try await institution.create(on: db)
                    created += 1
                }
            }
            try await AuditLog.append(AuditEvent(action: .create, entityType: "institution_import", entityID: fileName,
                                                 detail: "\(created) created, \(updated) updated"), by: actor, at: now, on: db)
            return (created, updated)
        }
    }

    // MARK: Helpers

    private func check(_ draft: MatrixDraft) throws -> MatrixDraft {
        var issues: [FieldIssue] = []
        var checked = draft
        checked.titleFrench = draft.titleFrench.trimmingCharacters(in: .whitespacesAndNewlines)
        checked.titleEnglish = draft.titleEnglish.trimmingCharacters(in: .whitespacesAndNewlines)
        if checked.titleFrench.isEmpty { issues.append(FieldIssue("title_fr", "case.error.required")) }
        if checked.titleEnglish.isEmpty { checked.titleEnglish = checked.titleFrench }
        if MatrixTheme(rawValue: draft.theme) == nil { issues.append(FieldIssue("theme", "case.error.unknown_code")) }
        checked.countryA = draft.countryA.uppercased()
        checked.countryB = draft.countryB.uppercased()
        if !Countries.isKnown(checked.countryA) { issues.append(FieldIssue("country_a", "case.error.unknown_country")) }
        if !Countries.isKnown(checked.countryB) { issues.append(FieldIssue("country_b", "case.error.unknown_country")) }
        guard issues.isEmpty else { throw CooperationError.invalid(issues) }
        return checked
    }

    private static func fill(_ matrix: MatrixModel, _ draft: MatrixDraft) {
        matrix.titleFrench = draft.titleFrench
        matrix.titleEnglish = draft.titleEnglish
        matrix.descriptionFrench = draft.descriptionFrench
        matrix.descriptionEnglish = draft.descriptionEnglish
        matrix.theme = draft.theme
        matrix.countryA = draft.countryA
        matrix.countryB = draft.countryB
        matrix.project = draft.project
    }

    private static func fill(_ action: MatrixActionModel, _ draft: ActionDraft, code: String, leadID: UUID) {
        action.code = code
        action.axis = draft.axis.trimmingCharacters(in: .whitespacesAndNewlines)
        action.description = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        action.leadInstitutionID = leadID
        action.startDate = draft.startDate?.iso
        action.deadline = draft.deadline?.iso
        action.budget = draft.budget?.nilIfEmpty
        action.currency = draft.currency?.rawValue
        action.fundingSource = draft.fundingSource?.nilIfEmpty
        action.status = draft.status.rawValue
        action.progress = draft.progress
        action.weight = draft.weight
    }

    /// A matrix open to structural edits: a draft, or one under review (which goes back to
    /// draft). A validated one is refused: it is revised through the draft of its next version.
    private static func editableMatrix(_ id: UUID, expectedVersion: Int, on db: any Database) async throws -> MatrixModel {
        guard let matrix = try await MatrixModel.find(id, on: db) else { throw CooperationError.notFound }
        guard matrix.version == expectedVersion else { throw CooperationError.conflict }
        guard let status = MatrixStatus(rawValue: matrix.status) else { throw CooperationError.transitionNotAllowed }
        if status == .validated { throw CooperationError.validatedIsFrozen }
        guard status.acceptsStructuralEdits else { throw CooperationError.transitionNotAllowed }
        if status == .underReview { matrix.status = MatrixStatus.draft.rawValue }
        return matrix
    }

    private static func touch(_ matrix: MatrixModel, now: Date, on db: any Database) async throws {
        matrix.version += 1
        matrix.updatedAt = now
        try await matrix.update(on: db)
    }

    private static func replacePartners(_ actionID: UUID, _ partnerIDs: [UUID], on db: any Database) async throws {
        try await ActionPartnerModel.query(on: db).filter(\.$actionID == actionID).delete()
        for institutionID in Set(partnerIDs) {
            let partner = ActionPartnerModel()
            partner.actionID = actionID
            partner.institutionID = institutionID
            try await partner.create(on: db)
        }
    }

    private static func replaceIndicator(_ actionID: UUID, _ draft: IndicatorDraft?, on db: any Database) async throws {
        let existing = try await ActionIndicatorModel.query(on: db).filter(\.$actionID == actionID).sort(\.$position).first()
        guard let draft, draft.name.nilIfEmpty != nil else {
            if let existing { try await existing.delete(on: db) }
            return
        }
        let indicator = existing ?? ActionIndicatorModel()
        if existing == nil {
            indicator.actionID = actionID
            indicator.position = 1
        }
        indicator.name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        indicator.unit = draft.unit?.nilIfEmpty
        indicator.baseline = draft.baseline?.nilIfEmpty
        indicator.target = draft.target?.nilIfEmpty
        indicator.currentValue = draft.live == nil ? draft.current?.nilIfEmpty : nil
        indicator.liveFigure = draft.live?.rawValue
        try await indicator.save(on: db)
    }
}

extension JSONEncoder {
    /// Keys sorted, so that a snapshot's text is stable.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
