import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct TokenTests {
    @Test func tokenAuthenticatesUntilRevoked() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.meOfficer)
            let token = try await corridor.apiToken(for: user)
            let me = try await apiRequest(corridor.app, .GET, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(me.text.contains(user.email))

            let stored = try #require(try await APITokenModel.query(on: corridor.app.db).first())
            #expect(stored.tokenHash != token && !stored.tokenHash.contains(token), "only a digest is stored")

            let revoked = try await apiRequest(corridor.app, .DELETE, "/api/v1/tokens/\(try stored.requireID())", token: token)
            #expect(revoked.status == .noContent)
            let after = try await apiRequest(corridor.app, .GET, "/api/v1/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.text.contains("\"code\":\"invalid_token\""))
        }
    }

    @Test func createdTokenIsShownOnceAndWorks() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.caseworker)
            let first = try await corridor.apiToken(for: user)
            let created = try await apiRequest(corridor.app, .POST, "/api/v1/tokens", token: first, json: #"{"name":"export script"}"#)
            #expect(created.status == .created)
            struct Created: Decodable { var token: String; var name: String }
            let body = try JSONDecoder().decode(Created.self, from: Data(created.text.utf8))
            #expect(body.name == "export script")
            #expect(try await apiRequest(corridor.app, .GET, "/api/v1/me", token: body.token).status == .ok)
            let list = try await apiRequest(corridor.app, .GET, "/api/v1/tokens", token: first)
            #expect(list.text.contains("export script"))
            #expect(!list.text.contains(body.token), "a listed token never shows its secret")
        }
    }

    @Test func someoneElsesTokenCannotBeRevoked() async throws {
        try await TestCorridor.run { corridor in
            let owner = try await corridor.makeUser(.caseworker)
            let other = try await corridor.makeUser(.caseworker)
            _ = try await corridor.apiToken(for: owner)
            let otherToken = try await corridor.apiToken(for: other)
            let ownersToken = try #require(try await APITokenModel.query(on: corridor.app.db).filter(\.$user.$id == owner.requireID()).first())
            let response = try await apiRequest(corridor.app, .DELETE, "/api/v1/tokens/\(try ownersToken.requireID())", token: otherToken)
            #expect(response.status == .notFound)
        }
    }

    @Test func tokensArePagesToo() async throws {
        try await TestCorridor.run { corridor in
            let user = try await corridor.makeUser(.protection)
            let browser = try await corridor.browser(signedInAs: user)
            let created = try await browser.post("/account/tokens", ["name": "rapport mensuel"])
            #expect(created.status == .ok)
            #expect(created.text.contains("crd_"))
            let empty = try await browser.post("/account/tokens", ["name": "  "])
            #expect(empty.status == .unprocessableEntity)
            let page = try await browser.get("/account/tokens")
            #expect(page.text.contains("rapport mensuel"))
            #expect(!page.text.contains("crd_") || page.text.components(separatedBy: "crd_").count == 2, "only the prefix is listed")
        }
    }

    @Test func apiWithoutTokenAnswersJSON401() async throws {
        try await TestCorridor.run { corridor in
            let response = try await apiRequest(corridor.app, .GET, "/api/v1/me", token: nil)
            #expect(response.status == .unauthorized)
            #expect(response.headers.contentType == .json)
            struct Body: Decodable { struct Detail: Decodable { var code: String; var message: String }; var error: Detail }
            let body = try JSONDecoder().decode(Body.self, from: Data(response.text.utf8))
            #expect(body.error.code == "sign_in_required")
            #expect(!body.error.message.isEmpty)
        }
    }
}
