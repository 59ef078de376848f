import Foundation
import Testing
import ZIPFoundation
@testable import CorridorCore

/// Workbooks built to hurt: each is refused with a clear reason (or read safely), never a trap,
/// a hang or memory without bound. The reproducers are built here, a few bytes each; the zip
/// bomb is written on the fly.
@Suite struct HostileWorkbookTests {
    /// A workbook of one sheet whose XML is `sheet`, with `shared` strings.
    static func workbook(sheet: String, shared: [String] = [], sheetEntry: ((Archive) throws -> Void)? = nil) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("xl/workbook.xml", #"<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
        try add("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#)
        try add("xl/sharedStrings.xml", "<sst>" + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>")
        if let sheetEntry { try sheetEntry(archive) } else { try add("xl/worksheets/sheet1.xml", sheet) }
        return try #require(archive.data)
    }

    static func sheet(_ rows: String) -> String { "<worksheet><sheetData>\(rows)</sheetData></worksheet>" }

    @Test func sharedStringIndexesOutOfRangeReadAsEmpty() throws {
        let data = try Self.workbook(sheet: Self.sheet(#"<row><c r="A1" t="s"><v>-1</v></c><c r="B1" t="s"><v>99999999999999999999</v></c><c r="C1" t="s"><v>0</v></c></row>"#),
                                     shared: ["ok"])
        #expect(try WorkbookReader.sheets(of: data).first?.rows == [["", "", "ok"]])
    }

    @Test(arguments: ["AAAAAAAAAAAAAAA1", "ZZZZZZZ1", "XFE1", "1"])
    func cellReferencesPastTheLastColumnAreRefused(reference: String) throws {
        let data = try Self.workbook(sheet: Self.sheet(#"<row><c r="\#(reference)"><v>1</v></c></row>"#))
        let started = ContinuousClock.now
        #expect(throws: WorkbookReader.ReadError.tooManyColumns(16_384)) { _ = try WorkbookReader.sheets(of: data) }
        #expect(ContinuousClock.now - started < .seconds(5), "refused at once, nothing allocated")
        #expect(throws: TabularFileError.workbook(.tooManyColumns(16_384))) { _ = try TabularText.table(data) }
    }

    @Test func aTruncatedSheetIsARefusedFileNotAPartialRead() throws {
        let rows = (1...29).map { #"<row r="\#($0)"><c r="A\#($0)"><v>\#($0)</v></c></row>"# }.joined()
        let whole = Self.sheet(rows)
        let cut = String(whole.prefix(whole.count / 2))
        #expect(try WorkbookReader.sheets(of: try Self.workbook(sheet: whole)).first?.rows.count == 29)
        #expect(throws: WorkbookReader.ReadError.damagedPart("xl/worksheets/sheet1.xml")) { _ = try WorkbookReader.sheets(of: try Self.workbook(sheet: cut)) }
    }

    @Test func rowCapsApplyToUploadsAndNotToTheCommandLine() throws {
        let data = try Self.workbook(sheet: Self.sheet(String(repeating: #"<row><c><v>1</v></c></row>"#, count: 50)))
        let upload = WorkbookReader.Limits(uncompressedBytes: 1 << 20, rows: 10)
        #expect(throws: WorkbookReader.ReadError.tooManyRows(10)) { _ = try WorkbookReader.sheets(of: data, limits: upload) }
        #expect(try WorkbookReader.sheets(of: data, limits: .commandLine).first?.rows.count == 50)
    }

    @Test func cellsLongerThanExcelAllowsAreRefused() throws {
        let long = String(repeating: "x", count: 32_768)
        #expect(throws: WorkbookReader.ReadError.cellTooLong(characters: 32_767)) {
            _ = try WorkbookReader.sheets(of: try Self.workbook(sheet: Self.sheet(#"<row><c t="inlineStr"><is><t>\#(long)</t></is></c></row>"#)))
        }
        #expect(throws: WorkbookReader.ReadError.cellTooLong(characters: 32_767)) {
            _ = try WorkbookReader.sheets(of: try Self.workbook(sheet: Self.sheet(#"<row><c t="s"><v>0</v></c></row>"#), shared: [long]))
        }
    }

    /// A sheet that expands to 64 MiB from a few kilobytes stops at the limit while it is being
    /// decompressed.
    @Test func aZipBombStopsAtTheDecompressedLimit() throws {
        let row = Data(#"<row><c><v>1</v></c></row>"#.utf8)
        let total = 64 << 20
        let data = try Self.workbook(sheet: "") { archive in
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(total), compressionMethod: .deflate) { _, size in
                var chunk = Data(capacity: size)
                while chunk.count < size { chunk.append(row.prefix(size - chunk.count)) }
                return chunk
            }
        }
        #expect(data.count < 1 << 20, "the bomb is small: \(data.count) bytes")
        let limits = WorkbookReader.Limits(uncompressedBytes: 8 << 20, rows: nil)
        #expect(throws: WorkbookReader.ReadError.tooLarge(megabytes: 8)) { _ = try WorkbookReader.sheets(of: data, limits: limits) }
    }

    @Test func tooManyPartsAndNonWorkbooksAreRefused() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        for index in 0...1_000 {
            try archive.addEntry(with: "x/\(index)", type: .file, uncompressedSize: Int64(1), compressionMethod: .none) { _, _ in Data("a".utf8) }
        }
        #expect(throws: WorkbookReader.ReadError.tooManyEntries(1_000)) { _ = try WorkbookReader.sheets(of: try #require(archive.data)) }
        #expect(throws: TabularFileError.workbook(.notAWorkbook)) { _ = try TabularText.table(Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 1])) }
    }
}
