import CorridorCore
import Foundation

enum OfficePages {
    static func list(_ offices: [OfficeModel], _ context: PageContext) -> HTML {
        let rows = offices.map { office -> HTML in
            let place: HTML = office.latitude == nil ? "<span class=\"muted\">\(context.t("office.not_on_map"))</span>" : "✓"
            return """
            <tr><td><a href="/admin/offices/\(office.id?.uuidString ?? "")">\(Layout.country(office.code, context))</a> <code>\(office.code)</code></td>
            <td>\(office.city.isEmpty ? context.t("office.to_complete") : office.city)</td><td>\(place)</td>
            <td>\(context.t(office.isPublic ? "office.public_yes" : "office.public_no"))</td></tr>
            """
        }
        return Layout.page(context.t("office.admin_title"), context, """
        <div class="page-head"><h1>\(context.t("office.admin_title"))</h1><a class="button primary" href="/admin/offices/new">\(context.t("office.new"))</a></div>
        <p class="lead">\(context.t("office.admin_intro"))</p>
        <div class="table-wrap" tabindex="0"><table><thead><tr><th scope="col">\(context.t("office.field.code"))</th><th scope="col">\(context.t("office.field.city"))</th>
        <th scope="col">\(context.t("office.on_map"))</th><th scope="col">\(context.t("office.field.is_public"))</th></tr></thead><tbody>\(rows)</tbody></table></div>
        """)
    }

    static func form(id: UUID?, _ form: OfficesController.Form, errors: [String: String], _ context: PageContext) -> HTML {
        let action = id.map { "/admin/offices/\($0.uuidString)" } ?? "/admin/offices/new"
        let code: HTML = id == nil
            ? Layout.selectField("code", label: context.t("office.field.code"), options: Layout.countryOptions(context, empty: context.t("form.choose")), selected: form.code ?? "", error: errors["code"])
            : "<p><strong>\(context.t("office.field.code"))</strong>\(context.colon)\(Layout.country(form.code, context)) <code>\(form.code ?? "")</code><input type=\"hidden\" name=\"code\" value=\"\(form.code ?? "")\"></p>"
        func area(_ name: String, _ value: String?) -> HTML {
            """
            <div class="field\(HTML(raw: errors[name] == nil ? "" : " has-error"))"><label for="\(name)">\(context.t("office.field." + name))</label>
              <textarea id="\(name)" name="\(name)" rows="3">\(value ?? "")</textarea>\(Layout.fieldError(name, errors[name]))</div>
            """
        }
        return Layout.page(context.t(id == nil ? "office.new" : "office.edit"), context, """
        <p><a href="/admin/offices">← \(context.t("office.admin_title"))</a></p>
        <h1>\(context.t(id == nil ? "office.new" : "office.edit"))</h1>
        \(Layout.errorSummary(context, errors.filter { $0.key != "general" }, general: errors["general"], labels: Dictionary(uniqueKeysWithValues:
            ["code", "city", "email", "latitude", "longitude"].map { ($0, context.t("office.field." + $0)) })))
        <form method="post" action="\(action)" class="card" novalidate>\(context.csrfField)
          \(HTML.when(form.version != nil) { "<input type=\"hidden\" name=\"version\" value=\"\(form.version ?? 0)\">" })
          \(code)
          <div class="grid">
            \(Layout.textField("city", label: context.t("office.field.city"), value: form.city, error: errors["city"]))
            \(Layout.textField("email", label: context.t("office.field.email"), value: form.email, error: errors["email"], type: "email", required: false))
            \(Layout.textField("phone", label: context.t("office.field.phone"), value: form.phone, error: errors["phone"], type: "tel", required: false))
          </div>
          \(area("address", form.address))
          <div class="side-by-side">
            \(area("description_fr", form.description_fr))
            \(area("description_en", form.description_en))
          </div>
          <fieldset><legend>\(context.t("office.position"))</legend><p class="hint">\(context.t("office.position_hint"))</p>
          <div class="grid">
            \(Layout.textField("latitude", label: context.t("office.field.latitude"), value: form.latitude, error: errors["latitude"], required: false, inputMode: "decimal"))
            \(Layout.textField("longitude", label: context.t("office.field.longitude"), value: form.longitude, error: errors["longitude"], required: false, inputMode: "decimal"))
          </div></fieldset>
          <p><label class="check"><input type="checkbox" name="is_public" value="1"\(HTML(raw: form.is_public == "1" ? " checked" : ""))> \(context.t("office.field.is_public"))</label></p>
          <button type="submit" class="primary">\(context.t("form.save"))</button>
        </form>
        """)
    }

