import Foundation
import Testing
@testable import CorridorCore

@Suite struct CaseStateMachineTests {
    let today = Day(year: 2026, month: 11, day: 28)!
    let registered = Day(year: 2024, month: 3, day: 1)!

    @Test func everyAllowedAndForbiddenTransition() {
        let path = CaseStatus.path
        for from in CaseStatus.allCases {
            for to in CaseStatus.allCases {
                let expected: Bool
                if from == .completed || from == .closed {
                    expected = false
                } else if to == .closed {
                    expected = true
                } else if let index = path.firstIndex(of: from), index + 1 < path.count {
                    expected = path[index + 1] == to
                } else {
                    expected = false
                }
                #expect(CaseStateMachine.isAllowed(from: from, to: to) == expected, "\(from) → \(to)")
            }
        }
        #expect(CaseStateMachine.allowedTargets(from: .registered) == [.counselled, .closed])
        #expect(CaseStateMachine.allowedTargets(from: .reintegrationOngoing) == [.completed, .closed])
        #expect(CaseStateMachine.allowedTargets(from: .completed).isEmpty)
    }

    @Test func departureAndArrivalSetTheirDates() throws {
        let dates = CaseStateMachine.Dates(registeredOn: registered)
        let day = Day(year: 2024, month: 5, day: 2)!
        let departed = try CaseStateMachine.apply(from: .travelReady, to: .departed, on: day, today: today, reason: nil, dates: dates)
        #expect(departed.departureDate == day)
        let arrived = try CaseStateMachine.apply(from: .departed, to: .arrived, on: day, today: today, reason: nil, dates: departed)
        #expect(arrived.arrivalDate == day)
        #expect(CaseStatus.arrived.hasArrived && !CaseStatus.departed.hasArrived && !CaseStatus.closed.hasArrived)
    }

    @Test func datesMustBeConsistent() {
        let dates = CaseStateMachine.Dates(registeredOn: registered, departureDate: Day(year: 2024, month: 5, day: 2), lastTransitionOn: Day(year: 2024, month: 5, day: 2))
        #expect(throws: CaseStateMachine.Problem.arrivalBeforeDeparture) {
            _ = try CaseStateMachine.apply(from: .departed, to: .arrived, on: Day(year: 2024, month: 5, day: 1)!, today: today, reason: nil,
                                           dates: CaseStateMachine.Dates(registeredOn: registered, departureDate: Day(year: 2024, month: 5, day: 2)))
        }
        #expect(throws: CaseStateMachine.Problem.beforePreviousStep) {
            _ = try CaseStateMachine.apply(from: .departed, to: .arrived, on: Day(year: 2024, month: 4, day: 30)!, today: today, reason: nil, dates: dates)
        }
        #expect(throws: CaseStateMachine.Problem.beforeRegistration) {
            _ = try CaseStateMachine.apply(from: .registered, to: .counselled, on: Day(year: 2024, month: 2, day: 1)!, today: today, reason: nil,
                                           dates: CaseStateMachine.Dates(registeredOn: registered))
        }
        #expect(throws: CaseStateMachine.Problem.inTheFuture) {
            _ = try CaseStateMachine.apply(from: .registered, to: .counselled, on: today.adding(days: 1), today: today, reason: nil,
                                           dates: CaseStateMachine.Dates(registeredOn: registered))
        }
    }

    @Test func closingNeedsAReasonAndOnlyClosingTakesOne() {
        let dates = CaseStateMachine.Dates(registeredOn: registered)
        #expect(throws: CaseStateMachine.Problem.reasonRequired) {
            _ = try CaseStateMachine.apply(from: .approved, to: .closed, on: today, today: today, reason: nil, dates: dates)
        }
        #expect(throws: CaseStateMachine.Problem.reasonNotExpected) {
            _ = try CaseStateMachine.apply(from: .registered, to: .counselled, on: today, today: today, reason: .other, dates: dates)
        }
        #expect(throws: CaseStateMachine.Problem.notAllowed) {
            _ = try CaseStateMachine.apply(from: .completed, to: .closed, on: today, today: today, reason: .other, dates: dates)
        }
        #expect(throws: Never.self) {
            _ = try CaseStateMachine.apply(from: .reintegrationPlanned, to: .closed, on: today, today: today, reason: .lostContact, dates: dates)
        }
    }

    @Test func storedDatesAreCheckedAgainstTheStatus() {
        let d = { (m: Int, day: Int) in Day(year: 2024, month: m, day: day)! }
        #expect(CaseStateMachine.datesProblem(status: .arrived, registeredOn: d(1, 1), departure: d(2, 1), arrival: d(2, 2)) == nil)
        #expect(CaseStateMachine.datesProblem(status: .arrived, registeredOn: d(1, 1), departure: d(2, 1), arrival: d(1, 31)) == .arrivalBeforeDeparture)
        #expect(CaseStateMachine.datesProblem(status: .departed, registeredOn: d(3, 1), departure: d(2, 1), arrival: nil) == .departureBeforeRegistration)
        #expect(CaseStateMachine.datesProblem(status: .arrived, registeredOn: d(1, 1), departure: d(2, 1), arrival: nil) == .arrivalMissing)
        #expect(CaseStateMachine.datesProblem(status: .registered, registeredOn: d(1, 1), departure: d(2, 1), arrival: nil) == .departureTooEarly)
        #expect(CaseStateMachine.datesProblem(status: .closed, registeredOn: d(1, 1), departure: nil, arrival: nil) == nil)
    }
}

