import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Reads of the cooperation feature, as plain values for pages and the API.
struct CooperationQueries: Sendable {
    let database: any Database

    struct IndicatorView: Content, Sendable {
        var name: String
        var unit: String?
        var baseline: String?
        var target: String?
        var currentValue: String?
        var liveFigure: String?
    }

    struct Change: Content, Sendable {
        var field: String
        var before: String
        var after: String
    }

    struct UpdateView: Content, Sendable {
        var id: UUID
        var kind: String
        var occurredOn: String
        var text: String
        /// Changes made by the entry: field, value before, value after.
        var changes: [Change]
        var evidenceURL: String?
        var author: String
        var institution: String?
        var createdAt: Date
    }

    struct ActionView: Content, Sendable {
        var id: UUID
        var matrixID: UUID
        var matrixTitleFrench: String
        var matrixTitleEnglish: String
        var matrixStatus: String
        var code: String
        var axis: String
        var description: String
        var leadID: UUID
        var leadAcronym: String
        var leadName: String
        var partners: [String]
        var partnerIDs: [UUID]
        var startDate: String?
        var deadline: String?
        var budget: String?
        var currency: String?
        var fundingSource: String?
        var status: String
        var progress: Int
        var weight: Double
        var overdue: Bool
        var version: Int
        var indicators: [IndicatorView]
        var latestUpdate: UpdateView?
        /// In the draft of a next version: the validated action this one revises.
        var originActionID: UUID?
        /// Set when the action belongs to the draft of a next version: the matrix it revises.
        var matrixRevisionOf: UUID?
    }

    struct MilestoneView: Content, Sendable {
        var id: UUID
        var title: String
        var dueOn: String?
        var doneOn: String?
        var actionCodes: [String]
    }

    struct VersionView: Content, Sendable {
        var number: Int
        var workshopDate: String
        var workshopPlace: String
        var institutionsPresent: String
        var validatedBy: String
        var createdAt: Date
    }

    struct MatrixView: Content, Sendable {
        var id: UUID
        var titleFrench: String
        var titleEnglish: String
        var descriptionFrench: String
        var descriptionEnglish: String
        var theme: String
        var countryA: String
        var countryB: String
        var project: String
        var status: String
        var validatedVersion: Int
        var version: Int
        var actions: [ActionView]
        var milestones: [MilestoneView]
        var versions: [VersionView]
        /// Set on the draft of a next version: the validated matrix it revises.
        var revisionOf: UUID?
        /// On a validated matrix: the draft of its next version, if one is being prepared.
        var openRevisionID: UUID?

        func title(_ language: Language) -> String { language == .fr ? titleFrench : titleEnglish }
        func description(_ language: Language) -> String { language == .fr ? descriptionFrench : descriptionEnglish }
    }

    /// The matrices a principal may see, with their actions (no updates history).
    func matrices(for principal: Principal?, today: Day) async throws -> [MatrixView] {
        var query = MatrixModel.query(on: database).filter(\.$revisionOf == nil).sort(\.$createdAt)
        if !Policy.seesUnvalidatedMatrices(principal) {
            query = query.filter(\.$status ~~ [MatrixStatus.validated.rawValue, MatrixStatus.archived.rawValue])
        }
        let matrices = try await query.all()
        var result: [MatrixView] = []
        for matrix in matrices { result.append(try await view(matrix, today: today, withDetails: false)) }
        return result
    }

    /// One matrix, if the principal may see it.
    func matrix(_ id: UUID, for principal: Principal?, today: Day) async throws -> MatrixView? {
        guard let matrix = try await MatrixModel.find(id, on: database), Self.visible(matrix.status, to: principal) else { return nil }
        return try await view(matrix, today: today, withDetails: true)
    }

    static func visible(_ status: String, to principal: Principal?) -> Bool {
        Policy.seesUnvalidatedMatrices(principal) || status == MatrixStatus.validated.rawValue || status == MatrixStatus.archived.rawValue
    }

