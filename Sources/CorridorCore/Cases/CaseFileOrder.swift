import Foundation

/// Puts the rows of a case file in household order before it is read, so that a file sorted by
/// name, by date of birth or shuffled imports at the speed of one grouped by household. One pass
/// notes where each record starts, how long it is and its case number; when a household's rows
/// are apart, the records are then read again in case-number order, straight from the file (16
/// bytes a row in memory, the file itself is not copied), and every row keeps its own line
/// number for the report.
public struct CaseFileOrder: Sendable {
    /// The header record's bytes.
    public var header: Range<Int>
    /// The records in reading order: where each starts and how long it is.
    public var records: [(offset: Int, length: Int32)]
    /// The line number (as the report counts: the header is line 1) of each record, in reading order.
    public var lines: [Int32]

    /// Reads the file once; nil when its households are already together (reading it as it is
    /// is then the fastest), when it is not a case file, or when a row has no case number (rows
    /// without number form households by their place in the file, which must not change).
    public static func plan(_ reader: CSVStream) throws -> CaseFileOrder? {
        var reader = reader
        let headerStart = reader.offset
        guard let header = try reader.next(), let numberColumn = header.firstIndex(where: { CaseImportReader.column(forHeader: $0) == "case_number" }) else {
            return nil
        }
        let headerEnd = reader.offset
        var keys: [(key: Int64, index: Int32)] = []
        var records: [(offset: Int, length: Int32)] = []
        var runs = 0
        var previous: Int64?
        while true {
            let start = reader.offset
            guard let cells = try reader.next() else { break }
            let length = reader.offset - start
            guard length < Int(Int32.max) else { return nil }
            let key: Int64
            let text = numberColumn < cells.count ? cells[numberColumn].trimmedWhitespace : ""
            if let number = CaseNumber(text) {
                key = CaseImportStream.key(number)
            } else if cells.allSatisfy({ $0.trimmedWhitespace.isEmpty }) {
                key = .min // a blank row: skipped by the reader wherever it is
            } else if text.isEmpty {
                return nil
            } else {
                key = .min + 1 // an unreadable number: rejected wherever it is
            }
            if key != previous { runs += 1; previous = key }
            keys.append((key, Int32(records.count)))
            records.append((start, Int32(length)))
        }
        if reader.failed { return nil }
        keys.sort { ($0.key, $0.index) < ($1.key, $1.index) }
        var sortedRuns = 0
        previous = nil
        for entry in keys where entry.key != previous { sortedRuns += 1; previous = entry.key }
        // As many runs as households: every household's rows are already together.
        guard sortedRuns < runs else { return nil }
        return CaseFileOrder(header: headerStart..<headerEnd, records: keys.map { records[Int($0.index)] },
                             lines: keys.map { $0.index + 2 })
    }

    /// The records in household order, as a CSV stream: `read` gives the bytes at an offset.
    public func stream(read: @escaping (Int, Int) throws -> [UInt8]) throws -> CSVStream {
        var next = 0
        var headerGiven = false
        let records = self.records, header = self.header
        let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        return try CSVStream(source: {
            var chunk: [UInt8] = []
            if !headerGiven {
                headerGiven = true
                chunk = try read(header.lowerBound, header.count)
                if chunk.last != newline && chunk.last != cr { chunk.append(newline) }
            }
            // About a megabyte at a time.
            while next < records.count, chunk.count < 1 << 20 {
                let record = records[next]
                next += 1
                let bytes = try read(record.offset, Int(record.length))
                chunk += bytes
                // The last record of a file may have no line break.
                if bytes.last != newline && bytes.last != cr { chunk.append(newline) }
            }
            return chunk
        })
    }
}
