import CorridorCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import CorridorApp

/// A fresh Corridor for one test: in-memory SQLite, or — when `DATABASE_URL` is set — a
/// schema of its own on that PostgreSQL server, dropped afterwards, so tests can run in parallel.
struct TestCorridor {
    let app: Application
    let clock: ManualTimeSource

    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    static func run(_ body: (TestCorridor) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        // One line per request would bury a failure among thousands: warnings and errors only.
        app.logger.logLevel = .warning
        let clock = ManualTimeSource(start)
        let environment = ProcessInfo.processInfo.environment
        let configuration = try CorridorConfiguration.parse(environment: environment.filter { $0.key == "DATABASE_URL" })
        var schema: String?
        let target: DatabaseTarget
        if let url = configuration.databaseURL {
            schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            target = .postgres(url, schema: schema)
        } else {
            target = .sqliteMemory
        }
        do {
            var settings = configuration
            settings.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-test-" + UUID().uuidString).path
            try await configure(app, configuration: settings, database: target, passwordCost: 4, timeSource: clock)
            if let schema, let sql = app.db as? any SQLDatabase {
                // Ninety suites create and drop schemas side by side: PostgreSQL can refuse one
                // catalog change under that load (a deadlock among DDL). The set-up starts again
                // on an empty schema, twice at most; a test's own errors are never retried.
                var attempt = 0
                while true {
                    do {
                        try await sql.raw("CREATE SCHEMA \(ident: schema)").run()
                        try await app.autoMigrate()
                        break
                    } catch where attempt < 2 {
                        attempt += 1
                        FileHandle.standardError.write(Data("test set-up on PostgreSQL retried: \(String(reflecting: error))\n".utf8))
                        try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
                        try await Task.sleep(for: .milliseconds(200 * attempt))
                    }
                }
            } else {
                try await app.autoMigrate()
            }
            try await body(TestCorridor(app: app, clock: clock))
        } catch {
            await Self.dropSchema(schema, app)
            try? await app.asyncShutdown()
            throw error
        }
        await Self.dropSchema(schema, app)
        try await app.asyncShutdown()
    }

    private static func dropSchema(_ schema: String?, _ app: Application) async {
        guard let schema, let sql = app.db as? any SQLDatabase else { return }
        try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }

    var isPostgres: Bool { (app.db as? any SQLDatabase)?.dialect.name == "postgresql" }

    /// A user who has already chosen their own password, ready to sign in.
    @discardableResult
    /// `offices`: every office unless a test says otherwise (the need-to-know tests do).
    func makeUser(_ role: Role, email: String? = nil, password: String = "a long test password", institution: UUID? = nil,
                  offices: String = "*") async throws -> UserModel {
        let service = AccountService(app.serviceContext(actor: .commandLine("test")))
        var institutionID = institution
        if role.requiresInstitution, institutionID == nil {
            institutionID = try await makeInstitution().requireID()
        }
        let created = try await service.createUser(UserDraft(
            email: email ?? "\(role.rawValue)-\(UUID().uuidString.prefix(6))@corridor.test",
            name: "Test \(role.rawValue)", role: role.rawValue, institutionID: institutionID, preferredLanguage: nil, offices: offices))
        let user = created.user
        user.passwordHash = try app.password.hash(password)
        user.mustChangePassword = false
        try await user.update(on: app.db)
        return user
    }

    func makeInstitution(_ acronym: String? = nil) async throws -> InstitutionModel {
        try await AccountService(app.serviceContext(actor: .commandLine("test"))).createInstitution(InstitutionDraft(
            name: "Ministère de test", acronym: acronym ?? "M\(UUID().uuidString.prefix(5))", country: "CIV", kind: "ministry"))
    }

    /// A browser session for `user`, opened without going through the sign-in form.
    func browser(signedInAs user: UserModel? = nil) async throws -> TestBrowser {
        let browser = TestBrowser(app: app)
        if let user {
            let secret = SecureToken.generate()
            let session = SessionModel()
            session.tokenHash = SecureToken.digest(secret)
            session.$user.id = try user.requireID()
            session.createdAt = clock.now()
            session.expiresAt = clock.now().addingTimeInterval(3600)
            try await session.create(on: app.db)
            browser.cookies[CookieNames.session] = secret
        }
        return browser
    }