@Suite struct CaseValueTests {
    @Test func caseNumbersAreFormattedAndParsed() {
        #expect(CaseNumber(office: "CIV", year: 2024, sequence: 42)?.description == "CIV-2024-00042")
        #expect(CaseNumber("civ-2024-00042") == CaseNumber(office: "CIV", year: 2024, sequence: 42))
        #expect(CaseNumber("CIV-24-42") == nil)
        #expect(CaseNumber(office: "CIV", year: 2024, sequence: 100_000) == nil)
        // The byte-wise reading of the usual shape agrees with the general one.
        #expect(CaseNumber(" CIV-2024-00042 ") == CaseNumber("CIV-2024-00042"))
        for text in ["CIV-2024-0004A", "CIV_2024-00042", "C1V-2024-00042", "CIV-1899-00001", "CIV-2024-00000", "ÉIV-2024-0004", "CIV-+024-00042", "CIV-2024-+0042"] {
            #expect(CaseNumber(text) == nil, "\(text)")
        }
        #expect(CaseNumber("tun-2019-99999")?.description == "TUN-2019-99999")
    }

    @Test func caseNumbersSortAsTheirText() {
        let numbers = ["CIV-2024-00042", "CIV-2023-99999", "TUN-2019-00001", "CIV-2024-00041", "ABC-2030-00002", "CIW-1999-00001"].compactMap(CaseNumber.init)
        #expect(numbers.count == 6)
        #expect(numbers.sorted().map(\.description) == numbers.map(\.description).sorted())
    }

    @Test func daysAndBirthDates() {
        #expect(Day(iso: "2024-02-29") != nil)
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(Day(iso: "2024-2-1") == nil)
        for text in ["2024-+1-05", "2024-01-+5", "+024-01-05", "2024/01/05", "2024-01-05 ", "２０２４-01-05", "1899-12-31", "2024-13-01", "2024-00-10"] {
            #expect(Day(iso: text) == nil, "\(text)")
        }
        #expect(Day(iso: "1900-01-01")?.iso == "1900-01-01")
        #expect(Day(year: 2200, month: 12, day: 31)?.iso == "2200-12-31")
        #expect(Day(year: 2024, month: 3, day: 7)?.iso == "2024-03-07")
        #expect(BirthDate(text: "1994")?.isEstimated == true)
        #expect(BirthDate(text: "1994-11-21")?.isEstimated == false)
        #expect(BirthDate(text: "21/11/1994") == nil)
        #expect(BirthDate(text: "1994-11-21")?.age(on: Day(year: 2024, month: 11, day: 20)!) == 29)
    }

    @Test func searchFoldsAccentsCaseAndApostrophes() {
        #expect(SearchText.fold("Kouamé") == "kouame")
        #expect(SearchText.fold("N'Guessan  Éric") == "nguessan eric")
        #expect(SearchText.fold("ÉLOÏSE Cœur") == "eloise coeur")
    }

