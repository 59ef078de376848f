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

    /// A byte changed in a part that still reads (stored, not compressed) fails its CRC-32.
    @Test func aPartThatDoesNotMatchItsChecksumIsRefused() throws {
        let sheet = Data(Self.sheet(#"<row><c t="inlineStr"><is><t>1000</t></is></c></row>"#).utf8)
        let data = try Self.workbook(sheet: "") { archive in
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(sheet.count), compressionMethod: .none) { position, size in
                sheet.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        #expect(try WorkbookReader.sheets(of: data).first?.rows == [["1000"]])
        var bytes = [UInt8](data)
        let digits = try #require(bytes.firstRange(of: Array("<t>1000".utf8)))
        bytes[digits.lowerBound + 3] = UInt8(ascii: "9")
        #expect(throws: WorkbookReader.ReadError.damagedPart("xl/worksheets/sheet1.xml"), "9000 read as if it were 1000") {
            _ = try WorkbookReader.sheets(of: Data(bytes))
        }
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

/// The sheet reader streams: rows come out while the part is still being decompressed, and the
/// XML it accepts is what spreadsheet programs write — no more.
@Suite struct StreamingWorkbookTests {
    typealias Build = HostileWorkbookTests

    static func rows(_ sheet: String, shared: [String] = []) throws -> [[String]] {
        try #require(try WorkbookReader.sheets(of: try Build.workbook(sheet: sheet, shared: shared)).first).rows
    }

    /// A sheet whose end is broken gives its first rows before the break is met: nothing reads
    /// the whole part before handing a row over (a caller that reads to the end still gets the
    /// refusal, so no file is taken in part).
    @Test func rowsComeOutBeforeTheSheetIsReadWhole() throws {
        let rows = String(repeating: #"<row><c t="inlineStr"><is><t>Awa</t></is></c><c><v>7</v></c></row>"#, count: 20_000)
        let data = try Build.workbook(sheet: "<worksheet><sheetData>" + rows + "<row><c><v>1</v></wrong>")
        var reader = try WorkbookReader.Workbook(data, limits: .commandLine).rows(ofSheet: 0)
        for _ in 0..<20_000 { #expect(try reader.next() == ["Awa", "7"]) }
        #expect(throws: WorkbookReader.ReadError.damagedPart("xl/worksheets/sheet1.xml")) { _ = try reader.next() }
        #expect(throws: WorkbookReader.ReadError.damagedPart("xl/worksheets/sheet1.xml")) { _ = try WorkbookReader.sheets(of: data) }
    }

    @Test func whatSpreadsheetProgramsWriteIsRead() throws {
        // A byte-order mark, a declaration, a comment, a namespace prefix, single quotes,
        // self-closing cells, entities, character references, CDATA, line ends, rich text
        // with a phonetic run, and cells out of order.
        let sheet = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<!-- written by hand -->"
            + #"<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r='1'><x:c r='A1' t='inlineStr'><x:is><x:t>N&apos;Guessan &amp; Co &lt;3&gt; &#233;&#xE9;</x:t></x:is></x:c><x:c r="B1"/><x:c r="C1" t="inlineStr"><x:is><x:t><![CDATA[a<b>&c]]></x:t></x:is></x:c></x:row>"#
            + "<x:row><x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t xml:space=\"preserve\">line\r\none&#13;</x:t></x:is></x:c><x:c r=\"A2\" t=\"s\"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>"
        let shared = #"<r><t>Kou</t></r><r><t>amé</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>"#
        #expect(try Self.rows(sheet, shared: [shared]) == [["N'Guessan & Co <3> éé", "", "a<b>&c"], ["Kouamé", "line\none\r"]])
    }

    @Test(arguments: [
        ("a document type", #"<!DOCTYPE w [<!ENTITY a "x">]><worksheet><sheetData/></worksheet>"#),
        ("an end tag that does not match", "<worksheet><sheetData><row></sheetData></row></worksheet>"),
        ("two roots", "<worksheet/><worksheet/>"),
        ("text outside the root", "<worksheet/>text"),
        ("an unknown entity", #"<worksheet><sheetData><row><c t="inlineStr"><is><t>&nbsp;</t></is></c></row></sheetData></worksheet>"#),
        ("a character reference to nothing", #"<worksheet><sheetData><row><c t="inlineStr"><is><t>&#0;</t></is></c></row></sheetData></worksheet>"#),
        ("a tag cut off", #"<worksheet><sheetData><row><c r="A1"#),
        ("an unquoted attribute", "<worksheet><sheetData><row r=1/></sheetData></worksheet>"),
        ("nesting without end", String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)),
        ("a tag of two megabytes", "<worksheet a=\"" + String(repeating: "x", count: 2 << 20) + "\"/>"),
        ("nothing", ""),
    ])
    func brokenXMLIsARefusedPart(what: String, sheet: String) throws {
        #expect(throws: WorkbookReader.ReadError.damagedPart("xl/worksheets/sheet1.xml"), "\(what)") { _ = try Self.rows(sheet) }
    }

    @Test func invalidUTF8IsARefusedPart() throws {
        var bytes = Data(#"<worksheet><sheetData><row><c t="inlineStr"><is><t>"#.utf8)
        bytes.append(contentsOf: [0xC3, 0x28, 0xFF])
        bytes.append(Data("</t></is></c></row></sheetData></worksheet>".utf8))
        let data = try Build.workbook(sheet: "") { archive in
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        #expect(throws: WorkbookReader.ReadError.damagedPart("xl/worksheets/sheet1.xml")) { _ = try WorkbookReader.sheets(of: data) }
    }

    /// A text run of megabytes outside any cell (a formula, a stray node) stops at the cell
    /// limit instead of growing in memory.
    @Test func aHugeTextRunStopsAtTheCellLimit() throws {
        let sheet = Build.sheet(#"<row><c><f>"# + String(repeating: "1+", count: 1 << 20) + "1</f><v>2</v></c></row>")
        #expect(throws: WorkbookReader.ReadError.cellTooLong(characters: 32_767)) { _ = try Self.rows(sheet) }
    }

    /// A cell split into tens of thousands of pieces (a comment between each) of combining
    /// marks, which add bytes but no character: refused at the byte limit, in linear time.
    @Test func aCellInThousandsOfPiecesStopsAtItsLimitQuickly() throws {
        let sheet = Build.sheet(#"<row><c t="inlineStr"><is><t>e"# + String(repeating: "\u{301}<!---->", count: 70_000) + "</t></is></c></row>")
        let started = ContinuousClock.now
        #expect(throws: WorkbookReader.ReadError.cellTooLong(characters: 32_767)) { _ = try Self.rows(sheet) }
        #expect(ContinuousClock.now - started < .seconds(10))
        let shared = try Build.workbook(sheet: Build.sheet(#"<row><c t="s"><v>0</v></c></row>"#), shared: [String(repeating: "\u{301}", count: 70_000)])
        #expect(throws: WorkbookReader.ReadError.cellTooLong(characters: 32_767)) { _ = try WorkbookReader.sheets(of: shared) }
    }

    /// A cell at the last column makes every row 16 384 cells wide for a few bytes: what is read,
    /// and what a conversion writes, stays within the decompressed limit.
    @Test func aFarColumnCannotMultiplyWhatIsReadOrWritten() throws {
        let limits = WorkbookReader.Limits(uncompressedBytes: 1 << 20, rows: nil)
        let wideRows = try Build.workbook(sheet: Build.sheet(String(repeating: #"<row><c r="XFD1"><v>1</v></c></row>"#, count: 10)))
        #expect(throws: WorkbookReader.ReadError.tooLarge(megabytes: 1)) { _ = try WorkbookReader.sheets(of: wideRows, limits: limits) }
        let wideHeader = try Build.workbook(sheet: Build.sheet(#"<row><c r="XFD1"><v>1</v></c></row>"# + String(repeating: "<row/>", count: 2_000)))
        #expect(throws: TabularFileError.workbook(.tooLarge(megabytes: 1))) { try TabularText.firstSheetAsCSV(wideHeader, limits: limits) { _ in } }
        let emptyStrings = try Build.workbook(sheet: Build.sheet(""), shared: Array(repeating: "", count: 70_000))
        #expect(throws: WorkbookReader.ReadError.tooLarge(megabytes: 1)) { _ = try WorkbookReader.sheets(of: emptyStrings, limits: limits) }
    }

    /// The first sheet as CSV, written a piece at a time: quoted where needed, every row as wide
    /// as the header, and read back the same by the CSV reader.
    @Test func aSheetBecomesCSVWithoutBeingHeldWhole() throws {
        var rows = [#"<row><c t="inlineStr"><is><t>name</t></is></c><c t="inlineStr"><is><t>note</t></is></c></row>"#]
        for index in 0..<60_000 {
            rows.append(#"<row><c t="inlineStr"><is><t>Koné, "Awa" \#(index)</t></is></c><c r="C\#(index + 2)"><v>1</v></c></row>"#)
        }
        let data = try Build.workbook(sheet: Build.sheet(rows.joined()))
        var pieces = 0
        var text: [UInt8] = []
        try TabularText.firstSheetAsCSV(data, limits: .upload) { pieces += 1; text += $0 }
        #expect(pieces > 1, "written as it is read, not at the end")
        var reader = try CSVStream(data: Data(text))
        #expect(try reader.next() == ["name", "note"])
        #expect(try reader.next() == [#"Koné, "Awa" 0"#, ""])
        var count = 1
        while try reader.next() != nil { count += 1 }
        #expect(count == 60_000)
        #expect(try TabularText.table(data) == String(decoding: text, as: UTF8.self))
    }
}
