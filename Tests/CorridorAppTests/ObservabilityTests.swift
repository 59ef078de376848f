import CorridorCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct ObservabilityTests {
    @Test func metricsAnswerOnlyTheOperatorsTokenInThePrometheusFormat() async throws {
        try await TestCorridor.run { corridor in
            let browser = TestBrowser(app: corridor.app)
            #expect(try await browser.get("/metrics").status == .notFound, "no token set: no metrics")
            corridor.app.corridor.configuration.metricsToken = "a-metrics-token-of-24-chars"
            let user = try await corridor.makeUser(.caseworker)
            try await browser.signIn(user.email, "wrong password!!")
            try await browser.get("/login")
            #expect(try await browser.get("/metrics").status == .notFound, "no token given")
            #expect(try await browser.get("/metrics", headers: ["Authorization": "Bearer a-metrics-token-of-24-chaRS"]).status == .notFound)
            let page = try await browser.get("/metrics", headers: ["Authorization": "Bearer a-metrics-token-of-24-chars"])
            #expect(page.status == .ok)
            #expect(page.headers.contentType?.subType == "plain")
            #expect(page.text.contains("# TYPE http_requests_total counter"))
            #expect(page.text.contains(#"http_requests_total{method="GET",path="/login",status="200"}"#))
            #expect(page.text.contains("http_request_duration_seconds_bucket{"))
            #expect(page.text.contains(#"corridor_sign_ins_total{step="password",outcome="wrong_credentials"}"#))
            #expect(!page.text.contains(user.email), "metrics never name an account")
        }
    }

    @Test func theJSONLogFormatWritesOneObjectPerLineWithItsMetadata() throws {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "corridor.test") { label in JSONLogHandler(label: label, level: .info) { line in lines.withLockedValue { $0.append(line) } } }
        logger[metadataKey: "request-id"] = "r-1"
        logger.info("request", metadata: ["status": "200", "user-id": "u-9"])
        logger.debug("not written below the level")
        let written = lines.withLockedValue { $0 }
        #expect(written.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "request" && object["level"] as? String == "info")
        #expect(object["request-id"] as? String == "r-1" && object["user-id"] as? String == "u-9" && object["status"] as? String == "200")
        #expect(object["time"] is String && !written[0].contains("\n"))
    }
}
