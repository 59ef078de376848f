import Foundation
import Testing
@testable import CorridorCore

/// Every importer, fed honest files broken in every way a fuzzer knows: byte flips, cuts,
/// invalid UTF-8, NUL bytes, huge cells, 10 000+ columns, broken zips and XML. Each must answer
/// with rows read or one clear file error: no trap (the process would die), no hang. Seeded, so
/// a failure is reproduced by its seed; bounded to a few seconds.
@Suite struct ImportFuzzTests {
    /// A small deterministic generator (SplitMix64).
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let today = Day(year: 2026, month: 11, day: 28)!
    static let caseFile = Data(("case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on,status,vulnerabilities\n"
        + "CIV-2024-00001,1,principal,\"Awa \"\"A\"\"\",Koné,F,1990-01-02,CIV,MAR,CIV,2024-03-01,registered,vot\n"
        + "CIV-2024-00002,1,principal,Yao,Kouassi,M,1980,CIV,TUN,CIV,2024-03-01,registered,\n"
        + "CIV-2024-00001,2,child,Ali,Koné,M,2015,CIV,MAR,CIV,2024-03-01,registered,\n").utf8)
    static let matrixFile = Data(("code;axis;action;lead_institution;partner_institutions;start_date;deadline;indicator;baseline;target;budget;currency;funding_source;status;progress\n"
        + "1.1;Prévention;Campagne;MAEIAIE;CNLTP;2024-01-01;2024-12-31;Ateliers;0;10;1000;XOF;OIM;in_progress;20\n").utf8)
    static let institutionFile = Data("acronym,name,country,kind\nMAEIAIE,Ministère,CIV,ministry\nCNLTP,Comité,CIV,committee\n".utf8)
    static let koboFile = Data("\"start\";\"g/consent\";\"g/reasons\";\"g/age\";\"_uuid\"\n\"2024-01-01\";\"oui\";\"eco family\";\"30\";\"u1\"\n\"2024-01-02\";\"non\";\"\";\"41\";\"u2\"\n".utf8)
    static let institutions = [InstitutionReference(id: "A", acronym: "MAEIAIE", name: "Ministère"), InstitutionReference(id: "B", acronym: "CNLTP", name: "Comité")]

    /// Runs every importer on `data`; any thrown error is an answer, a trap ends the test run.
    static func feed(_ data: Data) {
        _ = try? CaseImportReader.plan(data: data, today: today)
        if let order = try? CaseFileOrder.plan(try CSVStream(data: data)) {
            if var stream = try? CaseImportStream(reader: try order.stream { offset, length in [UInt8](data[offset..<(offset + length)]) }, today: today,
                                                  originalLines: order.lines) {
                while let batch = try? stream.nextBatch(households: 3), batch.cases.count + batch.issues.count >= 0 {}
            }
        }
        if let text = try? TabularText.table(data) {
            _ = try? MatrixImportReader.plan(text: text, institutions: institutions)
            _ = try? InstitutionImportReader.plan(text: text)
        }
        _ = try? KoboCSVReader.read(data: data, questionnaire: QuestionnaireTests.questionnaire, mapping: KoboMapping())
    }

    static func mutate(_ data: Data, _ random: inout Seeded) -> Data {
        var bytes = [UInt8](data)
        switch Int.random(in: 0..<8, using: &random) {
        case 0: // byte flips
            for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
        case 1: // a cut anywhere
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        case 2: // invalid UTF-8 and NUL bytes
            for _ in 0..<4 { bytes.insert([0x00, 0xC3, 0xFF, 0x80, 0xED][Int.random(in: 0..<5, using: &random)], at: Int.random(in: 0...bytes.count, using: &random)) }
        case 3: // an unclosed quote
            bytes.insert(UInt8(ascii: "\""), at: Int.random(in: 0...bytes.count, using: &random))
        case 4: // a huge cell
            bytes.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "x"), count: 300_000), at: Int.random(in: 0...bytes.count, using: &random))
        case 5: // ten thousand columns
            bytes.insert(contentsOf: [UInt8](repeating: UInt8(ascii: ","), count: 10_500), at: Int.random(in: 0...bytes.count, using: &random))
        case 6: // lines duplicated and shuffled
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            lines += lines
            lines.shuffle(using: &random)
            bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        default: // a ZIP signature in front: a "workbook" that is not one
            bytes = [0x50, 0x4B, 0x03, 0x04] + bytes
        }
        return Data(bytes)
    }

    @Test(arguments: [("case", caseFile), ("matrix", matrixFile), ("institutions", institutionFile), ("kobo", koboFile)])
    func textFilesBrokenEveryWayGetAnAnswer(name: String, file: Data) {
        var random = Seeded(state: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        Self.feed(file)
        for _ in 0..<150 { Self.feed(Self.mutate(file, &random)) }
    }

    /// A real workbook of each kind, its bytes flipped and cut: the ZIP and XML layers refuse
    /// what they cannot read.
    @Test func workbooksBrokenEveryWayGetAnAnswer() throws {
        var random = Seeded(state: 42)
        let tables = [
            TabularExport(sheetName: "cases", headers: ["case_number", "member", "given_names"], rows: [["CIV-2024-00001", "1", "Awa"], ["CIV-2024-00001", "2", "Ali"]]),
            TabularExport(sheetName: "kobo", headers: ["start", "g/consent", "_uuid"], rows: [["2024-01-01", "oui", "u1"]]),
        ]
        for table in tables {
            let workbook = try table.xlsx()
            Self.feed(workbook)
            for _ in 0..<120 {
                var bytes = [UInt8](workbook)
                if Bool.random(using: &random) {
                    for _ in 0..<Int.random(in: 1...6, using: &random) { bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random) }
                } else {
                    bytes = Array(bytes.prefix(Int.random(in: 4...bytes.count, using: &random)))
                }
                Self.feed(Data(bytes))
            }
        }
        // Broken XML inside an intact ZIP: sheets cut, unclosed, with unknown entities.
        for sheet in ["<worksheet><sheetData><row><c><v>1", "<worksheet><sheetData><row><c r=\"A1\" t=\"s\"><v>7</v></c></row></sheetData>",
                      "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]><worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&a;&b;</t></is></c></row></sheetData></worksheet>",
                      "not xml at all", ""] {
            Self.feed(try HostileWorkbookTests.workbook(sheet: sheet))
        }
    }
}
