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
            if target == .validated, let workshop, let date = workshop.date {
                guard let snapshot = try await CooperationQueries(database: db).currentSnapshot(matrixID: id, today: today) else { throw CooperationError.notFound }
                let version = MatrixVersionModel()
                version.matrixID = id
                version.number = matrix.validatedVersion + 1
                version.workshopDate = date.iso
                version.workshopPlace = workshop.place.trimmingCharacters(in: .whitespacesAndNewlines)
                version.institutionsPresent = workshop.institutionsPresent.trimmingCharacters(in: .whitespacesAndNewlines)
                version.snapshot = String(decoding: try JSONEncoder.sorted.encode(snapshot), as: UTF8.self)
                version.validatedBy = actor.label
                version.createdAt = now
                try await version.create(on: db)
                matrix.validatedVersion = version.number
            }
            matrix.status = target.rawValue
            try await Self.touch(matrix, now: now, on: db)
            try await AuditLog.append(AuditEvent(action: .update, entityType: "matrix", entityID: id.uuidString, changedFields: ["status"],
                                                 detail: "\(current.rawValue) → \(target.rawValue)"), by: actor, at: now, on: db)
        }
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
            Self.fill(action, draft, code: code, leadID: leadID)
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
        guard matrix.status != MatrixStatus.archived.rawValue else { throw CooperationError.transitionNotAllowed }
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
            guard try await MatrixModel.find(matrixID, on: db) != nil else { throw CooperationError.notFound }
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

    /// A matrix open to structural edits; a validated one goes back to draft (its next version).
    private static func editableMatrix(_ id: UUID, expectedVersion: Int, on db: any Database) async throws -> MatrixModel {
        guard let matrix = try await MatrixModel.find(id, on: db) else { throw CooperationError.notFound }
        guard matrix.version == expectedVersion else { throw CooperationError.conflict }
        guard let status = MatrixStatus(rawValue: matrix.status), status.acceptsStructuralEdits else { throw CooperationError.transitionNotAllowed }
        if status == .validated || status == .underReview { matrix.status = MatrixStatus.draft.rawValue }
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
