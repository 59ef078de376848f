import CorridorCore
import Fluent
import Foundation
import Vapor

/// A command that stops with a one-line reason and a non-zero exit status.
/// The exit status a failed command asks for.
public protocol CommandExitStatus: Error {
    var exitCode: Int32 { get }
}

/// A command that stops with one line on the error stream. Exit 2 unless said otherwise:
/// something failed before any work was done (options, configuration, database, a file).
struct CommandFailure: CommandExitStatus, CustomStringConvertible {
    var description: String
    var exitCode: Int32
    init(_ description: String, exitCode: Int32 = 2) {
        self.description = description
        self.exitCode = exitCode
    }
}

enum CorridorCommands {
    static func register(on app: Application) {
        app.asyncCommands.use(ServeWithSetupCommand(), as: "serve", isDefault: true)
        app.asyncCommands.use(MigrateCommandGroup(), as: "migrate")
        app.asyncCommands.use(UserCommandGroup(), as: "user")
        app.asyncCommands.use(AuditCommandGroup(), as: "audit")
        app.asyncCommands.use(SecretCommandGroup(), as: "secret")
        app.asyncCommands.use(BackupCommand(), as: "backup")
        app.asyncCommands.use(RestoreCommand(), as: "restore")
        app.asyncCommands.use(RetentionCommandGroup(), as: "retention")
        app.asyncCommands.use(ImportCommandGroup(), as: "import")
        app.asyncCommands.use(DemoCommand(), as: "demo")
        app.asyncCommands.use(FigureCommand(), as: "figures")
        app.asyncCommands.use(SummaryCommandGroup(), as: "summary")
        app.asyncCommands.use(GenerateCommand(), as: "generate")
        app.asyncCommands.use(QuestionnaireCommandGroup(), as: "questionnaire")
        app.asyncCommands.use(MatchCommandGroup(), as: "match")
    }
}

/// `corridor serve`: migrates, creates the first administrator if there is no user, then serves.
struct ServeWithSetupCommand: AsyncCommand {
    typealias Signature = ServeCommand.Signature

    var help: String { "Migrates the database, creates the first administrator when there is none, and serves Corridor over HTTP." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard try ServerLock.acquire(dataDirectory: app.corridor.configuration.dataDirectory) else {
            throw CommandFailure("another corridor serve is running on \(app.corridor.configuration.dataDirectory)")
        }
        try await app.autoMigrate()
        let service = AccountService(app.serviceContext(actor: .commandLine("serve")))
        if let admin = try await service.bootstrapAdministrator() {
            context.console.print("""

            ────────────────────────────────────────────────────────────
             Corridor has no user yet: an administrator was created.
               login:              \(admin.email)
               one-time password:  \(admin.password)
             This password is shown once and must be changed at first sign-in.
            ────────────────────────────────────────────────────────────

            """)
        }
        try await app.servers.asyncCommand.run(using: context, signature: signature)
    }
}

/// `corridor migrate [revert|status]`
struct MigrateCommandGroup: AsyncCommandGroup {
    var help: String { "Applies pending migrations (default), reverts the last batch, or shows the status of each migration." }
    var commands: [String: any AnyAsyncCommand] { ["apply": Apply(), "revert": Revert(), "status": Status()] }
    var defaultCommand: (any AnyAsyncCommand)? { Apply() }

    struct Apply: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Applies every pending migration." }
        func run(using context: CommandContext, signature: Signature) async throws {
            try await context.application.migrator.setupIfNeeded().get()
            let pending = try await context.application.migrator.previewPrepareBatch().get()
            try await context.application.autoMigrate()
            context.console.print("applied \(pending.count) migration(s)")
        }
    }

    struct Revert: AsyncCommand {
        struct Signature: CommandSignature {
            @Flag(name: "all", help: "Revert every batch, not only the last one.")
            var all: Bool
        }
        var help: String { "Reverts the last batch of migrations (or all with --all)." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let migrator = context.application.migrator
            try await migrator.setupIfNeeded().get()
            let last = try await migrator.previewRevertLastBatch().get()
            if signature.all { try await context.application.autoRevert() } else { try await migrator.revertLastBatch().get() }
            context.console.print(signature.all ? "reverted every migration" : "reverted \(last.count) migration(s)")
        }
    }

    struct Status: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Lists every migration as applied or pending." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.migrator.setupIfNeeded().get()
            let pending = Set(try await app.migrator.previewPrepareBatch().get().map { $0.0.name })
            for migration in Migrations.all {
                context.console.print("\(pending.contains(migration.name) ? "pending" : "applied")  \(migration.name)")
            }
            context.console.print("\(Migrations.all.count - pending.count) applied, \(pending.count) pending")
        }
    }
}

