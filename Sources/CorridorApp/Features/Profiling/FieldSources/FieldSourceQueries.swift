import CorridorCore
import Fluent
import Foundation

/// Reads of field sources for their pages.
struct FieldSourceQueries: Sendable {
    let database: any Database

    func sources() async throws -> [FieldSourceSummary] {
        var result: [FieldSourceSummary] = []
        for model in try await FieldSourceModel.query(on: database).sort(\.$name).all() { result.append(try await summary(model)) }
        return result
    }

    func source(_ id: UUID) async throws -> FieldSourceSummary? {
        guard let model = try await FieldSourceModel.find(id, on: database) else { return nil }
        return try await summary(model)
    }

    private func summary(_ model: FieldSourceModel) async throws -> FieldSourceSummary {
        let id = try model.requireID()
        return FieldSourceSummary(id: id, name: model.name, kind: model.kind, serverURL: model.serverURL, form: model.form, questionnaireCode: model.questionnaireCode,
                                  auth: model.auth, scheduled: model.scheduled, hasWebhook: model.webhookSecretHash != nil, lastPullAt: model.lastPullAt,
                                  heldCount: try await HeldSubmissionModel.query(on: database).filter(\.$sourceID == id).count())
    }

    /// The newest 50 pulls and deliveries.
    func pulls(_ id: UUID) async throws -> [FieldPullRow] {
        try await FieldPullModel.query(on: database).filter(\.$sourceID == id).sort(\.$startedAt, .descending).sort(\.$finishedAt, .descending).limit(50).all()
            .map { FieldPullRow(kind: $0.kind, outcome: $0.outcome, received: $0.received, created: $0.created, updated: $0.updated, unchanged: $0.unchanged,
                                held: $0.held, attempts: $0.attempts, error: $0.error, startedAt: $0.startedAt) }
    }

    /// What the source holds, oldest first (500 at most on the page).
    func held(_ id: UUID) async throws -> [HeldRow] {
        try await HeldSubmissionModel.query(on: database).filter(\.$sourceID == id).sort(\.$receivedAt).limit(500).all()
            .map { HeldRow(key: $0.submissionKey, reason: $0.reason, detail: $0.detail, receivedAt: $0.receivedAt) }
    }

    /// The sources `serve` pulls on its schedule.
    func scheduledIDs() async throws -> [UUID] {
        try await FieldSourceModel.query(on: database).filter(\.$scheduled == true).sort(\.$name).all().compactMap(\.id)
    }

    /// The source a mapping belongs to, if one pulls with it.
    func source(named name: String, questionnaireCode: String) async throws -> UUID? {
        try await FieldSourceModel.query(on: database).filter(\.$name == name).filter(\.$questionnaireCode == questionnaireCode).first()?.id
    }
}
