import CorridorCore
import Foundation
import Vapor

/// A named table of the dashboard: two dimensions of returns, or vulnerabilities.
struct DashboardTable: Sendable {
    var name: String
    var rowDimension: String
    var columnDimension: String?
    var rows: [String]
    var columns: [String]
    var counts: [[Int]]
    /// Cells hidden from this reader by disclosure control (their count is not shown).
    var suppressed: [[Bool]] = []

    func isSuppressed(_ row: Int, _ column: Int) -> Bool {
        row < suppressed.count && column < suppressed[row].count && suppressed[row][column]
    }

    /// The table as a reader outside the agency may see it (a focal point): a table broken down
    /// by something sensitive gets the public's primary and secondary suppression; others stay exact.
    func controlled(for role: Role?, threshold: Int) -> DashboardTable {
        guard role == .focalPoint, FigureSensitivity.isSensitive(dimension: rowDimension) || columnDimension.map(FigureSensitivity.isSensitive(dimension:)) == true else {
            return self
        }
        let protected = DisclosurePolicy(threshold: threshold).protect(counts)
        var copy = self
        copy.suppressed = protected.cells.map { $0.map { $0 == nil } }
        copy.counts = protected.cells.map { $0.map { $0 ?? 0 } }
        return copy
    }
}

/// The dashboard's period and host-country filter.
struct DashboardFilter: Content {
    var from: String?
    var to: String?
    var host_country: String?

    var filters: FigureFilters {
        FigureFilters(from: from?.nilIfEmpty.flatMap(Day.init(iso:)), to: to?.nilIfEmpty.flatMap(Day.init(iso:)), hostCountry: host_country?.nilIfEmpty)
    }
}

/// The tables of the internal dashboard, counted by the indicator engine.
struct DashboardQueries: Sendable {
    let queries: IndicatorQueries
    let catalog: ProfilingCatalog

    static let tables: [(name: String, dimensions: [String])] = [
        ("returns_by_year_host", ["year", "host_country"]),
        ("returns_by_sex_age", ["age_group", "sex"]),
        ("returns_by_region", ["region"]),
        ("returns_by_vulnerability", ["vulnerability"]),
    ]

    static let hxlTags: [String: String] = [
        "year": "#date+year", "host_country": "#country+code+v_iso3", "sex": "#sex", "age_group": "#age+group",
        "region": "#adm1+name", "vulnerability": "#indicator+vulnerability", "nationality": "#country+code+nationality",
    ]

    func table(_ name: String, _ filters: FigureFilters, language: Language) async throws -> DashboardTable {
        guard let spec = Self.tables.first(where: { $0.name == name }) else { throw Abort(.notFound) }
        if spec.dimensions == ["vulnerability"] {
            var counts: [[Int]] = []
            for vulnerability in Vulnerability.allCases {
                var scoped = filters
                scoped.vulnerability = vulnerability.rawValue
                counts.append([Int(try await queries.figure(.returns, scoped, catalog: catalog, language: language).value)])
            }
            return DashboardTable(name: name, rowDimension: "vulnerability", columnDimension: nil, rows: Vulnerability.allCases.map(\.rawValue), columns: ["returns"], counts: counts)
        }
        let result = try await queries.returnsTable(by: spec.dimensions, filters: filters)
        if spec.dimensions == ["region"] {
            // Every region of the country is listed, with its count or 0.
            let byRegion = Dictionary(uniqueKeysWithValues: zip(result.rows, result.counts.map { $0.reduce(0, +) }))
            let rows = CoteDIvoire.regions.map(\.name) + (byRegion[""].map { _ in [""] } ?? [])
            return DashboardTable(name: name, rowDimension: "region", columnDimension: nil, rows: rows, columns: ["returns"], counts: rows.map { [byRegion[$0] ?? 0] })
        }
        return DashboardTable(name: name, rowDimension: spec.dimensions[0], columnDimension: spec.dimensions.count > 1 ? spec.dimensions[1] : nil,
                     rows: result.rows, columns: result.columns, counts: result.counts)
    }
}