    @Test func vocabulariesReadCodesLeniently() {
        #expect(Sex(code: "m") == .male)
        #expect(Sex(code: "Femme") == .female)
        #expect(DocumentType(code: "Laissez-passer") == .laissezPasser)
        #expect(Vulnerability.parseList("medical|domestic_worker|xyz").known == [.domesticWorker, .medical])
        #expect(Vulnerability.parseList("medical|domestic_worker|xyz").unknown == ["xyz"])
        #expect(Currency(code: "xof") == .XOF)
    }

    @Test func regionsAndDepartmentsOfCoteDIvoire() {
        #expect(CoteDIvoire.regions.count == 33, "31 regions and the two autonomous districts")
        #expect(CoteDIvoire.region(named: "agneby tiassa")?.name == "Agnéby-Tiassa")
        #expect(CoteDIvoire.region(named: "Mé")?.name == "La Mé")
        let gbeke = CoteDIvoire.region(named: "Gbêkê")
        #expect(gbeke.flatMap { CoteDIvoire.department(named: "bouake", in: $0) } == "Bouaké")
        #expect(gbeke.flatMap { CoteDIvoire.department(named: "Korhogo", in: $0) } == nil)
        #expect(Countries.isKnown("MAR") && Countries.isKnown("civ") && !Countries.isKnown("XXX"))
        #expect(Countries.named("MAR")?.french == "Maroc")
    }
}

@Suite struct CaseImportReaderTests {
    let today = Day(year: 2026, month: 11, day: 28)!
    let header = "case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on,departure_date,arrival_date,status,origin_region,origin_department,document_type,document_number,vulnerabilities"

    @Test func goodAndBadRowsAreReportedExactly() throws {
        let text = [
            header,
            "CIV-2024-00001,1,principal,Awa,Koné,F,1990-01-02,CIV,MAR,CIV,2024-03-01,2024-04-01,2024-04-02,arrived,Gôh,Gagnoa,passport,P123,vot",
            "CIV-2024-00001,2,child,Ali,Koné,M,2015,CIV,MAR,CIV,2024-03-01,2024-04-01,2024-04-02,arrived,,,none,,",
            "CIV-2024-00002,1,principal,Yao,Kouassi,Q,1980-01-01,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,",
            "CIV-2024-00003,1,principal,Eric,Bamba,M,1980-01-01,CIV,ZZZ,CIV,2024-13-01,,,registered,,,none,,",
            "CIV-2024-00001,3,child,Sara,Koné,F,2016,CIV,TUN,CIV,2024-03-01,2024-04-01,2024-04-02,arrived,,,none,,",
            "CIV-2024-00004,1,principal,Ina,Diallo,F,1985-05-05,CIV,MAR,CIV,2024-03-01,,2024-04-02,arrived,,,none,,",
        ].joined(separator: "\n")
        let plan = try CaseImportReader.plan(text: text, today: today)
        #expect(plan.rowCount == 6)
        #expect(plan.cases.count == 1)
        #expect(plan.cases.first?.members.count == 2)
        #expect(plan.rejectedLines == [4, 5, 6, 7])
        #expect(plan.issues.contains(ImportIssue(line: 4, column: "sex", code: "import.error.unknown_code", value: "Q")))
        #expect(plan.issues.contains(ImportIssue(line: 5, column: "host_country", code: "case.error.unknown_country", value: "ZZZ")))
        #expect(plan.issues.contains(ImportIssue(line: 5, column: "registered_on", code: "import.error.date_format", value: "2024-13-01")))
        #expect(plan.issues.contains(ImportIssue(line: 6, column: "host_country", code: "import.error.household_mismatch", value: "TUN")))
        #expect(plan.issues.contains { $0.line == 7 && $0.column == "departure_date" })
    }

    /// A row with several problems names each of them: a wrong code does not hide a missing
    /// name, an unknown region or a document number without type.
    @Test func everyProblemOfARowIsReported() throws {
        let long = String(repeating: "a", count: 201)
        let text = [
            header,
            "CIV-2024-00001,1,principal,,Koné,Q,1990-01-02,CIV,MAR,CIV,2024-03-01,,,registered,Atlantide,,none,P123,",
            "CIV-2024-00002,1,principal,\(long),Bamba,M,2030-01-01,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,",
        ].joined(separator: "\n")
        let plan = try CaseImportReader.plan(text: text, today: today)
        let first = Set(plan.issues.filter { $0.line == 2 }.map(\.column))
        #expect(first == ["sex", "given_names", "origin_region", "document_number"], "\(plan.issues)")
        let second = plan.issues.filter { $0.line == 3 }
        #expect(second.contains(ImportIssue(line: 3, column: "given_names", code: "case.error.too_long", value: long)), "a long given name is said of the given names")
        #expect(second.contains { $0.column == "birth_date" && $0.code == "case.error.birth_after_registration" })
        #expect(!second.contains { $0.column == "family_name" })
    }

