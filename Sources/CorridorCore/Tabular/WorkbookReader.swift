import Foundation
// zlib, through the module the archive library brings (CZlib, its system library).
import CZlib

/// Reads the sheets of an `.xlsx` workbook (Office Open XML) as rows of text: shared and
/// inline strings, numbers as written, booleans as `true`/`false`, and cells whose number format
/// is a date (Excel's, LibreOffice's and KoboToolbox's exports store dates so) as `YYYY-MM-DD`,
/// or `YYYY-MM-DDTHH:MM:SS` when the format shows a time.
public enum WorkbookReader {
    public struct Sheet: Sendable, Equatable {
        public var name: String
        public var rows: [[String]]
    }

    public enum ReadError: Error, Equatable {
        case notAWorkbook
        case missingPart(String)
        /// A part whose XML is cut off or broken: the whole file is refused, never read in part.
        case damagedPart(String)
        /// More bytes, once decompressed, than the limits allow (a zip bomb, or a workbook far
        /// larger than any import).
        case tooLarge(megabytes: Int)
        case tooManyEntries(Int)
        case tooManyRows(Int)
        case tooManyColumns(Int)
        case cellTooLong(characters: Int)
    }

    /// What a workbook may hold before it is refused: checked while it is read, so that a
    /// hostile file costs at most this much.
    public struct Limits: Sendable, Equatable {
        /// All parts read, decompressed.
        public var uncompressedBytes: Int
        public var entries: Int
        /// Excel's own limit: 16 384 columns (XFD).
        public var columns: Int
        /// Rows of one sheet; nil for no limit (the command line).
        public var rows: Int?
        /// Excel's own limit: 32 767 characters in a cell.
        public var cellCharacters: Int
        /// Cells a sheet may give, the gaps between its cells filled included, and shared strings
        /// a workbook may hold: one for every 16 bytes the decompressed limit allows, so that what
        /// is read never outgrows the limit however sparse the sheet.
        public var cells: Int { max(uncompressedBytes / 16, 1_024) }

        public init(uncompressedBytes: Int, entries: Int = 1_000, columns: Int = 16_384, rows: Int?, cellCharacters: Int = 32_767) {
            self.uncompressedBytes = uncompressedBytes
            self.entries = entries
            self.columns = columns
            self.rows = rows
            self.cellCharacters = cellCharacters
        }

        /// A file uploaded through the web pages (50 MB at most, compressed).
        public static let upload = Limits(uncompressedBytes: 400 << 20, rows: 1_048_576)
        /// A file read by the command line: no row limit, and room for a million-person sheet.
        public static let commandLine = Limits(uncompressedBytes: 2 << 30, rows: nil)
    }

    /// Every sheet of a workbook, its rows held in memory: for the small imports (matrices,
    /// institutions, Kobo exports), within the limits. Large files read one row at a time
    /// through `Workbook`.
    public static func sheets(of data: Data, limits: Limits = .upload) throws -> [Sheet] {
        let workbook = try Workbook(data, limits: limits)
        var result: [Sheet] = []
        for index in workbook.sheetNames.indices {
            var reader = try workbook.rows(ofSheet: index)
            var rows: [[String]] = []
            while let row = try reader.next() { rows.append(row) }
            result.append(Sheet(name: workbook.sheetNames[index], rows: rows))
        }
        return result
    }

    /// An opened workbook: its archive checked, shared strings and date styles read; each sheet
    /// is then read a row at a time, its part decompressed as it is parsed, so that memory holds
    /// one chunk and one row whatever the sheet's size.
    public struct Workbook {
        private let bytes: [UInt8]
        private let entries: [String: ZipLayout.Entry]
        private let budget: ZipLayout.Budget
        private let limits: Limits
        private let shared: [String]
        private let dateStyles: [Int: DateStyle]
        /// Each sheet's name and part, in the workbook's order.
        private let sheets: [(name: String, part: String)]

        public var sheetNames: [String] { sheets.map(\.name) }

