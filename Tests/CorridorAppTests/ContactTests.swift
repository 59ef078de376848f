import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// *Take action*: the public contact form and the inbox the communications role reads.
@Suite struct ContactTests {
    static let message = ["name": "Awa Koné", "email": "awa@exemple.ci", "subject": "Presse", "message": "Bonjour, je prépare un article sur les retours."]

    @Test func aVisitorWritesAndTheCommunicationsTeamReads() async throws {
        try await TestCorridor.run { corridor in
            let visitor = TestBrowser(app: corridor.app)
            let page = try await visitor.get("/contact?lang=fr")
            #expect(page.status == .ok && page.text.contains(#"name="website""#))
            #expect(visitor.cookies[CookieNames.csrf] != nil, "a page with a form sets its CSRF cookie")
            #expect(try await visitor.post("/contact", Self.message, csrf: false).status == .forbidden, "no CSRF token, no message")
            let sent = try await visitor.post("/contact", Self.message)
            #expect(sent.status == .seeOther && sent.location == "/contact?notice=contact_sent")
            let stored = try #require(try await ContactMessageModel.query(on: corridor.app.db).first())
            #expect(stored.email == "awa@exemple.ci" && stored.message.hasPrefix("Bonjour") && stored.readAt == nil)

            let writer = try await corridor.browser(signedInAs: try await corridor.makeUser(.communications))
            let inbox = try await writer.get("/admin/messages?lang=fr")
            #expect(inbox.status == .ok && inbox.text.contains("Awa Koné") && inbox.text.contains("mailto:awa@exemple.ci"))
            #expect(try await writer.post("/admin/messages/\(try stored.requireID())/read").status == .seeOther)
            #expect(try await ContactMessageModel.find(stored.requireID(), on: corridor.app.db)?.readAt != nil)
            let caseworker = try await corridor.browser(signedInAs: try await corridor.makeUser(.caseworker))
            #expect(try await caseworker.get("/admin/messages").status == .forbidden)
            #expect(try await caseworker.post("/admin/messages/\(try stored.requireID())/delete").status == .forbidden)
            #expect(try await writer.post("/admin/messages/\(try stored.requireID())/delete").status == .seeOther)
            #expect(try await ContactMessageModel.query(on: corridor.app.db).count() == 0)
        }
    }

    @Test func badMessagesRobotsAndFloodsAreTurnedAway() async throws {
        try await TestCorridor.run { corridor in
            let visitor = TestBrowser(app: corridor.app)
            var bad = Self.message
            bad["email"] = "awa at exemple"
            bad["message"] = "court"
            let refused = try await visitor.post("/contact?lang=fr", bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("awa at exemple") && refused.text.contains("Indiquez une adresse e-mail valide"), "what was typed is kept, the problem said")
            // A robot fills the hidden field: the answer looks the same, nothing is kept.
            var robot = Self.message
            robot["website"] = "http://spam.example"
            #expect(try await visitor.post("/contact", robot).location == "/contact?notice=contact_sent")
            #expect(try await ContactMessageModel.query(on: corridor.app.db).count() == 0)
            // A few messages an hour from one address; the text of the one refused is kept.
            for _ in 0..<ContactController.messagesPerHour { #expect(try await visitor.post("/contact", Self.message).status == .seeOther) }
            let flooded = try await visitor.post("/contact?lang=en", Self.message)
            #expect(flooded.status == .tooManyRequests && flooded.text.contains("Bonjour, je prépare un article"))
            #expect(try await ContactMessageModel.query(on: corridor.app.db).count() == ContactController.messagesPerHour)
        }
    }
}