    private func view(_ matrix: MatrixModel, today: Day, withDetails: Bool) async throws -> MatrixView {
        let matrixID = try matrix.requireID()
        let actions = try await actionViews(MatrixActionModel.query(on: database).filter(\.$matrixID == matrixID).sort(\.$position).all(),
                                            matrices: [matrixID: matrix], today: today)
        var milestones: [MilestoneView] = []
        var versions: [VersionView] = []
        if withDetails {
            let milestoneModels = try await MilestoneModel.query(on: database).filter(\.$matrixID == matrixID).sort(\.$dueOn).all()
            let links = try await MilestoneActionModel.query(on: database).filter(\.$milestoneID ~~ milestoneModels.compactMap(\.id)).all()
            let codes = Dictionary(uniqueKeysWithValues: actions.map { ($0.id, $0.code) })
            milestones = milestoneModels.compactMap { milestone in
                guard let id = milestone.id else { return nil }
                return MilestoneView(id: id, title: milestone.title, dueOn: milestone.dueOn, doneOn: milestone.doneOn,
                                     actionCodes: links.filter { $0.milestoneID == id }.compactMap { codes[$0.actionID] }.sorted())
            }
            // A draft of a next version shows the versions of the matrix it revises.
            versions = try await MatrixVersionModel.query(on: database).filter(\.$matrixID == (matrix.revisionOf ?? matrixID)).sort(\.$number).all().map {
                VersionView(number: $0.number, workshopDate: $0.workshopDate, workshopPlace: $0.workshopPlace,
                            institutionsPresent: $0.institutionsPresent, validatedBy: $0.validatedBy, createdAt: $0.createdAt)
            }
        }
        let openRevision = matrix.revisionOf == nil ? try await MatrixModel.query(on: database).filter(\.$revisionOf == matrixID).first()?.id : nil
        return MatrixView(id: matrixID, titleFrench: matrix.titleFrench, titleEnglish: matrix.titleEnglish,
                          descriptionFrench: matrix.descriptionFrench, descriptionEnglish: matrix.descriptionEnglish, theme: matrix.theme,
                          countryA: matrix.countryA, countryB: matrix.countryB, project: matrix.project, status: matrix.status,
                          validatedVersion: matrix.validatedVersion, version: matrix.version, actions: actions,
                          milestones: milestones, versions: versions, revisionOf: matrix.revisionOf, openRevisionID: openRevision)
    }

    /// Actions with their institutions, indicators (live ones computed) and latest update.
    func actionViews(_ actions: [MatrixActionModel], matrices known: [UUID: MatrixModel] = [:], today: Day) async throws -> [ActionView] {
        guard !actions.isEmpty else { return [] }
        let ids = actions.compactMap(\.id)
        var matrices = known
        let missing = Set(actions.map(\.matrixID)).subtracting(matrices.keys)
        if !missing.isEmpty {
            for matrix in try await MatrixModel.query(on: database).filter(\.$id ~~ Array(missing)).all() { if let id = matrix.id { matrices[id] = matrix } }
        }
        let partners = try await ActionPartnerModel.query(on: database).filter(\.$actionID ~~ ids).all()
        let indicators = try await ActionIndicatorModel.query(on: database).filter(\.$actionID ~~ ids).sort(\.$position).all()
        let updates = try await ActionUpdateModel.query(on: database).filter(\.$actionID ~~ ids).sort(\.$createdAt, .descending).all()
        var institutionIDs = Set(actions.map(\.leadInstitutionID))
        institutionIDs.formUnion(partners.map(\.institutionID))
        let institutions = Dictionary(uniqueKeysWithValues: try await InstitutionModel.query(on: database)
            .filter(\.$id ~~ Array(institutionIDs)).all().compactMap { model in model.id.map { ($0, model) } })
        var liveCache: [String: String] = [:]
        var result: [ActionView] = []
        for action in actions {
            guard let id = action.id, let matrix = matrices[action.matrixID] else { continue }
            var indicatorViews: [IndicatorView] = []
            for indicator in indicators where indicator.actionID == id {
                var current = indicator.currentValue
                if let code = indicator.liveFigure, let figure = LiveFigure(rawValue: code) {
                    let key = code + (action.startDate ?? "")
                    if let cached = liveCache[key] { current = cached } else {
                        let value = String(try await liveValue(figure, since: action.startDate.flatMap(Day.init(iso:))))
                        liveCache[key] = value
                        current = value
                    }
                }
                indicatorViews.append(IndicatorView(name: indicator.name, unit: indicator.unit, baseline: indicator.baseline,
                                                    target: indicator.target, currentValue: current, liveFigure: indicator.liveFigure))
            }
            let actionPartners = partners.filter { $0.actionID == id }.compactMap { institutions[$0.institutionID] }.sorted { $0.acronym < $1.acronym }
            let lead = institutions[action.leadInstitutionID]
            let status = ActionStatus(rawValue: action.status) ?? .notStarted
            result.append(ActionView(
                id: id, matrixID: action.matrixID, matrixTitleFrench: matrix.titleFrench, matrixTitleEnglish: matrix.titleEnglish,
                matrixStatus: matrix.status, code: action.code, axis: action.axis, description: action.description,
                leadID: action.leadInstitutionID, leadAcronym: lead?.acronym ?? "?", leadName: lead?.name ?? "?",
                partners: actionPartners.map(\.acronym), partnerIDs: actionPartners.compactMap(\.id),
                startDate: action.startDate, deadline: action.deadline, budget: action.budget, currency: action.currency,
                fundingSource: action.fundingSource, status: action.status, progress: action.progress, weight: action.weight,
                overdue: status.isOverdue(deadline: action.deadline.flatMap(Day.init(iso:)), today: today), version: action.version,
                indicators: indicatorViews, latestUpdate: updates.first { $0.actionID == id }.map(Self.update),
                originActionID: action.originActionID, matrixRevisionOf: matrix.revisionOf))
        }
        return result
    }

