import CorridorCore
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOSSL
import SQLKit
import Vapor

/// Where the data lives; normally derived from the configuration, overridden by tests.
public enum DatabaseTarget: Sendable {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(URL, schema: String?)

    static func from(_ configuration: CorridorConfiguration) -> DatabaseTarget {
        if let url = configuration.databaseURL { return .postgres(url, schema: nil) }
        return .sqliteFile(configuration.sqlitePath)
    }
}

/// Wires Corridor into `app`: database, migrations, services, middleware, routes, commands.
/// The one place where features are put together.
public func configure(
    _ app: Application,
    configuration: CorridorConfiguration,
    database: DatabaseTarget? = nil,
    passwordCost: Int = 12
) async throws {
    try await configure(app, configuration: configuration, database: database, passwordCost: passwordCost, timeSource: SystemTimeSource())
}

func configure(
    _ app: Application,
    configuration: CorridorConfiguration,
    database: DatabaseTarget?,
    passwordCost: Int,
    timeSource: any TimeSource
) async throws {
    app.http.server.configuration.hostname = configuration.host
    app.http.server.configuration.port = configuration.port
    // A connection that sends nothing for 30 seconds (a request left half-sent, an idle
    // keep-alive) is closed, so that idle sockets cannot pile up.
    app.http.server.configuration.idleTimeout = .seconds(30)
    app.passwords.use(.bcrypt(cost: passwordCost))

    try configureDatabase(app, target: database ?? .from(configuration), configuration: configuration)
    for migration in Migrations.all { app.migrations.add(migration) }

    let secret = try SecretKeyFile.load(configuration: configuration)
    app.corridor = CorridorServices(
        configuration: configuration,
        catalogues: try CatalogueLoader.loadAll(),
        timeSource: timeSource,
        files: FolderFileStore(folder: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("imports", isDirectory: true)),
        auditAnchor: AuditAnchor(seal: AuditSeal(secret: secret),
                                 checkpointFile: (configuration.dataDirectory as NSString).appendingPathComponent("audit-checkpoints.log")),
        attachmentFiles: FolderFileStore(folder: AttachmentService.folder(configuration)),
        secret: secret
    )
    // Tests write their checkpoints themselves, on databases that outlive no test.
    if app.environment != .testing {
        app.lifecycle.use(AuditCheckpointer())
        app.lifecycle.use(BackupScheduler())
        app.lifecycle.use(RetentionScheduler())
        app.lifecycle.use(FieldPullScheduler())
    }
    app.assets = try StaticAssets.load()
    app.sessionLookup = SessionLookup(user: SessionAuthenticator.user)
    app.signInDefences = SignInDefences(throttle: LoginThrottle())
    app.shippedProfiling = try ProfilingCatalog.loadShipped()
    await app.makeFieldHTTPClient()
    app.summaryCache = SummaryCache()
    // Tests write through services as well as pages: every request reads the version there.
    app.publicPageCache = PublicPageCache(versionReuse: app.environment == .testing ? .zero : .milliseconds(200))
    app.siteMenu = SiteMenuCache()

    Observability.bootstrap()
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(PublicCacheMiddleware())
    app.requestLimiter = RequestLimiter(total: configuration.maximumRequests, perAddress: configuration.maximumRequestsPerAddress)
    app.middleware.use(RequestLimitMiddleware(limiter: app.requestLimiter))
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(CorridorErrorMiddleware())
    app.middleware.use(MethodNotAllowedMiddleware())
    app.middleware.use(LanguageCookieMiddleware())
    app.routes.defaultMaxBodySize = "1mb"

    // A personal API token also opens the signed-in pages' downloads (exports for scripts);
    // forms still need the CSRF cookie a browser holds.
    let web = app.grouped(SessionAuthenticator(), BearerAuthenticator(), CSRFProtection(), SiteMenuMiddleware())
    let api = app.grouped("api", "v1").grouped(BearerAuthenticator())
    OperationsController().register(web: app)
    AccountsController().register(web: web, api: api)
    AdminUsersController().register(web: web, api: api)
    AdminInstitutionsController().register(web: web)
    AuditController().register(web: web)
    CaseTransferController().register(web: web)
    CasesController().register(web: web)
    AccessRequestController().register(web: web)
    DataProtectionController().register(web: web)
    AttachmentsController().register(web: web)
    CasesAPIController().register(api: api)
    DuplicatesController().register(web: web, api: api)
    LibraryController().register(web: web)
    CooperationController().register(web: web, api: api)
    ProfilingController().register(web: web, api: api)
    FieldSourcesController().register(web: web, api: api)
    FiguresController(limiter: PublicRateLimiter(limit: configuration.publicAPIRateLimit)).register(web: app, api: api)
    PortalController().register(web: web)
    ContactController(limiter: PublicRateLimiter(limit: ContactController.messagesPerHour, window: 3_600)).register(web: web)
    NewsController().register(web: web)
    OfficesController().register(web: web)
    // Last: a section's address is any first word Corridor's own pages do not take.
    SiteController().register(web: web)
    DashboardController().register(web: web)

    CorridorCommands.register(on: app)
}

/// Every migration, feature by feature: each feature's list is in the order it was added, and
/// no migration of one feature reads the tables of a feature listed after it.
enum Migrations {
    static let all: [any Migration] = AccountMigrations.all + AuditMigrations.all + CaseMigrations.all
        + CooperationMigrations.all + ProfilingMigrations.all + NewsMigrations.all + DataProtectionMigrations.all + PortalMigrations.all + PeopleMigrations.all + LibraryMigrations.all
        + OfficeMigrations.all + WebsiteMigrations.all
}

private func configureDatabase(_ app: Application, target: DatabaseTarget, configuration: CorridorConfiguration) throws {
    // SQLite has one connection: a burst of writes (or a write behind a long import) queues for
    // it, and ten seconds, the driver's default, is too short a queue on a busy machine.
    let poolTimeout: TimeAmount = .seconds(60)
    switch target {
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: poolTimeout), as: .sqlite)
        app.lifecycle.use(SQLiteWriteAheadLog())
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, connectionPoolTimeout: poolTimeout), as: .sqlite)
    case .postgres(let url, let schema):
        var sql = try SQLPostgresConfiguration(url: url)
        if let schema { sql.searchPath = [schema] }
        app.databases.use(.postgres(configuration: sql, maxConnectionsPerEventLoop: 4, connectionPoolTimeout: poolTimeout), as: .psql)
    }
}

/// Puts the SQLite file in write-ahead-log mode (a property of the file, kept across runs).
private struct SQLiteWriteAheadLog: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        guard let sql = application.db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
}
