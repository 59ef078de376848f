/// Suppression of small counts in a published table.
///
/// Primary: a cell from 1 to k−1 is suppressed. Secondary: while a row or a column (or the
/// vector of totals) has exactly one suppressed cell and a published total, another cell of
/// it is suppressed — the smallest non-zero published one — or, when there is none, its total.
/// Zeros are always shown and published totals are exact, so no suppressed cell can be
/// recomputed from one row or one column equation.
public struct DisclosurePolicy: Sendable, Equatable {
    public var threshold: Int

    public init(threshold: Int) { self.threshold = max(1, threshold) }

    public struct Result: Sendable, Equatable {
        /// Cell values, nil where suppressed.
        public var cells: [[Int?]]
        public var rowTotals: [Int?]
        public var columnTotals: [Int?]
        public var grandTotal: Int?

        public var suppressedCount: Int { cells.reduce(0) { $0 + $1.filter { $0 == nil }.count } }
    }

    /// Applies primary and secondary suppression to `table` (rows of equal length, counts ≥ 0).
    public func protect(_ table: [[Int]]) -> Result {
        let rows = table.count
        let columns = table.first?.count ?? 0
        var hidden = table.map { row in row.map { $0 > 0 && $0 < threshold } }
        let rowTotals = table.map { $0.reduce(0, +) }
        let columnTotals = (0..<columns).map { column in table.reduce(0) { $0 + $1[column] } }
        let grand = rowTotals.reduce(0, +)
        var rowTotalHidden = rowTotals.map { $0 > 0 && $0 < threshold }
        var columnTotalHidden = columnTotals.map { $0 > 0 && $0 < threshold }
        var grandHidden = grand > 0 && grand < threshold

        /// In one equation (cells summing to a total), adds a suppression if exactly one term is hidden.
        func secure(_ values: [Int], _ isHidden: inout [Bool], _ totalHidden: inout Bool) -> Bool {
            guard !totalHidden, isHidden.filter({ $0 }).count == 1 else { return false }
            let candidate = values.indices.filter { !isHidden[$0] && values[$0] > 0 }.min { (values[$0], $0) < (values[$1], $1) }
            if let candidate { isHidden[candidate] = true } else { totalHidden = true }
            return true
        }

        var changed = true
        while changed {
            changed = false
            for row in 0..<rows {
                var line = hidden[row]
                if secure(table[row], &line, &rowTotalHidden[row]) { hidden[row] = line; changed = true }
            }
            for column in 0..<columns {
                var line = (0..<rows).map { hidden[$0][column] }
                if secure((0..<rows).map { table[$0][column] }, &line, &columnTotalHidden[column]) {
                    for row in 0..<rows { hidden[row][column] = line[row] }
                    changed = true
                }
            }
            if secure(rowTotals, &rowTotalHidden, &grandHidden) { changed = true }
            if secure(columnTotals, &columnTotalHidden, &grandHidden) { changed = true }
        }
        return Result(
            cells: (0..<rows).map { row in (0..<columns).map { hidden[row][$0] ? nil : table[row][$0] } },
            rowTotals: rowTotals.indices.map { rowTotalHidden[$0] ? nil : rowTotals[$0] },
            columnTotals: columnTotals.indices.map { columnTotalHidden[$0] ? nil : columnTotals[$0] },
            grandTotal: grandHidden ? nil : grand)
    }
}