/// `corridor user create|list|disable|reset-password|token`
struct UserCommandGroup: AsyncCommandGroup {
    var help: String { "Manages user accounts from the command line." }
    var commands: [String: any AnyAsyncCommand] {
        ["create": Create(), "list": List(), "disable": Disable(), "reset-password": ResetPassword(), "token": Token()]
    }

    struct Create: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "email", help: "E-mail address, used to sign in.") var email: String?
            @Option(name: "name", help: "Full name.") var name: String?
            @Option(name: "role", help: "One of: admin, caseworker, protection, me_officer, focal_point, communications.") var role: String?
            @Option(name: "institution", help: "Acronym of the user's institution (required for a focal point).") var institution: String?
            @Option(name: "language", help: "Preferred language: fr or en.") var language: String?
            @Option(name: "offices", help: "The offices whose cases a case worker or protection officer works on: country codes separated by commas (CIV,TUN), or * for every office. Without it, none.")
            var offices: String?
            @Flag(name: "service", help: "An account for scripts: no password anyone knows, API tokens only (create one with `user token`).") var service: Bool
        }
        var help: String { "Creates a user and prints a one-time password that must be changed at first sign-in (or, with --service, an account for scripts)." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            guard let email = signature.email else { throw CommandFailure("--email is required") }
            guard let name = signature.name else { throw CommandFailure("--name is required") }
            guard let role = signature.role else { throw CommandFailure("--role is required") }
            var institutionID: UUID?
            if let acronym = signature.institution {
                guard let institution = try await AccountQueries(database: app.db).institution(acronym: acronym) else {
                    throw CommandFailure("no institution has the acronym \(acronym)")
                }
                institutionID = institution.id
            }
            if let language = signature.language, Language(rawValue: language) == nil {
                throw CommandFailure("--language must be fr or en")
            }
            do {
                let created = try await AccountService(app.serviceContext(actor: .commandLine("user create")))
                    .createUser(UserDraft(email: email, name: name, role: role, institutionID: institutionID, preferredLanguage: signature.language,
                                          offices: signature.offices), service: signature.service)
                context.console.print("created \(created.user.email) (\(created.user.role))")
                if let limited = Role(rawValue: created.user.role), OfficeScope.limits(limited) {
                    let scope = OfficeScope(stored: created.user.offices)
                    context.console.print(scope == .none ? "offices: none yet — this account reaches no case until it is given offices (--offices, or the administration page)"
                                                         : "offices: \(scope.display)")
                }
                if signature.service {
                    context.console.print("service account: it cannot sign in with a password; give it a token with `corridor user token \(created.user.email)`")
                } else {
                    context.console.print("one-time password: \(created.oneTimePassword)")
                }
            } catch let error as AccountError {
                throw CommandFailure(error.englishDescription)
            }
        }
    }

    struct List: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Lists every user with role, institution and status." }
        func run(using context: CommandContext, signature: Signature) async throws {
            try await context.application.autoMigrate()
            for user in try await AccountQueries(database: context.application.db).users() {
                let status = user.isActive ? (user.mustChangePassword ? "password-pending" : "active") : "disabled"
                context.console.print("\(user.email)\t\(user.role)\t\(user.institutionAcronym ?? "-")\t\(status)\t\(user.name)")
            }
        }
    }

    struct Disable: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "email", help: "E-mail address of the user.") var email: String
        }
        var help: String { "Disables a user: ends their sessions and revokes their API tokens." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let user = try await UserCommandGroup.find(signature.email, app)
            try await AccountService(app.serviceContext(actor: .commandLine("user disable"))).setUserActive(id: user.id, active: false, actingUserID: nil)
            context.console.print("disabled \(user.email)")
        }
    }

    struct ResetPassword: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "email", help: "E-mail address of the user.") var email: String
        }
        var help: String { "Gives a user a new one-time password, unlocks the account and ends its sessions." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let user = try await UserCommandGroup.find(signature.email, app)
            let password = try await AccountService(app.serviceContext(actor: .commandLine("user reset-password"))).resetPassword(id: user.id)
            context.console.print("one-time password for \(user.email): \(password)")
        }
    }

    struct Token: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "email", help: "E-mail address of the user.") var email: String
            @Option(name: "name", help: "What the token is for (default: command line).") var name: String?
        }
        var help: String { "Creates a personal API token for a user and prints it once." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let user = try await UserCommandGroup.find(signature.email, app)
            guard user.isActive else { throw CommandFailure("\(user.email) is disabled") }
            let created = try await TokenService(app.serviceContext(actor: .commandLine("user token")))
                .create(userID: user.id, name: signature.name ?? "command line")
            context.console.print(created.secret)
            if user.mustChangePassword {
                // Printed on the error stream, so that `TOKEN=$(corridor user token …)` keeps the token alone.
                context.console.error("note: \(user.email) has not replaced its one-time password yet, and the API refuses its tokens until it has (password_change_required); for an account used only by scripts, create it with `corridor user create --service`")
            }
        }
    }

    static func find(_ email: String, _ app: Application) async throws -> AccountQueries.UserRow {
        guard let user = try await AccountQueries(database: app.db).user(email: email) else {
            throw CommandFailure("no user has the e-mail address \(email)")
        }
        return user
    }
}

