import CorridorCore
import Foundation

struct TwoFactorVerifyModel: Sendable {
    var next: String?
    var error: String?
}

struct TwoFactorEnrolModel: Sendable {
    /// The key in base32, as the app takes it.
    var key: String
    var provisioningURI: String
    var account: String
    /// Where the form posts: the sign-in step, or the account page.
    var action: String
    var next: String?
    /// True at sign-in for a role that cannot go on without it.
    var required: Bool
    var error: String?
}

struct RecoveryCodesModel: Sendable {
    var codes: [String]
    var continuePath: String
}

struct TwoFactorStatusModel: Sendable {
    var status: TwoFactorService.Status
    var errors: [String: String] = [:]
}

enum TwoFactorPages {
    static func verify(_ model: TwoFactorVerifyModel, _ context: PageContext) -> HTML {
        let error: HTML = model.error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        return Layout.page(context.t("two_factor.verify.title"), context, """
        <section class="narrow card">
          <h1>\(context.t("two_factor.verify.title"))</h1>
          <p class="lead">\(context.t("two_factor.verify.intro"))</p>
          \(error)
          <form method="post" action="/login/two-factor" novalidate>
            \(context.csrfField)
            \(nextField(model.next))
            \(Layout.textField("code", label: context.t("two_factor.field.code"), value: nil, error: model.error,
                               autocomplete: "one-time-code", hint: context.t("two_factor.verify.hint"), inputMode: "text"))
            <button type="submit" class="primary">\(context.t("two_factor.verify.submit"))</button>
          </form>
          \(cancelForm(context))
        </section>
        """)
    }

    static func enrol(_ model: TwoFactorEnrolModel, _ context: PageContext) -> HTML {
        let error: HTML = model.error.map { "<div class=\"error-summary\" role=\"alert\"><p>\($0)</p></div>" } ?? .empty
        let intro: HTML = model.required ? "<p class=\"lead\">\(context.t("two_factor.enrol.required"))</p>" : "<p class=\"lead\">\(context.t("two_factor.enrol.optional"))</p>"
        // Drawn here as SVG; an address too long for a code leaves the key to type.
        let qr: HTML = QRCode.svg(model.provisioningURI).map { "<div class=\"qr\" role=\"img\" aria-label=\"\(context.t("two_factor.enrol.qr_label"))\">\(HTML(raw: $0))</div>" } ?? .empty
        let cancel: HTML = model.action.hasPrefix("/login") ? cancelForm(context) : "<p><a href=\"/account/two-factor\">\(context.t("two_factor.back"))</a></p>"
        return Layout.page(context.t("two_factor.enrol.title"), context, """
        <section class="narrow card">
          <h1>\(context.t("two_factor.enrol.title"))</h1>
          \(intro)
          \(error)
          <ol class="steps">
            <li><p>\(context.t("two_factor.enrol.step_app"))</p></li>
            <li><p>\(context.t("two_factor.enrol.step_key"))</p>
              \(qr)
              <dl class="facts">
                <dt>\(context.t("two_factor.enrol.account"))</dt><dd>\(TwoFactorService.issuer) — \(model.account)</dd>
                <dt>\(context.t("two_factor.enrol.key"))</dt><dd><code class="copy" id="totp-key" data-key="\(model.key)">\(Base32.grouped(model.key))</code></dd>
                <dt>\(context.t("two_factor.enrol.kind"))</dt><dd>\(context.t("two_factor.enrol.kind_value"))</dd>
              </dl>
              <p><a href="\(model.provisioningURI)">\(context.t("two_factor.enrol.open_app"))</a></p></li>
            <li><p>\(context.t("two_factor.enrol.step_code"))</p></li>
          </ol>
          <form method="post" action="\(model.action)" novalidate>
            \(context.csrfField)
            \(nextField(model.next))
            \(Layout.textField("code", label: context.t("two_factor.field.code"), value: nil, error: model.error,
                               autocomplete: "one-time-code", inputMode: "numeric"))
            <button type="submit" class="primary">\(context.t("two_factor.enrol.submit"))</button>
          </form>
          \(cancel)
        </section>
        """)
    }

    static func recoveryCodes(_ model: RecoveryCodesModel, _ context: PageContext) -> HTML {
        let items = model.codes.map { "<li><code>\($0)</code></li>" as HTML }
        return Layout.page(context.t("two_factor.codes.title"), context, """
        <section class="narrow card">
          <h1>\(context.t("two_factor.codes.title"))</h1>
          <div class="secret" role="status">
            <p>\(context.t("two_factor.codes.intro", ["count": String(model.codes.count)]))</p>
            <ol class="recovery-codes">\(items)</ol>
            <p>\(context.t("two_factor.codes.once"))</p>
          </div>
          <p><a class="button primary" href="\(model.continuePath)">\(context.t("two_factor.codes.continue"))</a></p>
        </section>
        """)
    }

    static func status(_ model: TwoFactorStatusModel, _ context: PageContext) -> HTML {
        let status = model.status
        let body: HTML
        if let enabled = status.enabledAt {
            let disable: HTML = status.required ? "<p>\(context.t("two_factor.status.required"))</p>" : """
            <form method="post" action="/account/two-factor/disable" novalidate>
              \(context.csrfField)
              <h2>\(context.t("two_factor.disable.title"))</h2>
              \(Layout.textField("code", label: context.t("two_factor.field.code"), value: nil, error: model.errors["disable-code"],
                                 autocomplete: "one-time-code", id: "disable-code", inputMode: "numeric"))
              <button type="submit" class="danger">\(context.t("two_factor.disable.submit"))</button>
            </form>
            """
            body = """
            <p class="badge ok">\(context.t("two_factor.status.enabled", ["date": context.format.dateTime(enabled)]))</p>
            <p>\(context.t("two_factor.status.codes_left", ["count": String(status.recoveryCodesLeft)]))</p>
            <form method="post" action="/account/two-factor/recovery-codes" novalidate>
              \(context.csrfField)
              <h2>\(context.t("two_factor.renew.title"))</h2>
              <p>\(context.t("two_factor.renew.intro"))</p>
              \(Layout.textField("code", label: context.t("two_factor.field.code"), value: nil, error: model.errors["renew-code"],
                                 autocomplete: "one-time-code", id: "renew-code", inputMode: "numeric"))
              <button type="submit">\(context.t("two_factor.renew.submit"))</button>
            </form>
            \(disable)
            """
        } else {
            body = """
            <p>\(context.t("two_factor.status.disabled"))</p>
            <p><a class="button primary" href="/account/two-factor/enrol">\(context.t("two_factor.status.enable"))</a></p>
            """
        }
        return Layout.page(context.t("two_factor.status.title"), context, """
        <p><a href="/account">← \(context.t("profile.title"))</a></p>
        <section class="narrow card">
          <h1>\(context.t("two_factor.status.title"))</h1>
          \(Layout.errorSummary(context, model.errors))
          \(body)
        </section>
        """)
    }

    private static func nextField(_ next: String?) -> HTML {
        next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" } ?? .empty
    }

    /// Leaves the second step (another account, or a phone not at hand): the waiting session ends.
    private static func cancelForm(_ context: PageContext) -> HTML {
        """
        <form method="post" action="/login/two-factor/cancel" class="inline">\(context.csrfField)
          <button type="submit" class="link">\(context.t("two_factor.cancel"))</button></form>
        """
    }
}
