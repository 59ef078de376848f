import CorridorCore
import Fluent
import Foundation
import Vapor

/// Where a session stands between the password and the second factor.
enum PendingStep: String, Sendable {
    /// The account has an authenticator: its code is asked.
    case verify
    /// The account's role needs a second factor and it has none yet: it enrols one.
    case enrol
}

/// A session whose password was right but whose second factor is still to come. It signs
/// nobody in: the request stays anonymous everywhere but on the second step's pages.
struct PendingSignIn: Sendable {
    var userID: UUID
    var sessionID: UUID
    var step: PendingStep
    var email: String
}

extension Request {
    private struct PendingSignInKey: StorageKey { typealias Value = PendingSignIn }

    var pendingSignIn: PendingSignIn? {
        get { storage[PendingSignInKey.self] }
        set { storage[PendingSignInKey.self] = newValue }
    }
}

extension CorridorServices {
    /// Seals authenticator keys with a key derived from the one secret (`totp-key`).
    var authenticatorKeys: SecretBox { SecretBox(secret: secret, purpose: "totp-key") }
}

enum TwoFactorError: Error, Equatable {
    case notFound
    /// Enrolment of an account whose authenticator is confirmed already.
    case alreadyEnrolled
    /// The code typed is not the authenticator's (or was used already).
    case wrongCode
    /// An administrator resets another administrator's second factor, never their own.
    case cannotResetSelf
    /// Turning it off is for the roles that may sign in without it.
    case requiredForRole

    var messageKey: String {
        switch self {
        case .notFound: return "error.not_found"
        case .alreadyEnrolled: return "two_factor.error.already_enrolled"
        case .wrongCode: return "two_factor.error.wrong_code"
        case .cannotResetSelf: return "two_factor.error.cannot_reset_self"
        case .requiredForRole: return "two_factor.error.required_for_role"
        }
    }
}

/// The account's authenticator and recovery codes: enrolment, renewal, reset. Every change is
/// audited (what changed, never a key or a code).
struct TwoFactorService: Sendable {
    let context: ServiceContext
    let box: SecretBox
    /// The name authenticator apps show beside the account.
    static let issuer = "Corridor"

    struct Status: Sendable {
        var enabledAt: Date?
        var recoveryCodesLeft: Int
        var required: Bool
    }

    func status(userID: UUID) async throws -> Status {
        guard let user = try await UserModel.find(userID, on: context.database) else { throw TwoFactorError.notFound }
        let left = try await RecoveryCodeModel.query(on: context.database).filter(\.$user.$id == userID).filter(\.$usedAt == nil).count()
        return Status(enabledAt: user.totpEnabledAt, recoveryCodesLeft: user.totpEnabledAt == nil ? 0 : left,
                      required: Role(rawValue: user.role)?.requiresTwoFactor ?? false)
    }

    /// The key to give the authenticator app. It belongs to the session that asked for it (a page
    /// shown again keeps the key already scanned), never to the account: someone who knows only
    /// the password and opens the enrolment page gets a key of their own, which the real person's
    /// session never sees nor confirms.
    func enrolmentKey(userID: UUID, sessionID: UUID) async throws -> (key: Data, account: String) {
        let db = context.database
        guard let user = try await UserModel.find(userID, on: db) else { throw TwoFactorError.notFound }
        guard user.totpEnabledAt == nil else { throw TwoFactorError.alreadyEnrolled }
        guard let session = try await SessionModel.find(sessionID, on: db), session.$user.id == userID else { throw TwoFactorError.notFound }
        if let sealed = session.enrolmentKey, let key = box.open(sealed) { return (key, user.email) }
        let key = TOTP.generateKey()
        session.enrolmentKey = try box.seal(key)
        try await session.update(on: db)
        return (key, user.email)
    }

    /// Confirms the key of this session's enrolment with a first code from the app: from now on
    /// every sign-in asks for a code. Returns the ten recovery codes, to show once.
    func confirmEnrolment(userID: UUID, sessionID: UUID, code: String) async throws -> [String] {
        let db = context.database
        let now = context.now
        guard let user = try await UserModel.find(userID, on: db) else { throw TwoFactorError.notFound }
        guard user.totpEnabledAt == nil else { throw TwoFactorError.alreadyEnrolled }
        guard let session = try await SessionModel.find(sessionID, on: db), session.$user.id == userID,
              let sealed = session.enrolmentKey, let key = box.open(sealed),
              let step = TOTP(key: key).matchingStep(code, at: now, after: nil) else {
            throw TwoFactorError.wrongCode
        }
        let codes = RecoveryCodes.generate()
        let actor = context.actor
        try await db.writeTransaction { db in
            guard let fresh = try await UserModel.find(userID, on: db), fresh.totpEnabledAt == nil else { throw TwoFactorError.alreadyEnrolled }
            fresh.totpKey = sealed
            fresh.totpEnabledAt = now
            fresh.totpLastStep = step
            fresh.version += 1
            try await fresh.update(on: db)
            // Other sessions waiting to enrol this account are of no use any more.
            try await SessionModel.query(on: db).filter(\.$user.$id == userID).filter(\.$enrolmentKey != nil).set(\.$enrolmentKey, to: nil).update()
            try await Self.replaceRecoveryCodes(of: userID, with: codes, at: now, on: db)
            try await AuditLog.append(
                AuditEvent(action: .twoFactorEnabled, entityType: "user", entityID: userID.uuidString,
                           changedFields: ["totp_key", "recovery_codes"]),
                by: actor, at: now, on: db)
        }
        return codes
    }