/// `corridor backup --out FILE [--encrypt]`
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "The backup file to write.") var out: String?
        @Flag(name: "encrypt", help: "Seal the copy (AES-GCM) with a key derived from the secret key: it then restores only where that secret is installed.") var encrypt: Bool
    }
    var help: String { "Writes a consistent copy of the database while the server runs, with a manifest (time, migrations, row counts, checksum) and a checkpoint of its audit trail." }
    func run(using context: CommandContext, signature: Signature) async throws {
        guard let out = signature.out, !out.isEmpty else { throw CommandFailure("give the backup file with --out FILE") }
        let app = context.application
        try await app.autoMigrate()
        do {
            let manifest = try await BackupService(app: app).backup(to: URL(fileURLWithPath: out), encrypt: signature.encrypt, actor: .commandLine("backup"))
            let rows = manifest.rowCounts.values.reduce(0, +)
            context.console.print("backup written to \(out): \(manifest.database), \(manifest.rowCounts.count) tables, \(rows) rows, \(manifest.attachments?.count ?? 0) attachments, \(manifest.payloadBytes) bytes\(manifest.encrypted ? ", encrypted" : ""), sha256 \(manifest.payloadSHA256)")
        } catch let failure as BackupService.Failure {
            throw CommandFailure(failure.description)
        } catch let failure as BackupArchive.Failure {
            throw CommandFailure(failure.description)
        }
    }
}

/// `corridor restore FILE`
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A backup written by corridor backup.") var file: String
    }
    var help: String { "Restores a backup into an empty data directory or database (install its secret.key first when it was encrypted); refuses a newer schema; verifies the audit trail against the backup's checkpoint." }
    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard !ServerLock.isHeld(dataDirectory: app.corridor.configuration.dataDirectory) else {
            throw CommandFailure("corridor serve is running on this data directory: stop it before restoring")
        }
        do {
            let restored = try await BackupService(app: app).restore(from: URL(fileURLWithPath: signature.file), actor: .commandLine("restore"))
            let rows = restored.manifest.rowCounts.values.reduce(0, +)
            context.console.print("restored the backup of \(restored.manifest.createdAt): \(restored.manifest.rowCounts.count) tables, \(rows) rows, each table's count checked, \(restored.manifest.attachments?.count ?? 0) attachments checked; audit trail intact to entry \(restored.entriesVerified)")
            if let archived = restored.archivedCheckpoints { context.console.print("the earlier checkpoints were archived as \(archived)") }
        } catch let failure as BackupService.Failure {
            throw CommandFailure(failure.description)
        } catch let failure as BackupArchive.Failure {
            throw CommandFailure(failure.description)
        }
    }
}

