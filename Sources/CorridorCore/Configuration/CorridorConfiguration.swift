import Foundation

/// Every setting Corridor reads, parsed once at start-up from the environment.
///
/// `parse(environment:)` is the only place that reads setting names; everything else
/// receives this value. It collects every problem before failing, so that one run
/// tells the operator everything that is wrong.
public struct CorridorConfiguration: Sendable, Equatable {
    public enum DatabaseKind: String, Sendable, Equatable {
        case sqlite
        case postgresql
    }

    public enum LogLevel: String, Sendable, Equatable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var databaseURL: URL?
    public var publicURL: URL
    public var disclosureThreshold: Int
    public var sessionLifetimeMinutes: Int
    public var logLevel: LogLevel
    /// Requests per minute the public JSON API answers from one address; 0 lifts the limit
    /// (for a load test, or behind a proxy that limits already).
    public var publicAPIRateLimit: Int = 60
    /// Addresses of the reverse proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String> = []
    /// The secret kept outside the database (base64, 32 bytes or more); nil: the data
    /// directory's `secret.key`, created at first start.
    public var secretKey: String?
    /// Requests served at once, in all and from one client address (beyond: 503, 429).
    public var maximumRequests: Int = 1_024
    public var maximumRequestsPerAddress: Int = 256
    /// Hours between the backups `serve` takes itself (0: none), where, and how many are kept.
    public var backupEveryHours: Int = 0
    public var backupDirectory: String?
    public var backupsKept: Int = 14
    /// How long what Corridor holds is kept (the `CORRIDOR_RETENTION_*` settings).
    public var retention = RetentionPolicy()
    /// The largest file a case accepts as an attachment (`CORRIDOR_ATTACHMENT_MAX_MB`).
    public var attachmentMaxMegabytes: Int = 10
    public var attachmentMaxBytes: Int { attachmentMaxMegabytes * 1_048_576 }
    /// How often `serve` pulls the scheduled field sources (`CORRIDOR_FIELD_PULL_EVERY_MINUTES`; 0: never).
    public var fieldPullEveryMinutes: Int = 60
    /// The token `GET /metrics` asks for (`Authorization: Bearer …`); nil: no metrics served.
    public var metricsToken: String?
    /// `text` (one line per message) or `json` (one JSON object per line, for a log collector).
    public var logFormat: LogFormat = .text

    public enum LogFormat: String, Sendable, Equatable { case text, json }

    public var databaseKind: DatabaseKind { databaseURL == nil ? .sqlite : .postgresql }

    /// The SQLite file used when no `DATABASE_URL` is given.
    public var sqlitePath: String {
        (dataDirectory as NSString).appendingPathComponent("corridor.sqlite")
    }