    /// The protected columns of a protection officer's export are read into the household,
    /// by member, and the stream says the file has them.
    @Test func protectedColumnsAreReadByMember() throws {
        let text = header + ",Forme d'exploitation,identified_on,Notes médicales\n"
            + "CIV-2024-00001,1,principal,Awa,Koné,F,1990-01-02,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,vot,travail forcé,2024-02-01,\n"
            + "CIV-2024-00001,2,child,Ali,Koné,M,2015,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,,,,\n"
            + "CIV-2024-00002,1,principal,Yao,Kouassi,M,1980,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,,,2031-01-01,\n"
        let plan = try CaseImportReader.plan(text: text, today: today)
        #expect(plan.cases.count == 1)
        #expect(plan.cases.first?.protectedDetails == [1: ProtectedDraft(exploitationForm: "travail forcé", identifiedOn: Day(iso: "2024-02-01"))])
        #expect(plan.issues == [ImportIssue(line: 4, column: "identified_on", code: "case.error.date_in_future", value: "2031-01-01")])
        let stream = try CaseImportStream(reader: try CSVStream(data: Data(text.utf8)), today: today)
        #expect(stream.protectedColumns == ["exploitation_form", "identified_on", "medical_notes"])
    }

    @Test func semicolonsByteOrderMarkAndFrenchHeaders() throws {
        let text = "\u{FEFF}Numéro de dossier;Membre;Lien;Prénoms;Nom;Sexe;Date de naissance;Nationalité;Pays d'accueil;Bureau;Date d'enregistrement;Statut\r\n"
            + "CIV-2024-00009;1;principal;Kouamé;Traoré;M;1994;CIV;TUN;CIV;2024-06-01;registered\r\n"
        var data = Data(text.utf8)
        #expect(TabularText.delimiter(of: TabularText.decode(data)) == ";")
        let plan = try CaseImportReader.plan(text: TabularText.decode(data), today: today)
        #expect(plan.issues == [])
        #expect(plan.cases.first?.members.first?.givenNames == "Kouamé")
        #expect(plan.cases.first?.members.first?.birthDate?.isEstimated == true)
        data = Data(text.dropFirst().utf8)
        #expect(try CaseImportReader.plan(text: TabularText.decode(data), today: today).cases.count == 1)
    }

    @Test func windows1252IsRead() throws {
        let text = header + "\r\nCIV-2024-00010,1,principal,Kouamé Éric,Traoré,M,1994-11-21,CIV,MLI,CIV,2019-03-24,,,registered,Agnéby-Tiassa,,passport,PA4745328,\r\n"
        let data = try #require(text.data(using: .windowsCP1252))
        #expect(String(data: data, encoding: .utf8) == nil, "the bytes are not UTF-8")
        let plan = try CaseImportReader.plan(text: TabularText.decode(data), today: today)
        #expect(plan.issues == [])
        #expect(plan.cases.first?.members.first?.givenNames == "Kouamé Éric")
        #expect(plan.cases.first?.members.first?.originRegion == "Agnéby-Tiassa")
    }

    @Test func missingColumnsStopTheImport() {
        #expect(throws: TabularFileError.missingColumns(["registered_on", "sex"])) {
            _ = try CaseImportReader.plan(text: "member,given_names,family_name,nationality,host_country,office\n1,a,b,CIV,MAR,CIV", today: today)
        }
        #expect(throws: TabularFileError.empty) { _ = try CaseImportReader.plan(text: "", today: today) }
    }

    @Test func rowsWithoutNumberFormHouseholdsFromMemberOne() throws {
        let text = [
            header,
            ",1,principal,Awa,Koné,F,1990-01-02,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,",
            ",2,child,Ali,Koné,M,2015,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,",
            ",1,principal,Yao,Kouassi,M,1980-01-01,CIV,MAR,CIV,2024-03-01,,,registered,,,none,,",
        ].joined(separator: "\n")
        let plan = try CaseImportReader.plan(text: text, today: today)
        #expect(plan.cases.map(\.members.count) == [2, 1])
        #expect(plan.cases.allSatisfy { $0.caseNumber == nil })
    }
}

