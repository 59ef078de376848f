import CorridorCore
import Foundation

/// Charts drawn on the server as accessible SVG (a title and a description for screen readers,
/// a tooltip per mark), for any page that shows a series.
enum Charts {
    /// Stacked columns: one column per row of the table, one segment per column, with a legend.
    static func stacked(_ title: String, rows: [String], series: [String], counts: [[Int]], _ context: PageContext) -> HTML {
        let totals = counts.map { $0.reduce(0, +) }
        let maximum = max(totals.max() ?? 1, 1)
        let width = 60, height = 200, margin = axisMargin
        let palette = ["#0b4f8a", "#2e86c1", "#76b7e5", "#8a4b00", "#d4a017", "#176b3a", "#6c8f3a", "#a4262c", "#6b4f8a", "#4f5b6a"]
        let bars = rows.enumerated().map { index, row -> HTML in
            var y = height - 20
            let x = index * width + margin
            let segments = series.enumerated().map { column, name -> HTML in
                let value = counts[index][column]
                let segment = Int(Double(value) / Double(maximum) * Double(height - 30))
                y -= segment
                return "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width - 16)\" height=\"\(segment)\" fill=\"\(palette[column % palette.count])\"><title>\(row) · \(name)\(context.colon)\(value)</title></rect>"
            }
            return "\(segments)<text x=\"\(x + (width - 16) / 2)\" y=\"\(height - 5)\" text-anchor=\"middle\" class=\"chart-label\">\(row)</text>"
        }
        let legend = series.enumerated().map { column, name -> HTML in
            "<li><span class=\"swatch\" data-color=\"\(column % palette.count)\"></span>\(name)</li>"
        }
        return """
        <svg class="chart" viewBox="0 0 \(rows.count * width + margin + 20) \(height)" role="img" aria-labelledby="chart-stacked-title chart-stacked-desc">
          <title id="chart-stacked-title">\(title)</title><desc id="chart-stacked-desc">\(context.t("dashboard.chart_desc"))</desc>
          \(valueAxis(maximum: maximum, left: margin, right: rows.count * width + margin, zero: height - 20, span: height - 30, context))
          \(bars)
        </svg>
        <ul class="legend">\(legend)</ul>
        """
    }

    /// A line through a series (e.g. returns per quarter).
    static func line(_ title: String, _ points: [(String, Int)], _ context: PageContext) -> HTML {
        guard points.count > 1 else { return .empty }
        let maximum = max(points.map(\.1).max() ?? 1, 1)
        let step = 46, height = 180, margin = axisMargin
        let coordinates = points.enumerated().map { index, point in (margin + 14 + index * step, height - 25 - Int(Double(point.1) / Double(maximum) * Double(height - 40))) }
        let path = coordinates.map { "\($0.0),\($0.1)" }.joined(separator: " ")
        let dots = zip(points, coordinates).enumerated().map { index, pair -> HTML in
            let label: HTML = index % 2 == 0 ? "<text x=\"\(pair.1.0)\" y=\"\(height - 5)\" text-anchor=\"middle\" class=\"chart-label\">\(pair.0.0)</text>" : .empty
            return "<circle cx=\"\(pair.1.0)\" cy=\"\(pair.1.1)\" r=\"3\" class=\"chart-dot\"><title>\(pair.0.0)\(context.colon)\(pair.0.1)</title></circle>\(label)"
        }
        return """
        <svg class="chart" viewBox="0 0 \(points.count * step + margin + 20) \(height)" role="img" aria-labelledby="chart-line-title chart-line-desc">
          <title id="chart-line-title">\(title)</title><desc id="chart-line-desc">\(context.t("dashboard.chart_desc"))</desc>
          \(valueAxis(maximum: maximum, left: margin, right: points.count * step + margin + 10, zero: height - 25, span: height - 40, context))
          <polyline points="\(path)" class="chart-line"></polyline>\(dots)
        </svg>
        """
    }

    /// Vertical bars of a series (e.g. returns per year) as accessible SVG.
    static func columns(_ title: String, _ points: [(String, Int)], _ context: PageContext) -> HTML {
        let maximum = max(points.map(\.1).max() ?? 1, 1)
        let width = 60, height = 180
        let bars = points.enumerated().map { index, point -> HTML in
            let barHeight = Int(Double(point.1) / Double(maximum) * Double(height - 45))
            let x = index * width + 20
            return """
            <rect x="\(x)" y="\(height - 20 - barHeight)" width="\(width - 16)" height="\(barHeight)" class="chart-bar"></rect>
            <text x="\(x + (width - 16) / 2)" y="\(height - 24 - barHeight)" text-anchor="middle" class="chart-value">\(context.format.integer(point.1))</text>
            <text x="\(x + (width - 16) / 2)" y="\(height - 5)" text-anchor="middle" class="chart-label">\(point.0)</text>
            """
        }
        let id = "chart-columns"
        return """
        <svg class="chart" viewBox="0 0 \(points.count * width + 40) \(height)" role="img" aria-labelledby="\(id)-title \(id)-desc">
          <title id="\(id)-title">\(title)</title><desc id="\(id)-desc">\(context.t("dashboard.chart_desc"))</desc>
          \(bars)
        </svg>
        """
    }

    /// Room left of a chart for its value axis.
    static let axisMargin = 48

    /// A value axis: light lines at round values from 0 to the largest, each labelled, so that
    /// a chart without a number on every mark still reads as quantities.
    static func valueAxis(maximum: Int, left: Int, right: Int, zero: Int, span: Int, _ context: PageContext) -> HTML {
        let step = niceStep(maximum)
        let ticks = stride(from: 0, through: maximum, by: step).map { value -> HTML in
            let y = zero - Int(Double(value) / Double(max(maximum, 1)) * Double(span))
            return """
            <line x1="\(left - 4)" y1="\(y)" x2="\(right)" y2="\(y)" class="chart-grid"></line>
            <text x="\(left - 8)" y="\(y + 4)" text-anchor="end" class="chart-axis">\(context.format.integer(value))</text>
            """
        }
        return "<g aria-hidden=\"true\">\(ticks)</g>"
    }

    /// 1, 2 or 5 times a power of ten, giving three to five lines up to `maximum`.
    static func niceStep(_ maximum: Int) -> Int {
        guard maximum > 4 else { return 1 }
        var magnitude = 1
        while magnitude * 10 <= maximum / 4 { magnitude *= 10 }
        for factor in [1, 2, 5, 10] where maximum / (factor * magnitude) <= 4 { return factor * magnitude }
        return 10 * magnitude
    }
}