        public init(_ data: Data, limits: Limits = .upload) throws {
            // The archive is read here, not by the archive library: its reader traps on a central
            // directory pointing past the end and loops for ever on a deflate stream that does not
            // end within its entry (both found by the fuzz test).
            bytes = [UInt8](data)
            guard let entries = ZipLayout.entries(bytes, limit: limits.entries) else { throw ReadError.notAWorkbook }
            if entries.count > limits.entries { throw ReadError.tooManyEntries(limits.entries) }
            self.entries = entries
            self.limits = limits
            budget = ZipLayout.Budget(limits.uncompressedBytes, cells: limits.cells)
            let bytes = self.bytes, budget = self.budget
            func xml(_ path: String) throws -> WorkbookXML? {
                guard let entry = entries[path] else { return nil }
                let reader = try ZipLayout.EntryReader(entry, in: bytes, part: path, budget: budget)
                return WorkbookXML(part: path, cellCharacters: limits.cellCharacters, source: reader.next)
            }
            guard var workbook = try xml("xl/workbook.xml") else { throw ReadError.missingPart("xl/workbook.xml") }
            let list = try WorkbookReader.parseSheetList(&workbook)
            let relations: [String: String] = try xml("xl/_rels/workbook.xml.rels").map { (parser: WorkbookXML) throws -> [String: String] in var parser = parser; return try WorkbookReader.parseRelations(&parser) } ?? [:]
            shared = try xml("xl/sharedStrings.xml").map { (parser: WorkbookXML) throws -> [String] in var parser = parser; return try WorkbookReader.parseSharedStrings(&parser, limits: limits) } ?? []
            dateStyles = try xml("xl/styles.xml").map { (parser: WorkbookXML) throws -> [Int: DateStyle] in var parser = parser; return try WorkbookReader.parseDateStyles(&parser) } ?? [:]
            var sheets: [(String, String)] = []
            for (name, relation) in list {
                guard var target = relations[relation] else { continue }
                if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
                guard entries[target] != nil else { throw ReadError.missingPart(target) }
                sheets.append((name, target))
            }
            self.sheets = sheets
        }

        /// The rows of one sheet, read as they are asked for.
        public func rows(ofSheet index: Int) throws -> SheetRows {
            let part = sheets[index].part
            guard let entry = entries[part] else { throw ReadError.missingPart(part) }
            let reader = try ZipLayout.EntryReader(entry, in: bytes, part: part, budget: budget)
            return SheetRows(xml: WorkbookXML(part: part, cellCharacters: limits.cellCharacters, source: reader.next),
                             shared: shared, dateStyles: dateStyles, limits: limits, budget: budget)
        }
    }

    /// The rows of a sheet, one at a time: shared and inline strings, numbers as written,
    /// booleans as `true`/`false`, date cells as ISO dates. A row is as wide as its last cell;
    /// a gap between cells reads as empty text. A part cut off or broken is an error when it is
    /// met, so a caller that reads to the end never takes part of a file.
    public struct SheetRows {
        private var xml: WorkbookXML
        private let shared: [String]
        private let dateStyles: [Int: DateStyle]
        private let limits: Limits
        private var count = 0
        /// The cells the workbook's sheets may still give, gaps included.
        private let budget: ZipLayout.Budget

        init(xml: WorkbookXML, shared: [String], dateStyles: [Int: DateStyle], limits: Limits, budget: ZipLayout.Budget? = nil) {
            self.xml = xml
            self.shared = shared
            self.dateStyles = dateStyles
            self.limits = limits
            self.budget = budget ?? ZipLayout.Budget(limits.uncompressedBytes, cells: limits.cells)
        }

        /// The next row, or nil once the whole sheet is read.
        public mutating func next() throws -> [String]? {
            var row: [String] = []
            var inRow = false
            var column = 0, style = 0
            var type = ""
            var value = ""
            var valueBytes = 0
            var capturing = false
            /// Inside a phonetic run (`rPh`), whose text is not the cell's.
            var phonetic = 0
            while let event = try xml.next() {
                switch event {
                case .start(let name):
                    switch name {
                    case "row":
                        if let most = limits.rows, count >= most { throw ReadError.tooManyRows(most) }
                        row = []
                        inRow = true
                    case "c" where inRow:
                        type = xml.attribute("t") ?? ""
                        style = xml.attribute("s").flatMap { Int($0) } ?? 0
                        // A reference past the last column (or unreadable) is refused, never allocated.
                        if let reference = xml.attribute("r") {
                            guard let index = WorkbookReader.columnIndex(reference), index < limits.columns else { throw ReadError.tooManyColumns(limits.columns) }
                            column = index
                        } else {
                            column = row.count
                            if column >= limits.columns { throw ReadError.tooManyColumns(limits.columns) }
                        }
                        value = ""
                        valueBytes = 0
                    case "rPh": phonetic += 1
                    case "v", "t": capturing = inRow && phonetic == 0
                    default: break
                    }
                case .text(let text):
                    if capturing {
                        // Bytes are counted as they come (a cell split into thousands of pieces
                        // costs no recount); characters once, when the cell ends.
                        valueBytes += text.utf8.count
                        if valueBytes > limits.cellCharacters * 4 { throw ReadError.cellTooLong(characters: limits.cellCharacters) }
                        value += text
                    }
                case .end(let name):
                    switch name {
                    case "v", "t": capturing = false
                    case "rPh": phonetic -= 1
                    case "c" where inRow:
                        // Excel's limit counts UTF-16 units.
                        if value.utf16.count > limits.cellCharacters { throw ReadError.cellTooLong(characters: limits.cellCharacters) }
                        let text: String
                        switch type {
                        case "s": text = Int(value).flatMap { $0 >= 0 && $0 < shared.count ? shared[$0] : nil } ?? ""
                        case "b": text = value == "1" ? "true" : value == "0" ? "false" : value
                        case "e": text = ""
                        case "", "n": text = dateStyles[style].flatMap { isoDate(serial: value, $0) } ?? value
                        default: text = value
                        }
                        // Cells a sheet gives, gaps filled included: a cell at XFD costs 16 384 of
                        // them for a few bytes of XML, so they are counted against a budget.
                        if column >= row.count {
                            budget.cells -= column + 1 - row.count
                            if budget.cells < 0 { throw ReadError.tooLarge(megabytes: limits.uncompressedBytes >> 20) }
                        }
                        while row.count < column { row.append("") }
                        if row.count == column { row.append(text) } else { row[column] = text }
                    case "row" where inRow:
                        count += 1
                        return row
                    default: break
                    }
                }
            }
            return nil
        }
    }

