import CorridorCore
import Foundation
import Vapor

/// The one shape of every `corridor import …` command: validate and print every rejected row;
/// write only with `--commit`; with rejected rows write nothing unless `--skip-rejected`.
/// Exit 0 when written or nothing to write, 1 when rows were rejected and nothing written,
/// 2 when the file could not be read at all (`CommandFailure`).
struct ImportReporting {
    let console: any Console
    let catalogue: Catalogue
    let commit: Bool
    let skipRejected: Bool

    /// Every problem of every rejected row, one line each: `line N<TAB>column<TAB>reason<TAB>value`.
    func printIssues(_ issues: [ImportIssue]) {
        for issue in issues.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
            console.print("line \(issue.line)\t\(issue.column)\t\(catalogue.text(issue.code))\t\(issue.value)")
        }
    }

    /// What was read, in one line.
    func printSummary(rows: Int, accepted: Int, rejected: Int, unit: String) {
        console.print("\(rows) rows read, \(accepted) accepted (\(unit)), \(rejected) rejected")
    }

    /// Whether to write, given how many rows were rejected; throws the exit-1 failure when
    /// `--commit` meets rejected rows without `--skip-rejected`, and returns false on a dry run.
    func mayWrite(rejected: Int, accepted: Int) throws -> Bool {
        guard commit else {
            console.print("nothing written (dry run): add --commit to write the accepted rows")
            if rejected > 0 { throw CommandFailure("\(rejected) row(s) rejected", exitCode: 1) }
            return false
        }
        if rejected > 0, !skipRejected {
            throw CommandFailure("\(rejected) row(s) rejected: nothing written; correct them, or add --skip-rejected to write the \(accepted) accepted row(s)", exitCode: 1)
        }
        if rejected > 0 { console.print("--skip-rejected: \(rejected) row(s) left out") }
        return true
    }
}
