import CorridorCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The administrator's view of the audit trail, and its integrity check.
struct AuditController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("admin", "audit", action: .viewAuditTrail, use: list)
        web.get("admin", "audit", "verify", action: .viewAuditTrail, use: verify)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        let filter = try req.query.decode(AuditFilter.self)
        let queries = AuditQueries(database: req.db)
        let result = try await queries.entries(filter, language: req.language)
        let model = AuditPageModel(filter: filter, rows: result.rows, hasMore: result.hasMore, entityTypes: try await queries.entityTypes())
        return AuditPages.list(model, req.pageContext())
    }

    @Sendable func verify(_ req: Request) async throws -> HTML {
        let result = try await AuditVerification.verify(on: req.db, anchor: req.corridor.auditAnchor)
        return AuditPages.verification(count: result.count, failure: result.failure, req.pageContext())
    }
}