    /// *Où travaillons-nous*: the offices on a map drawn here (no tile server, no script; an
    /// image, nothing in it to focus), and the same offices as a list for screen readers and phones.
    static func publicOffices(_ offices: [OfficeModel], _ context: PageContext) -> HTML {
        guard !offices.isEmpty else { return "<p class=\"empty\">\(context.t("office.none"))</p>" }
        let items = offices.map { office -> HTML in
            let country = Layout.country(office.code, context)
            let email: HTML = office.email.isEmpty ? .empty : "<p><a href=\"mailto:\(office.email)\">\(office.email)</a></p>"
            let phone: HTML = office.phone.isEmpty ? .empty : "<p><a href=\"tel:\(office.phone.filter { $0.isNumber || $0 == "+" })\">\(office.phone)</a></p>"
            let address: HTML = office.address.isEmpty ? .empty : "<p class=\"address\">\(office.address)</p>"
            let description = office.description(context.language)
            return """
            <li class="card office" id="office-\(office.code.lowercased())"><h2>\(office.city.isEmpty ? country : office.city)\(HTML.when(!office.city.isEmpty) { " <small>· \(country)</small>" })</h2>
            \(address)\(email)\(phone)\(HTML.when(!description.isEmpty) { "<p>\(description)</p>" })</li>
            """
        }
        return """
        <div class="offices-view">
          \(map(offices, context))
          <ul class="offices" aria-label="\(context.t("office.list_label"))">\(items)</ul>
        </div>
        """
    }

    static func map(_ offices: [OfficeModel], _ context: PageContext) -> HTML {
        let placed = offices.compactMap { office -> (OfficeModel, MapPoint)? in
            guard let latitude = office.latitude, let longitude = office.longitude else { return nil }
            return (office, MapPoint(longitude: longitude, latitude: latitude))
        }
        guard !placed.isEmpty else { return .empty }
        let view = OfficeMap(points: placed.map(\.1))
        let d = OfficeMap.decimal
        let (meridians, parallels) = view.graticule
        let lines = meridians.map { longitude -> HTML in
            let x = view.project(MapPoint(longitude: longitude, latitude: 0)).x
            return "<line x1=\"\(d(x))\" y1=\"0\" x2=\"\(d(x))\" y2=\"\(d(view.height))\"/>"
        } + parallels.map { latitude -> HTML in
            let y = view.project(MapPoint(longitude: 0, latitude: latitude)).y
            return "<line x1=\"0\" y1=\"\(d(y))\" x2=\"\(d(view.width))\" y2=\"\(d(y))\"/>"
        }
        let land = OfficeMap.outlines.map { "<path d=\"\(view.path($0))\"/>" as HTML }
        let points = placed.map { office, point -> HTML in
            let (x, y) = view.project(point)
            let name = office.city.isEmpty ? Layout.country(office.code, context) : office.city
            // Labels right of the point, or left when the point is near the right edge.
            let left = x > view.width - 160
            return """
            <g class="office-point"><title>\(name) · \(Layout.country(office.code, context))</title>
            <circle cx="\(d(x))" cy="\(d(y))" r="9"/><text x="\(d(left ? x - 14 : x + 14))" y="\(d(y + 6))"\(HTML(raw: left ? " text-anchor=\"end\"" : ""))>\(name)</text></g>
            """
        }
        return """
        <figure class="office-map">
          <svg viewBox="0 0 \(d(view.width)) \(d(view.height))" role="img" aria-labelledby="office-map-title" xmlns="http://www.w3.org/2000/svg">
            <title id="office-map-title">\(context.t("office.map_title"))</title>
            <rect class="sea" width="\(d(view.width))" height="\(d(view.height))"/>
            <g class="graticule">\(lines)</g>
            <g class="land">\(land)</g>
            \(points)
          </svg>
          <figcaption>\(context.t("office.map_caption"))</figcaption>
        </figure>
        """
    }
}
