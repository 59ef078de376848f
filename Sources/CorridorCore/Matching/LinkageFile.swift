import Foundation

/// The files of `corridor match`: people in, pairs and clusters out.
///
/// In: a header with `rec_id` and any of the case template's person columns (English or
/// French names, as the case import reads them); a missing column or an empty cell is an
/// unknown value. Out: `rec_id_1,rec_id_2,score` and `rec_id,cluster_id`.
public enum LinkageFile {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The columns the engine reads, as `MatchRecord` names them.
    static let fields = ["given_names", "family_name", "sex", "birth_date", "nationality", "document_type", "document_number",
                         "phone", "origin_region", "host_country", "office", "registered_on"]

    /// Reads a file's records; a file without `rec_id`, with a repeated or empty `rec_id`,
    /// with a row longer than its header or with a quote left open is refused whole.
    public static func records(_ data: Data) throws(Problem) -> [MatchRecord] {
        var offset = 0
        let chunk = 1 << 20
        let stream: CSVStream
        do {
            stream = try CSVStream(source: {
                guard offset < data.count else { return [] }
                let end = min(data.count, offset + chunk)
                defer { offset = end }
                return [UInt8](data[(data.startIndex + offset)..<(data.startIndex + end)])
            })
        } catch {
            throw Problem("a line is longer than 16 MiB")
        }
        var rows = stream
        let header: [String]
        do {
            guard let first = try rows.next() else { throw Problem("the file is empty") }
            header = first
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem("cannot read the header line")
        }
        var positions: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            let key = CSVRows.key(name)
            let column = ["rec_id", "id", "record_id"].contains(key) ? "rec_id" : CaseImportReader.column(forHeader: name)
            guard let column else { continue }
            if positions[column] != nil { throw Problem("column \(column) appears twice in the header") }
            positions[column] = index
        }
        guard positions["rec_id"] != nil else { throw Problem("the header has no rec_id column") }
        var records: [MatchRecord] = []
        var seen = Set<String>()
        var line = 1
        while true {
            let row: [String]?
            do { row = try rows.next() } catch { throw Problem("line \(line + 1): a line is longer than 16 MiB") }
            guard let row else { break }
            line += 1
            if row.count == 1, row[0].isEmpty { continue }
            if row.count > header.count { throw Problem("line \(line): \(row.count) cells for \(header.count) columns") }
            func cell(_ column: String) -> String? {
                guard let index = positions[column], index < row.count else { return nil }
                let value = trimmed(row[index])
                return value.isEmpty ? nil : value
            }
            guard let id = cell("rec_id") else { throw Problem("line \(line): rec_id is empty") }
            guard seen.insert(id).inserted else { throw Problem("line \(line): rec_id \(id) appears twice") }
            records.append(MatchRecord(id: id, givenNames: cell("given_names"), familyName: cell("family_name"), sex: cell("sex"),
                                       birthDate: cell("birth_date"), nationality: cell("nationality"), documentType: cell("document_type"),
                                       documentNumber: cell("document_number"), phone: cell("phone"), originRegion: cell("origin_region"),
                                       hostCountry: cell("host_country"), office: cell("office"), registeredOn: cell("registered_on")))
        }
        if rows.failed { throw Problem("line \(line): a quoted cell is never closed") }
        return records
    }

    /// The cell without spaces or tabs around it; plain text is returned as it is, uncopied.
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return text }
        if first != 0x20, first != 0x09, last != 0x20, last != 0x09 { return text }
        return String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }

    /// Orders two record identifiers: as numbers when both are, as text otherwise.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        if let x = Int(a), let y = Int(b) { return x < y }
        return a < b
    }

    /// `rec_id_1,rec_id_2,score`: for deduplication the smaller identifier first, for
    /// linking the first file's record first (`firstFileCount` records come from it).
    public static func pairsCSV(_ result: LinkageResult, records: [MatchRecord], firstFileCount: Int? = nil) -> String {
        var lines = ["rec_id_1,rec_id_2,score"]
        lines.reserveCapacity(result.pairs.count + 1)
        for pair in result.pairs {
            var a = records[pair.first].id, b = records[pair.second].id
            if let firstFileCount {
                if pair.first >= firstFileCount { swap(&a, &b) }
            } else if precedes(b, a) {
                swap(&a, &b)
            }
            lines.append("\(quoted(a)),\(quoted(b)),\(String(format: "%.6f", pair.probability))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `rec_id,cluster_id` for every record; a cluster is named by its first record's identifier.
    public static func clustersCSV(_ result: LinkageResult, records: [MatchRecord]) -> String {
        var lines = ["rec_id,cluster_id"]
        lines.reserveCapacity(records.count + 1)
        for (index, record) in records.enumerated() {
            lines.append("\(quoted(record.id)),\(quoted(records[result.clusters[index]].id))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Records as the engine reads them back (`rec_id` and the person columns).
    public static func recordsCSV(_ records: [MatchRecord]) -> String {
        var lines = [(["rec_id"] + fields).joined(separator: ",")]
        lines.reserveCapacity(records.count + 1)
        for record in records {
            let cells = [record.id, record.givenNames, record.familyName, record.sex, record.birthDate, record.nationality, record.documentType,
                         record.documentNumber, record.phone, record.originRegion, record.hostCountry, record.office, record.registeredOn]
            lines.append(cells.map { quoted($0 ?? "") }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
