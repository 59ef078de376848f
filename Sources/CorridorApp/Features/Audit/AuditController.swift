import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Filters of the audit trail page.
struct AuditFilter: Sendable, Content {
    var actor: String?
    var action: String?
    var entity: String?
    var from: String?
    var to: String?
    var page: Int?

    static let pageSize = 50

    /// A `yyyy-MM-dd` date as the first millisecond of that day, UTC.
    static func milliseconds(_ text: String?, endOfDay: Bool) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var components = DateComponents()
        components.year = parts[0]; components.month = parts[1]; components.day = parts[2]
        components.timeZone = TimeZone(identifier: "UTC")
        guard let date = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        let start = Int64(date.timeIntervalSince1970 * 1000)
        return endOfDay ? start + 86_400_000 - 1 : start
    }
}

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

/// The administrator's view of the audit trail, and its integrity check.
struct AuditController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("admin", "audit", action: .viewAuditTrail, use: list)
        web.get("admin", "audit", "verify", action: .viewAuditTrail, use: verify)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(AuditFilter.self)
        let queries = AuditQueries(database: req.db)
        let result = try await queries.entries(filter)
        let model = AuditPageModel(filter: filter, rows: result.rows, hasMore: result.hasMore, entityTypes: try await queries.entityTypes())
        return AuditPages.list(model, req.pageContext())
    }

    @Sendable func verify(_ req: Request) async throws -> HTML {
        let result = try await AuditVerification.verify(on: req.db)
        return AuditPages.verification(count: result.count, failure: result.failure, req.pageContext())
    }
}

struct AuditPageModel: Sendable {
    var filter: AuditFilter
    var rows: [AuditQueries.EntryRow]
    var hasMore: Bool
    var entityTypes: [String]
}

enum AuditPages {
    static func list(_ model: AuditPageModel, _ context: PageContext) -> HTML {
        /// Known record kinds have a name in each language; others show as stored.
        func entityLabel(_ type: String) -> String {
            let key = "audit.entity." + type
            return context.catalogue.strings[key] ?? type
        }
        let format = context.format
        let filter = model.filter
        let actions = [(value: "", label: context.t("audit.any_action"))]
            + AuditAction.allCases.map { (value: $0.rawValue, label: context.t("audit.action." + $0.rawValue)) }
        let entities = [(value: "", label: context.t("audit.any_entity"))] + model.entityTypes.map { (value: $0, label: entityLabel($0)) }
        let rows = model.rows.map { row -> HTML in
            let fields: HTML = row.changedFields.isEmpty ? .empty : "<br><small>\(row.changedFields.replacingOccurrences(of: ",", with: ", "))</small>"
            return """
            <tr><td>\(Int(row.sequence))</td><td class="date">\(format.dateTime(row.occurredAt))</td><td>\(row.actorLabel)</td>
            <td>\(context.t("audit.action." + row.action))\(fields)</td><td>\(entityLabel(row.entityType)) <small>\(row.entityID ?? "")</small></td>
            <td>\(row.detail)</td><td>\(row.address ?? "")</td></tr>
            """
        }
        let page = max(1, filter.page ?? 1)
        func link(_ target: Int) -> String {
            var items = [URLQueryItem]()
            for (name, value) in [("actor", filter.actor), ("action", filter.action), ("entity", filter.entity), ("from", filter.from), ("to", filter.to)] {
                if let value, !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) }
            }
            items.append(URLQueryItem(name: "page", value: String(target)))
            var components = URLComponents()
            components.queryItems = items
            return "/admin/audit" + (components.string ?? "")
        }
        let previous: HTML = page > 1 ? "<a rel=\"prev\" href=\"\(link(page - 1))\">← \(context.t("pagination.previous"))</a>" : .empty
        let next: HTML = model.hasMore ? "<a rel=\"next\" href=\"\(link(page + 1))\">\(context.t("pagination.next")) →</a>" : .empty
        let table: HTML = model.rows.isEmpty ? "<p class=\"empty\">\(context.t("audit.none"))</p>" : """
            <div class="table-wrap"><table class="dense">
              <caption class="visually-hidden">\(context.t("audit.title"))</caption>
              <thead><tr><th scope="col">#</th><th scope="col">\(context.t("audit.when"))</th><th scope="col">\(context.t("audit.who"))</th>
              <th scope="col">\(context.t("audit.what"))</th><th scope="col">\(context.t("audit.record"))</th>
              <th scope="col">\(context.t("audit.detail"))</th><th scope="col">\(context.t("audit.address"))</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table></div>
            <nav class="pagination" aria-label="\(context.t("pagination.label"))">\(previous) <span>\(context.t("pagination.page", ["page": String(page)]))</span> \(next)</nav>
            """
        return Layout.page(context.t("audit.title"), context, """
        <div class="page-head"><h1>\(context.t("audit.title"))</h1>
        <a class="button" href="/admin/audit/verify">\(context.t("audit.verify"))</a></div>
        <form method="get" action="/admin/audit" class="filters">
          \(Layout.textField("actor", label: context.t("audit.who"), value: filter.actor, error: nil, required: false))
          \(Layout.selectField("action", label: context.t("audit.what"), options: actions, selected: filter.action ?? "", error: nil))
          \(Layout.selectField("entity", label: context.t("audit.record"), options: entities, selected: filter.entity ?? "", error: nil))
          \(Layout.textField("from", label: context.t("filter.from"), value: filter.from, error: nil, type: "date", required: false))
          \(Layout.textField("to", label: context.t("filter.to"), value: filter.to, error: nil, type: "date", required: false))
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        \(table)
        """)
    }

    static func verification(count: Int64, failure: AuditChainVerifier.Failure?, _ context: PageContext) -> HTML {
        let result: HTML = failure.map { failure in
            "<div class=\"error-summary\" role=\"alert\"><h2>\(context.t("audit.verify_failed"))</h2><p>\(context.t("audit.verify_failed_at", ["sequence": String(failure.sequence)]))</p><p><code>\(failure.description)</code></p></div>"
        } ?? "<p class=\"notice\" role=\"status\">\(context.t("audit.verify_ok", ["count": context.format.integer(Int(count))]))</p>"
        return Layout.page(context.t("audit.verify"), context, """
        <p><a href="/admin/audit">← \(context.t("audit.title"))</a></p>
        <h1>\(context.t("audit.verify"))</h1>
        \(result)
        """)
    }
}
