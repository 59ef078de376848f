import CorridorCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import CorridorApp

/// Scripts fetch the same downloads as people, with a personal API token and the same role rules.
@Suite struct ScriptExportTests {
    @Test func aTokenOpensTheDownloadsOfItsRole() async throws {
        try await TestCorridor.run { corridor in
            let households = DemoCases.generate(households: 12, seed: 9, today: Day(corridor.clock.now()))
            _ = try await CaseService(corridor.app.serviceContext(actor: .commandLine("test")))
                .commit(CaseImportPlan(cases: households, issues: [], rowCount: 0), fileName: "demo")
            let worker = try await corridor.makeUser(.caseworker)
            let token = try await corridor.apiToken(for: worker)
            let csv = try await apiRequest(corridor.app, .GET, "/cases/export?format=csv", token: token)
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains("DEM-2026-"))
            let xlsx = try await apiRequest(corridor.app, .GET, "/cases/export?format=xlsx", token: token)
            #expect(xlsx.status == .ok)
            #expect(try WorkbookReader.sheets(of: Data(buffer: xlsx.body)).first?.rows.count ?? 0 > 12)
            let officer = try await corridor.makeUser(.meOfficer)
            let officerToken = try await corridor.apiToken(for: officer)
            #expect(try await apiRequest(corridor.app, .GET, "/dashboard/tables/returns_by_region.csv", token: officerToken).status == .ok)
            // A scheduled script asks only for what changed since its last run.
            corridor.clock.advance(by: 3_600)
            let later = corridor.clock.now()
            let number = try #require(households.first?.caseNumber?.description)
            let record = try await CaseService.find(number, on: corridor.app.db)
            try await CaseService(corridor.app.serviceContext(actor: .commandLine("test"))).updateHeader(
                number: number, CaseHeaderDraft(hostCountry: "TUN", office: record.office, registeredOn: Day(iso: record.registeredOn), caseworkerID: nil),
                expectedVersion: record.version)
            let since = ISO8601DateFormatter().string(from: later)
            let changed = try await apiRequest(corridor.app, .GET, "/cases/export?format=csv&updated_since=\(since)", token: token)
            let lines = changed.body.string.split(whereSeparator: \.isNewline).dropFirst()
            #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix(number) }, "only the case changed since")
            #expect(try await apiRequest(corridor.app, .GET, "/cases/export?format=csv&updated_since=yesterday", token: token).status == .badRequest,
                    "an unreadable date is refused, not read as everything")
            // The role rules are those of the pages: an M&E officer exports no caseload.
            #expect(try await apiRequest(corridor.app, .GET, "/cases/export?format=csv", token: officerToken).status == .forbidden)
        }
    }

    /// A matrix export asked with `updated_since` holds the actions changed since then only.
    @Test func aMatrixExportRefreshesOnlyTheActionsChanged() async throws {
        try await TestCorridor.run { corridor in
            let matrixID = try await CooperationFixtures.load(corridor)
            let admin = try await corridor.makeUser(.admin)
            let token = try await corridor.apiToken(for: admin)
            let whole = try await apiRequest(corridor.app, .GET, "/matrices/\(matrixID)/export?format=csv", token: token)
            #expect(whole.status == .ok)
            #expect(whole.body.string.split(whereSeparator: \.isNewline).count == 4, "the header and three actions")
            corridor.clock.advance(by: 600)
            let since = ISO8601DateFormatter().string(from: corridor.clock.now())
            let action = try #require(try await MatrixActionModel.query(on: corridor.app.db).filter(\.$matrixID == matrixID).sort(\.$position).first())
            action.progress = 40
            action.updatedAt = corridor.clock.now()
            try await action.update(on: corridor.app.db)
            let changed = try await apiRequest(corridor.app, .GET, "/matrices/\(matrixID)/export?format=csv&updated_since=\(since)", token: token)
            let lines = changed.body.string.split(whereSeparator: \.isNewline)
            #expect(lines.count == 2 && lines[1].hasPrefix(action.code + ","), "\(lines)")
            #expect(try await apiRequest(corridor.app, .GET, "/matrices/\(matrixID)/export?updated_since=soon", token: token).status == .badRequest)
        }
    }

    @Test func aBadTokenIsRefusedWith401NotARedirect() async throws {
        try await TestCorridor.run { corridor in
            let response = try await apiRequest(corridor.app, .GET, "/cases/export?format=csv", token: "crd_not-a-token")
            #expect(response.status == .unauthorized)
            #expect(response.headers.first(name: .location) == nil)
            #expect(response.body.string.contains("\"error\""), "a script reads the error as JSON")
        }
    }

    @Test func aServiceAccountUsesTokensAtOnceAndAPendingPasswordIsNamed() async throws {
        try await TestCorridor.run { corridor in
            let service = AccountService(corridor.app.serviceContext(actor: .commandLine("test")))
            let script = try await service.createUser(UserDraft(email: "etl@corridor.test", name: "Power Query", role: "caseworker",
                                                                institutionID: nil, preferredLanguage: nil), service: true)
            #expect(!script.user.mustChangePassword)
            let token = try await TokenService(corridor.app.serviceContext(actor: .commandLine("test"))).create(userID: script.user.requireID(), name: "etl").secret
            #expect(try await apiRequest(corridor.app, .GET, "/cases/export?format=csv", token: token).status == .ok)
            #expect(script.oneTimePassword.isEmpty, "nobody is told a service account's password")
            let audit = try await AuditEntryModel.query(on: corridor.app.db).filter(\.$entityType == "user").all()
            #expect(audit.contains { $0.detail.contains("service account") })

            let person = try await service.createUser(UserDraft(email: "new@corridor.test", name: "New", role: "caseworker", institutionID: nil, preferredLanguage: nil))
            let pending = try await TokenService(corridor.app.serviceContext(actor: .commandLine("test"))).create(userID: person.user.requireID(), name: "x").secret
            let refused = try await apiRequest(corridor.app, .GET, "/cases/export?format=csv", token: pending)
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains("password_change_required"))
        }
    }
}
