@testable import CorridorCore
import Foundation
import Testing

/// The engine on each phenomenon West-African registries show, with hand-built pairs set in
/// an invented registry (the model is fitted on the whole, as it would be on real data).
@Suite struct RecordLinkageTests {
    // MARK: Reading the fields

    @Test func spellingsOfOneNameShareAKey() {
        for (a, b) in [("Ouattara", "Watara"), ("Kouamé", "Kwame"), ("Coulibaly", "Kulibali"), ("N'Guessan", "Nguessan"),
                       ("Mamadou", "Mahamadou"), ("Mamadou", "Mohamed"), ("Diallo", "Jallo"), ("Kouassi", "Kwasi"), ("Koffi", "Kofi"),
                       ("Traoré", "TRAORE"), ("Cissé", "Sissé"), ("Camara", "Kamara")] {
            let x = NameKeys.words(a), y = NameKeys.words(b)
            #expect(x.count == 1 && y.count == 1, "\(a) \(b)")
            #expect(NameKeys.key(x[0]) == NameKeys.key(y[0]), "\(a) and \(b) should share a key")
        }
        #expect(NameKeys.key("kone") != NameKeys.key("konate"))
        #expect(NameKeys.key("traore") != NameKeys.key("toure"))
        // A lone N before a word is the N' of N'Guessan written with a space.
        #expect(NameKeys.words("N Guessan Affoué") == ["nguessan", "affoue"])
        #expect(NameKeys.words("Jean-Baptiste  KOUADIO") == ["jean", "baptiste", "kouadio"])
    }

    @Test func documentNumbersAreReadWithoutTheirDecorations() {
        #expect(MatchNumbers.document("N° LP 123-4567") == MatchNumbers.document("lp1234567"))
        #expect(MatchNumbers.document("CI 0O12 3456") == "CI00123456")
        #expect(MatchNumbers.document("LP12I45B7") == "LP1214587")
        #expect(MatchNumbers.document(" - ") == nil)
        #expect(PreparedRecords.documentLevel(Array("LP1234567".utf8), Array("1234567".utf8)) == 1)
        #expect(PreparedRecords.documentLevel(Array("LP1234567".utf8), Array("LP1234568".utf8)) == 2)
        #expect(PreparedRecords.documentLevel(Array("LP1234567".utf8), Array("LP1243567".utf8)) == 1)
        #expect(PreparedRecords.documentLevel(Array("LP1234567".utf8), Array("LP7654321".utf8)) == 3)
    }

    @Test func phonesBeforeAndAfterTheRenumberingAreOneNumber() {
        let numbers = ["07 12 34 56 78", "+225 0712345678", "00225 07.12.34.56.78", "12345678", "0712345678"]
        #expect(Set(numbers.compactMap(MatchNumbers.phone)) == ["12345678"])
        #expect(MatchNumbers.phone("0512345678") == "12345678")
        #expect(MatchNumbers.phone("12 34") == nil)
    }

    @Test func birthDatesAreReadInEveryShapeAndPlaceholdersKnown() {
        #expect(MatchBirthDate("1990-03-12") == MatchBirthDate(year: 1990, month: 3, day: 12))
        #expect(MatchBirthDate("12/03/1990") == MatchBirthDate(year: 1990, month: 3, day: 12))
        #expect(MatchBirthDate("19900312") == MatchBirthDate(year: 1990, month: 3, day: 12))
        #expect(MatchBirthDate("1990") == MatchBirthDate(year: 1990))
        #expect(MatchBirthDate("vers 1990") == MatchBirthDate(year: 1990))
        #expect(MatchBirthDate("1990-01-01")?.isPlaceholder == true)
        #expect(MatchBirthDate("1990-12-31")?.isFull == false)
        #expect(MatchBirthDate("inconnu") == nil)
        #expect(MatchBirthDate("1850-01-02") == nil)
    }

    // MARK: Levels of one comparison

    private func levels(_ a: MatchRecord, _ b: MatchRecord) -> PairComparison {
        PreparedRecords([a, b]).compare(0, 1)
    }