    static func parseRelations(_ xml: inout WorkbookXML) throws -> [String: String] {
        var relations: [String: String] = [:]
        while let event = try xml.next() {
            if case .start("Relationship") = event, let id = xml.attribute("Id"), let target = xml.attribute("Target") { relations[id] = target }
        }
        return relations
    }

    static func parseSheetList(_ xml: inout WorkbookXML) throws -> [(String, String)] {
        var sheets: [(String, String)] = []
        while let event = try xml.next() {
            guard case .start("sheet") = event, let name = xml.attribute("name") else { continue }
            if let id = xml.attribute("r:id") ?? xml.attributes.first(where: { $0.name.hasSuffix(":id") })?.value { sheets.append((name, id)) }
        }
        return sheets
    }

    static func parseSharedStrings(_ data: Data, limits: Limits = .upload) throws -> [String] {
        var xml = WorkbookXML(part: "xl/sharedStrings.xml", cellCharacters: limits.cellCharacters, data: data)
        return try parseSharedStrings(&xml, limits: limits)
    }

    /// Each item's text: its `t` elements (one, or one per rich-text run), phonetic runs left out.
    static func parseSharedStrings(_ xml: inout WorkbookXML, limits: Limits) throws -> [String] {
        var strings: [String] = []
        var item: String?
        var itemBytes = 0
        var capturing = false
        var phonetic = 0
        while let event = try xml.next() {
            switch event {
            case .start("si"): item = ""
            case .start("rPh"): phonetic += 1
            case .start("t"): capturing = item != nil && phonetic == 0
            case .text(let text) where capturing:
                itemBytes += text.utf8.count
                if itemBytes > limits.cellCharacters * 4 { throw ReadError.cellTooLong(characters: limits.cellCharacters) }
                item? += text
            case .end("t"): capturing = false
            case .end("rPh"): phonetic -= 1
            case .end("si"):
                if let item {
                    if item.utf16.count > limits.cellCharacters { throw ReadError.cellTooLong(characters: limits.cellCharacters) }
                    // `<si/>` is five bytes and an empty string sixteen: the count is bounded too.
                    if strings.count >= limits.cells { throw ReadError.tooLarge(megabytes: limits.uncompressedBytes >> 20) }
                    strings.append(item)
                }
                item = nil
                itemBytes = 0
            default: break
            }
        }
        return strings
    }

    /// What a date style shows: the day only, or the day and the time.
    enum DateStyle: Equatable, Sendable {
        case day
        case dayAndTime
    }

    /// The cell styles (`s` = index into `cellXfs`) whose number format is a date.
    static func parseDateStyles(_ data: Data) throws -> [Int: DateStyle] {
        var xml = WorkbookXML(part: "xl/styles.xml", cellCharacters: Limits.upload.cellCharacters, data: data)
        return try parseDateStyles(&xml)
    }

    static func parseDateStyles(_ xml: inout WorkbookXML) throws -> [Int: DateStyle] {
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        while let event = try xml.next() {
            switch event {
            case .start("numFmt"):
                if let id = xml.attribute("numFmtId").flatMap({ Int($0) }), let code = xml.attribute("formatCode") { custom[id] = code }
            case .start("cellXfs"): inCellXfs = true
            case .start("xf") where inCellXfs: formats.append(xml.attribute("numFmtId").flatMap { Int($0) } ?? 0)
            case .end("cellXfs"): inCellXfs = false
            default: break
            }
        }
        var styles: [Int: DateStyle] = [:]
        for (index, id) in formats.enumerated() {
            if let style = dateStyle(id: id, code: custom[id]) { styles[index] = style }
        }
        return styles
    }