    /// Ten new recovery codes in place of the old ones, for a code of the authenticator.
    func renewRecoveryCodes(userID: UUID, code: String) async throws -> [String] {
        let db = context.database
        let now = context.now
        guard let user = try await UserModel.find(userID, on: db) else { throw TwoFactorError.notFound }
        guard user.totpEnabledAt != nil, let key = user.totpKey.flatMap(box.open),
              let step = TOTP(key: key).matchingStep(code, at: now, after: user.totpLastStep) else { throw TwoFactorError.wrongCode }
        let codes = RecoveryCodes.generate()
        let actor = context.actor
        try await db.writeTransaction { db in
            try await Self.useStep(step, of: userID, on: db)
            try await Self.replaceRecoveryCodes(of: userID, with: codes, at: now, on: db)
            try await AuditLog.append(
                AuditEvent(action: .recoveryCodesRenewed, entityType: "user", entityID: userID.uuidString, changedFields: ["recovery_codes"]),
                by: actor, at: now, on: db)
        }
        return codes
    }

    /// Turns the second factor off, for a role that may sign in without it, with a code.
    func disable(userID: UUID, code: String) async throws {
        let db = context.database
        let now = context.now
        guard let user = try await UserModel.find(userID, on: db) else { throw TwoFactorError.notFound }
        guard !(Role(rawValue: user.role)?.requiresTwoFactor ?? true) else { throw TwoFactorError.requiredForRole }
        guard user.totpEnabledAt != nil, let key = user.totpKey.flatMap(box.open),
              TOTP(key: key).matchingStep(code, at: now, after: user.totpLastStep) != nil else { throw TwoFactorError.wrongCode }
        try await clear(userID: userID, detail: "turned off by the account's owner", endSessions: false)
    }

    /// An administrator's reset of another account's second factor (a lost phone): the key and
    /// the recovery codes are deleted and the account's sessions end; it enrols again at its
    /// next sign-in if its role needs one.
    func reset(userID: UUID, actingUserID: UUID?) async throws {
        if userID == actingUserID { throw TwoFactorError.cannotResetSelf }
        guard try await UserModel.find(userID, on: context.database) != nil else { throw TwoFactorError.notFound }
        try await clear(userID: userID, detail: "reset by an administrator", endSessions: true)
    }

    private func clear(userID: UUID, detail: String, endSessions: Bool) async throws {
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw TwoFactorError.notFound }
            user.totpKey = nil
            user.totpEnabledAt = nil
            user.totpLastStep = nil
            user.version += 1
            try await user.update(on: db)
            try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID).delete()
            if endSessions { try await SessionModel.query(on: db).filter(\.$user.$id == userID).delete() }
            try await AuditLog.append(
                AuditEvent(action: .twoFactorReset, entityType: "user", entityID: userID.uuidString,
                           changedFields: ["totp_key", "recovery_codes"], detail: detail),
                by: actor, at: now, on: db)
        }
    }

    /// Records that the code of `step` was used, unless a code of that step or a later one was
    /// used meanwhile (two requests with the same code at once): then the code is refused. The
    /// condition is in the statement, so that it holds across processes and connections.
    static func useStep(_ step: Int64, of userID: UUID, on db: any Database) async throws {
        let sql = try db.sqlDatabase
        let updated = try await sql.raw("""
            UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: userID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
            """).all()
        guard updated.count == 1 else { throw TwoFactorError.wrongCode }
    }

    /// Marks a recovery code used, unless it was used meanwhile.
    static func useRecoveryCode(_ id: UUID, at now: Date, on db: any Database) async throws {
        let sql = try db.sqlDatabase
        let updated = try await sql.raw("""
            UPDATE recovery_codes SET used_at = \(bind: now) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id
            """).all()
        guard updated.count == 1 else { throw TwoFactorError.wrongCode }
    }

    private static func replaceRecoveryCodes(of userID: UUID, with codes: [String], at now: Date, on db: any Database) async throws {
        try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID).delete()
        for code in codes {
            guard let digest = RecoveryCodes.digest(code) else { continue }
            let row = RecoveryCodeModel()
            row.$user.id = userID
            row.codeHash = digest
            row.createdAt = now
            try await row.create(on: db)
        }
    }
}
