import CorridorCore
import Fluent
import Foundation
import Vapor

/// *Agir / Take action*: the public contact form, and the inbox the communications role reads.
/// No e-mail is sent: messages wait in the inbox. Defences: CSRF (the form's cookie), a hidden
/// field robots fill in (their message is dropped, the answer looks the same), and a few
/// messages an hour per address.
struct ContactController: Sendable {
    let limiter: PublicRateLimiter
    static let messagesPerHour = 5

    func register(web: any RoutesBuilder) {
        web.get("contact", action: .viewPublic, use: form)
        // A message of 4 000 characters, percent-encoded, fits in 64 KB.
        web.on(.POST, ["contact"], action: .viewPublic, body: .collect(maxSize: "64kb"), use: send)
        web.get("admin", "messages", action: .manageNews, use: inbox)
        web.post("admin", "messages", ":id", "read", action: .manageNews, use: markRead)
        web.post("admin", "messages", ":id", "delete", action: .manageNews, use: delete)
    }

    struct ContactForm: Content {
        var name: String?
        var email: String?
        var subject: String?
        var message: String?
        /// The honeypot: hidden from people, filled in by robots.
        var website: String?
    }

    struct Draft: Sendable {
        var name = ""
        var email = ""
        var subject = ""
        var message = ""
    }

    @Sendable func form(_ req: Request) async throws -> HTML {
        ContactPages.form(Draft(), errors: [:], req.pageContext())
    }

    @Sendable func send(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ContactForm.self)
        let draft = Draft(name: form.name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", email: form.email?.trimmingCharacters(in: .whitespaces) ?? "",
                          subject: form.subject?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", message: form.message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        // A robot's message: answered as if sent, kept nowhere.
        if !(form.website ?? "").isEmpty { return req.redirect(to: "/contact?notice=contact_sent", redirectType: .normal) }
        let issues = ContactMessages.check(draft)
        guard issues.isEmpty else {
            return try await HTMLPage(status: .unprocessableEntity, html: ContactPages.form(draft, errors: Layout.fieldErrors(issues, req.pageContext()), req.pageContext()))
                .encodeResponse(for: req)
        }
        guard limiter.allow(req.clientAddress, now: req.now) else {
            return try await HTMLPage(status: .tooManyRequests, html: ContactPages.form(draft, errors: [:], general: req.t("contact.error.too_many"), req.pageContext()))
                .encodeResponse(for: req)
        }
        try await ContactMessages.store(draft, language: req.language, at: req.now, on: req.db)
        return req.redirect(to: "/contact?notice=contact_sent", redirectType: .normal)
    }

    @Sendable func inbox(_ req: Request) async throws -> HTML {
        ContactPages.inbox(try await ContactMessages.newest(on: req.db), req.pageContext())
    }

    /// A message answered (or unwanted) is deleted: it holds a person's name and address.
    @Sendable func delete(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), try await ContactMessages.delete(id, on: req.db) else { throw Abort(.notFound) }
        return req.redirect(to: "/admin/messages?notice=message_deleted", redirectType: .normal)
    }

    @Sendable func markRead(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              try await ContactMessages.markRead(id, by: req.currentUser?.name ?? "", at: req.now, on: req.db) else { throw Abort(.notFound) }
        return req.redirect(to: "/admin/messages", redirectType: .normal)
    }
}

/// The contact messages: their rules, their reads and writes (the controller translates HTTP;
/// the retention run deletes the old ones through here).
enum ContactMessages {
    static func check(_ draft: ContactController.Draft) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if draft.name.isEmpty || draft.name.count > 200 { issues.append(FieldIssue("name", "contact.error.name")) }
        if draft.email.count > 254 || !EmailAddress.isPlausible(draft.email) { issues.append(FieldIssue("email", "contact.error.email")) }
        if draft.subject.count > 200 { issues.append(FieldIssue("subject", "contact.error.subject")) }
        if draft.message.count < 10 || draft.message.count > 4_000 { issues.append(FieldIssue("message", "contact.error.message")) }
        return issues
    }

    static func store(_ draft: ContactController.Draft, language: Language, at now: Date, on db: any Database) async throws {
        let message = ContactMessageModel()
        message.name = draft.name
        message.email = draft.email
        message.subject = draft.subject
        message.message = draft.message
        message.language = language.rawValue
        message.receivedAt = now
        try await message.create(on: db)
    }

    /// The newest 500 messages, as the inbox shows them.
    static func newest(on db: any Database) async throws -> [ContactPages.Message] {
        try await ContactMessageModel.query(on: db).sort(\.$receivedAt, .descending).limit(500).all().compactMap { model in
            model.id.map { ContactPages.Message(id: $0, name: model.name, email: model.email, subject: model.subject, message: model.message,
                                               language: model.language, receivedAt: model.receivedAt, readAt: model.readAt, readBy: model.readBy) }
        }
    }

    /// Marks a message read (once); false when there is no such message.
    static func markRead(_ id: UUID, by reader: String, at now: Date, on db: any Database) async throws -> Bool {
        guard let message = try await ContactMessageModel.find(id, on: db) else { return false }
        if message.readAt == nil {
            message.readAt = now
            message.readBy = reader
            try await message.update(on: db)
        }
        return true
    }

    /// Deletes a message; false when there is no such message.
    static func delete(_ id: UUID, on db: any Database) async throws -> Bool {
        guard let message = try await ContactMessageModel.find(id, on: db) else { return false }
        try await message.delete(on: db)
        return true
    }

    static func receivedBefore(_ cutoff: Date, on db: any Database) async throws -> Int {
        try await ContactMessageModel.query(on: db).filter(\.$receivedAt < cutoff).count()
    }

    /// Deletes the messages received before `cutoff`; returns how many.
    static func deleteReceivedBefore(_ cutoff: Date, on db: any Database) async throws -> Int {
        let count = try await receivedBefore(cutoff, on: db)
        try await ContactMessageModel.query(on: db).filter(\.$receivedAt < cutoff).delete()
        return count
    }
}