    /// Cookies carry `Secure` only when the public address is served over https.
    public var usesSecureCookies: Bool { publicURL.scheme?.lowercased() == "https" }

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: String = "./data",
        databaseURL: URL? = nil,
        publicURL: URL = URL(string: "http://127.0.0.1:8080")!,
        disclosureThreshold: Int = 5,
        sessionLifetimeMinutes: Int = 480,
        logLevel: LogLevel = .info
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.publicURL = publicURL
        self.disclosureThreshold = disclosureThreshold
        self.sessionLifetimeMinutes = sessionLifetimeMinutes
        self.logLevel = logLevel
    }

    /// The settings, with their meaning, as documented in `.env.example`.
    public static let settingNames: [String] = [
        "CORRIDOR_HOST", "CORRIDOR_PORT", "CORRIDOR_DATA_DIR", "DATABASE_URL",
        "CORRIDOR_PUBLIC_URL", "CORRIDOR_DISCLOSURE_THRESHOLD", "CORRIDOR_PUBLIC_API_RATE_LIMIT",
        "CORRIDOR_SESSION_LIFETIME_MINUTES", "CORRIDOR_LOG_LEVEL", "CORRIDOR_TRUSTED_PROXIES", "CORRIDOR_SECRET_KEY",
        "CORRIDOR_MAX_REQUESTS", "CORRIDOR_MAX_REQUESTS_PER_ADDRESS",
        "CORRIDOR_BACKUP_EVERY_HOURS", "CORRIDOR_BACKUP_DIR", "CORRIDOR_BACKUPS_KEPT",
        "CORRIDOR_METRICS_TOKEN", "CORRIDOR_LOG_FORMAT",
        "CORRIDOR_RETENTION_FINISHED_CASE_YEARS", "CORRIDOR_RETENTION_UPLOAD_HOURS", "CORRIDOR_RETENTION_SIGN_IN_DAYS",
        "CORRIDOR_RETENTION_REVOKED_TOKEN_DAYS", "CORRIDOR_RETENTION_EVERY_HOURS", "CORRIDOR_RETENTION_CONTACT_DAYS", "CORRIDOR_FIELD_PULL_EVERY_MINUTES",
    ]

    /// Parses the configuration; throws a `ConfigurationError` naming every bad setting.
    public static func parse(environment: [String: String]) throws(ConfigurationError) -> CorridorConfiguration {
        var problems: [ConfigurationError.Problem] = []
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
            guard let raw = value(name) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                problems.append(.init(setting: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(raw)'"))
                return fallback
            }
            return number
        }

        var configuration = CorridorConfiguration()
        configuration.host = value("CORRIDOR_HOST") ?? "127.0.0.1"
        configuration.port = integer("CORRIDOR_PORT", default: 8080, range: 1...65535)
        configuration.dataDirectory = value("CORRIDOR_DATA_DIR") ?? "./data"
        configuration.disclosureThreshold = integer("CORRIDOR_DISCLOSURE_THRESHOLD", default: 5, range: 2...1000)
        configuration.sessionLifetimeMinutes = integer("CORRIDOR_SESSION_LIFETIME_MINUTES", default: 480, range: 5...43_200)
        configuration.publicAPIRateLimit = integer("CORRIDOR_PUBLIC_API_RATE_LIMIT", default: 60, range: 0...1_000_000)
        configuration.maximumRequests = integer("CORRIDOR_MAX_REQUESTS", default: 1_024, range: 16...1_000_000)
        configuration.maximumRequestsPerAddress = integer("CORRIDOR_MAX_REQUESTS_PER_ADDRESS", default: 256, range: 1...1_000_000)
        configuration.backupEveryHours = integer("CORRIDOR_BACKUP_EVERY_HOURS", default: 0, range: 0...8_760)
        configuration.backupsKept = integer("CORRIDOR_BACKUPS_KEPT", default: 14, range: 1...10_000)
        configuration.backupDirectory = value("CORRIDOR_BACKUP_DIR")
        configuration.retention = RetentionPolicy(
            finishedCaseYears: integer("CORRIDOR_RETENTION_FINISHED_CASE_YEARS", default: 5, range: 0...100),
            uploadHours: integer("CORRIDOR_RETENTION_UPLOAD_HOURS", default: 1, range: 1...168),
            signInAttemptDays: integer("CORRIDOR_RETENTION_SIGN_IN_DAYS", default: 90, range: 1...3_650),
            revokedTokenDays: integer("CORRIDOR_RETENTION_REVOKED_TOKEN_DAYS", default: 365, range: 1...3_650),
            everyHours: integer("CORRIDOR_RETENTION_EVERY_HOURS", default: 24, range: 0...8_760),
            contactMessageDays: integer("CORRIDOR_RETENTION_CONTACT_DAYS", default: 180, range: 1...3_650))
        configuration.fieldPullEveryMinutes = integer("CORRIDOR_FIELD_PULL_EVERY_MINUTES", default: 60, range: 0...10_080)
        configuration.attachmentMaxMegabytes = integer("CORRIDOR_ATTACHMENT_MAX_MB", default: 10, range: 1...AttachmentRules.largestLimitMegabytes)
        if let raw = value("CORRIDOR_METRICS_TOKEN") {
            if raw.count >= 24 { configuration.metricsToken = raw } else {
                problems.append(.init(setting: "CORRIDOR_METRICS_TOKEN", message: "must be at least 24 characters (e.g. openssl rand -hex 24)"))
            }
        }
        if let raw = value("CORRIDOR_LOG_FORMAT") {
            if let format = LogFormat(rawValue: raw.lowercased()) { configuration.logFormat = format } else {
                problems.append(.init(setting: "CORRIDOR_LOG_FORMAT", message: "must be text or json, got '\(raw)'"))
            }
        }

        if let raw = value("CORRIDOR_TRUSTED_PROXIES") {
            for entry in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                if ClientAddress.isIPAddress(entry) {
                    configuration.trustedProxies.insert(entry)
                } else {
                    problems.append(.init(setting: "CORRIDOR_TRUSTED_PROXIES", message: "must list IP addresses separated by commas, got '\(entry)'"))
                }
            }
        }

        if let raw = value("CORRIDOR_SECRET_KEY") {
            if let data = Data(base64Encoded: raw), data.count >= 32 {
                configuration.secretKey = raw
            } else {
                problems.append(.init(setting: "CORRIDOR_SECRET_KEY", message: "must be at least 32 random bytes, base64-encoded (e.g. openssl rand -base64 32)"))
            }
        }

        if let raw = value("DATABASE_URL") {
            if let url = URL(string: raw), let scheme = url.scheme?.lowercased(),
               scheme == "postgres" || scheme == "postgresql", url.host != nil, !(url.host ?? "").isEmpty {
                configuration.databaseURL = url
            } else {
                problems.append(.init(setting: "DATABASE_URL", message: "must be a postgres://user:password@host:port/database URL"))
            }
        }

        if let raw = value("CORRIDOR_PUBLIC_URL") {
            if let url = URL(string: raw), let scheme = url.scheme?.lowercased(),
               scheme == "http" || scheme == "https", url.host != nil {
                configuration.publicURL = url
            } else {
                problems.append(.init(setting: "CORRIDOR_PUBLIC_URL", message: "must be an http:// or https:// address, got '\(raw)'"))
            }
        } else {
            configuration.publicURL = URL(string: "http://\(configuration.host):\(configuration.port)") ?? configuration.publicURL
        }

        if let raw = value("CORRIDOR_LOG_LEVEL") {
            if let level = LogLevel(rawValue: raw.lowercased()) {
                configuration.logLevel = level
            } else {
                let allowed = LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append(.init(setting: "CORRIDOR_LOG_LEVEL", message: "must be one of \(allowed), got '\(raw)'"))
            }
        }

        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return configuration
    }
}

/// One or more settings are missing or malformed.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Problem: Sendable, Equatable {
        public var setting: String
        public var message: String
    }

    public var problems: [Problem]

    public var settings: [String] { problems.map(\.setting) }

    public var description: String {
        "invalid configuration: " + problems.map { "\($0.setting) \($0.message)" }.joined(separator: "; ")
    }
}