@Suite struct ExportTests {
    @Test func formulasAreNeutralised() {
        #expect(TabularExport.neutralised("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")")
        #expect(TabularExport.neutralised("+225 07") == "'+225 07")
        #expect(TabularExport.neutralised("@SUM") == "'@SUM")
        #expect(TabularExport.neutralised("Kouamé") == "Kouamé")
        let csv = TabularExport(sheetName: "x", headers: ["a", "b"], rows: [["=1+1", "x,y"]]).csv()
        #expect(csv == "\u{FEFF}a,b\r\n'=1+1,\"x,y\"\r\n")
    }

    @Test func workbookIsAZipWithTheSheet() throws {
        let data = try TabularExport(sheetName: "Dossiers", headers: ["nom"], rows: [["Kouamé & fils <1>"]]).xlsx()
        #expect(data.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a ZIP archive")
        #expect(TabularExport.columnName(0) == "A" && TabularExport.columnName(25) == "Z" && TabularExport.columnName(26) == "AA")
    }

    @Test func leavingTheCountryComesBeforeTheRequestAndAfterBirth() {
        let registered = Day(year: 2026, month: 3, day: 2)!
        func issues(_ left: Day) -> [FieldIssue] {
            var member = MemberDraft(memberNumber: 1, relationship: .principal, givenNames: "Awa", familyName: "Koné", sex: .female,
                                     birthDate: BirthDate(exact: Day(year: 1991, month: 4, day: 12)!), nationality: "CIV", leftCountryOn: left)
            return MemberRules.check(&member, registeredOn: registered)
        }
        #expect(issues(Day(year: 2031, month: 1, day: 1)!) == [FieldIssue("left_country_on", "case.error.left_after_registration")])
        #expect(issues(Day(year: 2026, month: 3, day: 3)!) == [FieldIssue("left_country_on", "case.error.left_after_registration")])
        #expect(issues(Day(year: 1990, month: 1, day: 1)!) == [FieldIssue("left_country_on", "case.error.left_before_birth")])
        #expect(issues(Day(year: 2024, month: 5, day: 1)!) == [])
    }

    @Test func demoDataIsDeterministicAndValid() {
        let today = Day(year: 2026, month: 11, day: 28)!
        let first = DemoCases.generate(households: 50, seed: 7, today: today)
        #expect(first == DemoCases.generate(households: 50, seed: 7, today: today))
        for household in first {
            let f = household.fields
            #expect(CaseStateMachine.datesProblem(status: f.status, registeredOn: f.registeredOn, departure: f.departureDate, arrival: f.arrivalDate) == nil)
            for var member in household.members { #expect(MemberRules.check(&member, registeredOn: f.registeredOn) == []) }
        }
    }
}

@Suite struct SyntheticDataTests {
    @Test func generatedFilesAreDeterministicAndImportClean() throws {
        let today = Day(year: 2026, month: 11, day: 28)!
        func run(_ seed: UInt64) -> (cases: [String], kobo: [String]) {
            var cases: [String] = [], kobo: [String] = []
            SyntheticData(seed: seed, today: today).generate(individuals: 3_000, cases: { cases.append($0) }, interviews: { kobo.append($0) })
            return (cases, kobo)
        }
        let first = run(42)
        #expect(first.cases == run(42).cases && first.kobo == run(42).kobo)
        #expect(first.cases != run(43).cases)
        #expect(first.cases.count == 3_001)
        let plan = try CaseImportReader.plan(text: first.cases.joined(separator: "\n"), today: today)
        #expect(plan.issues == [], "\(plan.issues.prefix(3))")
        #expect(plan.acceptedRowCount == 3_000)
        let duplicates = Set(plan.cases.map { "\($0.members[0].familyName)|\($0.members[0].birthDate?.description ?? "")" })
        #expect(duplicates.count < plan.cases.count, "some households are registered twice, as in real data")
        #expect(first.kobo.count > 100)
    }

