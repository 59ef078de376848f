import CorridorCore
import Foundation
import Testing

@Suite struct RetentionTests {
    /// The year kept in place of an exact birth date gives the same age at arrival, hence the
    /// same age group in every figure, for every birthday and arrival day of several years.
    @Test func anonymisedBirthYearKeepsTheAgeAtArrival() throws {
        var checked = 0
        var random = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            let birth = try #require(Day(year: Int.random(in: 1950...2025, using: &random), month: Int.random(in: 1...12, using: &random),
                                         day: Int.random(in: 1...28, using: &random)))
            let arrival = birth.adding(days: Int.random(in: 0...(70 * 365), using: &random))
            let year = try #require(Anonymisation.birthYear(exact: birth, year: birth.year, arrival: arrival))
            #expect(abs(year - birth.year) <= 1)
            let exactAge = BirthDate(exact: birth).age(on: arrival)
            #expect(BirthDate(estimatedYear: year)?.age(on: arrival) == exactAge, "born \(birth), arrived \(arrival)")
            #expect(ReturnSummary.ageGroup(arrival: arrival.iso, birthDate: nil, birthYear: year)
                    == ReturnSummary.ageGroup(arrival: arrival.iso, birthDate: birth.iso, birthYear: birth.year))
            checked += 1
        }
        #expect(checked == 20_000)
        // 1 July itself, the day an estimated year is read as, and the days around it.
        let july = try #require(Day(iso: "1990-07-01")), june = try #require(Day(iso: "1990-06-30"))
        for arrival in ["2020-06-30", "2020-07-01", "2020-07-02", "2021-01-01", "2020-12-31"].compactMap(Day.init(iso:)) {
            for birth in [july, june] {
                let year = try #require(Anonymisation.birthYear(exact: birth, year: 1990, arrival: arrival))
                #expect(BirthDate(estimatedYear: year)?.age(on: arrival) == BirthDate(exact: birth).age(on: arrival))
            }
        }
    }

    @Test func withoutAnArrivalOrAnExactDateTheYearIsKept() {
        #expect(Anonymisation.birthYear(exact: Day(iso: "1990-03-04"), year: 1990, arrival: nil) == 1990)
        #expect(Anonymisation.birthYear(exact: nil, year: 1985, arrival: Day(iso: "2020-01-01")) == 1985)
        #expect(Anonymisation.birthYear(exact: nil, year: nil, arrival: Day(iso: "2020-01-01")) == nil)
    }

    @Test func finishedCasesAreDueTheirYearsAfterTheEnd() throws {
        let policy = RetentionPolicy(finishedCaseYears: 5)
        #expect(policy.anonymiseFinishedOnOrBefore(today: try #require(Day(iso: "2026-12-03")))?.iso == "2021-12-03")
        #expect(policy.anonymiseFinishedOnOrBefore(today: try #require(Day(iso: "2028-02-29")))?.iso == "2023-02-28")
        #expect(RetentionPolicy(finishedCaseYears: 0).anonymiseFinishedOnOrBefore(today: try #require(Day(iso: "2026-12-03"))) == nil)
        #expect(RetentionPolicy(uploadHours: 3).uploadLifetime == 10_800)
    }

    @Test func retentionSettingsAreReadAndChecked() throws {
        let parsed = try CorridorConfiguration.parse(environment: [
            "CORRIDOR_RETENTION_FINISHED_CASE_YEARS": "7", "CORRIDOR_RETENTION_UPLOAD_HOURS": "2",
            "CORRIDOR_RETENTION_SIGN_IN_DAYS": "30", "CORRIDOR_RETENTION_REVOKED_TOKEN_DAYS": "10", "CORRIDOR_RETENTION_EVERY_HOURS": "0", "CORRIDOR_RETENTION_CONTACT_DAYS": "30",
        ])
        #expect(parsed.retention == RetentionPolicy(finishedCaseYears: 7, uploadHours: 2, signInAttemptDays: 30, revokedTokenDays: 10, everyHours: 0, contactMessageDays: 30))
        #expect(try CorridorConfiguration.parse(environment: [:]).retention == RetentionPolicy())
        #expect(throws: ConfigurationError.self) {
            _ = try CorridorConfiguration.parse(environment: ["CORRIDOR_RETENTION_UPLOAD_HOURS": "0"])
        }
        #expect(throws: ConfigurationError.self) {
            _ = try CorridorConfiguration.parse(environment: ["CORRIDOR_RETENTION_FINISHED_CASE_YEARS": "five"])
        }
    }
}

