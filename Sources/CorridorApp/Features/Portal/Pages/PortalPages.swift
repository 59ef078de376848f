import CorridorCore
import Foundation

enum PortalPages {
    /// The public menu: the figures, the website's published sections in their order (a link
    /// to another site marked as such), the news, sign-in. Without any published section, the
    /// public pages Corridor always has.
    static func links(_ context: PageContext) -> HTML {
        let current = context.path
        func item(_ path: String, _ label: String, external: Bool = false) -> HTML {
            let here = path == current || (path != "/" && current.hasPrefix(path + "/"))
            let mark: HTML = external ? " <span aria-hidden=\"true\">↗</span>" : .empty
            return "<li><a href=\"\(path)\"\(HTML(raw: here ? " aria-current=\"page\"" : ""))>\(label)\(mark)</a></li>"
        }
        let sections = context.siteMenu.sections.map { section in
            item(SiteMenu.address(section.entry, parent: nil, context.language), section.entry.title(context.language), external: section.entry.externalURL != nil)
        }
        let fallback: [HTML] = sections.isEmpty
            ? [item("/data", context.t("portal.data")), item("/resources", context.t("library.title")), item("/about", context.t("portal.about")), item("/contact", context.t("contact.title"))]
            : []
        let items = [item("/", context.t("portal.figures"))] + sections + fallback + [item("/news", context.t("news.title")), item("/login", context.t("login.title"))]
        return "<nav class=\"portal-links\" aria-label=\"\(context.t("portal.navigation"))\"><ul>\(items)</ul></nav>"
    }

    static func home(_ figures: [KeyFigureModel], _ context: PageContext) -> HTML {
        let cards = figures.map { figure -> HTML in
            let sentence: HTML = figure.sentence.map { "<p>\($0)</p>" } ?? .empty
            return "<li class=\"card figure\"><p class=\"figure-value\">\(figure.text)</p><p class=\"figure-label\">\(figure.label)</p>\(sentence)</li>"
        }
        return Layout.page(context.t("portal.title"), context, meta: PageMeta(description: context.t("meta.home")), """
        \(links(context))
        <h1>\(context.t("portal.title"))</h1>
        <p class="lead">\(context.t("portal.intro"))</p>
        <ul class="cards figures">\(cards)</ul>
        <p><a class="button" href="/data">\(context.t("portal.see_data"))</a></p>
        """)
    }

    static func data(_ table: PublicTableModel, threshold: Int, _ context: PageContext) -> HTML {
        let format = context.format
        let header = table.columns.map { column -> HTML in "<th scope=\"col\">\(column)</th>" }
        let body = table.rows.enumerated().map { index, country -> HTML in
            let cells = table.result.cells[index].map { cell -> HTML in
                cell.map { "<td class=\"number\">\(format.integer($0))</td>" } ?? "<td class=\"number suppressed\" title=\"\(context.t("portal.suppressed"))\">·</td>"
            }
            let total: HTML = table.result.rowTotals[index].map { "<td class=\"number\"><strong>\(format.integer($0))</strong></td>" } ?? "<td class=\"number suppressed\">·</td>"
            return "<tr><th scope=\"row\">\(Countries.named(country)?.name(context.language) ?? country)</th>\(cells)\(total)</tr>"
        }
        let totals = table.result.columnTotals.map { cell -> HTML in
            cell.map { "<td class=\"number\"><strong>\(format.integer($0))</strong></td>" } ?? "<td class=\"number suppressed\">·</td>"
        }
        let grand: HTML = table.result.grandTotal.map { "<td class=\"number\"><strong>\(format.integer($0))</strong></td>" } ?? "<td class=\"number suppressed\">·</td>"
        return Layout.page(context.t("portal.data"), context, meta: PageMeta(description: context.t("meta.data")), """
        \(links(context))
        <h1>\(context.t("portal.data_title"))</h1>
        <p class="lead">\(context.t("portal.data_intro", ["k": String(threshold)]))</p>
        \(HTML.when(table.rows.isEmpty) { "<p class=\"empty\">\(context.t("portal.no_data"))</p>" })
        \(HTML.when(!table.rows.isEmpty) { """
          <div class="table-wrap" tabindex="0"><table><caption>\(context.t("portal.table_caption"))</caption>
          <thead><tr><th scope="col">\(context.t("case.host_country"))</th>\(header)<th scope="col">\(context.t("portal.total"))</th></tr></thead>
          <tbody>\(body)<tr><th scope="row">\(context.t("portal.total"))</th>\(totals)\(grand)</tr></tbody></table></div>
          """ })
        <p>\(context.t("portal.downloads")) <a href="/data/returns.csv">CSV</a> · <a href="/data/returns.xlsx">XLSX</a> · <a href="/data/returns.hxl.csv">HXL</a> · <a href="/api/v1/public/returns?by=host_country,year">JSON</a></p>
        """)
    }

    static func about(threshold: Int, _ context: PageContext) -> HTML {
        Layout.page(context.t("portal.about"), context, meta: PageMeta(description: context.t("meta.about")), """
        \(links(context))
        <h1>\(context.t("portal.about"))</h1>
        <p class="lead">\(context.t("portal.about_text"))</p>
        <p>\(context.t("portal.about_privacy", ["k": String(threshold)]))</p>
        """)
    }
}
