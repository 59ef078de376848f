import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

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
    }

    public static func sheets(of data: Data) throws -> [Sheet] {
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read, pathEncoding: nil) } catch { throw ReadError.notAWorkbook }
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var result = Data()
            _ = try archive.extract(entry, skipCRC32: true) { result.append($0) }
            return result
        }
        guard let workbook = try part("xl/workbook.xml") else { throw ReadError.missingPart("xl/workbook.xml") }
        let relations = try part("xl/_rels/workbook.xml.rels").map(parseRelations) ?? [:]
        let shared = try part("xl/sharedStrings.xml").map(parseSharedStrings) ?? []
        let styles = try part("xl/styles.xml").map(parseDateStyles) ?? [:]
        var result: [Sheet] = []
        for (name, relation) in parseSheetList(workbook) {
            guard var target = relations[relation] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let xml = try part(target) else { throw ReadError.missingPart(target) }
            result.append(Sheet(name: name, rows: parseSheet(xml, shared: shared, dateStyles: styles)))
        }
        return result
    }

    /// Runs an XML parser with element callbacks.
    private final class Collector: NSObject, XMLParserDelegate {
        var start: (String, [String: String]) -> Void = { _, _ in }
        var end: (String) -> Void = { _ in }
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            start(name, attributes)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { end(name) }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    private static func run(_ data: Data, _ configure: (Collector) -> Void) {
        let collector = Collector()
        configure(collector)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        _ = parser.parse()
    }

    static func parseRelations(_ data: Data) -> [String: String] {
        var relations: [String: String] = [:]
        run(data) { c in c.start = { name, attributes in
            if name.hasSuffix("Relationship"), let id = attributes["Id"], let target = attributes["Target"] { relations[id] = target }
        } }
        return relations
    }

    static func parseSheetList(_ data: Data) -> [(String, String)] {
        var sheets: [(String, String)] = []
        run(data) { c in c.start = { name, attributes in
            if name.hasSuffix("sheet"), let sheetName = attributes["name"], let id = attributes["r:id"] ?? attributes.first(where: { $0.key.hasSuffix(":id") })?.value {
                sheets.append((sheetName, id))
            }
        } }
        return sheets
    }

    static func parseSharedStrings(_ data: Data) -> [String] {
        var strings: [String] = []
        var inItem = false
        run(data) { c in
            c.start = { name, _ in if name.hasSuffix("si") { inItem = true; c.text = "" } }
            c.end = { name in if name.hasSuffix("si"), inItem { strings.append(c.text); inItem = false } }
        }
        return strings
    }

    /// What a date style shows: the day only, or the day and the time.
    enum DateStyle: Equatable, Sendable {
        case day
        case dayAndTime
    }

    /// The cell styles (`s` = index into `cellXfs`) whose number format is a date.
    static func parseDateStyles(_ data: Data) -> [Int: DateStyle] {
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        run(data) { c in
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

    static func parseSheet(_ data: Data, shared: [String], dateStyles: [Int: DateStyle] = [:]) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var column = 0
        var type = ""
        var style = 0
        var capturing = false
        var value = ""
        run(data) { c in
            c.start = { name, attributes in
                switch name {
                case "row": row = []
                case "c":
                    type = attributes["t"] ?? ""
                    style = attributes["s"].flatMap(Int.init) ?? 0
                    column = attributes["r"].map(columnIndex) ?? row.count
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

    /// `B7` → 1.
    static func columnIndex(_ reference: String) -> Int {
        var index = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            index = index * 26 + Int(scalar.value - 64)
        }
        return max(0, index - 1)
    }
}
