import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Reads of the audit trail.
struct AuditQueries: Sendable {
    let database: any Database

    struct EntryRow: Sendable {
        var sequence: Int64
        var occurredAt: Date
        var actorLabel: String
        var action: String
        var entityType: String
        var entityID: String?
        var changedFields: String
        var detail: String
        var address: String?
        /// The record's name in words (a user's name, a matrix's title), when it still exists.
        var entityName: String?
    }

    /// One page of entries matching the filter, newest first, and whether more follow.
    func entries(_ filter: AuditFilter, language: Language = .fr) async throws -> (rows: [EntryRow], hasMore: Bool) {
        var query = AuditEntryModel.query(on: database)
        if let actor = filter.actor?.trimmingCharacters(in: .whitespaces), !actor.isEmpty {
            query = query.filter(\.$actorLabel, .custom("LIKE"), "%\(actor.lowercased())%")
        }
        if let action = filter.action, !action.isEmpty { query = query.filter(\.$action == action) }
        if let entity = filter.entity, !entity.isEmpty { query = query.filter(\.$entityType == entity) }
        if let from = AuditFilter.milliseconds(filter.from, endOfDay: false) { query = query.filter(\.$occurredAtMilliseconds >= from) }
        if let to = AuditFilter.milliseconds(filter.to, endOfDay: true) { query = query.filter(\.$occurredAtMilliseconds <= to) }
        let page = min(max(1, filter.page ?? 1), 1_000_000)
        let models = try await query.sort(\.$id, .descending)
            .offset((page - 1) * AuditFilter.pageSize).limit(AuditFilter.pageSize + 1).all()
        let rows = models.prefix(AuditFilter.pageSize).map { entry in
            EntryRow(sequence: entry.id ?? 0, occurredAt: Date(timeIntervalSince1970: Double(entry.occurredAtMilliseconds) / 1000),
                     actorLabel: entry.actorLabel, action: entry.action, entityType: entry.entityType, entityID: entry.entityID,
                     changedFields: entry.changedFields, detail: entry.personalText.map { entry.detail.isEmpty ? $0 : entry.detail + " — " + $0 } ?? entry.detail,
                     address: entry.address)
        }
        return (try await named(Array(rows), language: language), models.count > AuditFilter.pageSize)
    }

    /// Names the records the entries point to, a query per kind of record on the page.
    private func named(_ rows: [EntryRow], language: Language) async throws -> [EntryRow] {
        func ids(_ type: String) -> [UUID] { Array(Set(rows.filter { $0.entityType == type }.compactMap { $0.entityID.flatMap(UUID.init(uuidString:)) })) }
        var names: [String: String] = [:]
        for user in try await UserModel.query(on: database).filter(\.$id ~~ ids("user")).all() { if let id = user.id { names["user/" + id.uuidString] = "\(user.name) <\(user.email)>" } }
        for institution in try await InstitutionModel.query(on: database).filter(\.$id ~~ ids("institution")).all() {
            if let id = institution.id { names["institution/" + id.uuidString] = institution.acronym }
        }
        for matrix in try await MatrixModel.query(on: database).filter(\.$id ~~ ids("matrix")).all() {
            if let id = matrix.id { names["matrix/" + id.uuidString] = language == .fr ? matrix.titleFrench : matrix.titleEnglish }
        }
        let actions = try await MatrixActionModel.query(on: database).filter(\.$id ~~ (ids("matrix_action") + ids("action_update"))).all()
        for action in actions { if let id = action.id { for type in ["matrix_action", "action_update"] { names[type + "/" + id.uuidString] = action.code } } }
        for article in try await NewsArticleModel.query(on: database).filter(\.$id ~~ ids("news")).all() { if let id = article.id { names["news/" + id.uuidString] = article.title } }
        for token in try await APITokenModel.query(on: database).filter(\.$id ~~ ids("api_token")).all() { if let id = token.id { names["api_token/" + id.uuidString] = token.name } }
        return rows.map { row in
            var row = row
            row.entityName = row.entityID.flatMap { names[row.entityType + "/" + $0.uppercased()] }
            return row
        }
    }

    /// The entity types that occur in the trail, for the filter list.
    func entityTypes() async throws -> [String] {
        guard let sql = database as? any SQLDatabase else { return [] }
        struct Row: Decodable { var entity_type: String }
        return try await sql.select().distinct().column("entity_type").from("audit_entries").orderBy("entity_type")
            .all(decoding: Row.self).map(\.entity_type)
    }
}
