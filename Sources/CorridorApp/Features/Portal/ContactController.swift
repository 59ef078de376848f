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

    static func check(_ draft: Draft) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if draft.name.isEmpty || draft.name.count > 200 { issues.append(FieldIssue("name", "contact.error.name")) }
        let parts = draft.email.split(separator: "@", omittingEmptySubsequences: false)
        if draft.email.count > 254 || parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || parts[1].hasPrefix(".") || parts[1].hasSuffix(".")
            || draft.email.contains(where: { $0.isWhitespace }) {
            issues.append(FieldIssue("email", "contact.error.email"))
        }
        if draft.subject.count > 200 { issues.append(FieldIssue("subject", "contact.error.subject")) }
        if draft.message.count < 10 || draft.message.count > 4_000 { issues.append(FieldIssue("message", "contact.error.message")) }
        return issues
    }

    @Sendable func send(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ContactForm.self)
        let draft = Draft(name: form.name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", email: form.email?.trimmingCharacters(in: .whitespaces) ?? "",
                          subject: form.subject?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "", message: form.message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        // A robot's message: answered as if sent, kept nowhere.
        if !(form.website ?? "").isEmpty { return req.redirect(to: "/contact?notice=contact_sent", redirectType: .normal) }
        let issues = Self.check(draft)
        guard issues.isEmpty else {
            return try await HTMLPage(status: .unprocessableEntity, html: ContactPages.form(draft, errors: Layout.fieldErrors(issues, req.pageContext()), req.pageContext()))
                .encodeResponse(for: req)
        }
        guard limiter.allow(req.clientAddress, now: req.now) else {
            return try await HTMLPage(status: .tooManyRequests, html: ContactPages.form(draft, errors: [:], general: req.t("contact.error.too_many"), req.pageContext()))
                .encodeResponse(for: req)
        }
        let message = ContactMessageModel()
        message.name = draft.name
        message.email = draft.email
        message.subject = draft.subject
        message.message = draft.message
        message.language = req.language.rawValue
        message.receivedAt = req.now
        try await message.create(on: req.db)
        return req.redirect(to: "/contact?notice=contact_sent", redirectType: .normal)
    }

    @Sendable func inbox(_ req: Request) async throws -> HTML {
        let messages = try await ContactMessageModel.query(on: req.db).sort(\.$receivedAt, .descending).limit(500).all()
        return ContactPages.inbox(messages.compactMap { model in
            model.id.map { ContactPages.Message(id: $0, name: model.name, email: model.email, subject: model.subject, message: model.message,
                                               language: model.language, receivedAt: model.receivedAt, readAt: model.readAt, readBy: model.readBy) }
        }, req.pageContext())
    }

    /// A message answered (or unwanted) is deleted: it holds a person's name and address.
    @Sendable func delete(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let message = try await ContactMessageModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await message.delete(on: req.db)
        return req.redirect(to: "/admin/messages?notice=message_deleted", redirectType: .normal)
    }

    @Sendable func markRead(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let message = try await ContactMessageModel.find(id, on: req.db) else { throw Abort(.notFound) }
        if message.readAt == nil {
            message.readAt = req.now
            message.readBy = req.currentUser?.name ?? ""
            try await message.update(on: req.db)
        }
        return req.redirect(to: "/admin/messages", redirectType: .normal)
    }
}

/// What other features may do with the contact messages: the retention run deletes the old ones.
enum ContactMessages {
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
