import CorridorCore
import Foundation
import NIOConcurrencyHelpers
import Crypto
import Vapor

/// Security headers on every response, errors included.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "font-src 'self'", "connect-src 'self'", "form-action 'self'", "base-uri 'none'",
        "object-src 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers: [(String, String)] = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if request.corridor.configuration.usesSecureCookies {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        response.headers.replaceOrAdd(name: "X-Request-ID", value: request.id)
        if request.url.path.hasPrefix("/api/v1") {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        // The public figures and their downloads may be read by any site's scripts (a
        // newsroom's chart, a ministry's page): no credentials are involved.
        if request.url.path.hasPrefix("/api/v1/public/") || request.url.path.hasPrefix("/data/") {
            response.headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: "*")
        }
        return response
    }
}

/// One log line per request with its status and duration; the request id is in the metadata.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        request.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.url.path)",
            "status": "\(response.status.code)",
            "ms": "\(String(format: "%.1f", milliseconds))",
        ])
        return response
    }
}

/// How a session cookie's secret becomes the signed-in user. Accounts provides it (sessions are
/// its business); the error page needs it for errors raised before any route.
struct SessionLookup: Sendable {
    var user: @Sendable (_ secret: String, _ request: Request) async throws -> CurrentUser?
}

extension Application {
    private struct SessionLookupKey: StorageKey { typealias Value = SessionLookup }

    var sessionLookup: SessionLookup {
        get { configured(SessionLookupKey.self) }
        set { storage[SessionLookupKey.self] = newValue }
    }
}

/// Turns every error into a localised page (or a JSON error under `/api`), never showing
/// a stack trace or SQL; server errors are logged with the request id.
struct CorridorErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            // Errors raised before the route (a missing page) know nobody yet: find the
            // session so the page keeps the signed-in navigation.
            if request.currentUser == nil, !request.isAPI, let secret = request.cookies[CookieNames.session]?.string, !secret.isEmpty {
                request.currentUser = try? await request.application.sessionLookup.user(secret, request)
            }
            return render(error, for: request)
        }
    }

    func render(_ error: any Error, for request: Request) -> Response {
        let status: HTTPResponseStatus
        var messageKey: String?
        var headers = HTTPHeaders()
        if let abort = error as? any AbortError {
            status = abort.status
            headers = abort.headers
            // Only catalogue keys are shown; anything else falls back to the status message.
            if abort.reason.hasPrefix("error.") { messageKey = abort.reason }
        } else if error is DecodingError {
            status = .badRequest
        } else {
            status = .internalServerError
        }
        if status.code >= 500 {
            request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        let catalogue = request.catalogue
        let code = Self.code(for: status)
        let message = catalogue.text(messageKey ?? "error.\(code)")
        if request.isAPI || request.headers.bearerAuthorization != nil || request.headers.accept.first?.mediaType == .json {
            let body = APIProblem(code: messageKey.map { String($0.dropFirst(6)) } ?? code, message: message)
            let response = Response(status: status, headers: headers)
            try? response.content.encode(body, as: .json)
            return response
        }
        let context = request.pageContext()
        let page = ErrorPage.render(status: status, code: code, message: message, context: context)
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: "<!doctype html>\n" + page.raw))
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 409: return "conflict"
        case 413: return "payload_too_large"
        case 422: return "unprocessable"
        case 429: return "too_many_requests"
        case 503: return "service_unavailable"
        case 500..<600: return "server_error"
        default: return status.code < 500 ? "bad_request" : "server_error"
        }
    }
}

enum ErrorPage {
    static func render(status: HTTPResponseStatus, code: String, message: String, context: PageContext) -> HTML {
        Layout.page(context.t("error.title.\(code)"), context, """
        <section class="error-page">
          <p class="status">\(Int(status.code))</p>
          <h1>\(context.t("error.title.\(code)"))</h1>
          <p>\(message)</p>
          <p><a href="/">\(context.t("error.back_home"))</a></p>
        </section>
        """)
    }
}

/// A method the address does not take answers 405 with `Allow` (TRACE and anything unknown
/// included), not 404: the router's "no route" is told apart from a handler's "no record" by
/// matching the address against the routes of the other methods.
struct MethodNotAllowedMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let abort as any AbortError where abort.status == .notFound {
            let segments = request.url.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            // The website's pages answer any first word (`/:section`): not a sign that the address exists.
            let matching = request.application.routes.all.filter { route in
                Self.matches(route.path, segments) && (route.path.isEmpty || !route.path.allSatisfy { if case .parameter = $0 { true } else { false } })
            }
            let methods = Set(matching.map(\.method.rawValue))
            guard !methods.isEmpty, !methods.contains(request.method.rawValue),
                  !(request.method == .HEAD && methods.contains("GET")) else { throw abort }
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .allow, value: methods.sorted().joined(separator: ", "))
            throw Abort(.methodNotAllowed, headers: headers)
        }
    }

    static func matches(_ path: [PathComponent], _ segments: [String]) -> Bool {
        for (index, component) in path.enumerated() {
            switch component {
            case .catchall: return segments.count > index
            case .constant(let text): guard index < segments.count, segments[index] == text else { return false }
            case .parameter, .anything: guard index < segments.count else { return false }
            }
        }
        return path.count == segments.count
    }
}

