import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct RequestLimitTests {
    @Test func placesAreCountedPerAddressAndInAll() {
        let limiter = RequestLimiter(total: 3, perAddress: 2)
        #expect(limiter.enter("10.0.0.1") == nil)
        #expect(limiter.enter("10.0.0.1") == nil)
        #expect(limiter.enter("10.0.0.1") == .address, "one address holds two places at most")
        #expect(limiter.enter("10.0.0.2") == nil)
        #expect(limiter.enter("10.0.0.3") == .server, "three places in all")
        limiter.leave("10.0.0.1")
        #expect(limiter.enter("10.0.0.3") == nil)
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] { limiter.leave(address) }
        #expect(limiter.inFlight == 0)
    }

    @Test func aRequestBeyondTheCapsIsRefusedWithRetryAfterAndGivesItsPlaceBack() async throws {
        try await TestCorridor.run { corridor in
            let limiter = corridor.app.requestLimiter
            #expect(limiter.total == 1_024 && limiter.perAddress == 256, "the defaults")
            let browser = TestBrowser(app: corridor.app)
            #expect(try await browser.get("/login").status == .ok)
            #expect(limiter.inFlight == 0, "a request served gives its place back")
            // The in-memory tester has no peer address: its requests come from "unknown".
            for _ in 0..<limiter.perAddress { #expect(limiter.enter("unknown") == nil) }
            let refused = try await browser.get("/login")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers.first(name: "Retry-After") == "1")
            #expect(refused.text.contains("beaucoup de demandes"))
            for _ in 0..<limiter.perAddress { limiter.leave("unknown") }
            for index in 0..<limiter.total { #expect(limiter.enter("192.0.2.\(index % 250)-\(index)") == nil) }
            #expect(try await browser.get("/login").status == .serviceUnavailable)
            for index in 0..<limiter.total { limiter.leave("192.0.2.\(index % 250)-\(index)") }
            #expect(try await browser.get("/login").status == .ok)
        }
    }
}

@Suite struct ServerLockTests {
    /// A second process cannot take the lock a server holds; the commands that need the server
    /// stopped see it held (flock locks belong to open files: another descriptor of this process
    /// stands in for another process here).
    @Test func theServeLockIsSeenByTheCommandsThatNeedTheServerStopped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-lock-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(!ServerLock.isHeld(dataDirectory: folder), "no server yet")
        #expect(try ServerLock.acquire(dataDirectory: folder))
        #expect(ServerLock.isHeld(dataDirectory: folder))
        #expect(try !ServerLock.acquire(dataDirectory: folder), "a second server on the same data directory is refused")
    }
}
