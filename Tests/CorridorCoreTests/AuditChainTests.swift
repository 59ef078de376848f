import Crypto
import Foundation
import Testing
@testable import CorridorCore

@Suite struct AuditChainTests {
    func chain(_ count: Int) -> [AuditRecord] {
        var records: [AuditRecord] = []
        for index in 1...count {
            records.append(AuditRecord(
                sequence: Int64(index), occurredAtMilliseconds: Int64(1_700_000_000_000 + index), actorID: "u1",
                actorLabel: "awa@gouv.ci", action: .update, entityType: "user", entityID: "e\(index)",
                changedFields: ["name"], detail: "", address: "127.0.0.1", previousHash: records.last?.hash ?? ""
            ).sealed())
        }
        return records
    }

    func verify(_ records: [AuditRecord], head: (Int64, String)? = nil) -> AuditChainVerifier.Failure? {
        var verifier = AuditChainVerifier()
        verifier.consume(records)
        let last = head ?? (records.last?.sequence ?? 0, records.last?.hash ?? "")
        verifier.finish(headSequence: last.0, headHash: last.1)
        return verifier.failure
    }

    @Test func intactChainPasses() {
        #expect(verify(chain(10)) == nil)
        #expect(verify([]) == nil)
    }

    @Test func editedEntryIsNamed() {
        var records = chain(10)
        records[3].detail = "changed"
        #expect(verify(records) == .altered(sequence: 4))
    }

    @Test func deletedEntryIsNamed() {
        var records = chain(10)
        records.remove(at: 6)
        #expect(verify(records) == .missing(sequence: 7))
    }

    @Test func deletedLastEntriesAreCaughtByTheHead() {
        let records = chain(10)
        let head = (records[9].sequence, records[9].hash)
        #expect(verify(Array(records.prefix(8)), head: head) == .truncated(expectedLast: 10, foundLast: 8))
    }

    @Test func rehashedEntryStillBreaksTheLinkToTheNext() {
        var records = chain(10)
        records[4].detail = "forged"
        records[4] = records[4].sealed()
        #expect(verify(records) == .unlinked(sequence: 6))
    }

    @Test func hashCoversEveryField() {
        let base = chain(1)[0]
        var variants: [AuditRecord] = []
        var copy = base; copy.actorLabel = "x"; variants.append(copy)
        copy = base; copy.entityID = nil; variants.append(copy)
        copy = base; copy.changedFields = ["role"]; variants.append(copy)
        copy = base; copy.occurredAtMilliseconds += 1; variants.append(copy)
        copy = base; copy.address = nil; variants.append(copy)
        copy = base; copy.action = .delete; variants.append(copy)
        for variant in variants { #expect(variant.computedHash != base.hash) }
    }
}

@Suite struct AuditPersonalDetailTests {
    @Test func anEntryWithoutAPersonalDetailHashesAsEntriesAlwaysHave() {
        let record = AuditRecord(sequence: 7, occurredAtMilliseconds: 1_790_000_000_000, actorID: "u1", actorLabel: "agent@corridor.test",
                                 action: .export, entityType: "case_import", entityID: nil, changedFields: ["a", "b"],
                                 detail: "12 rows", address: "10.0.0.1", previousHash: String(repeating: "a", count: 64))
        // The canonical text of the trail's first format, written out: old entries still verify.
        let fields = ["7", "1790000000000", "u1", "agent@corridor.test", "export", "case_import", "", "a,b", "12 rows", "10.0.0.1", String(repeating: "a", count: 64)]
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        let expected = SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(record.computedHash == expected)
        var withDetail = record
        withDetail.personalDigest = AuditPersonalDetail.seal("dossier Awa Koné.xlsx", salt: Array(repeating: 1, count: 16)).digest
        #expect(withDetail.computedHash != record.computedHash)
    }

    @Test func theDetailIsSaltedReadableAndBoundToItsDigest() {
        let first = AuditPersonalDetail.seal("dossier Awa Koné.xlsx", salt: Array(repeating: 1, count: 16))
        let second = AuditPersonalDetail.seal("dossier Awa Koné.xlsx", salt: Array(repeating: 2, count: 16))
        // Another salt, another digest: the digest alone does not say which name it was.
        #expect(first.digest != second.digest)
        #expect(AuditPersonalDetail.text(of: first.stored) == "dossier Awa Koné.xlsx")
        #expect(AuditPersonalDetail.matches(stored: first.stored, digest: first.digest))
        #expect(!AuditPersonalDetail.matches(stored: first.stored, digest: second.digest))
        #expect(!AuditPersonalDetail.matches(stored: first.stored.replacingOccurrences(of: "Awa", with: "Ama"), digest: first.digest))
        #expect(!AuditPersonalDetail.matches(stored: "no salt here", digest: first.digest))
    }
}
