import CorridorCore
import Foundation

/// The attachments of a case: the list (the kind, whose it is, the file, who added it and when)
/// and the form that adds one.
enum AttachmentPages {
    static func size(_ bytes: Int, _ context: PageContext) -> String {
        bytes < 1_048_576
            ? context.t("attachment.size_kb", ["size": context.format.integer(max(1, (bytes + 1_023) / 1_024))])
            : context.t("attachment.size_mb", ["size": context.format.decimal(Double(bytes) / 1_048_576, digits: 1)])
    }

    static func whose(_ row: AttachmentQueries.Row, _ view: CaseQueries.CaseView, _ context: PageContext) -> String {
        guard let number = row.memberNumber else { return context.t("attachment.household") }
        guard let member = view.members.first(where: { $0.memberNumber == number }), member.anonymisedOn == nil else {
            return context.t("member.number", ["number": String(number)])
        }
        return "\(number). \(member.givenNames) \(member.familyName)"
    }

    /// The rows of the list; with `actions`, each has its delete button.
    static func table(_ model: AttachmentsModel, _ context: PageContext, actions: Bool) -> HTML {
        let view = model.view
        let hidden: HTML = model.visible.protectedHidden == 0 ? .empty
            : "<p class=\"hint\">\(context.plural("attachment.protected_hidden", model.visible.protectedHidden))</p>"
        guard !model.visible.shown.isEmpty else { return "<p class=\"empty\">\(context.t("attachment.none"))</p>\(hidden)" }
        let rows = model.visible.shown.map { row -> HTML in
            let link = "/cases/\(view.caseNumber)/attachments/\(row.id.uuidString.lowercased())"
            let badge: HTML = row.isProtected ? " <span class=\"badge warn\">\(context.t("attachment.protected_badge"))</span>" : .empty
            let kind = row.kind.map { context.t($0.catalogueKey) } ?? "—"
            var action: HTML = .empty
            if actions, model.canEdit {
                action = """
                <td><form method="post" action="\(link)/delete" class="inline-form">\(context.csrfField)
                  <button type="submit" class="danger">\(context.t("attachment.delete"))</button></form></td>
                """
            }
            return """
            <tr><td>\(kind)\(badge)</td><td>\(whose(row, view, context))</td>
            <td><a href="\(link)" download>\(row.fileName)</a> <small>\(size(row.byteCount, context))</small></td>
            <td>\(context.format.dateTime(row.uploadedAt))<br><small>\(row.uploadedBy)</small></td>\(action)</tr>
            """
        }
        let actionHead: HTML = actions && model.canEdit ? "<th scope=\"col\"><span class=\"visually-hidden\">\(context.t("attachment.delete"))</span></th>" : .empty
        return """
        <div class="table-wrap" tabindex="0"><table>
          <thead><tr><th scope="col">\(context.t("attachment.kind"))</th><th scope="col">\(context.t("attachment.whose"))</th>
          <th scope="col">\(context.t("attachment.file"))</th><th scope="col">\(context.t("attachment.added"))</th>\(actionHead)</tr></thead>
          <tbody>\(rows)</tbody>
        </table></div>
        <p class="hint">\(context.t("attachment.audited"))</p>
        \(hidden)
        """
    }

    static func list(_ model: AttachmentsModel, _ context: PageContext) -> HTML {
        let view = model.view
        let title = context.t("attachment.title")
        var form: HTML = .empty
        if model.canEdit {
            let people = view.members.filter { $0.anonymisedOn == nil }.map { member in
                (value: String(member.memberNumber), label: "\(member.memberNumber). \(member.givenNames) \(member.familyName)")
            }
            let household: [(value: String, label: String)] = [(value: "", label: context.t("attachment.household"))]
            let labels = ["kind": context.t("attachment.kind"), "member": context.t("attachment.whose"), "file": context.t("attachment.file"),
                          "protected": context.t("attachment.protected")]
            let protectBox: HTML = model.canProtect ? """
                <div class="field"><label class="check"><input type="checkbox" name="protected" value="1"\(HTML(raw: model.form.protected == "1" ? " checked" : ""))> \(labels["protected"] ?? "")</label>
                <p class="hint">\(context.t("attachment.protected_hint"))</p></div>
                """ : .empty
            let fileError = model.errors["file"]
            form = """
            <section class="card narrow" aria-labelledby="attachment-add">
              <h2 id="attachment-add">\(context.t("attachment.add"))</h2>
              \(Layout.errorSummary(context, model.errors, labels: labels, order: ["kind", "member", "file", "protected"]))
              <form method="post" action="/cases/\(view.caseNumber)/attachments" enctype="multipart/form-data" novalidate>\(context.csrfField)
                \(Layout.selectField("kind", label: labels["kind"] ?? "", options: Layout.codeOptions(AttachmentKind.self, context, empty: context.t("form.choose")),
                                     selected: model.form.kind ?? "", error: model.errors["kind"]))
                \(Layout.selectField("member", label: labels["member"] ?? "", options: (model.householdAllowed ? household : []) + people,
                                     selected: model.form.member ?? "", error: model.errors["member"]))
                <div class="field\(HTML(raw: fileError == nil ? "" : " has-error"))">
                  <label for="file">\(labels["file"] ?? "")</label>
                  <input id="file" name="file" type="file" accept="application/pdf,image/jpeg,image/png" required aria-describedby="file-hint\(HTML(raw: fileError == nil ? "" : " file-error"))">
                  <p class="hint" id="file-hint">\(context.t("attachment.file_hint", ["size": context.format.integer(model.limitMegabytes)]))</p>
                  \(Layout.fieldError("file", fileError))
                </div>
                \(protectBox)
                <button type="submit" class="primary">\(context.t("attachment.submit"))</button>
              </form>
            </section>
            """
        }
        return Layout.page(title, context, """
        <p><a href="/cases/\(view.caseNumber)">← \(context.t("case.title", ["number": view.caseNumber]))</a></p>
        <div class="page-head"><h1>\(title) — \(view.caseNumber)</h1></div>
        \(table(model, context, actions: true))
        \(form)
        """)
    }
}