    @Test func namesSwappedInOneFieldOrReorderedStillAgree() {
        let written = MatchRecord(id: "1", givenNames: "Mamadou Ali", familyName: "Koné")
        let swapped = MatchRecord(id: "2", givenNames: "Koné", familyName: "Mamadou Ali")
        let oneField = MatchRecord(id: "3", familyName: "KONE Mamadou Ali")
        let western = MatchRecord(id: "4", givenNames: "Mamadou Ali Koné")
        let dropped = MatchRecord(id: "5", givenNames: "Ali", familyName: "Kone")
        let spelt = MatchRecord(id: "6", givenNames: "Mahamadou Ali", familyName: "Koné")
        for other in [swapped, oneField, western] {
            let comparison = levels(written, other)
            #expect(comparison.level(.familyName) == 0, "\(other)")
            #expect(comparison.level(.givenNames) == 0, "\(other)")
        }
        #expect(levels(written, dropped).level(.givenNames) == 0)
        #expect(levels(written, spelt).level(.givenNames) == 1)
        let sister = MatchRecord(id: "7", givenNames: "Awa", familyName: "Koné")
        #expect(levels(written, sister).level(.givenNames) == MatchFeature.givenNamesNone)
    }

    @Test func birthDatesAgreeByLevel() {
        func level(_ a: String, _ b: String) -> UInt8 {
            levels(MatchRecord(id: "1", birthDate: a), MatchRecord(id: "2", birthDate: b)).level(.birthDate)
        }
        #expect(level("1990-03-12", "12/03/1990") == 0)
        #expect(level("1990-03-12", "1990-12-03") == 1)     // day and month swapped
        #expect(level("1990-03-12", "1991-03-12") == 1)     // one digit
        #expect(level("1990-01-01", "1990-06-14") == 2)     // a placeholder in the year
        #expect(level("1990", "1991-06-14") == 3)           // a year alone, one off
        #expect(level("1990-03-12", "1993-07-25") == 4)
        #expect(level("1990-03-12", "1982-07-25") == 5)
        #expect(level("1990-03-12", "1962-07-25") == MatchFeature.anotherGeneration)
        #expect(level("1990-03-12", "") == MatchFeature.missing)
    }

    // MARK: The whole engine

    /// An invented registry with the given records added; returns the result and the index of
    /// each added record.
    private func run(_ added: [MatchRecord]) async -> (LinkageResult, [String: Int]) {
        var records = WestAfricanRegistry(seed: 11).dedup(count: 3_000).map(\.record)
        records.append(contentsOf: added)
        let result = await LinkageEngine.deduplicate(records)
        var index: [String: Int] = [:]
        for (position, record) in records.enumerated() where record.id.hasPrefix("T") { index[record.id] = position }
        return (result, index)
    }

