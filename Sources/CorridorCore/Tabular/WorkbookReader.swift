import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
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

    public static func sheets(of data: Data, limits: Limits = .upload) throws -> [Sheet] {
        // The archive is read here, not by the archive library: its reader traps on a central
        // directory pointing past the end and loops for ever on a deflate stream that does not
        // end within its entry (both found by the fuzz test).
        let bytes = [UInt8](data)
        guard let entries = ZipLayout.entries(bytes, limit: limits.entries) else { throw ReadError.notAWorkbook }
        if entries.count > limits.entries { throw ReadError.tooManyEntries(limits.entries) }
        var budget = limits.uncompressedBytes
        func part(_ path: String) throws -> Data? {
            guard let entry = entries[path] else { return nil }
            // The declared size first, then the bytes as they come: a lying header stops too.
            guard entry.uncompressedSize <= budget else { throw ReadError.tooLarge(megabytes: limits.uncompressedBytes >> 20) }
            guard let result = ZipLayout.extract(entry, from: bytes, budget: budget) else { throw ReadError.damagedPart(path) }
            if result.count > budget { throw ReadError.tooLarge(megabytes: limits.uncompressedBytes >> 20) }
            budget -= result.count
            return result
        }
        guard let workbook = try part("xl/workbook.xml") else { throw ReadError.missingPart("xl/workbook.xml") }
        let relations = try part("xl/_rels/workbook.xml.rels").map { try parseRelations($0, part: "xl/_rels/workbook.xml.rels") } ?? [:]
        let shared = try part("xl/sharedStrings.xml").map { try parseSharedStrings($0, limits: limits) } ?? []
        let styles = try part("xl/styles.xml").map { try parseDateStyles($0) } ?? [:]
        var result: [Sheet] = []
        for (name, relation) in try parseSheetList(workbook) {
            guard var target = relations[relation] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let xml = try part(target) else { throw ReadError.missingPart(target) }
            result.append(Sheet(name: name, rows: try parseSheet(xml, shared: shared, dateStyles: styles, limits: limits, part: target)))
        }
        return result
    }

    /// Runs an XML parser with element callbacks.
    /// Runs an XML parser with element callbacks; a callback stops it by setting `failure`.
    private final class Collector: NSObject, XMLParserDelegate {
        var start: (String, [String: String]) -> Void = { _, _ in }
        var end: (String) -> Void = { _ in }
        var text = ""
        var failure: ReadError?
        /// The longest text kept between two elements (a cell's value is checked against the
        /// limit when it ends; this bounds what a single huge text node can grow to).
        var textLimit = Int.max
        /// Elements open; the parser does not always report a document cut off, this does.
        var depth = 0

        // Once a failure is set, the rest of the part is parsed without being kept (its size is
        // already bounded by the decompressed limit): `abortParsing()` from a callback is not
        // used, since a test run hung with it on Linux.
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            depth += 1
            if failure == nil { start(name, attributes) }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if failure == nil { end(name) }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard failure == nil else { return }
            text += string
            if text.utf8.count > textLimit { failure = .cellTooLong(characters: textLimit / 4); text = "" }
        }
    }

    /// One XML parse at a time in the process: Foundation's parser on Linux (libxml2 with
    /// process-wide handlers) hung when broken parts were parsed on several threads at once
    /// (two test runs spun for minutes; each test alone passed).
    private static let parsing = NSLock()

    /// Parses a part; a broken or cut-off part is a refused file, never a partial read.
    private static func run(_ data: Data, part: String, _ configure: (Collector) -> Void) throws {
        parsing.lock()
        defer { parsing.unlock() }
        let collector = Collector()
        configure(collector)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        let parsed = parser.parse()
        if let failure = collector.failure { throw failure }
        guard parsed, collector.depth == 0 else { throw ReadError.damagedPart(part) }
    }

    static func parseRelations(_ data: Data, part: String = "xl/_rels/workbook.xml.rels") throws -> [String: String] {
        var relations: [String: String] = [:]
        try run(data, part: part) { c in c.start = { name, attributes in
            if name.hasSuffix("Relationship"), let id = attributes["Id"], let target = attributes["Target"] { relations[id] = target }
        } }
        return relations
    }

    static func parseSheetList(_ data: Data) throws -> [(String, String)] {
        var sheets: [(String, String)] = []
        try run(data, part: "xl/workbook.xml") { c in c.start = { name, attributes in
            if name.hasSuffix("sheet"), let sheetName = attributes["name"], let id = attributes["r:id"] ?? attributes.first(where: { $0.key.hasSuffix(":id") })?.value {
                sheets.append((sheetName, id))
            }
        } }
        return sheets
    }

    static func parseSharedStrings(_ data: Data, limits: Limits = .upload) throws -> [String] {
        var strings: [String] = []
        var inItem = false
        try run(data, part: "xl/sharedStrings.xml") { c in
            c.textLimit = limits.cellCharacters * 4
            c.start = { name, _ in if name.hasSuffix("si") { inItem = true; c.text = "" } }
            c.end = { name in
                guard name.hasSuffix("si"), inItem else { return }
                if c.text.count > limits.cellCharacters { c.failure = .cellTooLong(characters: limits.cellCharacters) }
                strings.append(c.text)
                inItem = false
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
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        try run(data, part: "xl/styles.xml") { c in
            c.start = { name, attributes in
                switch name {
                case "numFmt":
                    if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] { custom[id] = code }
                case "cellXfs": inCellXfs = true
                case "xf" where inCellXfs: formats.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
                default: break
                }
            }
            c.end = { name in if name == "cellXfs" { inCellXfs = false } }
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
        var rows: [[String]] = []
        var row: [String] = []
        var column = 0
        var type = ""
        var style = 0
        var capturing = false
        var value = ""
        try run(data, part: part) { c in
            c.textLimit = limits.cellCharacters * 4
            c.start = { name, attributes in
                switch name {
                case "row":
                    row = []
                    if let most = limits.rows, rows.count >= most { c.failure = .tooManyRows(most) }
                case "c":
                    type = attributes["t"] ?? ""
                    style = attributes["s"].flatMap(Int.init) ?? 0
                    // A reference past the last column (or unreadable) is refused, never allocated.
                    if let reference = attributes["r"] {
                        guard let index = columnIndex(reference), index < limits.columns else { c.failure = .tooManyColumns(limits.columns); return }
                        column = index
                    } else {
                        column = row.count
                        if column >= limits.columns { c.failure = .tooManyColumns(limits.columns); return }
                    }
                    value = ""
                case "v", "t":
                    c.text = ""
                    capturing = true
                default: break
                }
            }
            c.end = { name in
                switch name {
                case "v", "t":
                    if capturing { value += c.text }
                    capturing = false
                    if value.count > limits.cellCharacters { c.failure = .cellTooLong(characters: limits.cellCharacters) }
                case "c":
                    let text: String
                    switch type {
                    case "s": text = Int(value).flatMap { $0 >= 0 && $0 < shared.count ? shared[$0] : nil } ?? ""
                    case "b": text = value == "1" ? "true" : value == "0" ? "false" : value
                    case "e": text = ""
                    case "", "n": text = dateStyles[style].flatMap { isoDate(serial: value, $0) } ?? value
                    default: text = value
                    }
                    while row.count < column { row.append("") }
                    if row.count == column { row.append(text) } else { row[column] = text }
                case "row": rows.append(row)
                default: break
                }
            }
        }
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
            guard u32(at) == 0x0201_4B50, let method = u16(at + 10), let compressed = u32(at + 20), let uncompressed = u32(at + 24),
                  let nameLength = u16(at + 28), let extraLength = u16(at + 30), let commentLength = u16(at + 32), let local = u32(at + 42),
                  compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF, at + 46 + nameLength <= end else { return nil }
            guard u32(local) == 0x0403_4B50, let localName = u16(local + 26), let localExtra = u16(local + 28) else { return nil }
            let dataStart = local + 30 + localName + localExtra
            guard dataStart + compressed <= start, method == 0 || method == 8 else { return nil }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            result[name] = Entry(method: method, dataStart: dataStart, compressedSize: compressed, uncompressedSize: uncompressed)
            if result.count > limit { return result }
            at += 46 + nameLength + extraLength + commentLength
            guard at <= end else { return nil }
        }
        return result
    }

    /// An entry's bytes, at most `budget + 1` of them (the caller refuses more); nil when a
    /// deflated stream is broken or does not end within the entry.
    static func extract(_ entry: Entry, from bytes: [UInt8], budget: Int) -> Data? {
        let input = Array(bytes[entry.dataStart..<(entry.dataStart + entry.compressedSize)])
        if entry.method == 0 { return Data(input.prefix(budget + 1)) }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return input.withUnsafeBufferPointer { source -> Data? in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { target -> Int32 in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if status == Z_STREAM_END { return output }
                if output.count > budget { return output }
                // Anything else than progress is a broken stream; no input left is a cut one.
                guard status == Z_OK, stream.avail_in > 0 || stream.avail_out == 0 else { return nil }
            }
        }
    }
}
