import CorridorCore
import Fluent
import Foundation
import Vapor

/// What the whole application shares: settings, catalogues, the clock, the file store. Each
/// feature keeps its own state (throttling, shipped questionnaires, caches) under a storage key
/// of its own, beside its code.
struct CorridorServices: Sendable {
    var configuration: CorridorConfiguration
    var catalogues: [Language: Catalogue]
    var timeSource: any TimeSource
    /// Corridor's own files (uploads waiting for confirmation), under the data directory.
    var files: any FileStore
    /// The audit trail's anchor outside the database (keys from the secret, checkpoint file).
    var auditAnchor: AuditAnchor
    /// The files attached to cases, under the data directory's `attachments/` folder.
    var attachmentFiles: any FileStore
    /// The one secret kept outside the database, from which every key is derived.
    var secret: CorridorSecret

    func catalogue(_ language: Language) -> Catalogue {
        catalogues[language] ?? Catalogue(language: language, strings: [:])
    }

    /// Uploads waiting for their confirmation page.
    var uploads: UploadStore { UploadStore(files: files, clock: timeSource, lifetime: configuration.retention.uploadLifetime) }
}

extension Application {
    private struct ServicesKey: StorageKey { typealias Value = CorridorServices }

    var corridor: CorridorServices {
        get {
            guard let services = storage[ServicesKey.self] else {
                fatalError("configure(_:) must run before Corridor services are used")
            }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }

    /// The context of work done outside a request (a command, a job, a test), by `actor`; without
    /// a user it acts with an administrator's rights, as the command line does.
    func serviceContext(actor: AuditActor, user: CurrentUser? = nil) -> ServiceContext {
        var actor = actor
        actor.anchor = corridor.auditAnchor
        return ServiceContext(database: db, actor: actor, user: user, principal: user?.principal ?? Principal(role: .admin),
                       clock: corridor.timeSource, uploads: corridor.uploads, attachments: corridor.attachmentFiles,
                       passwords: password.async(on: threadPool, hopTo: eventLoopGroup.any()))
    }
}

extension Request {
    var corridor: CorridorServices { application.corridor }
    var now: Date { application.corridor.timeSource.now() }

    /// The caller's address for throttling and the audit trail: the peer's, or what a trusted
    /// reverse proxy says in `X-Forwarded-For`.
    var clientAddress: String {
        ClientAddress.resolve(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor],
                              trusted: corridor.configuration.trustedProxies)
    }

    /// The context of this request's work: its database, its user, the clock.
    var serviceContext: ServiceContext {
        ServiceContext(database: db, actor: auditActor, user: currentUser, principal: currentUser?.principal,
                       clock: corridor.timeSource, uploads: corridor.uploads, attachments: corridor.attachmentFiles, passwords: password.async)
    }
}

/// What a service needs, whoever calls it — a page, the API, a command, a scheduled job or a
/// test: the database, who acts, the clock and the file store. Services take this, never a
/// `Request`, so that the same write runs with or without HTTP.
struct ServiceContext: Sendable {
    var database: any Database
    /// Who to name in the audit trail.
    var actor: AuditActor
    /// The signed-in user, when there is one (commands act as `actor` alone).
    var user: CurrentUser?
    /// What the policy sees: the user's role, an administrator for a command, nil for an
    /// anonymous request.
    var principal: Principal?
    var clock: any TimeSource
    var uploads: UploadStore
    /// The files attached to cases.
    var attachments: any FileStore
    var passwords: AsyncPasswordHasher

    var now: Date { clock.now() }
}