    func apiToken(for user: UserModel) async throws -> String {
        try await TokenService(app.serviceContext(actor: .commandLine("test"))).create(userID: user.requireID(), name: "test").secret
    }
}

/// Sends requests like a browser: keeps cookies, and puts the CSRF token in every form.
final class TestBrowser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var headers: HTTPHeaders = [:]

    init(app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, body: nil, headers: extra)
    }

    /// Posts a form; the CSRF token is added unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ form: [String: String] = [:], csrf: Bool = true) async throws -> TestingHTTPResponse {
        if csrf, cookies[CookieNames.csrf] == nil { try await get("/login") }
        var fields = form
        if csrf { fields["_csrf"] = cookies[CookieNames.csrf] ?? "" }
        var components = URLComponents()
        components.queryItems = fields.map { URLQueryItem(name: $0.key, value: $0.value) }
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        var extra = HTTPHeaders()
        extra.contentType = .urlEncodedForm
        return try await send(.POST, path, body: ByteBuffer(string: encoded), headers: extra)
    }

    /// Posts a file as `multipart/form-data`, with the CSRF token.
    @discardableResult
    func upload(_ path: String, field: String, fileName: String, data: Data, fields: [String: String] = [:],
                contentType: String = "text/csv") async throws -> TestingHTTPResponse {
        if cookies[CookieNames.csrf] == nil { try await get("/login") }
        let boundary = "corridor-test-boundary"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(cookies[CookieNames.csrf] ?? "")\r\n".utf8))
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await send(.POST, path, body: ByteBuffer(data: body), headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"])
    }

    func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, headers extra: HTTPHeaders) async throws -> TestingHTTPResponse {
        var all = headers
        for (name, value) in extra { all.replaceOrAdd(name: name, value: value) }
        if !cookies.isEmpty {
            all.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let request = TestingHTTPRequest(method: method, url: URI(path: path), headers: all, body: body ?? ByteBuffer())
        let response = try await app.testing().performTest(request: request)
        if let set = response.headers.setCookie {
            for (name, value) in set.all {
                if value.string.isEmpty || value.maxAge == 0 { cookies[name] = nil } else { cookies[name] = value.string }
            }
        }
        return response
    }

    /// Signs in through the real form.
    @discardableResult
    func signIn(_ email: String, _ password: String = "a long test password") async throws -> TestingHTTPResponse {
        try await post("/login", ["email": email, "password": password])
    }
}

extension TestingHTTPResponse {
    var text: String { body.string }
    var location: String? { headers.first(name: .location) }
}

/// Sends an API request with a bearer token.
func apiRequest(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil) async throws -> TestingHTTPResponse {
    var headers = HTTPHeaders()
    if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
    if json != nil { headers.contentType = .json }
    let request = TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: ByteBuffer(string: json ?? ""))
    return try await app.testing().performTest(request: request)
}

extension TestBrowser {
    /// Enrols an authenticator from the enrolment page at `path` (the sign-in step by default),
    /// reading the key from the page as a person copies it into their app; returns the key, the
    /// recovery codes shown and the page.
    func enrolAuthenticator(at now: Date, path: String = "/login/two-factor/enrol") async throws -> (key: Data, codes: [String], page: TestingHTTPResponse) {
        let form = try await get(path)
        guard let encoded = form.text.firstMatch(of: /data-key="([A-Z2-7]+)"/)?.1, let key = Base32.decode(String(encoded)) else {
            throw Abort(.internalServerError, reason: "no key on \(path) (status \(form.status.code))")
        }
        let page = try await post(path, ["code": TOTP(key: key).code(at: now)])
        let codes = page.text.matches(of: /<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/).map { String($0.1) }
        return (key, codes, page)
    }
}