    /// A year of more than 99 999 cases (10 M individuals) goes on in the region's next office:
    /// no number is given twice, and a million stays the Abidjan mission's alone.
    @Test func aYearPastOneOfficesNumbersGoesOnInTheNextOffice() {
        #expect(SyntheticData.numbering(1) == ("CIV", 1))
        #expect(SyntheticData.numbering(99_999) == ("CIV", 99_999))
        #expect(SyntheticData.numbering(100_000) == ("SEN", 1))
        #expect(SyntheticData.numbering(6 * 99_999) == ("NER", 99_999))
        var seen: Set<String> = []
        for nth in stride(from: 1, through: 11 * 99_999, by: 7) {
            let (office, sequence) = SyntheticData.numbering(nth)
            seen.insert("\(office)-\(sequence)")
            #expect(sequence >= 1 && sequence <= 99_999)
        }
        #expect(seen.count == (11 * 99_999 - 1) / 7 + 1)
    }
}

/// A file whose households are apart is read in household order, every row keeping its line.
@Suite struct CaseFileOrderTests {
    let today = Day(year: 2026, month: 11, day: 28)!
    let header = "case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on"

    func row(_ number: Int, _ member: Int, sex: String = "F", name: String = "Awa") -> String {
        String(format: "CIV-2024-%05d", number) + ",\(member),\(member == 1 ? "principal" : "child"),\"\(name)\",Koné,\(sex),1990,CIV,MAR,CIV,2024-03-01"
    }

    func read(_ text: String) throws -> (order: CaseFileOrder?, cases: [ImportedCase], issues: [ImportIssue]) {
        let data = Data(text.utf8)
        let order = try CaseFileOrder.plan(try CSVStream(data: data))
        let reader = try order.map { order in try order.stream { offset, length in [UInt8](data[offset..<(offset + length)]) } } ?? CSVStream(data: data)
        var stream = try CaseImportStream(reader: reader, today: today, originalLines: order?.lines)
        var cases: [ImportedCase] = [], issues: [ImportIssue] = []
        while let batch = try stream.nextBatch(households: 2) { cases += batch.cases; issues += batch.issues }
        return (order, cases, issues)
    }

    @Test func shuffledHouseholdsAreReadTogetherWithTheirOwnLines() throws {
        // Lines 2–7; household 2 is apart, line 5 has a bad sex code, a name holds a line break,
        // and the last row has no line break.
        let text = "\u{FEFF}" + [header, row(2, 1), row(1, 1, name: "deux\nlignes"), row(2, 2), row(3, 1, sex: "Q"), row(1, 2), row(2, 3)].joined(separator: "\r\n")
        let result = try read(text)
        #expect(result.order != nil)
        #expect(result.cases.map { $0.caseNumber?.sequence } == [1, 2])
        #expect(result.cases.map(\.lines) == [[3, 6], [2, 4, 7]])
        #expect(result.cases[0].members.first?.givenNames == "deux\nlignes")
        #expect(result.issues.map(\.line) == [5] && result.issues.first?.column == "sex")
    }

