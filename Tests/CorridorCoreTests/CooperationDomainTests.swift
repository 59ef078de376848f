import Foundation
import Testing
@testable import CorridorCore

@Suite struct MatrixRulesTests {
    let today = Day(year: 2025, month: 6, day: 1)!

    @Test func workflowTransitions() {
        #expect(MatrixStatus.draft.allowedTargets == [.underReview])
        #expect(MatrixStatus.underReview.allowedTargets == [.validated, .draft])
        #expect(MatrixStatus.validated.allowedTargets == [.archived])
        #expect(MatrixStatus.archived.allowedTargets.isEmpty)
        #expect(!MatrixStatus.archived.acceptsStructuralEdits && !MatrixStatus.validated.acceptsStructuralEdits && MatrixStatus.underReview.acceptsStructuralEdits)
        #expect(MatrixStatus.validated.acceptsRevision && !MatrixStatus.draft.acceptsRevision && !MatrixStatus.archived.acceptsRevision)
    }

    @Test func overdueAgainstAFixedClock() {
        let yesterday = today.adding(days: -1)
        #expect(ActionStatus.inProgress.isOverdue(deadline: yesterday, today: today))
        #expect(ActionStatus.delayed.isOverdue(deadline: yesterday, today: today))
        #expect(!ActionStatus.inProgress.isOverdue(deadline: today, today: today), "due today is not late yet")
        #expect(!ActionStatus.completed.isOverdue(deadline: yesterday, today: today))
        #expect(!ActionStatus.cancelled.isOverdue(deadline: yesterday, today: today))
        #expect(!ActionStatus.notStarted.isOverdue(deadline: nil, today: today))
    }

    @Test func progressRollsUpWithWeights() {
        let actions = [
            ActionProgress(axis: "A", status: .inProgress, progress: 50, weight: 1),
            ActionProgress(axis: "A", status: .completed, progress: 100, weight: 3),
            ActionProgress(axis: "B", status: .notStarted, progress: 0, weight: 1, deadline: today.adding(days: -3)),
            ActionProgress(axis: "B", status: .cancelled, progress: 0, weight: 1),
        ]
        let summary = ProgressSummary.of(actions, today: today)
        #expect(summary.meanProgress == (50 + 300 + 0) / 5.0, "cancelled actions are left out of the mean")
        #expect(summary.actionCount == 4)
        #expect(summary.countsByStatus == [.inProgress: 1, .completed: 1, .notStarted: 1, .cancelled: 1])
        #expect(summary.overdueCount == 1)
        let axes = ProgressSummary.byAxis(actions, today: today)
        #expect(axes.map(\.axis) == ["A", "B"])
        #expect(axes[0].summary.meanProgress == 87.5)
        #expect(axes[1].summary.meanProgress == 0)
        #expect(ProgressSummary.of([], today: today).meanProgress == nil)
    }

    @Test func focalPointScope() {
        let lead = "11111111-1111-1111-1111-111111111111", partner = "22222222-2222-2222-2222-222222222222", other = "33333333-3333-3333-3333-333333333333"
        func right(_ role: Role, _ institution: String?) -> ActionRight {
            Policy.actionRight(Principal(role: role, institutionID: institution), leadInstitutionID: lead, partnerInstitutionIDs: [partner])
        }
        #expect(right(.focalPoint, lead) == .update)
        #expect(right(.focalPoint, partner) == .comment)
        #expect(right(.focalPoint, other) == .none)
        #expect(right(.focalPoint, nil) == .none)
        #expect(right(.meOfficer, nil) == .manage && right(.admin, nil) == .manage)
        #expect(right(.caseworker, lead) == .none && right(.communications, lead) == .none)
        #expect(Policy.actionRight(nil, leadInstitutionID: lead, partnerInstitutionIDs: []) == .none)
        #expect(!Policy.seesUnvalidatedMatrices(Principal(role: .focalPoint, institutionID: lead)))
        #expect(Policy.seesUnvalidatedMatrices(Principal(role: .meOfficer)))
    }

