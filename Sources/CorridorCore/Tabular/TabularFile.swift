import Foundation

/// A rejected row: the line, the column at fault, a catalogue key for the reason, the value read.
public struct ImportIssue: Sendable, Equatable, Hashable {
    public var line: Int
    public var column: String
    public var code: String
    public var value: String

    public init(line: Int, column: String, code: String, value: String) {
        self.line = line
        self.column = column
        self.code = code
        self.value = value
    }
}

/// Why a file could not be read as a table at all (as opposed to rows rejected one by one).
public enum TabularFileError: Error, Sendable, Equatable {
    case empty
    case missingColumns([String])
    case malformed(line: Int)
    /// Columns the account importing the file may not write (protected details).
    case protectedColumns([String])
    /// A record (a line, with its quoted line breaks) longer than the reader takes.
    case recordTooLong(line: Int, megabytes: Int)
    /// A workbook refused whole: damaged, or beyond the reader's limits.
    case workbook(WorkbookReader.ReadError)
}

extension TabularFileError {
    /// The file error for what a CSV reader threw at `line`.
    public static func reading(_ error: any Error, line: Int) -> TabularFileError {
        if let tooLong = error as? CSVStream.RecordTooLong { return .recordTooLong(line: line, megabytes: tooLong.limit >> 20) }
        if let known = error as? TabularFileError { return known }
        if let workbook = error as? WorkbookReader.ReadError { return .workbook(workbook) }
        return .malformed(line: line)
    }
}

/// How the bytes of an uploaded table become text, whatever the importer.
public enum TabularText {
    /// Text of a file: UTF-8 (with or without byte-order mark), else Windows-1252 as French
    /// spreadsheet software saves it.
    public static func decode(_ data: Data) -> String {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(data: bytes, encoding: .utf8) { return text }
        return String(data: bytes, encoding: .windowsCP1252) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// The text of a table file: a workbook's first sheet as CSV (dates as `YYYY-MM-DD`, nothing
    /// neutralised, every row as wide as the header), or CSV text as it is.
    public static func table(_ data: Data, limits: WorkbookReader.Limits = .upload) throws(TabularFileError) -> String {
        guard data.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return decode(data) }
        var text = ""
        try firstSheetAsCSV(data, limits: limits) { text += String(decoding: $0, as: UTF8.self) }
        return text
    }

    /// A workbook's first sheet written out as CSV a row at a time (UTF-8, comma, CRLF, quoted
    /// where needed, nothing neutralised, every row as wide as the header): the sheet is never
    /// held whole, so a case file of any size converts in the memory of one row.
    public static func firstSheetAsCSV(_ data: Data, limits: WorkbookReader.Limits, write: ([UInt8]) throws -> Void) throws(TabularFileError) {
        do {
            let workbook = try WorkbookReader.Workbook(data, limits: limits)
            guard !workbook.sheetNames.isEmpty else { throw TabularFileError.empty }
            var rows = try workbook.rows(ofSheet: 0)
            guard let header = try rows.next() else { throw TabularFileError.empty }
            var pending: [UInt8] = []
            // What is written is bounded like what is read: every row is as wide as the header, so
            // a wide header and many empty rows would otherwise write far more than they weigh.
            var written = 0
            func append(_ row: [String]) throws {
                let start = pending.count
                for index in 0..<header.count {
                    if index > 0 { pending.append(UInt8(ascii: ",")) }
                    let cell = index < row.count ? row[index] : ""
                    if cell.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                        pending.append(UInt8(ascii: "\""))
                        for byte in cell.utf8 {
                            if byte == UInt8(ascii: "\"") { pending.append(byte) }
                            pending.append(byte)
                        }
                        pending.append(UInt8(ascii: "\""))
                    } else {
                        pending.append(contentsOf: cell.utf8)
                    }
                }
                pending.append(contentsOf: [0x0D, 0x0A])
                written += pending.count - start
                if written > limits.uncompressedBytes { throw WorkbookReader.ReadError.tooLarge(megabytes: limits.uncompressedBytes >> 20) }
            }
            try append(header)
            while let row = try rows.next() {
                try append(row)
                if pending.count >= 1 << 20 {
                    try write(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if !pending.isEmpty { try write(pending) }
        } catch let error as TabularFileError {
            throw error
        } catch {
            throw .reading(error, line: 1)
        }
    }

    /// `;` when the header line has more semicolons than commas, else `,`.
    public static func delimiter(of text: String) -> UnicodeScalar {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r" }
        let semicolons = firstLine.filter { $0 == ";" }.count
        let commas = firstLine.filter { $0 == "," }.count
        return semicolons > commas ? ";" : ","
    }
}
