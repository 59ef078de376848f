import CorridorCore
import Foundation

enum ContactPages {
    struct Message: Sendable {
        var id: UUID
        var name: String
        var email: String
        var subject: String
        var message: String
        var language: String
        var receivedAt: Date
        var readAt: Date?
        var readBy: String?
    }

    static func form(_ draft: ContactController.Draft, errors: [String: String], general: String? = nil, _ context: PageContext) -> HTML {
        let labels = ["name": context.t("contact.name"), "email": context.t("contact.email"), "subject": context.t("contact.subject"), "message": context.t("contact.message")]
        return Layout.page(context.t("contact.title"), context, meta: PageMeta(description: context.t("meta.contact")), """
        \(PortalPages.links(context))
        <h1>\(context.t("contact.title"))</h1>
        <p class="lead">\(context.t("contact.intro"))</p>
        \(Layout.errorSummary(context, errors, general: general, labels: labels, order: ["name", "email", "subject", "message"]))
        <form method="post" action="/contact" class="card">
          \(context.csrfField)
          \(Layout.textField("name", label: labels["name"] ?? "", value: draft.name, error: errors["name"], autocomplete: "name"))
          \(Layout.textField("email", label: labels["email"] ?? "", value: draft.email, error: errors["email"], type: "email", autocomplete: "email"))
          \(Layout.textField("subject", label: labels["subject"] ?? "", value: draft.subject, error: errors["subject"], required: false))
          <div class="field\(HTML(raw: errors["message"] == nil ? "" : " has-error"))">
            <label for="message">\(labels["message"] ?? "")</label>
            <textarea id="message" name="message" rows="8" maxlength="4000" required\(Layout.describedBy("message", errors["message"]))>\(draft.message)</textarea>
            \(Layout.fieldError("message", errors["message"]))
          </div>
          <div class="visually-hidden" aria-hidden="true"><label for="website">Website</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
          <p class="hint">\(context.t("contact.privacy"))</p>
          <button type="submit" class="primary">\(context.t("contact.send"))</button>
        </form>
        """)
    }

    static func inbox(_ messages: [Message], _ context: PageContext) -> HTML {
        let items = messages.map { message -> HTML in
            let state: HTML = message.readAt.map { "<p><small>\(context.t("contact.read_by", ["name": message.readBy ?? "", "date": context.format.dateTime($0)]))</small></p>" }
                ?? "<form method=\"post\" action=\"/admin/messages/\(message.id.uuidString)/read\">\(context.csrfField)<button type=\"submit\">\(context.t("contact.mark_read"))</button></form>"
            return """
            <li class="card\(HTML(raw: message.readAt == nil ? " unread" : ""))">
              <h2>\(message.subject.isEmpty ? context.t("contact.no_subject") : message.subject)</h2>
              <p><small>\(context.format.dateTime(message.receivedAt)) · \(message.name) · <a href="mailto:\(message.email)">\(message.email)</a> · \(message.language.uppercased())</small></p>
              <p class="message-text">\(message.message)</p>
              <div class="actions">\(state)
              <form method="post" action="/admin/messages/\(message.id.uuidString)/delete">\(context.csrfField)<button type="submit" class="danger">\(context.t("contact.delete"))</button></form></div>
            </li>
            """
        }
        return Layout.page(context.t("contact.inbox"), context, """
        <h1>\(context.t("contact.inbox"))</h1>
        <p class="lead">\(context.t("contact.inbox_intro"))</p>
        \(HTML.when(messages.isEmpty) { "<p class=\"empty\">\(context.t("contact.inbox_empty"))</p>" })
        <ul class="inbox">\(items)</ul>
        """)
    }
}