/// Public pages and files, as an anonymous visitor gets them, are cacheable: `Cache-Control:
/// public`, an `ETag` of the body, and `304 Not Modified` when the browser or a proxy already
/// holds it. A response that sets a cookie, carries a form (its CSRF token is the visitor's own),
/// goes to someone signed in or says `no-store` is left as it is.
struct PublicCacheMiddleware: AsyncMiddleware {
    /// Pages show figures that move with every write: a minute, then revalidated by ETag.
    static let maxAge = 60

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // An anonymous visitor's public page is served as last rendered while nothing it shows
        // has changed (`PublicPageCache`), then revalidated by its ETag as below.
        let cacheKey = PublicPageCache.key(for: request)
        let pageCache = request.application.publicPageCache
        // A write forgets the version read last, before and after it is made.
        let writes = request.method != .GET && request.method != .HEAD
        if writes { pageCache.forgetVersion() }
        defer { if writes { pageCache.forgetVersion() } }
        var version: String?
        if let cacheKey, let current = try? await pageCache.currentVersion(request) {
            version = current
            if let hit = pageCache.page(cacheKey, version: current) {
                return Self.revalidated(Response(status: .ok, headers: hit.headers, body: .init(buffer: hit.body)), request)
            }
        }
        let response = try await next.respond(to: request)
        guard request.method == .GET || request.method == .HEAD, response.status == .ok,
              request.cookies[CookieNames.session] == nil, request.headers[.authorization].isEmpty,
              response.cookies.all.isEmpty, response.headers[.setCookie].isEmpty,
              !["/health", "/metrics"].contains(request.url.path), !request.url.path.hasPrefix("/api/"),
              let body = response.body.buffer else { return response }
        // Pages and downloads are `no-store` by default (most are someone's work); on a route open
        // to the public, for someone not signed in, that default gives way.
        guard request.route.flatMap(RouteAccess.action(of:)) == .viewPublic else { return response }
        var cache = response.headers.first(name: .cacheControl) ?? ""
        if cache == "no-store" { cache = "" }
        guard !cache.contains("no-store"), !cache.contains("private") else { return response }
        if CSRFProtection.carriesForm(response) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
            return response
        }
        let tag = "\"" + SHA256.hash(data: body.readableBytesView).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        response.headers.replaceOrAdd(name: .eTag, value: tag)
        if cache.isEmpty { response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=\(Self.maxAge)") } else { response.headers.replaceOrAdd(name: .cacheControl, value: cache) }
        // The language may come from the cookie or the browser's languages when the address
        // does not say it.
        response.headers.replaceOrAdd(name: .vary, value: "Accept-Language, Cookie")
        if let cacheKey, let version, request.method == .GET {
            pageCache.keep(cacheKey, version: version, headers: response.headers, body: body)
        }
        return Self.revalidated(response, request)
    }

    /// A 304 when the visitor holds the page's ETag already.
    static func revalidated(_ response: Response, _ request: Request) -> Response {
        guard let tag = response.headers.first(name: .eTag) else { return response }
        let asked = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if asked.contains(tag) || asked.contains("*") {
            let notModified = Response(status: .notModified, headers: response.headers)
            notModified.headers.remove(name: .contentType)
            notModified.headers.remove(name: .contentLength)
            return notModified
        }
        return response
    }
}

/// Public pages as last rendered for anonymous visitors, by language and address, kept while
/// what they show is unchanged: the return summary's version (moved by every write of a case,
/// whichever process makes it), the news (their count, versions and last change), the
/// library's published documents, and the day (figure
/// sentences say "this year"); and never longer than `maximumAge` seconds, for what no version
/// follows (the profiling share on the home page moves with interviews) — browsers and proxies
/// are told `max-age=60` already. A page that carries a form, sets a cookie, or is not open to
/// the public is never kept; a signed-in user is never served from here.
final class PublicPageCache: Sendable {
    struct Page: Sendable {
        var version: String
        var headers: HTTPHeaders
        var body: ByteBuffer
        var kept: ContinuousClock.Instant
    }