@Suite struct ConsentRulesTests {
    let today = Day(iso: "2026-12-03")!

    @Test func everyPartIsRequiredAndNothingIsPresumed() {
        let issues = ConsentRules.check(ConsentDraft(), today: today, registeredOn: nil, birth: nil)
        #expect(Set(issues.map(\.field)) == ["purpose", "answer", "method", "recorded_on"])
        let complete = ConsentDraft(purpose: .assistance, answer: .given, method: .signed, recordedOn: today)
        #expect(ConsentRules.check(complete, today: today, registeredOn: nil, birth: nil).isEmpty)
        var future = complete
        future.recordedOn = today.adding(days: 1)
        #expect(ConsentRules.check(future, today: today, registeredOn: nil, birth: nil).map(\.code) == ["case.error.date_in_future"])
    }

    @Test func sharingNamesItsPartnersAndAMinorAnswersThroughAGuardian() {
        var sharing = ConsentDraft(purpose: .sharing, answer: .given, method: .oralWitnessed, recordedOn: today)
        #expect(ConsentRules.check(sharing, today: today, registeredOn: nil, birth: nil).map(\.code) == ["consent.error.partners_required"])
        sharing.partners = ["a"]
        #expect(ConsentRules.check(sharing, today: today, registeredOn: nil, birth: nil).isEmpty)
        sharing.answer = .refused
        #expect(ConsentRules.check(sharing, today: today, registeredOn: nil, birth: nil).isEmpty, "a refusal may name whom it refuses")
        let monitoring = ConsentDraft(purpose: .monitoring, answer: .given, method: .signed, recordedOn: today, partners: ["a"])
        #expect(ConsentRules.check(monitoring, today: today, registeredOn: nil, birth: nil).map(\.code) == ["consent.error.partners_only_for_sharing"])
        let child = BirthDate(exact: Day(iso: "2012-05-01")!)
        let signed = ConsentDraft(purpose: .assistance, answer: .given, method: .signed, recordedOn: today)
        #expect(ConsentRules.check(signed, today: today, registeredOn: nil, birth: child).map(\.code) == ["consent.error.guardian_for_minor"])
        var guardian = signed
        guardian.method = .guardian
        #expect(ConsentRules.check(guardian, today: today, registeredOn: nil, birth: child).isEmpty)
        #expect(ConsentRules.check(signed, today: today, registeredOn: nil, birth: BirthDate(exact: Day(iso: "2008-12-03")!)).isEmpty, "18 on the day")
    }

    @Test func stateInForceDecidesSharingAndMonitoring() {
        var state = ConsentState()
        #expect(!state.sharedWith("abc") && state.mayBeContactedForMonitoring, "no answer: not shared, still followed up")
        state.current[.sharing] = .init(answer: .given, partners: ["abc"], withdrawn: false)
        #expect(state.sharedWith("ABC") && !state.sharedWith("other"))
        state.current[.sharing]?.withdrawn = true
        #expect(!state.sharedWith("abc"))
        state.current[.monitoring] = .init(answer: .given, partners: [], withdrawn: false)
        #expect(state.mayBeContactedForMonitoring)
        state.current[.monitoring]?.withdrawn = true
        #expect(!state.mayBeContactedForMonitoring)
        state.current[.monitoring] = .init(answer: .refused, partners: [], withdrawn: false)
        #expect(!state.mayBeContactedForMonitoring)
    }
}