    @Test func groupedOrUnnumberedFilesAreReadAsTheyAre() throws {
        #expect(try read([header, row(2, 1), row(2, 2), row(1, 1)].joined(separator: "\n") + "\n").order == nil, "households together: no second pass")
        let unnumbered = [header, row(2, 1), ",1,principal,Ali,Bamba,M,1990,CIV,MAR,CIV,2024-03-01", row(2, 2)].joined(separator: "\n")
        let result = try read(unnumbered)
        #expect(result.order == nil, "rows without number keep their place")
        #expect(result.cases.filter { $0.caseNumber == nil }.count == 1)
    }
}

@Suite struct StreamingImportTests {
    /// A source that gives a few bytes at a time, so that every boundary falls inside a field,
    /// a quote or a line end somewhere.
    static func stream(_ bytes: [UInt8], chunk: Int) throws -> CSVStream {
        var offset = 0
        return try CSVStream(source: {
            let end = min(offset + chunk, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        })
    }

    /// A byte-order mark and a header line longer than the first chunk (the trap of a file of
    /// 1 MiB + 1 or 2 bytes): the header is read whole, at every size around the boundary.
    @Test func aLongHeaderAfterAByteOrderMarkIsReadWhole() throws {
        for extra in 0...4 {
            let cells = (1_048_576 + extra - 3 - 2) / 2
            var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
            bytes += Array(repeating: UInt8(ascii: "a"), count: cells) + [UInt8(ascii: ";")] + Array(repeating: UInt8(ascii: "b"), count: cells)
            var reader = try Self.stream(bytes, chunk: 1 << 20)
            let header = try #require(try reader.next())
            #expect(header.count == 2 && header[0].count == cells && reader.delimiter == UInt8(ascii: ";"), "file of \(bytes.count) bytes")
        }
    }

    /// A record spread over many chunks is read in time linear in its length, and one past the
    /// cap is refused with the cap named, not held in memory.
    @Test func longRecordsAreReadLinearlyAndCapped() throws {
        let field = Array(repeating: UInt8(ascii: "x"), count: 4 << 20)
        let bytes = Array("a,b\n\"".utf8) + field + Array("\",1\n".utf8)
        var reader = try Self.stream(bytes, chunk: 4_096)
        _ = try reader.next()
        let started = ContinuousClock.now
        #expect(try reader.next()?.first?.count == field.count)
        // Quadratic re-reading of 1 024 chunks would take minutes; linear takes well under a second.
        #expect(ContinuousClock.now - started < .seconds(20))
        var offset = 0
        var capped = try CSVStream(source: {
            let end = min(offset + 4_096, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }, maximumRecordBytes: 1 << 20)
        _ = try capped.next()
        #expect(throws: CSVStream.RecordTooLong(limit: 1 << 20)) { _ = try capped.next() }
        let plan = Result { try CaseImportReader.plan(text: "given_names,member,family_name,sex,nationality,host_country,office,registered_on\n\""
                                                  + String(repeating: "y", count: 17 << 20) + "\",1\n", today: Day(year: 2026, month: 1, day: 1)!) }
        #expect(throws: TabularFileError.recordTooLong(line: 2, megabytes: 16)) { _ = try plan.get() }
    }

    @Test func chunkBoundariesChangeNothing() throws {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array("nom;prénom;note\r\n\"Kouamé\";\"Adjoua \"\"Ama\"\"\";\"deux\nlignes\"\r\nN'Guessan;Koffi;\r\n;;\n".utf8)
        bytes += [0x42, 0xE9, 0x3B, 0x78, 0x3B, 0x79] // "Bé;x;y" in Windows-1252, no final line break
        var expected: [[String]] = []
        var whole = try Self.stream(bytes, chunk: 1 << 20)
        while let row = try whole.next() { expected.append(row) }
        #expect(expected == [["nom", "prénom", "note"], ["Kouamé", "Adjoua \"Ama\"", "deux\nlignes"], ["N'Guessan", "Koffi", ""], ["", "", ""], ["Bé", "x", "y"]])
        for chunk in 1...9 {
            var reader = try Self.stream(bytes, chunk: chunk)
            var rows: [[String]] = []
            while let row = try reader.next() { rows.append(row) }
            #expect(rows == expected, "chunks of \(chunk) bytes")
            #expect(!reader.failed)
        }
        var open = try Self.stream(Array("a,b\n\"never closed,x\n".utf8), chunk: 3)
        _ = try open.next()
        #expect(try open.next() == nil)
        #expect(open.failed, "an unterminated quote is reported")
    }

    @Test func streamedBatchesGiveThePlanOfTheWholeFile() throws {
        let text = """
            case_number,member,relationship,given_names,family_name,sex,birth_date,nationality,host_country,office,registered_on
            CIV-2024-00001,1,principal,Awa,Koné,F,1990-01-01,CIV,MAR,CIV,2024-01-05
            CIV-2024-00002,1,principal,Yao,Kra,M,1980-01-01,CIV,TUN,CIV,2024-01-06
            CIV-2024-00001,2,child,Ali,Koné,M,2015,CIV,MAR,CIV,2024-01-05
            CIV-2024-00001,2,child,Ali,Koné,M,2015,CIV,MAR,CIV,2024-01-05
            CIV-2024-00002,2,child,Ama,Kra,F,2016,CIV,SEN,CIV,2024-01-06
            ,1,principal,Bintou,Sow,F,1970,CIV,LBY,CIV,2024-02-01
            ,2,child,Issa,Sow,M,2010,CIV,LBY,CIV,2024-02-01
            """
        let plan = try CaseImportReader.plan(text: text, today: Day(iso: "2026-09-21")!)
        #expect(plan.cases.map { $0.members.count } == [2, 1, 2])
        #expect(plan.cases[0].lines == [2, 4])
        #expect(plan.issues.map(\.line) == [5, 6])
        #expect(plan.issues.map(\.code) == ["import.error.duplicate_member", "import.error.household_mismatch"])
        #expect(plan.rowCount == 7)
        var stream = try CaseImportStream(reader: try CSVStream(data: Data(text.utf8)), today: Day(iso: "2026-09-21")!)
        var batches = 0
        while let batch = try stream.nextBatch(households: 1) { batches += 1; #expect(batch.cases.count <= 1) }
        #expect(batches >= 4)
        #expect(stream.highestNumbers.values.map(\.sequence) == [2])
    }

    @Test func summaryCellsAndPeriods() throws {
        let facts = ReturnSummary.CaseFacts(registeredOn: "2024-01-05", arrivalDate: "2024-03-10", hostCountry: "MAR", office: "CIV", status: "arrived")
        let members = [
            ReturnSummary.MemberFacts(sex: "F", birthDate: "1990-06-01", birthYear: 1990, nationality: "CIV", originRegion: "Gôh", vulnerabilities: "|vot|"),
            ReturnSummary.MemberFacts(sex: "M", birthDate: nil, birthYear: 2015, nationality: "CIV", originRegion: nil, vulnerabilities: ""),
        ]
        let cells = ReturnSummary.cells(facts, members: members)
        #expect(cells[ReturnSummary.Cell(slice: .returns, period: "2024-03", hostCountry: "MAR", office: "CIV", a: "F", b: "25-34")] == 1)
        #expect(cells[ReturnSummary.Cell(slice: .returns, period: "2024-03", hostCountry: "MAR", office: "CIV", a: "M", b: "0-17")] == 1)
        #expect(cells[ReturnSummary.Cell(slice: .vot, period: "2024-01", hostCountry: "MAR", office: "CIV")] == 1)
        #expect(cells[ReturnSummary.Cell(slice: .registrations, period: "2024-01", hostCountry: "MAR", office: "CIV")] == 1)
        #expect(ReturnSummary.difference(from: cells, to: cells).isEmpty)
        #expect(ReturnSummary.ageGroup(arrival: "2024-06-30", birthDate: nil, birthYear: 2000) == "18-24", "an estimated year counts from 1 July")
        #expect(ReturnSummary.months(from: Day(iso: "2024-01-01"), to: Day(iso: "2024-02-29"))! == ("2024-01", "2024-02"))
        #expect(ReturnSummary.months(from: Day(iso: "2024-01-02"), to: nil) == nil)
        #expect(ReturnSummary.Slice.forReturns(dimensions: ["region", "sex", "year"]) == .returnsRegion)
        #expect(ReturnSummary.Slice.forReturns(dimensions: ["region", "age_group"]) == nil)
        var ids = OrderedIDGenerator()
        let made = (0..<1000).map { _ in ids.next(now: Date(timeIntervalSince1970: 1_800_000_000)) }
        #expect(made.map(\.uuidString) == made.map(\.uuidString).sorted(), "identifiers sort in the order they were made")
        #expect(Set(made).count == 1000)
        #expect(made.allSatisfy { $0.uuidString.dropFirst(14).first == "7" }, "version 7")
        let later = (0..<600).map { _ in ids.next(now: Date(timeIntervalSince1970: 1_800_000_001)) }
        #expect(later.map(\.uuidString) == later.map(\.uuidString).sorted() && made.last!.uuidString < later.first!.uuidString)
        #expect(Set(later.map { $0.uuidString.suffix(8) }).count > 590, "the last 32 bits are random")
        let member = MemberDraft(memberNumber: 1, relationship: .principal, givenNames: "Adjoua Ama", familyName: "N'Guessan-Kouamé", sex: .female,
                                 birthDate: nil, nationality: "CIV", documentType: .passport, documentNumber: "AB 12")
        #expect(SearchText.terms(caseNumber: "CIV-2024-00123", searchTexts: [member.searchText], vulnerabilities: ["vot"])
                == ["civ-2024-00123", "00123", "adjoua", "ama", "nguessan", "kouame", "ab", "12", "~vot"])
        #expect(SearchText.upperBound(ofPrefix: "kou") == "kov")
    }
}