    @Test func registrationsOfOnePersonAreLinkedAndLookAlikesAreNot() async {
        let same: [(MatchRecord, MatchRecord)] = [
            // Names swapped, a placeholder date, the phone before the renumbering.
            (MatchRecord(id: "T01", givenNames: "Zoumana Ferdinand", familyName: "Gbeuly", sex: "M", birthDate: "1984-05-17", documentNumber: "CI0045512398", phone: "0708451290", originRegion: "Tonkpi", hostCountry: "LBY"),
             MatchRecord(id: "T02", givenNames: "GBEULY", familyName: "Zoumana", sex: "M", birthDate: "1984-01-01", phone: "08451290", originRegion: "Tonkpi", hostCountry: "LBY")),
            // One field, another spelling, the document with a dropped prefix.
            (MatchRecord(id: "T03", givenNames: "Mahamadou", familyName: "Ouattara Zié", sex: "M", birthDate: "1979-09-02", documentNumber: "LP4410927", originRegion: "Poro", hostCountry: "TUN"),
             MatchRecord(id: "T04", familyName: "WATARA Mamadou", sex: "M", birthDate: "02/09/1979", documentNumber: "N° 4410927", originRegion: "Poro", hostCountry: "TUN")),
            // Day and month swapped, a middle name added, a scanner's O for a 0.
            (MatchRecord(id: "T05", givenNames: "Affoué", familyName: "N'Guessan", sex: "F", birthDate: "1992-04-11", documentNumber: "19AB20417", phone: "+225 05 11 22 33 44", originRegion: "Gbêkê", hostCountry: "MAR"),
             MatchRecord(id: "T06", givenNames: "Affoue Mariam", familyName: "N GUESSAN", sex: "F", birthDate: "1992-11-04", documentNumber: "19AB2O417", phone: "0511223344", originRegion: "Gbêkê", hostCountry: "MAR")),
        ]
        let different: [(MatchRecord, MatchRecord)] = [
            // Twins: one family name, birth date, phone and region.
            (MatchRecord(id: "T11", givenNames: "Awa", familyName: "Dembélé", sex: "F", birthDate: "2001-07-19", documentNumber: "CI0099887766", phone: "0799112233", originRegion: "Bagoué", hostCountry: "MLI"),
             MatchRecord(id: "T12", givenNames: "Fanta", familyName: "Dembélé", sex: "F", birthDate: "2001-07-19", documentNumber: "CI0099887767", phone: "0799112233", originRegion: "Bagoué", hostCountry: "MLI")),
            // A father and a son of one name, on one phone.
            (MatchRecord(id: "T13", givenNames: "Lassina", familyName: "Soro", sex: "M", birthDate: "1961-01-01", phone: "0144556677", originRegion: "Poro", hostCountry: "NER"),
             MatchRecord(id: "T14", givenNames: "Lassina", familyName: "Soro", sex: "M", birthDate: "1990-03-03", phone: "0144556677", originRegion: "Poro", hostCountry: "NER")),
            // A child on a parent's laissez-passer.
            (MatchRecord(id: "T15", givenNames: "Karim", familyName: "Berthé", sex: "M", birthDate: "1975-05-05", documentNumber: "LP7700101", phone: "0566778899", originRegion: "Folon", hostCountry: "DZA"),
             MatchRecord(id: "T16", givenNames: "Salimata", familyName: "Berthé", sex: "F", birthDate: "2012-02-12", documentNumber: "LP7700101", phone: "0566778899", originRegion: "Folon", hostCountry: "DZA")),
            // Namesakes: one common name, nothing else.
            (MatchRecord(id: "T17", givenNames: "Moussa", familyName: "Koné", sex: "M", birthDate: "1988-01-01", originRegion: "Poro", hostCountry: "MAR"),
             MatchRecord(id: "T18", givenNames: "Moussa", familyName: "Koné", sex: "M", birthDate: "1991-01-01", originRegion: "Gbêkê", hostCountry: "LBY")),
            // Spouses: one phone, one region, one laissez-passer series.
            (MatchRecord(id: "T19", givenNames: "Yacouba", familyName: "Fofana", sex: "M", birthDate: "1980-08-08", documentNumber: "LP5500200", phone: "0755443322", originRegion: "Worodougou", hostCountry: "TUN"),
             MatchRecord(id: "T20", givenNames: "Mariam", familyName: "Sanogo", sex: "F", birthDate: "1984-04-04", documentNumber: "LP5500201", phone: "0755443322", originRegion: "Worodougou", hostCountry: "TUN")),
        ]
        let (result, index) = await run((same + different).flatMap { [$0.0, $0.1] })
        for (a, b) in same {
            #expect(result.clusters[index[a.id]!] == result.clusters[index[b.id]!], "\(a.id) and \(b.id) are one person")
        }
        for (a, b) in different {
            #expect(result.clusters[index[a.id]!] != result.clusters[index[b.id]!], "\(a.id) and \(b.id) are two people")
        }
        // The pairs written are exactly those within clusters.
        for pair in result.pairs { #expect(result.clusters[pair.first] == result.clusters[pair.second]) }
        let inClusters = Dictionary(grouping: result.clusters.indices, by: { result.clusters[$0] }).values.reduce(0) { $0 + $1.count * ($1.count - 1) / 2 }
        #expect(result.pairs.count == inClusters)
    }

    @Test func aRareNameWeighsMoreThanACommonOne() async {
        let rare = [MatchRecord(id: "T31", givenNames: "Zoumana", familyName: "Gbeuly", sex: "M", birthDate: "1975", originRegion: "Tonkpi"),
                    MatchRecord(id: "T32", givenNames: "Zoumana", familyName: "Gbeuly", sex: "M", birthDate: "1975", originRegion: "Tonkpi")]
        let common = [MatchRecord(id: "T33", givenNames: "Mamadou", familyName: "Koné", sex: "M", birthDate: "1975", originRegion: "Tonkpi"),
                      MatchRecord(id: "T34", givenNames: "Mamadou", familyName: "Koné", sex: "M", birthDate: "1975", originRegion: "Tonkpi")]
        var records = WestAfricanRegistry(seed: 12).dedup(count: 2_000).map(\.record)
        records.append(contentsOf: rare + common)
        let (engine, _, _) = await LinkageEngine.fit(records)
        let n = records.count
        let rareEvidence = engine.evidence(n - 4, n - 3), commonEvidence = engine.evidence(n - 2, n - 1)
        #expect(rareEvidence[MatchFeature.familyName.rawValue].weight > commonEvidence[MatchFeature.familyName.rawValue].weight + 2)
        #expect(engine.probability(n - 4, n - 3) > engine.probability(n - 2, n - 1))
        #expect(rareEvidence[MatchFeature.documentNumber.rawValue].level == nil)
    }

    @Test func theSameInputGivesTheSameOutput() async {
        let records = WestAfricanRegistry(seed: 5).dedup(count: 1_500).map(\.record)
        let first = await LinkageEngine.deduplicate(records), second = await LinkageEngine.deduplicate(records)
        #expect(!first.pairs.isEmpty)
        #expect(first.pairs.count == second.pairs.count)
        #expect(first.pairs == second.pairs, "the pairs differ between two runs")
        #expect(first.clusters == second.clusters, "the clusters differ between two runs")
        #expect(first.model == second.model, "the model differs between two runs")
    }

    @Test func linkingPairsOnlyAcrossTheTwoFiles() async {
        let registry = WestAfricanRegistry(seed: 3)
        let (a, b) = registry.link(count: 1_500)
        let result = await LinkageEngine.link(a.map(\.record), b.map(\.record))
        #expect(!result.pairs.isEmpty)
        for pair in result.pairs { #expect((pair.first < a.count) != (pair.second < a.count)) }
        let truth = Set(a.map(\.person)).intersection(b.map(\.person))
        let found = result.pairs.filter { a[min($0.first, $0.second)].person == b[max($0.first, $0.second) - a.count].person }.count
        // Most people in both files are found, and most pairs found are right.
        #expect(Double(found) >= 0.9 * Double(truth.count))
        #expect(Double(found) >= 0.9 * Double(result.pairs.count))
    }

    @Test func theFileIsReadWithEnglishOrFrenchHeadersAndBadFilesAreRefused() throws {
        let english = "rec_id,given_names,family_name,birth_date,phone\n1,Awa,Koné,1990-01-01,0707070707\n2,Ali,Traoré,,\n"
        let french = "rec_id;Prénoms;Nom;Date de naissance;Téléphone\n1;Awa;Koné;1990-01-01;0707070707\n2;Ali;Traoré;;\n"
        let a = try LinkageFile.records(Data(english.utf8)), b = try LinkageFile.records(Data(french.utf8))
        #expect(a == b)
        #expect(a[0].familyName == "Koné" && a[1].birthDate == nil)
        #expect(throws: LinkageFile.Problem.self) { try LinkageFile.records(Data("given_names,family_name\nAwa,Koné\n".utf8)) }
        #expect(throws: LinkageFile.Problem.self) { try LinkageFile.records(Data("rec_id,family_name\n1,Koné\n1,Traoré\n".utf8)) }
        #expect(throws: LinkageFile.Problem.self) { try LinkageFile.records(Data("rec_id,family_name\n1,\"Koné\n".utf8)) }
        #expect(throws: LinkageFile.Problem.self) { try LinkageFile.records(Data()) }
        // What the engine writes, it reads back.
        let written = LinkageFile.recordsCSV(a)
        #expect(try LinkageFile.records(Data(written.utf8)) == a)
    }
}
