import CorridorCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/matrices`, actions and their follow-up, versions and their comparison.
struct CooperationAPIController: Sendable {
    struct MatrixSummary: Content {
        var id: UUID
        var titleFrench: String
        var titleEnglish: String
        var theme: String
        var status: String
        var validatedVersion: Int
        var actionCount: Int
        var meanProgress: Double?
        var overdueCount: Int
    }

    struct UpdateInput: Content {
        var text: String?
        var evidenceURL: String?
        var occurredOn: Day
        var status: ActionStatus?
        var progress: Int?
        var indicatorValue: String?
        var version: Int?
    }

    struct ComparisonOutput: Content {
        struct Change: Content {
            var kind: String
            var code: String
            var fields: [Field]?
        }
        struct Field: Content {
            var field: String
            var before: String
            var after: String
        }
        var from: String
        var to: String
        var titleChanged: Bool
        var changes: [Change]
    }

    func register(api: any RoutesBuilder) {
        api.get("matrices", action: .viewMatrices, use: list)
        api.get("matrices", ":matrixID", "actions", action: .viewMatrices, use: actions)
        api.get("matrices", ":matrixID", "versions", action: .viewMatrices, use: versions)
        api.get("matrices", ":matrixID", "versions", "compare", action: .viewMatrices, use: compare)
        api.get("actions", ":actionID", "updates", action: .viewMatrices, use: updates)
        api.post("actions", ":actionID", "updates", action: .followUpActions, use: addUpdate)
    }

    @Sendable func list(_ req: Request) async throws -> [MatrixSummary] {
        let today = Day(req.now)
        return try await CooperationQueries(database: req.db).matrices(for: req.currentUser?.principal, today: today).map { matrix in
            let summary = ProgressSummary.of(MatrixHTML.progressSummaries(matrix.actions), today: today)
            return MatrixSummary(id: matrix.id, titleFrench: matrix.titleFrench, titleEnglish: matrix.titleEnglish, theme: matrix.theme,
                                 status: matrix.status, validatedVersion: matrix.validatedVersion, actionCount: summary.actionCount,
                                 meanProgress: summary.meanProgress, overdueCount: summary.overdueCount)
        }
    }

    @Sendable func actions(_ req: Request) async throws -> [CooperationQueries.ActionView] {
        try await matrix(req).actions
    }

    @Sendable func versions(_ req: Request) async throws -> [CooperationQueries.VersionView] {
        try await matrix(req).versions
    }

    @Sendable func compare(_ req: Request) async throws -> ComparisonOutput {
        let view = try await matrix(req)
        let queries = CooperationQueries(database: req.db)
        let from = req.query[String.self, at: "from"] ?? "1"
        let to = req.query[String.self, at: "to"] ?? "current"
        func snapshot(_ key: String) async throws -> MatrixSnapshot? {
            if key == "current" { return try await queries.currentSnapshot(matrixID: view.id, today: Day(req.now)) }
            return try await Int(key).asyncMap { try await queries.snapshot(matrixID: view.id, number: $0) } ?? nil
        }
        guard let old = try await snapshot(from), let new = try await snapshot(to) else { throw Abort(.notFound) }
        let result = MatrixComparison.compare(old, new)
        return ComparisonOutput(from: from, to: to, titleChanged: result.titleChanged, changes: result.changes.map { change in
            switch change {
            case .added(let action): return .init(kind: "added", code: action.code, fields: nil)
            case .removed(let action): return .init(kind: "removed", code: action.code, fields: nil)
            case .changed(let code, let fields): return .init(kind: "changed", code: code, fields: fields.map { .init(field: $0.field, before: $0.before, after: $0.after) })
            }
        })
    }

    @Sendable func updates(_ req: Request) async throws -> [CooperationQueries.UpdateView] {
        let action = try await action(req)
        return try await CooperationQueries(database: req.db).updates(actionID: action.id)
    }

    @Sendable func addUpdate(_ req: Request) async throws -> Response {
        let action = try await action(req)
        let input = try req.content.decode(UpdateInput.self)
        do {
            try await CooperationService(req.serviceContext).followUp(
                actionID: action.id,
                FollowUpDraft(text: input.text ?? "", evidenceURL: input.evidenceURL, occurredOn: input.occurredOn, status: input.status,
                              progress: input.progress, indicatorValue: input.indicatorValue),
                expectedVersion: input.version)
        } catch let error as CooperationError {
            switch error {
            case .forbidden: throw Abort(.forbidden, reason: "error.forbidden")
            case .notFound: throw Abort(.notFound)
            case .conflict: throw Abort(.conflict, reason: "error.conflict")
            case .transitionNotAllowed, .validatedIsFrozen, .revisionOpen: throw Abort(.unprocessableEntity, reason: "error.unprocessable")
            case .invalid(let issues):
                return try await APIProblem.invalid(issues, req.catalogue).encodeResponse(status: .unprocessableEntity, for: req)
            }
        }
        return try await CooperationQueries(database: req.db).updates(actionID: action.id).encodeResponse(status: .created, for: req)
    }

    private func matrix(_ req: Request) async throws -> CooperationQueries.MatrixView {
        guard let id = req.parameters.get("matrixID", as: UUID.self),
              let view = try await CooperationQueries(database: req.db).matrix(id, for: req.currentUser?.principal, today: Day(req.now)) else { throw Abort(.notFound) }
        return view
    }

    private func action(_ req: Request) async throws -> CooperationQueries.ActionView {
        guard let id = req.parameters.get("actionID", as: UUID.self),
              let view = try await CooperationQueries(database: req.db).action(id, for: req.currentUser?.principal, today: Day(req.now)) else { throw Abort(.notFound) }
        return view
    }
}
