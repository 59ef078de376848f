import Foundation
import ZIPFoundation

/// A table to hand to spreadsheet users, as CSV or as an Office Open XML workbook.
public struct TabularExport: Sendable {
    public var sheetName: String
    public var headers: [String]
    public var rows: [[String]]

    public init(sheetName: String, headers: [String], rows: [[String]]) {
        self.sheetName = sheetName
        self.headers = headers
        self.rows = rows
    }

    /// A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, return)
    /// gets a leading apostrophe, so that opening an export never runs anything.
    public static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first else { return cell }
        return ["=", "+", "-", "@", "\t", "\r"].contains(first) ? "'" + cell : cell
    }

    /// CSV with a byte-order mark and CRLF line ends, as spreadsheet software expects. Cells a
    /// spreadsheet would run are neutralised, unless the text is for a reader, not a person.
    public func csv(delimiter: Character = ",", neutralise: Bool = true) -> String {
        // With semicolons (French spreadsheet software), decimals take a comma as well.
        let decimalComma = delimiter == ";"
        func quote(_ value: String) -> String {
            var cell = neutralise ? Self.neutralised(value) : value
            if decimalComma, case .number(let number) = Self.cellValue(value), number.contains(".") {
                cell = number.replacingOccurrences(of: ".", with: ",")
            }
            if cell.contains(delimiter) || cell.contains("\"") || cell.contains("\n") || cell.contains("\r") {
                return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return cell
        }
        var lines = [headers.map(quote).joined(separator: String(delimiter))]
        for row in rows { lines.append(row.map(quote).joined(separator: String(delimiter))) }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A one-sheet `.xlsx` workbook with the header row in bold and typed cells.
    public func xlsx() throws -> Data { try Self.workbook([self]) }

    /// How a cell is written in a workbook, so that a spreadsheet can compute with it.
    public enum CellValue: Equatable, Sendable {
        case text(String)
        case number(String)
        case date(serial: Int)
        case boolean(Bool)
    }

    /// The type a value reads as: whole numbers without a leading zero (a sequence "00042"
    /// or a phone number stays text) and decimals are numbers, `YYYY-MM-DD` is a date,
    /// `true`/`false` a boolean, anything else text. Never a formula: text cells are inline
    /// strings, which no spreadsheet evaluates.
    public static func cellValue(_ text: String) -> CellValue {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 16 else { return .text(text) }
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D, let day = Day(iso: text) { return .date(serial: excelSerial(day)) }
        var digits = bytes[...]
        if digits.first == 0x2D { digits = digits.dropFirst() }
        guard let first = digits.first, first >= 0x30, first <= 0x39 else { return .text(text) }
        let parts = digits.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else { return .text(text) }
        // "0042" keeps its zeros as text; "0.5" is a number.
        if parts[0].count > 1, parts[0].first == 0x30 { return .text(text) }
        // Beyond 15 significant digits a spreadsheet rounds: such values stay text.
        if parts.reduce(0, { $0 + $1.count }) > 15 { return .text(text) }
        return .number(text)
    }

    /// Days since 1899-12-30, the epoch of spreadsheet dates.
    public static func excelSerial(_ day: Day) -> Int {
        // 25 569 days from 1899-12-30 to 1970-01-01.
        Int((day.date.timeIntervalSince1970 / 86_400).rounded()) + 25_569
    }

    /// A sheet name spreadsheets accept: none of `[ ] : * ? / \`, at most 31 characters, not
    /// empty, not starting or ending with an apostrophe.
    public static func sheetName(_ raw: String) -> String {
        let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
        var name = String(raw.filter { !forbidden.contains($0) && !$0.isNewline }).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix("'") { name.removeFirst() }
        name = String(name.prefix(31))
        while name.hasSuffix("'") || name.hasSuffix(" ") { name.removeLast() }
        return name.isEmpty ? "Sheet1" : name
    }

    /// A workbook with one sheet per table, in order.
    public static func workbook(_ sheets: [TabularExport]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        func cellXML(_ reference: String, _ value: String, header: Bool) -> String {
            if header {
                return "<c r=\"\(reference)\" t=\"inlineStr\" s=\"1\"><is><t xml:space=\"preserve\">\(xmlEscaped(value))</t></is></c>"
            }
            switch cellValue(value) {
            case .text(let text): return "<c r=\"\(reference)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(xmlEscaped(text))</t></is></c>"
            case .number(let number): return "<c r=\"\(reference)\"><v>\(number)</v></c>"
            case .date(let serial): return "<c r=\"\(reference)\" s=\"2\"><v>\(serial)</v></c>"
            case .boolean(let flag): return "<c r=\"\(reference)\" t=\"b\"><v>\(flag ? 1 : 0)</v></c>"
            }
        }
        func sheetXML(_ sheet: TabularExport) -> String {
            let rows = ([sheet.headers] + sheet.rows).enumerated().map { index, row -> String in
                // An empty cell is left out: a blank, not an empty text that SUM would trip on.
                let cells = row.enumerated().filter { !$0.element.isEmpty }
                    .map { column, value in cellXML("\(columnName(column))\(index + 1)", value, header: index == 0) }.joined()
                return "<row r=\"\(index + 1)\">\(cells)</row>"
            }.joined()
            return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>\(rows)</sheetData></worksheet>
            """
        }
        // Sheet names are unique in a workbook: a second "Matrice" becomes "Matrice (2)".
        var names: [String] = []
        for sheet in sheets {
            let base = sheetName(sheet.sheetName)
            var name = base, counter = 2
            while names.contains(where: { $0.lowercased() == name.lowercased() }) {
                let suffix = " (\(counter))"
                name = String(base.prefix(31 - suffix.count)) + suffix
                counter += 1
            }
            names.append(name)
        }
        let indexed = Array(sheets.enumerated())
        let overrides = indexed.map { "<Override PartName=\"/xl/worksheets/sheet\($0.offset + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined()
        let sheetEntries = indexed.map { "<sheet name=\"\(xmlEscaped(names[$0.offset]))\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }.joined()
        let relations = indexed.map { "<Relationship Id=\"rId\($0.offset + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0.offset + 1).xml\"/>" }.joined()
        var files: [(String, String)] = [
            ("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\(overrides)<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
            """),
            ("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """),
            ("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(sheetEntries)</sheets></workbook>
            """),
            ("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(relations)<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
            """),
            ("xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
            """),
        ]
        for (offset, sheet) in indexed { files.append(("xl/worksheets/sheet\(offset + 1).xml", sheetXML(sheet))) }
        let fixedDate = Date(timeIntervalSince1970: 1_577_836_800)
        for (path, text) in files {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: fixedDate,
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// A, B, …, Z, AA, AB, …
    static func columnName(_ index: Int) -> String {
        var name = ""
        var value = index + 1
        while value > 0 {
            let remainder = (value - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            value = (value - 1) / 26
        }
        return name
    }

    static func xmlEscaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default:
                // Control characters other than tab and line ends are not allowed in XML 1.0.
                if scalar.value < 0x20, scalar != "\t", scalar != "\n", scalar != "\r" { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
