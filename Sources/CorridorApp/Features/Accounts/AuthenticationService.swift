import CorridorCore
import Fluent
import Foundation
import Vapor

/// Signing in and out, with throttling and lock-out.
struct AuthenticationService: Sendable {
    enum Outcome: Sendable, Equatable {
        /// Signed in; the cookie secret of the new session.
        case signedIn(sessionSecret: String, userID: UUID, mustChangePassword: Bool)
        /// The password is right and the account signs in with a second factor: the cookie
        /// secret of a session that only reaches that step (`enrol` the first time).
        case secondFactorRequired(sessionSecret: String, step: PendingStep)
        /// A second-factor code that is not the account's (or was used already).
        case invalidCode
        case invalidCredentials
        case accountLocked
        case addressBlocked

        /// The outcome's name in the sign-in metrics (never the account).
        var metricName: String {
            switch self {
            case .signedIn: return "signed_in"
            case .secondFactorRequired: return "second_factor_required"
            case .invalidCode: return "wrong_code"
            case .invalidCredentials: return "wrong_credentials"
            case .accountLocked: return "locked"
            case .addressBlocked: return "address_blocked"
            }
        }
    }

    let context: ServiceContext
    let defences: SignInDefences
    /// How long a new session lasts.
    let sessionLifetime: TimeInterval

    /// The caller's address, for throttling and the audit trail.
    private var address: String { context.actor.address ?? "unknown" }

    /// Checks the credentials and, when they are right, opens a new session (a fresh
    /// secret: the session is rotated at every sign-in).
    /// The session the request came with (signed in, or waiting for its second factor) is
    /// `replacing`: it ends when the new one opens.
    func signIn(email rawEmail: String, password: String, replacing previous: UUID? = nil) async throws -> Outcome {
        let db = context.database
        let now = context.now
        let throttle = defences.throttle
        // Nothing longer than an e-mail address can be is stored, whatever was sent.
        let email = String(EmailAddress.normalized(rawEmail).prefix(254))
        let address = self.address
        let since = throttle.windowStart(now: now)

        guard try await waitForAddressTurn(since: since) else { return .addressBlocked }

        let user = try await UserModel.query(on: db).filter(\.$email == email).first()
        guard let user, user.isActive else {
            let passwords = context.passwords
            if let decoy = try? await defences.decoy.value(hashing: { try await passwords.hash(SecureToken.generate()) }) {
                _ = try? await passwords.verify(password, created: decoy)
            }
            try await recordFailure(email: email, address: address, at: now, reason: user == nil ? "unknown account" : "disabled account")
            return .invalidCredentials
        }
        if let lockedUntil = user.lockedUntil, lockedUntil > now {
            try await recordFailure(email: email, address: address, at: now, reason: "account locked")
            return .accountLocked
        }
        // An account's attempts are checked one at a time, each against the failures recorded
        // before it, so that simultaneous guesses cannot pass the limit together.
        let gate = defences.gate
        await gate.acquire(account: email)
        let outcome: Outcome?
        do {
            outcome = try await checkPassword(password, of: user, email: email, address: address, since: since, now: now, throttle: throttle)
        } catch {
            await gate.release(account: email)
            throw error
        }
        await gate.release(account: email)
        if let outcome { return outcome }

        let userID = try user.requireID()
        // An account with an authenticator asks for its code; one of a role that must have
        // one enrols first. Until then the session signs nobody in.
        let step: PendingStep? = user.totpEnabledAt != nil ? .verify
            : (Role(rawValue: user.role)?.requiresTwoFactor == true ? .enrol : nil)
        let secret = try await openSession(for: user, pending: step, replacing: previous)
        if let step { return .secondFactorRequired(sessionSecret: secret, step: step) }
        return .signedIn(sessionSecret: secret, userID: userID, mustChangePassword: user.mustChangePassword)
    }