/// `corridor secret rotate`
struct SecretCommandGroup: AsyncCommandGroup {
    var help: String { "Manages the one secret Corridor signs and encrypts with." }
    var commands: [String: any AnyAsyncCommand] { ["rotate": Rotate()] }

    struct Rotate: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "new-key", help: "The new secret (base64, 32 bytes or more); a random one when left out. Required when the secret comes from CORRIDOR_SECRET_KEY.")
            var newKey: String?
        }
        var help: String { "Replaces the secret key with the server stopped: verifies the audit trail under the old key, seals everything again under the new one, archives the old checkpoints and keeps the old key as secret.key.retired-<time>." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            guard !ServerLock.isHeld(dataDirectory: app.corridor.configuration.dataDirectory) else {
                throw CommandFailure("corridor serve is running on this data directory: stop it before rotating the secret key")
            }
            try await app.autoMigrate()
            if app.corridor.configuration.secretKey != nil, signature.newKey == nil {
                throw CommandFailure("the secret comes from CORRIDOR_SECRET_KEY: give the new one with --new-key (openssl rand -base64 32), then set CORRIDOR_SECRET_KEY to it before starting the server")
            }
            let outcome: SecretRotation.Outcome
            do {
                outcome = try await SecretRotation(app: app).rotate(newKey: signature.newKey, at: app.corridor.timeSource.now())
            } catch let failure as SecretRotation.Failure {
                throw CommandFailure(failure.description)
            }
            if outcome.resumed {
                context.console.print("an interrupted rotation was completed: \(outcome.entriesVerified) entries verified under the new key")
            } else {
                context.console.print("secret key rotated: audit trail verified (\(outcome.entriesVerified) entries) under the old key, \(outcome.authenticatorKeys) authenticator key(s) sealed again")
            }
            if let retired = outcome.retiredKeyFile { context.console.print("old key kept as \(retired): store it with the backups taken before now, away from the server, then delete it here") }
            if let archived = outcome.archivedCheckpoints { context.console.print("old checkpoints archived as \(archived)") }
            if outcome.newSecretForEnvironment != nil { context.console.print("set CORRIDOR_SECRET_KEY to the new key before starting the server") }
        }
    }
}

/// `corridor audit verify|seal`
struct AuditCommandGroup: AsyncCommandGroup {
    var help: String { "Checks the audit trail." }
    var commands: [String: any AnyAsyncCommand] { ["verify": Verify(), "seal": Seal()] }

    /// Seals the head of a trail written before the seal existed (once, after upgrading).
    struct Seal: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Seals the head of an intact audit trail that has no seal yet (a trail from before the seal), with the secret key." }
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            let anchor = app.corridor.auditAnchor
            let result = try await AuditVerification.verify(on: app.db, anchor: anchor)
            guard case .headNotSealed = result.failure, try await AuditHeadModel.find(1, on: app.db)?.mac.isEmpty == true else {
                if let failure = result.failure { throw CommandFailure("audit trail broken: \(failure.description); not sealed") }
                context.console.print("audit trail already sealed: \(result.count) entries verified")
                return
            }
            try await AuditLog.record(AuditEvent(action: .update, entityType: "audit_trail", changedFields: ["mac"], detail: "head sealed with the secret key"),
                                      app.serviceContext(actor: .commandLine("audit seal")))
            _ = await AuditCheckpointer.checkpoint(app, unless: -1)
            context.console.print("audit trail sealed: \(result.count + 1) entries")
        }
    }

    struct Verify: AsyncCommand {
        struct Signature: CommandSignature {}
        var help: String { "Recomputes the hash chain of the audit trail and names the first entry that was edited or deleted." }
        func run(using context: CommandContext, signature: Signature) async throws {
            try await context.application.autoMigrate()
            let result = try await AuditVerification.verify(on: context.application.db, anchor: context.application.corridor.auditAnchor)
            if let failure = result.failure {
                throw CommandFailure("audit trail broken: \(failure.description)")
            }
            // A verified head is a checkpoint worth keeping.
            _ = await AuditCheckpointer.checkpoint(context.application, unless: -1)
            context.console.print("audit trail intact: \(result.count) entries verified, head sealed, \(try context.application.corridor.auditAnchor.checkpoints().count) checkpoint(s) checked")
        }
    }
}
