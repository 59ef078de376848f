import CorridorCore
import Fluent
import Foundation
import SQLKit

/// One entry of the append-only audit trail; `id` is its sequence number.
final class AuditEntryModel: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(custom: "sequence", generatedBy: .user) var id: Int64?
    @Field(key: "occurred_at_ms") var occurredAtMilliseconds: Int64
    @OptionalField(key: "actor_id") var actorID: String?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @OptionalField(key: "entity_id") var entityID: String?
    @Field(key: "changed_fields") var changedFields: String
    @Field(key: "detail") var detail: String
    @OptionalField(key: "address") var address: String?
    /// `AuditPersonalDetail`: the digest the hash covers, and the detail itself (salt and
    /// text), which erasure sets to NULL.
    @OptionalField(key: "personal_digest") var personalDigest: String?
    @OptionalField(key: "personal_detail") var personalDetail: String?
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}

    init(_ record: AuditRecord) {
        id = record.sequence
        occurredAtMilliseconds = record.occurredAtMilliseconds
        actorID = record.actorID
        actorLabel = record.actorLabel
        action = record.action.rawValue
        entityType = record.entityType
        entityID = record.entityID
        changedFields = record.changedFields.joined(separator: ",")
        detail = record.detail
        address = record.address
        personalDigest = record.personalDigest
        previousHash = record.previousHash
        hash = record.hash
    }

    /// A personal detail kept beside the entry that is not the one its digest was made of
    /// (edited in place); an erased one (NULL) is not.
    var personalDetailAltered: Bool {
        guard let personalDetail else { return false }
        guard let personalDigest else { return true }
        return !AuditPersonalDetail.matches(stored: personalDetail, digest: personalDigest)
    }

    /// The personal detail as people read it, while it is kept.
    var personalText: String? { personalDetail.map(AuditPersonalDetail.text(of:)) }

    /// The record as it was hashed; an unknown action string keeps the chain check honest
    /// by mapping to a value whose hash cannot match.
    var record: AuditRecord {
        AuditRecord(
            sequence: id ?? 0, occurredAtMilliseconds: occurredAtMilliseconds, actorID: actorID,
            actorLabel: actorLabel, action: AuditAction(rawValue: action) ?? .update,
            entityType: entityType, entityID: entityID,
            changedFields: changedFields.isEmpty ? [] : changedFields.split(separator: ",").map(String.init),
            detail: AuditAction(rawValue: action) == nil ? detail + "\u{0}unknown-action" : (personalDetailAltered ? detail + "\u{0}personal-detail-altered" : detail),
            address: address, personalDigest: personalDigest, previousHash: previousHash, hash: hash
        )
    }
}

/// The last sequence number and hash of the trail, updated with every append, so that
/// deleting the newest entries is detected too.
final class AuditHeadModel: Model, @unchecked Sendable {
    static let schema = "audit_head"

    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "last_sequence") var lastSequence: Int64
    @Field(key: "last_hash") var lastHash: String
    /// HMAC of the head under a key kept outside the database (`AuditSeal`).
    @Field(key: "mac") var mac: String

    init() {}
}
