import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Reads the sheets of an `.xlsx` workbook (Office Open XML) as rows of text: shared and
/// inline strings, numbers as written; enough for field-survey exports.
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
        var result: [Sheet] = []
        for (name, relation) in parseSheetList(workbook) {
            guard var target = relations[relation] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let xml = try part(target) else { throw ReadError.missingPart(target) }
            result.append(Sheet(name: name, rows: parseSheet(xml, shared: shared)))
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

    static func parseSheet(_ data: Data, shared: [String]) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var column = 0
        var type = ""
        var capturing = false
        var value = ""
        run(data) { c in
            c.start = { name, attributes in
                switch name {
                case "row": row = []
                case "c":
                    type = attributes["t"] ?? ""
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
                    let text = type == "s" ? (Int(value).flatMap { $0 < shared.count ? shared[$0] : nil } ?? "") : value
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
