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

    /// CSV with a byte-order mark and CRLF line ends, as spreadsheet software expects.
    public func csv(delimiter: Character = ",") -> String {
        func quote(_ value: String) -> String {
            let cell = Self.neutralised(value)
            if cell.contains(delimiter) || cell.contains("\"") || cell.contains("\n") || cell.contains("\r") {
                return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return cell
        }
        var lines = [headers.map(quote).joined(separator: String(delimiter))]
        for row in rows { lines.append(row.map(quote).joined(separator: String(delimiter))) }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A one-sheet `.xlsx` workbook with the header row in bold and every cell as text.
    public func xlsx() throws -> Data { try Self.workbook([self]) }

    /// A workbook with one sheet per table, in order.
    public static func workbook(_ sheets: [TabularExport]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        func sheetXML(_ sheet: TabularExport) -> String {
            let rows = ([sheet.headers] + sheet.rows).enumerated().map { index, row -> String in
                let style = index == 0 ? " s=\"1\"" : ""
                let cells = row.enumerated().map { column, value in
                    "<c r=\"\(columnName(column))\(index + 1)\" t=\"inlineStr\"\(style)><is><t xml:space=\"preserve\">\(xmlEscaped(neutralised(value)))</t></is></c>"
                }.joined()
                return "<row r=\"\(index + 1)\">\(cells)</row>"
            }.joined()
            return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>\(rows)</sheetData></worksheet>
            """
        }
        let indexed = Array(sheets.enumerated())
        let overrides = indexed.map { "<Override PartName=\"/xl/worksheets/sheet\($0.offset + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined()
        let sheetEntries = indexed.map { "<sheet name=\"\(xmlEscaped(String($0.element.sheetName.prefix(31))))\" sheetId=\"\($0.offset + 1)\" r:id=\"rId\($0.offset + 1)\"/>" }.joined()
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
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
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