    static func update(_ model: ActionUpdateModel) -> UpdateView {
        let changes = model.changes.split(separator: "|").compactMap { item -> Change? in
            let parts = item.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return parts.count == 3 ? Change(field: parts[0], before: parts[1], after: parts[2]) : nil
        }
        return UpdateView(id: model.id ?? UUID(), kind: model.kind, occurredOn: model.occurredOn, text: model.text, changes: changes, evidenceURL: model.evidenceURL,
                   author: model.authorLabel, institution: model.institutionAcronym, createdAt: model.createdAt)
    }

    /// One action, if its matrix is visible to the principal.
    func action(_ id: UUID, for principal: Principal?, today: Day) async throws -> ActionView? {
        guard let model = try await MatrixActionModel.find(id, on: database) else { return nil }
        guard let view = try await actionViews([model], today: today).first, Self.visible(view.matrixStatus, to: principal) else { return nil }
        return view
    }

    /// The actions of a matrix changed at or after `since` (for exports that refresh only what changed).
    func actionIDs(of matrixID: UUID, updatedSince since: Date) async throws -> Set<UUID> {
        Set(try await MatrixActionModel.query(on: database).filter(\.$matrixID == matrixID).filter(\.$updatedAt >= since).all().compactMap(\.id))
    }

    /// The follow-up history of an action, newest first.
    func updates(actionID: UUID) async throws -> [UpdateView] {
        try await ActionUpdateModel.query(on: database).filter(\.$actionID == actionID).sort(\.$createdAt, .descending).all().map(Self.update)
    }

    /// Every action an institution leads or partners, in matrices the principal may see.
    func actionsOfInstitution(_ institutionID: UUID, for principal: Principal?, today: Day) async throws -> [ActionView] {
        let partnered = try await ActionPartnerModel.query(on: database).filter(\.$institutionID == institutionID).all().map(\.actionID)
        // The drafts of next versions are not followed: their actions are left out.
        let drafts = try await MatrixModel.query(on: database).filter(\.$revisionOf != nil).all().compactMap(\.id)
        let actions = try await MatrixActionModel.query(on: database)
            .group(.or) { $0.filter(\.$leadInstitutionID == institutionID).filter(\.$id ~~ partnered) }
            .filter(\.$matrixID !~ drafts)
            .sort(\.$deadline).all()
        return try await actionViews(actions, today: today).filter { Self.visible($0.matrixStatus, to: principal) }
    }

    /// A frozen version's snapshot.
    func snapshot(matrixID: UUID, number: Int) async throws -> MatrixSnapshot? {
        guard let version = try await MatrixVersionModel.query(on: database).filter(\.$matrixID == matrixID).filter(\.$number == number).first() else { return nil }
        return try JSONDecoder().decode(MatrixSnapshot.self, from: Data(version.snapshot.utf8))
    }

    /// The matrix as it stands now, in the snapshot form.
    func currentSnapshot(matrixID: UUID, today: Day) async throws -> MatrixSnapshot? {
        guard let matrix = try await MatrixModel.find(matrixID, on: database) else { return nil }
        let view = try await self.view(matrix, today: today, withDetails: false)
        return Self.snapshot(of: view)
    }

    static func snapshot(of view: MatrixView) -> MatrixSnapshot {
        MatrixSnapshot(titleFrench: view.titleFrench, titleEnglish: view.titleEnglish, theme: view.theme, actions: view.actions.map { action in
            MatrixSnapshot.Action(
                code: action.code, axis: action.axis, description: action.description, lead: action.leadAcronym, partners: action.partners,
                startDate: action.startDate, deadline: action.deadline,
                indicators: action.indicators.map { .init(name: $0.name, unit: $0.unit, baseline: $0.baseline, target: $0.target,
                                                          current: $0.liveFigure == nil ? $0.currentValue : nil, live: $0.liveFigure) },
                budget: action.budget, currency: action.currency, fundingSource: action.fundingSource, status: action.status,
                progress: action.progress, weight: action.weight)
        })
    }

    /// The current value of a live figure, counted from `since` when given by the indicator
    /// engine that counts every other figure.
    func liveValue(_ figure: LiveFigure, since: Day?) async throws -> Int {
        let counted = figure.figure(since: since)
        return Int(try await IndicatorQueries(database: database).figure(counted.indicator, counted.filters, language: .fr).value)
    }

    /// Every validated matrix as the Joint Commission report shows it, the oldest first.
    func validatedMatrices(today: Day) async throws -> [MatrixView] {
        var matrices: [MatrixView] = []
        for matrix in try await MatrixModel.query(on: database).filter(\.$status == MatrixStatus.validated.rawValue).filter(\.$revisionOf == nil).sort(\.$createdAt).all() {
            if let id = matrix.id, let view = try await self.matrix(id, for: Principal(role: .meOfficer), today: today) { matrices.append(view) }
        }
        return matrices
    }

    /// The version of a matrix, which every edit of one of its actions must name.
    func matrixVersion(_ id: UUID) async throws -> Int? {
        try await MatrixModel.find(id, on: database)?.version
    }

    func institutionReferences() async throws -> [InstitutionReference] {
        try await InstitutionModel.query(on: database).all().compactMap { model in
            model.id.map { InstitutionReference(id: $0.uuidString, acronym: model.acronym, name: model.name) }
        }
    }
}