    /// An address that failed too often is slowed: its attempts take turns, further apart with
    /// each failure; one whose turn is too far off is refused for now (false), unrecorded, so
    /// that it cannot keep writing to the database.
    private func waitForAddressTurn(since: Date) async throws -> Bool {
        let address = self.address
        let addressFailures = try await LoginAttemptModel.query(on: context.database)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$occurredAt > since).count()
        guard let wait = await defences.gate.wait(address: address, recordedFailures: addressFailures, throttle: defences.throttle) else {
            return false
        }
        if wait > .zero { try await Task.sleep(for: wait) }
        return true
    }

    /// How long a session waiting for its second factor lasts.
    static let pendingLifetime: TimeInterval = 600

    /// Opens a session of `user` in place of `previous`: a fresh secret, whose SHA-256 is stored.
    /// A complete sign-in is recorded (the attempt, the audit entry with `detail`) and lifts an
    /// expired lock; `alsoWrite` runs in the same transaction (a code marked used).
    func openSession(for user: UserModel, pending: PendingStep?, replacing previous: UUID?, detail: String = "",
                     alsoWrite: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> String {
        let secret = SecureToken.generate()
        let userID = try user.requireID()
        let now = context.now, address = self.address, email = user.email
        let lifetime = pending == nil ? sessionLifetime : Self.pendingLifetime
        let actor = AuditActor(id: userID.uuidString, label: user.email, address: address, anchor: context.actor.anchor)
        try await context.database.writeTransaction { db in
            if let previous { try await SessionModel.query(on: db).filter(\.$id == previous).delete() }
            // Sessions that expired are of no use to anyone.
            try await SessionModel.query(on: db).filter(\.$user.$id == userID).filter(\.$expiresAt < now).delete()
            let session = SessionModel()
            session.tokenHash = SecureToken.digest(secret)
            session.$user.id = userID
            session.createdAt = now
            session.expiresAt = now.addingTimeInterval(lifetime)
            session.address = address
            session.pendingStep = pending?.rawValue
            try await session.create(on: db)
            // Only a complete sign-in counts as a success: a right password alone must not
            // reset the failures a wrong second factor adds up.
            guard pending == nil else { return }
            try await alsoWrite?(db)
            let attempt = LoginAttemptModel()
            attempt.email = email
            attempt.address = address
            attempt.occurredAt = now
            attempt.succeeded = true
            try await attempt.create(on: db)
            if let fresh = try await UserModel.find(userID, on: db), fresh.lockedUntil != nil {
                fresh.lockedUntil = nil
                try await fresh.update(on: db)
            }
            try await AuditLog.append(AuditEvent(action: .login, entityType: "user", entityID: userID.uuidString, detail: detail),
                                      by: actor, at: now, on: db)
        }
        return secret
    }

    /// The second step of a sign-in: a code of the account's authenticator, or one of its
    /// recovery codes. Counted and throttled with the password attempts (five wrong answers,
    /// password or code, lock the account); a code is accepted once.
    func completeSecondFactor(_ pending: PendingSignIn, code: String, box: SecretBox) async throws -> Outcome {
        let db = context.database
        let now = context.now
        let throttle = defences.throttle
        let address = self.address
        let since = throttle.windowStart(now: now)
        guard try await waitForAddressTurn(since: since) else { return .addressBlocked }
        guard let user = try await UserModel.find(pending.userID, on: db), user.isActive, pending.step == .verify else {
            return .invalidCredentials
        }
        if let lockedUntil = user.lockedUntil, lockedUntil > now {
            try await SessionModel.query(on: db).filter(\.$id == pending.sessionID).delete()
            return .accountLocked
        }
        let email = user.email
        let gate = defences.gate
        await gate.acquire(account: email)
        do {
            let outcome = try await checkSecondFactor(code, of: user, pending: pending, box: box, address: address, since: since, now: now, throttle: throttle)
            await gate.release(account: email)
            return outcome
        } catch {
            await gate.release(account: email)
            throw error
        }
    }

    private func checkSecondFactor(_ code: String, of user: UserModel, pending: PendingSignIn, box: SecretBox, address: String, since: Date,
                                   now: Date, throttle: LoginThrottle) async throws -> Outcome {
        let db = context.database
        let email = user.email
        let recorded = try await failuresCounted(email: email, user: user, since: since)
        if throttle.shouldLockAccount(recentFailures: recorded) {
            try await recordFailure(email: email, address: address, at: now, reason: "account locked")
            try await SessionModel.query(on: db).filter(\.$id == pending.sessionID).delete()
            return .accountLocked
        }
        let userID = try user.requireID()
        // The code of the authenticator, if it is one; else perhaps a recovery code. Each is
        // marked used in the statement that opens the session, on the condition that it was not
        // used meanwhile: two requests with one code cannot both sign in.
        do {
            if user.totpEnabledAt != nil, let key = user.totpKey.flatMap(box.open),
               let step = TOTP(key: key).matchingStep(code, at: now, after: user.totpLastStep) {
                let secret = try await openSession(for: user, pending: nil, replacing: pending.sessionID, detail: "second factor: authenticator code") { db in
                    try await TwoFactorService.useStep(step, of: userID, on: db)
                }
                return .signedIn(sessionSecret: secret, userID: userID, mustChangePassword: user.mustChangePassword)
            }
            if user.totpEnabledAt != nil, let digest = RecoveryCodes.digest(code),
               let recovery = try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID)
                   .filter(\.$codeHash == digest).filter(\.$usedAt == nil).first() {
                let recoveryID = try recovery.requireID()
                let left = try await RecoveryCodeModel.query(on: db).filter(\.$user.$id == userID).filter(\.$usedAt == nil).count() - 1
                let secret = try await openSession(for: user, pending: nil, replacing: pending.sessionID,
                                                   detail: "second factor: recovery code (\(left) left)") { db in
                    try await TwoFactorService.useRecoveryCode(recoveryID, at: now, on: db)
                }
                return .signedIn(sessionSecret: secret, userID: userID, mustChangePassword: user.mustChangePassword)
            }
        } catch TwoFactorError.wrongCode {
            // Used by another request a moment ago: a wrong answer like any other.
        }
        try await recordFailure(email: email, address: address, at: now, reason: "wrong second-factor code", userID: userID)
        if try await lockIfAtLimit(user, failures: recorded + 1, now: now, throttle: throttle) {
            try await SessionModel.query(on: db).filter(\.$id == pending.sessionID).delete()
            return .accountLocked
        }
        return .invalidCode
    }

    /// The failures of an account that count towards its lock: since the window opened, the
    /// last complete sign-in and the end of the last lock.
    private func failuresCounted(email: String, user: UserModel, since: Date) async throws -> Int {
        let db = context.database
        let lastSuccess = try await LoginAttemptModel.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == true).filter(\.$occurredAt > since)
            .sort(\.$occurredAt, .descending).first()?.occurredAt
        let windowStart = max(since, lastSuccess ?? since, user.lockedUntil ?? since)
        return try await LoginAttemptModel.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == false).filter(\.$occurredAt > windowStart).count()
    }

    /// Locks the account when `failures` reached the limit; true when it is locked.
    private func lockIfAtLimit(_ user: UserModel, failures: Int, now: Date, throttle: LoginThrottle) async throws -> Bool {
        guard throttle.shouldLockAccount(recentFailures: failures) else { return false }
        let actor = context.actor
        try await context.database.writeTransaction { db in
            guard let fresh = try await UserModel.find(user.id, on: db), (fresh.lockedUntil ?? .distantPast) <= now else { return }
            fresh.lockedUntil = throttle.lockedUntil(now: now)
            try await fresh.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .accountLocked, entityType: "user", entityID: user.id?.uuidString,
                           changedFields: ["locked_until"], detail: "\(failures) failed attempts"),
                by: actor, at: now, on: db)
        }
        return true
    }

    /// Checks the password of an account whose turn it is; nil when it is right, else the
    /// refusal (the failure recorded, and the account locked at the limit).
    private func checkPassword(_ password: String, of user: UserModel, email: String, address: String, since: Date, now: Date,
                               throttle: LoginThrottle) async throws -> Outcome? {
        let recorded = try await failuresCounted(email: email, user: user, since: since)
        if throttle.shouldLockAccount(recentFailures: recorded) {
            try await recordFailure(email: email, address: address, at: now, reason: "account locked")
            return .accountLocked
        }
        if try await context.passwords.verify(password, created: user.passwordHash) { return nil }
        try await recordFailure(email: email, address: address, at: now, reason: "wrong password", userID: user.id)
        return try await lockIfAtLimit(user, failures: recorded + 1, now: now, throttle: throttle) ? .accountLocked : .invalidCredentials
    }

    /// Ends the current session.
    func signOut() async throws {
        guard let user = context.user, let sessionID = user.sessionID else { return }
        let actor = context.actor, now = context.now
        try await context.database.writeTransaction { db in
            try await SessionModel.query(on: db).filter(\.$id == sessionID).delete()
            try await AuditLog.append(AuditEvent(action: .logout, entityType: "user", entityID: user.id.uuidString),
                                      by: actor, at: now, on: db)
        }
    }

    private func recordFailure(email: String, address: String, at now: Date, reason: String, userID: UUID? = nil) async throws {
        let actor = AuditActor(id: nil, label: email.isEmpty ? "anonymous" : email, address: address, anchor: context.actor.anchor)
        try await context.database.writeTransaction { db in
            let attempt = LoginAttemptModel()
            attempt.email = email
            attempt.address = address
            attempt.occurredAt = now
            attempt.succeeded = false
            try await attempt.create(on: db)
            try await AuditLog.append(
                AuditEvent(action: .loginFailed, entityType: "user", entityID: userID?.uuidString, detail: reason),
                by: actor, at: now, on: db)
        }
    }
}
