import CorridorCore
import Foundation
import Testing
import Vapor
@testable import CorridorApp

/// The pieces every feature shares, tested on their own: the upload store and the figure publisher.
@Suite struct UploadStoreTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func anUploadIsKeptForItsOwnerOnlyAndExpires() throws {
        let clock = ManualTimeSource(start)
        let store = UploadStore(files: MemoryFileStore(), clock: clock)
        let owner = UUID(), stranger = UUID()
        let id = try store.keep(Data("a,b\n1,2\n".utf8), owner: owner)
        #expect(try store.load(id, owner: owner) == Data("a,b\n1,2\n".utf8))
        #expect(try store.load(id, owner: stranger) == nil, "another person never reads someone's upload")
        #expect(try store.load(id, owner: nil) == nil)
        #expect(try store.load("../../etc/passwd", owner: owner) == nil, "only upload ids are read")
        clock.advance(by: UploadStore.defaultLifetime + 1)
        #expect(try store.load(id, owner: owner) == nil, "an upload waits an hour for its confirmation, no longer")
    }

    @Test func keepingAnUploadRemovesExpiredOnesAndDiscardForgets() throws {
        let clock = ManualTimeSource(start)
        let files = MemoryFileStore()
        let store = UploadStore(files: files, clock: clock)
        let owner = UUID()
        let old = try store.keep(Data("old".utf8), owner: owner)
        clock.advance(by: UploadStore.defaultLifetime + 1)
        let fresh = try store.keep(Data("fresh".utf8), owner: owner)
        #expect(files.list().count == 1, "the expired upload was removed on the way")
        #expect(try store.load(old, owner: owner) == nil)
        store.discard(fresh, owner: owner)
        #expect(try store.load(fresh, owner: owner) == nil)
        #expect(files.list().isEmpty)
    }

    @Test func theFolderStoreWritesUnderItsFolderOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-store-" + UUID().uuidString, isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualTimeSource(start)
        let store = UploadStore(files: FolderFileStore(folder: folder), clock: clock)
        let id = try store.keep(Data("x".utf8), owner: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
        #expect(try store.load(id, owner: nil) == Data("x".utf8))
        clock.advance(by: UploadStore.defaultLifetime + 1)
        #expect(try store.load(id, owner: nil) == nil, "the time written is the store's clock, not the file system's")
    }
}

@Suite struct FigurePublisherTests {
    /// The portal, news and the figures API read one figure; each audience gets what it may see.
    @Test func oneFigureIsWrittenForEachAudienceByTheSamePublisher() async throws {
        try await TestCorridor.run { corridor in
            let today = Day(corridor.clock.now())
            let households = DemoCases.generate(households: 2, seed: 3, today: today)
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "two")
            let publisher = corridor.app.figurePublisher
            let staff = try await publisher.publish(.registrations, FigureFilters(), for: .staff(.meOfficer), language: .fr)
            #expect(staff.value == 2 && staff.exact == "2" && !staff.isSuppressed)
            let everyone = try await publisher.publish(.registrations, FigureFilters(), for: .everyone, language: .fr)
            #expect(everyone.value == 2 && everyone.isSuppressed && everyone.headline == "moins de 5")

            // The figures API is staff: the exact count; the home page is public: "fewer than".
            let officer = try await corridor.makeUser(.meOfficer)
            let token = try await corridor.apiToken(for: officer)
            let api = try await apiRequest(corridor.app, .GET, "/api/v1/figures?indicator=registrations&lang=fr", token: token)
            #expect(api.status == .ok)
            #expect(api.body.string.contains("\"exact\":\"2\""))
        }
    }
}
