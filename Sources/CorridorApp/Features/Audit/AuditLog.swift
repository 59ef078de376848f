import CorridorCore
import Fluent
import Foundation
import SQLKit

/// One thing to record.
struct AuditEvent: Sendable {
    var action: AuditAction
    var entityType: String
    var entityID: String?
    var changedFields: [String] = []
    var detail: String = ""
    /// A personal detail the entry must keep, stored beside it (`AuditPersonalDetail`).
    var personalDetail: String? = nil
}

/// Appends to the tamper-evident audit trail. Call it inside the transaction that makes
/// the change, so that no change is committed without its entry.
enum AuditLog {
    /// Records an event that changes nothing else (an export, a read of protected data), in a
    /// transaction of its own.
    static func record(_ event: AuditEvent, _ context: ServiceContext) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            try await append(event, by: actor, at: now, on: db)
        }
    }

    /// Appends one entry after the current head and moves the head.
    ///
    /// On PostgreSQL the head row is locked for the rest of the transaction; on SQLite the
    /// database allows one writer at a time. The unique sequence number refuses any fork.
    static func append(_ event: AuditEvent, by actor: AuditActor, at date: Date, on database: any Database) async throws {
        let head = try await lockedHead(on: database)
        let personal = event.personalDetail.flatMap { $0.isEmpty ? nil : AuditPersonalDetail.seal($0, salt: (0..<16).map { _ in UInt8.random(in: 0...255) }) }
        let record = AuditRecord(
            sequence: head.lastSequence + 1,
            occurredAtMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)),
            actorID: actor.id, actorLabel: actor.label, action: event.action,
            entityType: event.entityType, entityID: event.entityID,
            changedFields: event.changedFields.sorted(), detail: event.detail,
            address: actor.address, personalDigest: personal?.digest, previousHash: head.lastHash
        ).sealed()
        let entry = AuditEntryModel(record)
        entry.personalDetail = personal?.stored
        try await entry.create(on: database)
        head.lastSequence = record.sequence
        head.lastHash = record.hash
        // Without the key the head cannot be moved back over a shortened trail unseen.
        head.mac = actor.anchor?.seal.headMAC(sequence: record.sequence, hash: record.hash) ?? ""
        try await head.update(on: database)
    }

    /// Erasure: the personal details kept beside the entries about these entities (`<case>` or
    /// `<case>/<member>`) go; the entries, and the chain, stay.
    static func forgetPersonalDetails(entityIDs: [String], on database: any Database) async throws {
        guard !entityIDs.isEmpty else { return }
        try await AuditEntryModel.query(on: database).filter(\.$entityID ~~ entityIDs).filter(\.$personalDetail != nil)
            .set(\.$personalDetail, to: nil).update()
    }

    private static func lockedHead(on database: any Database) async throws -> AuditHeadModel {
        if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // Holds the head row until the transaction ends: concurrent appenders queue here.
            _ = try await sql.raw("SELECT id FROM audit_head WHERE id = 1 FOR UPDATE").all()
        }
        guard let head = try await AuditHeadModel.query(on: database).filter(\.$id == 1).first() else {
            throw AuditTrailError.headMissing
        }
        return head
    }
}

enum AuditTrailError: Error, CustomStringConvertible {
    case headMissing
    var description: String { "the audit trail head row is missing: the trail was tampered with" }
}

/// Checks the whole trail, a page at a time, against its head.
enum AuditVerification {
    static let pageSize = 2_000

    /// The first problem in the trail, or nil when every entry is intact; `count` is how many were checked.
    static func verify(on database: any Database, anchor: AuditAnchor) async throws -> (count: Int64, failure: AuditChainVerifier.Failure?) {
        var verifier = AuditChainVerifier()
        let checkpoints = try anchor.checkpoints()
        verifier.keep = Set(checkpoints.map(\.sequence))
        var after: Int64 = 0
        while verifier.failure == nil {
            let page = try await AuditEntryModel.query(on: database)
                .filter(\.$id > after).sort(\.$id, .ascending).limit(pageSize).all()
            if page.isEmpty { break }
            verifier.consume(page.map(\.record))
            after = page.last?.id ?? after
        }
        let head = try await AuditHeadModel.find(1, on: database)
        verifier.finish(headSequence: head?.lastSequence ?? 0, headHash: head?.lastHash ?? "", headMAC: head?.mac ?? "",
                        seal: anchor.seal, checkpoints: checkpoints)
        return (verifier.lastSequence, verifier.failure)
    }
}