    /// Built-in formats 14–17 and 27–36 (East Asian) are days, 22 a day and time; a custom code is
    /// a date when, outside quotes and brackets, it has a day, month or year token.
    static func dateStyle(id: Int, code: String?) -> DateStyle? {
        switch id {
        case 14...17, 27...36, 50...58: return .day
        case 22: return .dayAndTime
        default: break
        }
        guard let code else { return nil }
        var plain = ""
        var quoted = false, bracketed = false, escaped = false
        for character in code.lowercased() {
            if escaped { escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle()
            case "[": bracketed = true
            case "]": bracketed = false
            default: if !quoted && !bracketed { plain.append(character) }
            }
        }
        guard plain.contains("d") || plain.contains("y") || (plain.contains("m") && !plain.contains("h") && !plain.contains("s")) else { return nil }
        return plain.contains("h") || plain.contains("s") ? .dayAndTime : .day
    }

    /// A spreadsheet date serial (days since 1899-12-30, a fraction for the time) as ISO text.
    static func isoDate(serial text: String, _ style: DateStyle) -> String? {
        guard let serial = Double(text), serial.isFinite, serial >= 1, serial < 2_958_466 else { return nil }
        let seconds = ((serial * 86_400).rounded()) - 25_569 * 86_400
        let date = Date(timeIntervalSince1970: seconds)
        let day = Day(date).iso
        guard style == .dayAndTime else { return day }
        let inDay = Int(seconds.truncatingRemainder(dividingBy: 86_400) + (seconds < 0 ? 86_400 : 0))
        let time = String(format: "%02d:%02d:%02d", inDay / 3_600, inDay / 60 % 60, inDay % 60)
        return day + "T" + time
    }

    static func parseSheet(_ data: Data, shared: [String], dateStyles: [Int: DateStyle] = [:], limits: Limits = .upload,
                           part: String = "sheet") throws -> [[String]] {
        var reader = SheetRows(xml: WorkbookXML(part: part, cellCharacters: limits.cellCharacters, data: data), shared: shared, dateStyles: dateStyles, limits: limits)
        var rows: [[String]] = []
        while let row = try reader.next() { rows.append(row) }
        return rows
    }

    /// `B7` → 1; nil for a reference of more than three letters (past Excel's XFD) or none.
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            letters += 1
            guard letters <= 3 else { return nil }
            index = index * 26 + Int(scalar.value - 64)
        }
        return letters == 0 ? nil : index - 1
    }
}

/// A ZIP archive read from its end record and central directory: each entry's data must lie
/// inside the file, and a deflated entry must end within its own bytes.
enum ZipLayout {
    struct Entry {
        var method: Int
        var dataStart: Int
        var compressedSize: Int
        var uncompressedSize: Int
        /// The CRC-32 of the entry's bytes, as the central directory records it.
        var crc32: UInt32 = 0
    }

    /// The entries by name; nil when the layout is not that of a readable archive. Reading stops
    /// once `limit` entries are passed (the caller refuses the file then).
    static func entries(_ bytes: [UInt8], limit: Int) -> [String: Entry]? {
        func u16(_ at: Int) -> Int? { at >= 0 && at + 2 <= bytes.count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : nil }
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        // The end-of-central-directory record: the last one in the final 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { return nil }
        var end = bytes.count - 22
        let lowest = max(0, bytes.count - 65_557)
        while end >= lowest, u32(end) != 0x0605_4B50 { end -= 1 }
        guard end >= lowest, let count = u16(end + 10), let size = u32(end + 12), let start = u32(end + 16),
              start + size <= end, count != 0xFFFF, size != 0xFFFF_FFFF, start != 0xFFFF_FFFF else { return nil }
        var result: [String: Entry] = [:]
        var at = start
        for _ in 0..<count {
            guard u32(at) == 0x0201_4B50, let method = u16(at + 10), let crc = u32(at + 16), let compressed = u32(at + 20), let uncompressed = u32(at + 24),
                  let nameLength = u16(at + 28), let extraLength = u16(at + 30), let commentLength = u16(at + 32), let local = u32(at + 42),
                  compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF, at + 46 + nameLength <= end else { return nil }
            guard u32(local) == 0x0403_4B50, let localName = u16(local + 26), let localExtra = u16(local + 28) else { return nil }
            let dataStart = local + 30 + localName + localExtra
            guard dataStart + compressed <= start, method == 0 || method == 8 else { return nil }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            result[name] = Entry(method: method, dataStart: dataStart, compressedSize: compressed, uncompressedSize: uncompressed, crc32: UInt32(crc))
            if result.count > limit { return result }
            at += 46 + nameLength + extraLength + commentLength
            guard at <= end else { return nil }
        }
        return result
    }

