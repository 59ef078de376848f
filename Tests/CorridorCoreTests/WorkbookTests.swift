import Foundation
import Testing
@testable import CorridorCore

/// Workbooks people can compute with, and workbooks as spreadsheet software writes them.
@Suite struct WorkbookTests {
    @Test func cellsAreTypedSoThatSpreadsheetsCompute() {
        #expect(TabularExport.cellValue("42") == .number("42"))
        #expect(TabularExport.cellValue("-3.25") == .number("-3.25"))
        #expect(TabularExport.cellValue("0") == .number("0"))
        #expect(TabularExport.cellValue("0.5") == .number("0.5"))
        #expect(TabularExport.cellValue("00042") == .text("00042"), "a sequence keeps its zeros")
        #expect(TabularExport.cellValue("+225 07 12 34 56") == .text("+225 07 12 34 56"), "a phone number stays text")
        #expect(TabularExport.cellValue("1234567890123456") == .text("1234567890123456"), "beyond 15 digits a spreadsheet would round")
        #expect(TabularExport.cellValue("2024-03-01") == .date(serial: 45_352))
        #expect(TabularExport.cellValue("2024-02-30") == .text("2024-02-30"))
        #expect(TabularExport.cellValue("true") == .boolean(true))
        #expect(TabularExport.cellValue("=HYPERLINK(\"x\")") == .text("=HYPERLINK(\"x\")"))
        #expect(TabularExport.cellValue("1.2.3") == .text("1.2.3"))
    }

    @Test func xlsxHasNoFormulaApostropheButCSVKeepsNeutralisation() throws {
        let table = TabularExport(sheetName: "x", headers: ["phone", "n", "day"], rows: [["+225 07", "12", "2024-03-01"]])
        let sheet = try #require(try WorkbookReader.sheets(of: try table.xlsx()).first)
        #expect(sheet.rows[1] == ["+225 07", "12", "2024-03-01"], "typed cells read back as they were written")
        #expect(table.csv().contains("'+225 07"))
        #expect(table.csv(delimiter: ";").contains("'+225 07;12;2024-03-01"))
        let decimals = TabularExport(sheetName: "x", headers: ["share"], rows: [["0.25"]])
        #expect(decimals.csv(delimiter: ";").contains("0,25"), "French CSV has decimal commas")
        #expect(decimals.csv().contains("0.25"))
    }

    @Test func sheetNamesAreOnesSpreadsheetsAccept() throws {
        #expect(TabularExport.sheetName("Traite : MoU ? [2024]") == "Traite  MoU  2024")
        #expect(TabularExport.sheetName(String(repeating: "a", count: 40)).count == 31)
        #expect(TabularExport.sheetName("///") == "Sheet1")
        #expect(TabularExport.sheetName("'quoted'") == "quoted")
        let data = try TabularExport.workbook([TabularExport(sheetName: "Matrice: a/b", headers: ["a"], rows: []),
                                               TabularExport(sheetName: "Matrice ab", headers: ["a"], rows: [])])
        let names = try WorkbookReader.sheets(of: data).map(\.name)
        #expect(names == ["Matrice ab", "Matrice ab (2)"])
    }

    @Test func dateFormatsAreRecognised() {
        #expect(WorkbookReader.dateStyle(id: 14, code: nil) == .day)
        #expect(WorkbookReader.dateStyle(id: 22, code: nil) == .dayAndTime)
        #expect(WorkbookReader.dateStyle(id: 0, code: nil) == nil)
        #expect(WorkbookReader.dateStyle(id: 2, code: nil) == nil)
        #expect(WorkbookReader.dateStyle(id: 164, code: "yyyy\\-mm\\-dd") == .day)
        #expect(WorkbookReader.dateStyle(id: 165, code: "dd/mm/yyyy hh:mm:ss") == .dayAndTime)
        #expect(WorkbookReader.dateStyle(id: 166, code: "0.00\" days\"") == nil, "quoted text is not a token")
        #expect(WorkbookReader.dateStyle(id: 167, code: "[$-F800]dddd, mmmm dd, yyyy") == .day)
        #expect(WorkbookReader.dateStyle(id: 168, code: "#,##0") == nil)
        #expect(WorkbookReader.isoDate(serial: "45072", .day) == "2023-05-26")
        #expect(WorkbookReader.isoDate(serial: "45072.5", .dayAndTime) == "2023-05-26T12:00:00")
        #expect(WorkbookReader.isoDate(serial: "abc", .day) == nil)
    }

    /// A sheet as Excel and KoboToolbox write it: shared strings, a date cell styled with a
    /// built-in format, a datetime with a custom one, a boolean.
    @Test func excelDateCellsReadAsISODates() throws {
        let styles = """
            <?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="170" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="170"/></cellXfs></styleSheet>
            """
        let sheet = """
            <?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45072</v></c><c r="C1" s="2"><v>45072.25</v></c><c r="D1" t="b"><v>1</v></c><c r="E1"><v>45072</v></c></row>
            </sheetData></worksheet>
            """
        let rows = try WorkbookReader.parseSheet(Data(sheet.utf8), shared: ["Féminin"], dateStyles: try WorkbookReader.parseDateStyles(Data(styles.utf8)))
        #expect(rows == [["Féminin", "2023-05-26", "2023-05-26T06:00:00", "true", "45072"]])
    }
}
