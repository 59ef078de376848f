import CorridorCore
import Fluent
import Foundation
import Vapor

/// Signing in and out, with throttling and lock-out.
struct AuthenticationService: Sendable {
    enum Outcome: Sendable, Equatable {
        /// Signed in; the cookie secret of the new session.
        case signedIn(sessionSecret: String, userID: UUID, mustChangePassword: Bool)
        case invalidCredentials
        case accountLocked
        case addressBlocked
    }

    let context: ServiceContext
    let defences: SignInDefences
    /// How long a new session lasts.
    let sessionLifetime: TimeInterval

    /// The caller's address, for throttling and the audit trail.
    private var address: String { context.actor.address ?? "unknown" }

    /// Checks the credentials and, when they are right, opens a new session (a fresh
    /// secret: the session is rotated at every sign-in).
    func signIn(email rawEmail: String, password: String) async throws -> Outcome {
        let db = context.database
        let now = context.now
        let throttle = defences.throttle
        // Nothing longer than an e-mail address can be is stored, whatever was sent.
        let email = String(EmailAddress.normalized(rawEmail).prefix(254))
        let address = self.address
        let since = throttle.windowStart(now: now)

        let addressFailures = try await LoginAttemptModel.query(on: db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$occurredAt > since).count()
        // An address that failed too often is slowed: its attempts take turns, further apart
        // with each failure; one whose turn is too far off is refused for now, unrecorded, so
        // that it cannot keep writing to the database.
        guard let wait = await defences.gate.wait(address: address, recordedFailures: addressFailures, throttle: throttle) else {
            return .addressBlocked
        }
        if wait > .zero { try await Task.sleep(for: wait) }

        let user = try await UserModel.query(on: db).filter(\.$email == email).first()
        guard let user, user.isActive else {
            _ = try? await context.passwords.verify(password, created: defences.decoyPasswordHash)
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

        let secret = SecureToken.generate()
        let userID = try user.requireID()
        let previousSession = context.user?.sessionID
        let lifetime = sessionLifetime
        let actor = AuditActor(id: userID.uuidString, label: user.email, address: address, anchor: context.actor.anchor)
        try await db.writeTransaction { db in
            if let previousSession { try await SessionModel.query(on: db).filter(\.$id == previousSession).delete() }
            // Sessions that expired are of no use to anyone.
            try await SessionModel.query(on: db).filter(\.$user.$id == userID).filter(\.$expiresAt < now).delete()
            let session = SessionModel()
            session.tokenHash = SecureToken.digest(secret)
            session.$user.id = userID
            session.createdAt = now
            session.expiresAt = now.addingTimeInterval(lifetime)
            session.address = address
            try await session.create(on: db)
            let attempt = LoginAttemptModel()
            attempt.email = email
            attempt.address = address
            attempt.occurredAt = now
            attempt.succeeded = true
            try await attempt.create(on: db)
            if user.lockedUntil != nil {
                user.lockedUntil = nil
                try await user.update(on: db)
            }
            try await AuditLog.append(AuditEvent(action: .login, entityType: "user", entityID: userID.uuidString),
                                      by: actor, at: now, on: db)
        }
        return .signedIn(sessionSecret: secret, userID: userID, mustChangePassword: user.mustChangePassword)
    }

    /// Checks the password of an account whose turn it is; nil when it is right, else the
    /// refusal (the failure recorded, and the account locked at the limit).
    private func checkPassword(_ password: String, of user: UserModel, email: String, address: String, since: Date, now: Date,
                               throttle: LoginThrottle) async throws -> Outcome? {
        let db = context.database
        // Failures since the last success or lock count.
        let lastSuccess = try await LoginAttemptModel.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == true).filter(\.$occurredAt > since)
            .sort(\.$occurredAt, .descending).first()?.occurredAt
        let windowStart = max(since, lastSuccess ?? since, user.lockedUntil ?? since)
        let recorded = try await LoginAttemptModel.query(on: db)
            .filter(\.$email == email).filter(\.$succeeded == false).filter(\.$occurredAt > windowStart).count()
        if throttle.shouldLockAccount(recentFailures: recorded) {
            try await recordFailure(email: email, address: address, at: now, reason: "account locked")
            return .accountLocked
        }
        if try await context.passwords.verify(password, created: user.passwordHash) { return nil }
        try await recordFailure(email: email, address: address, at: now, reason: "wrong password", userID: user.id)
        let failures = recorded + 1
        guard throttle.shouldLockAccount(recentFailures: failures) else { return .invalidCredentials }
        let actor = context.actor
        try await db.writeTransaction { db in
            guard let fresh = try await UserModel.find(user.id, on: db), (fresh.lockedUntil ?? .distantPast) <= now else { return }
            fresh.lockedUntil = throttle.lockedUntil(now: now)
            try await fresh.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .accountLocked, entityType: "user", entityID: user.id?.uuidString,
                           changedFields: ["locked_until"], detail: "\(failures) failed attempts"),
                by: actor, at: now, on: db)
        }
        return .accountLocked
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