    /// The decompressed bytes a workbook's parts may take in all, shared by the readers of its
    /// parts (one task reads a workbook).
    final class Budget {
        let limit: Int
        var remaining: Int
        /// Cells every sheet of the workbook may still give (`Limits.cells`, shared by its sheets).
        var cells: Int
        init(_ limit: Int, cells: Int = .max) { self.limit = limit; remaining = limit; self.cells = cells }
    }

    /// One entry's bytes, decompressed a chunk at a time and counted against the budget: a lying
    /// header, a stream broken or not ending within its entry, or more bytes than the budget
    /// leaves, is an error when it is met.
    final class EntryReader {
        private let bytes: [UInt8]
        private var offset: Int
        private let end: Int
        private let stored: Bool
        private let part: String
        private let budget: Budget
        private let stream: UnsafeMutablePointer<z_stream>
        private var finished = false
        /// The bytes given so far, checked against the entry's CRC-32 and size at its end: a bit
        /// flipped in a stored or deflated part that still reads is a damaged part.
        private var crc: uLong = crc32(0, nil, 0)
        private var produced = 0
        private let expectedCRC: UInt32
        private let expectedSize: Int
        static let chunkSize = 256 * 1024

        init(_ entry: Entry, in bytes: [UInt8], part: String, budget: Budget) throws {
            // The declared size first, then the bytes as they come.
            guard entry.uncompressedSize <= budget.remaining else { throw WorkbookReader.ReadError.tooLarge(megabytes: budget.limit >> 20) }
            self.bytes = bytes
            offset = entry.dataStart
            end = entry.dataStart + entry.compressedSize
            stored = entry.method == 0
            expectedCRC = entry.crc32
            expectedSize = entry.uncompressedSize
            self.part = part
            self.budget = budget
            // zlib keeps a pointer to its stream: it lives at one address for the reader's life.
            stream = .allocate(capacity: 1)
            stream.initialize(to: z_stream())
            if !stored, inflateInit2_(stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) != Z_OK {
                stream.deallocate()
                throw WorkbookReader.ReadError.damagedPart(part)
            }
        }

        deinit {
            if !stored { inflateEnd(stream) }
            stream.deallocate()
        }

        /// The next bytes, or an empty array at the end of the entry.
        func next() throws -> [UInt8] {
            if finished { return [] }
            var output: [UInt8]
            if stored {
                let count = min(Self.chunkSize, end - offset)
                output = Array(bytes[offset..<(offset + count)])
                offset += count
                finished = offset == end
            } else {
                output = [UInt8](repeating: 0, count: Self.chunkSize)
                var produced = 0
                while produced < output.count {
                    let input = min(end - offset, 1 << 20)
                    let (status, read, written) = bytes.withUnsafeBufferPointer { source in
                        output.withUnsafeMutableBufferPointer { target -> (Int32, Int, Int) in
                            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0 + offset })
                            stream.pointee.avail_in = UInt32(input)
                            stream.pointee.next_out = target.baseAddress.map { $0 + produced }
                            stream.pointee.avail_out = UInt32(target.count - produced)
                            let status = inflate(stream, Z_NO_FLUSH)
                            return (status, input - Int(stream.pointee.avail_in), target.count - produced - Int(stream.pointee.avail_out))
                        }
                    }
                    offset += read
                    produced += written
                    if status == Z_STREAM_END { finished = true; break }
                    // Anything else than progress is a broken stream; no input left is a cut one.
                    guard status == Z_OK || (status == Z_BUF_ERROR && produced == output.count) else { throw WorkbookReader.ReadError.damagedPart(part) }
                    if produced < output.count, offset >= end { throw WorkbookReader.ReadError.damagedPart(part) }
                }
                output.removeSubrange(produced...)
            }
            budget.remaining -= output.count
            if budget.remaining < 0 { throw WorkbookReader.ReadError.tooLarge(megabytes: budget.limit >> 20) }
            produced += output.count
            crc = output.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
            if finished, UInt32(truncatingIfNeeded: crc) != expectedCRC || produced != expectedSize { throw WorkbookReader.ReadError.damagedPart(part) }
            return output
        }
    }
}
