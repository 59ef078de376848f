import CorridorCore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

@Suite struct AccessTests {
    @Test func everyRouteDeclaresTheActionItRequires() async throws {
        try await TestCorridor.run { corridor in
            let routes = corridor.app.routes.all
            #expect(routes.count > 20)
            for route in routes {
                #expect(RouteAccess.action(of: route) != nil, "\(route.method) /\(route.path.map(\.description).joined(separator: "/")) declares no action")
            }
        }
    }

    /// Every route × every role (and nobody): the policy table says allow or deny, and the
    /// answer must agree.
    @Test func permissionMatrixFollowsThePolicyTable() async throws {
        try await TestCorridor.run { corridor in
            var users: [Role: UserModel] = [:]
            var tokens: [Role: String] = [:]
            for role in Role.allCases {
                let user = try await corridor.makeUser(role)
                users[role] = user
                tokens[role] = try await corridor.apiToken(for: user)
            }
            var checked = 0
            for route in corridor.app.routes.all {
                let action = try #require(RouteAccess.action(of: route))
                let path = "/" + route.path.map { component -> String in
                    switch component {
                    case .parameter(let name): return name == "file" ? "corridor.css" : UUID().uuidString
                    default: return component.description
                    }
                }.joined(separator: "/")
                let isAPI = path.hasPrefix("/api/v1")
                for role in [nil] + Role.allCases.map(Optional.some) {
                    let principal = role.map { Principal(role: $0) }
                    let expectedAllowed = Policy.allows(principal, action)
                    let response: TestingHTTPResponse
                    if isAPI {
                        response = try await apiRequest(corridor.app, route.method, path, token: role.flatMap { tokens[$0] },
                                                        json: route.method == .GET || route.method == .DELETE ? nil : "{}")
                    } else {
                        let browser = try await corridor.browser(signedInAs: role.flatMap { users[$0] })
                        if route.method == .GET {
                            response = try await browser.get(path)
                        } else {
                            response = try await browser.post(path)
                        }
                    }
                    // Kobo's webhook is opened by its source's secret, never by a role's token.
                    if path.hasPrefix("/api/v1/kobo/submissions/") {
                        #expect(response.status == .unauthorized, "\(route.method) \(path) as \(role?.rawValue ?? "anonymous"): \(response.status.code)")
                        checked += 1
                        continue
                    }
                    let deniedBySignIn = response.status == .seeOther && (response.location ?? "").hasPrefix("/login?next=")
                    let denied = response.status == .forbidden || (isAPI && response.status == .unauthorized) || deniedBySignIn
                    #expect(denied == !expectedAllowed,
                            "\(route.method) \(path) as \(role?.rawValue ?? "anonymous"): expected \(expectedAllowed ? "allow" : "deny"), got \(response.status.code)")
                    checked += 1
                }
            }
            #expect(checked == corridor.app.routes.all.count * (Role.allCases.count + 1))
        }
    }

    @Test func focalPointCannotOpenAdministrationPages() async throws {
        try await TestCorridor.run { corridor in
            let focalPoint = try await corridor.makeUser(.focalPoint)
            let browser = try await corridor.browser(signedInAs: focalPoint)
            let page = try await browser.get("/admin/users")
            #expect(page.status == .forbidden)
            #expect(page.text.contains("Accès refusé"))
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(!home.text.contains("/admin/users"), "the navigation must not offer what the role cannot open")
        }
    }

    @Test func anonymousVisitorIsSentToSignIn() async throws {
        try await TestCorridor.run { corridor in
            let response = try await TestBrowser(app: corridor.app).get("/admin/audit?page=2")
            #expect(response.status == .seeOther)
            #expect(response.location == "/login?next=%2Fadmin%2Faudit%3Fpage%3D2")
        }
    }
}
