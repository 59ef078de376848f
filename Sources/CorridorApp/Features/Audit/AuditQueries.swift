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
    }

    /// One page of entries matching the filter, newest first, and whether more follow.
    func entries(_ filter: AuditFilter) async throws -> (rows: [EntryRow], hasMore: Bool) {
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
                     changedFields: entry.changedFields, detail: entry.detail, address: entry.address)
        }
        return (Array(rows), models.count > AuditFilter.pageSize)
    }

    /// The entity types that occur in the trail, for the filter list.
    func entityTypes() async throws -> [String] {
        guard let sql = database as? any SQLDatabase else { return [] }
        struct Row: Decodable { var entity_type: String }
        return try await sql.select().distinct().column("entity_type").from("audit_entries").orderBy("entity_type")
            .all(decoding: Row.self).map(\.entity_type)
    }
}
