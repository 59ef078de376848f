import Foundation
import Testing
@testable import CorridorCore

@Suite struct ConfigurationTests {
    @Test func defaultsApplyWhenNothingIsSet() throws {
        let configuration = try CorridorConfiguration.parse(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.sqlitePath == "./data/corridor.sqlite")
        #expect(configuration.databaseKind == .sqlite)
        #expect(configuration.disclosureThreshold == 5)
        #expect(configuration.usesSecureCookies == false)
    }

    @Test func postgresURLSelectsPostgreSQL() throws {
        let configuration = try CorridorConfiguration.parse(environment: ["DATABASE_URL": "postgres://u:p@127.0.0.1:5432/corridor"])
        #expect(configuration.databaseKind == .postgresql)
    }

    @Test func httpsPublicURLMakesCookiesSecure() throws {
        let configuration = try CorridorConfiguration.parse(environment: ["CORRIDOR_PUBLIC_URL": "https://corridor.example.org"])
        #expect(configuration.usesSecureCookies)
    }

    @Test func everyMalformedSettingIsNamed() {
        let environment = [
            "CORRIDOR_PORT": "eighty", "DATABASE_URL": "mysql://x", "CORRIDOR_DISCLOSURE_THRESHOLD": "0",
            "CORRIDOR_LOG_LEVEL": "loud", "CORRIDOR_PUBLIC_URL": "ftp://x", "CORRIDOR_SESSION_LIFETIME_MINUTES": "-3",
        ]
        #expect(throws: ConfigurationError.self) { try CorridorConfiguration.parse(environment: environment) }
        do {
            _ = try CorridorConfiguration.parse(environment: environment)
        } catch {
            #expect(Set(error.settings) == Set(environment.keys))
            #expect(error.description.contains("CORRIDOR_PORT must be a whole number"))
        }
    }

    @Test func dotEnvFileIsParsedAndEnvironmentWins() {
        let file = DotEnv(parsing: """
        # comment
        CORRIDOR_PORT=9090
        export CORRIDOR_HOST="0.0.0.0"
        CORRIDOR_LOG_LEVEL='debug'

        """)
        #expect(file.values == ["CORRIDOR_PORT": "9090", "CORRIDOR_HOST": "0.0.0.0", "CORRIDOR_LOG_LEVEL": "debug"])
        let merged = file.merged(into: ["CORRIDOR_PORT": "8081"])
        #expect(merged["CORRIDOR_PORT"] == "8081")
        #expect(merged["CORRIDOR_HOST"] == "0.0.0.0")
    }
}

@Suite struct PolicyTests {
    @Test func everyActionHasAnAudience() {
        for action in Action.allCases { #expect(Policy.table[action] != nil, "\(action) is missing from the policy table") }
    }

    @Test func onlyAdministratorsManageUsersAndReadTheAuditTrail() {
        for role in Role.allCases {
            let principal = Principal(role: role)
            #expect(Policy.allows(principal, .manageUsers) == (role == .admin))
            #expect(Policy.allows(principal, .viewAuditTrail) == (role == .admin))
            #expect(Policy.allows(principal, .useOwnAccount))
        }
    }

    @Test func anonymousVisitorsReachOnlyPublicActions() {
        for action in Action.allCases {
            #expect(Policy.allows(nil, action) == (action == .viewPublic))
        }
    }

    @Test func focalPointsNeedAnInstitution() {
        #expect(Role.focalPoint.requiresInstitution)
        #expect(Role.allCases.filter(\.requiresInstitution) == [.focalPoint])
    }
}

@Suite struct AccountRuleTests {
    @Test func passwordsShorterThanTwelveAreRefused() {
        #expect(PasswordPolicy.problem(password: "short", confirmation: "short", email: "a@b.org") == .tooShort)
        #expect(PasswordPolicy.problem(password: "long enough pass", confirmation: "long enough pasS", email: "a@b.org") == .mismatch)
        #expect(PasswordPolicy.problem(password: "someone@b.org", confirmation: "someone@b.org", email: "Someone@b.org") == .sameAsEmail)
        #expect(PasswordPolicy.problem(password: "long enough pass", confirmation: "long enough pass", email: "a@b.org", current: "long enough pass") == .sameAsCurrent)
        #expect(PasswordPolicy.problem(password: "long enough pass", confirmation: "long enough pass", email: "a@b.org") == nil)
    }

    @Test func emailAddressesAreNormalisedAndChecked() {
        #expect(EmailAddress.normalized("  Awa.Kone@Gouv.CI ") == "awa.kone@gouv.ci")
        #expect(EmailAddress.isPlausible("awa@gouv.ci"))
        #expect(!EmailAddress.isPlausible("awa@"))
        #expect(!EmailAddress.isPlausible("awa gouv.ci"))
        #expect(!EmailAddress.isPlausible("a b@gouv.ci"))
    }

    @Test func throttleLocksAfterFiveFailuresAndBlocksNoisyAddresses() {
        let throttle = LoginThrottle()
        #expect(!throttle.shouldLockAccount(recentFailures: 4))
        #expect(throttle.shouldLockAccount(recentFailures: 5))
        #expect(throttle.addressSpacing(recentFailures: 19) == 0)
        #expect(throttle.addressSpacing(recentFailures: 20) == 1 && throttle.addressSpacing(recentFailures: 21) == 1.5)
        #expect(throttle.addressSpacing(recentFailures: 500) == 10, "slowed, never shut")
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(throttle.lockedUntil(now: now).timeIntervalSince(now) == 900)
        #expect(now.timeIntervalSince(throttle.windowStart(now: now)) == 900)
    }
}

/// `X-Forwarded-For` is believed from a trusted proxy only, read from its right end.
@Suite struct ClientAddressTests {
    @Test func limitsCountAnIPv6ClientByItsSlash64() {
        #expect(ClientAddress.limitKey("2001:db8:12:34:aaaa::1") == "2001:db8:12:34::/64")
        #expect(ClientAddress.limitKey("2001:0db8:0012:0034:ffff:ffff:ffff:ffff") == "2001:db8:12:34::/64", "any address of one /64 is one client")
        #expect(ClientAddress.limitKey("2001:db8:12:35::1") != ClientAddress.limitKey("2001:db8:12:34::1"))
        #expect(ClientAddress.limitKey("203.0.113.9") == "203.0.113.9")
        #expect(ClientAddress.limitKey("unknown") == "unknown")
    }

    @Test func forwardedAddressesAreBelievedFromTrustedProxiesOnly() throws {
        let proxy: Set<String> = ["10.0.0.2"]
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trusted: proxy) == "203.0.113.9", "an untrusted peer cannot choose its address")
        #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["198.51.100.7"], trusted: proxy) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 198.51.100.7"], trusted: proxy) == "198.51.100.7",
                "what the client wrote itself (the left end) is not believed")
        #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["198.51.100.7, 10.0.0.3"], trusted: ["10.0.0.2", "10.0.0.3"]) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["not an address"], trusted: proxy) == "10.0.0.2")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: [], trusted: proxy) == "unknown")
        #expect(ClientAddress.isIPAddress("2001:db8::1") && !ClientAddress.isIPAddress("example.org"))
        let parsed = try CorridorConfiguration.parse(environment: ["CORRIDOR_TRUSTED_PROXIES": "10.0.0.2, ::1"])
        #expect(parsed.trustedProxies == ["10.0.0.2", "::1"])
        #expect(throws: ConfigurationError.self) { _ = try CorridorConfiguration.parse(environment: ["CORRIDOR_TRUSTED_PROXIES": "proxy.local"]) }
    }
}