    static let maximumAge: Duration = .seconds(30)

    private let pages = NIOLockedValueBox<[String: Page]>([:])
    /// How long one reading of the version answers for the requests that follow (zero: each
    /// request reads it). A write through this process's own pages forgets it at once; another
    /// process's write shows after this long at most.
    let versionReuse: Duration
    private let lastVersion = NIOLockedValueBox<(version: String, read: ContinuousClock.Instant)?>(nil)

    init(versionReuse: Duration = .milliseconds(200)) {
        self.versionReuse = versionReuse
    }

    /// The version, read again when the last reading is older than `versionReuse`.
    func currentVersion(_ request: Request) async throws -> String {
        if versionReuse > .zero, let last = lastVersion.withLockedValue({ $0 }), ContinuousClock.now - last.read < versionReuse { return last.version }
        let version = try await Self.version(request)
        if versionReuse > .zero { lastVersion.withLockedValue { $0 = (version, .now) } }
        return version
    }

    func forgetVersion() { lastVersion.withLockedValue { $0 = nil } }
    /// Pages kept at most (addresses with a query string count each).
    static let capacity = 512

    /// The key of a request that may be served from here, or nil.
    static func key(for request: Request) -> String? {
        guard request.method == .GET || request.method == .HEAD, request.cookies[CookieNames.session] == nil,
              request.headers[.authorization].isEmpty, !request.url.path.hasPrefix("/api/"),
              !["/health", "/metrics"].contains(request.url.path) else { return nil }
        let address = request.url.string
        guard address.utf8.count <= 512 else { return nil }
        return request.language.rawValue + " " + address
    }

    /// What the public pages show, as one text: equal texts, equal pages.
    static func version(_ request: Request) async throws -> String {
        // Every change of an article moves its version; the count catches a deletion.
        // The library's published documents: their count moves on every publication, withdrawal or deletion.
        // The website's pages and the offices: every change moves a version or a date.
        struct Row: Decodable {
            var summary: Int?; var news: Int?; var edits: Int?; var changed: Date?; var library: Int?; var shelved: Date?
            var pages: Int?; var paged: Date?; var offices: Int?; var placed: Date?
        }
        let row = try await request.db.sqlDatabase.raw("""
            SELECT (SELECT version FROM summary_state WHERE id = 1) AS summary, (SELECT COUNT(*) FROM news_articles) AS news,
            (SELECT CAST(SUM(version) AS BIGINT) FROM news_articles) AS edits, (SELECT MAX(updated_at) FROM news_articles) AS changed,
            (SELECT COUNT(*) FROM library_documents WHERE status = 'published') AS library, (SELECT MAX(updated_at) FROM library_documents) AS shelved,
            (SELECT CAST(SUM(version) + COUNT(*) AS BIGINT) FROM site_pages) AS pages, (SELECT MAX(updated_at) FROM site_pages) AS paged,
            (SELECT CAST(SUM(version) + COUNT(*) AS BIGINT) FROM offices) AS offices, (SELECT MAX(updated_at) FROM offices) AS placed
            """).first(decoding: Row.self)
        return [row?.summary ?? 0, row?.news ?? 0, row?.edits ?? 0, row?.library ?? 0, row?.pages ?? 0, row?.offices ?? 0].map(String.init).joined(separator: "|")
            + [row?.changed, row?.shelved, row?.paged, row?.placed].map { "|\($0?.timeIntervalSince1970 ?? 0)" }.joined() + "|\(Day(request.now).iso)"
    }

    func page(_ key: String, version: String) -> Page? {
        pages.withLockedValue { pages in
            guard let page = pages[key], page.version == version, ContinuousClock.now - page.kept < Self.maximumAge else { return nil }
            return page
        }
    }

    /// Pages larger than this are not kept (a library's report, a year's workbook).
    static let largestPage = 1 << 20

    func keep(_ key: String, version: String, headers: HTTPHeaders, body: ByteBuffer) {
        guard body.readableBytes <= Self.largestPage else { return }
        pages.withLockedValue { pages in
            if pages.count >= Self.capacity { pages = pages.filter { $0.value.version == version } }
            if pages.count >= Self.capacity { pages.removeAll() }
            pages[key] = Page(version: version, headers: headers, body: body, kept: .now)
        }
    }
}

extension Application {
    private struct PublicPageCacheKey: StorageKey { typealias Value = PublicPageCache }

    /// The public pages as last rendered, one per application (made in `configure`).
    var publicPageCache: PublicPageCache {
        get { configured(PublicPageCacheKey.self) }
        set { storage[PublicPageCacheKey.self] = newValue }
    }
}