    @Test func versionsCompareActionByAction() {
        func action(_ code: String, progress: Int = 0, lead: String = "MIS") -> MatrixSnapshot.Action {
            .init(code: code, axis: "A", description: "Action \(code)", lead: lead, partners: [], startDate: nil, deadline: "2025-06-30",
                  indicators: [], budget: nil, currency: nil, fundingSource: nil, status: "not_started", progress: progress, weight: 1)
        }
        let old = MatrixSnapshot(titleFrench: "T", titleEnglish: "T", theme: "other", actions: [action("1.1"), action("1.2"), action("2.1")])
        let new = MatrixSnapshot(titleFrench: "T2", titleEnglish: "T", theme: "other", actions: [action("1.1"), action("1.2", progress: 40, lead: "MEPS"), action("3.1")])
        let comparison = MatrixComparison.compare(old, new)
        #expect(comparison.titleChanged)
        #expect(comparison.changes.count == 3)
        #expect(comparison.changes.contains(.added(action("3.1"))))
        #expect(comparison.changes.contains(.removed(action("2.1"))))
        #expect(comparison.changes.contains(.changed(code: "1.2", fields: [
            .init(field: "lead_institution", before: "MIS", after: "MEPS"), .init(field: "progress", before: "0", after: "40")])))
        #expect(MatrixComparison.compare(old, old).changes.isEmpty)
    }
}

@Suite struct MatrixImportReaderTests {
    let institutions = [
        InstitutionReference(id: "A", acronym: "MAEIAIE", name: "Ministère des Affaires étrangères"),
        InstitutionReference(id: "B", acronym: "CNLTP", name: "Comité national de lutte contre la traite des personnes"),
    ]

    @Test func unknownInstitutionsAndBadDatesAreReportedExactly() throws {
        let text = """
        code,axis,action,lead_institution,partner_institutions,start_date,deadline,indicator,baseline,target,budget,currency,funding_source,status,progress
        1.1,Cadre,Signer le mémorandum,MAEIAIE,CNLTP|XYZ,2024-10-01,2025-06-30,Signé,0,1,15000000,XOF,Fonds,in_progress,40
        1.2,Cadre,Harmoniser,INCONNU,,2024-11-01,2025-13-31,,,,,,,not_started,0
        1.3,Cadre,Former,comité national de lutte contre la traite des personnes,,2025-05-01,2025-01-01,,,,,,,en_cours,150
        1.1,Cadre,Doublon,MAEIAIE,,,,,,,,,,,
        """
        let plan = try MatrixImportReader.plan(text: text, institutions: institutions)
        #expect(plan.actions.isEmpty, "every row has a problem")
        #expect(plan.issues.contains(ImportIssue(line: 2, column: "partner_institutions", code: "matrix.error.unknown_institution", value: "XYZ")))
        #expect(plan.issues.contains(ImportIssue(line: 3, column: "lead_institution", code: "matrix.error.unknown_institution", value: "INCONNU")))
        #expect(plan.issues.contains(ImportIssue(line: 3, column: "deadline", code: "import.error.date_format", value: "2025-13-31")))
        #expect(plan.issues.contains(ImportIssue(line: 4, column: "deadline", code: "matrix.error.deadline_before_start", value: "2025-01-01")))
        #expect(plan.issues.contains(ImportIssue(line: 4, column: "status", code: "import.error.unknown_code", value: "en_cours")))
        #expect(plan.issues.contains(ImportIssue(line: 4, column: "progress", code: "matrix.error.progress", value: "150")))
        #expect(plan.issues.contains { $0.line == 5 && $0.column == "code" })
        #expect(Set(plan.issues.map(\.line)) == [2, 3, 4, 5])
    }

    @Test func frenchHeadersAndNamesMatch() throws {
        let text = "Code;Axe;Action;Chef de file;Partenaires;Date de début;Échéance;Statut;Avancement\n2.1;Protection;Référencer;Comité national de lutte contre la traite des personnes;MAEIAIE;2024-10-15;2025-09-30;completed;\n"
        let plan = try MatrixImportReader.plan(text: text, institutions: institutions)
        #expect(plan.issues == [])
        #expect(plan.actions.first?.leadID == "B")
        #expect(plan.actions.first?.partnerIDs == ["A"])
        #expect(plan.actions.first?.progress == 100, "a completed action without progress counts as done")
    }

    @Test func institutionFilesAreChecked() throws {
        let plan = try InstitutionImportReader.plan(text: "acronym,name,country,kind\nMIS,Ministère de l'Intérieur,CIV,ministry\nX,,ZZZ,club\nMIS,Doublon,CIV,ministry\n")
        #expect(plan.institutions.map(\.acronym) == ["MIS"])
        #expect(Set(plan.issues.map(\.line)) == [3, 4])
        #expect(plan.issues.contains(ImportIssue(line: 3, column: "kind", code: "import.error.unknown_code", value: "club")))
    }
}
