import CorridorCore
import Fluent
import Foundation
import Vapor

/// What a user form or command asks for.
struct UserDraft: Sendable {
    var email: String
    var name: String
    var role: String
    var institutionID: UUID?
    var preferredLanguage: String?
    /// The offices as typed (`CIV, TUN`, or `*`); nil on an update keeps them, on a creation
    /// gives none (the account then reaches no office's cases).
    var offices: String? = nil
}

struct InstitutionDraft: Sendable {
    var name: String
    var acronym: String
    var country: String
    var kind: String
}

/// The writes of the accounts feature. Every change runs in a transaction with its audit entry.
struct AccountService: Sendable {
    let database: any Database
    let hasher: AsyncPasswordHasher
    let actor: AuditActor
    let now: @Sendable () -> Date

    init(_ context: ServiceContext) {
        database = context.database
        hasher = context.passwords
        actor = context.actor
        let clock = context.clock
        now = { clock.now() }
    }

    // MARK: Users

    /// Creates a user with a one-time password that must be changed at first sign-in;
    /// returns the user and that password (shown once, never stored in clear).
    /// Creates a user with a one-time password to change at first sign-in; a `service` account
    /// (for scripts) gets a random password nobody is told, so it can only use API tokens.
    func createUser(_ draft: UserDraft, service: Bool = false) async throws -> (user: UserModel, oneTimePassword: String) {
        let checked = try await validate(draft, existingID: nil)
        let password = service ? SecureToken.generate() : SecureToken.oneTimePassword()
        let hash = try await hasher.hash(password)
        let actor = self.actor, at = now()
        let user = try await database.writeTransaction { db in
            let user = UserModel()
            user.email = checked.email
            user.name = checked.name
            user.role = checked.role.rawValue
            user.$institution.id = checked.institutionID
            user.preferredLanguage = checked.language?.rawValue
            user.offices = (checked.offices ?? .none).stored
            user.isActive = true
            user.passwordHash = hash
            user.mustChangePassword = !service
            user.version = 1
            try await user.create(on: db)
            try await AuditLog.append(
                AuditEvent(action: .create, entityType: "user", entityID: user.id?.uuidString,
                           changedFields: ["email", "name", "role", "institution_id", "preferred_language", "offices"],
                           detail: service ? "service account: API tokens only, no password" : ""),
                by: actor, at: at, on: db)
            return user
        }
        // The secret of a service account is hashed and forgotten: nobody is told it.
        return (user, service ? "" : password)
    }

    /// Updates a user if nobody changed it since `expectedVersion` was read.
    func updateUser(id: UUID, _ draft: UserDraft, expectedVersion: Int) async throws -> UserModel {
        let checked = try await validate(draft, existingID: id)
        let actor = self.actor, at = now()
        return try await database.writeTransaction { db in
            guard let user = try await UserModel.find(id, on: db) else { throw AccountError.notFound }
            guard user.version == expectedVersion else { throw AccountError.staleVersion }
            var changed: [String] = []
            if user.email != checked.email { user.email = checked.email; changed.append("email") }
            if user.name != checked.name { user.name = checked.name; changed.append("name") }
            if user.role != checked.role.rawValue { user.role = checked.role.rawValue; changed.append("role") }
            if user.$institution.id != checked.institutionID { user.$institution.id = checked.institutionID; changed.append("institution_id") }
            if user.preferredLanguage != checked.language?.rawValue { user.preferredLanguage = checked.language?.rawValue; changed.append("preferred_language") }
            if let offices = checked.offices?.stored, user.offices != offices { user.offices = offices; changed.append("offices") }
            guard !changed.isEmpty else { return user }
            user.version += 1
            try await user.update(on: db)
            if changed.contains("role") || changed.contains("institution_id") || changed.contains("offices") {
                // A change of rights takes effect at once: the user signs in again (with a second
                // factor, if the new role needs one), and tokens made under the old rights stop.
                try await SessionModel.query(on: db).filter(\.$user.$id == id).delete()
                try await APITokenModel.query(on: db).filter(\.$user.$id == id).filter(\.$revokedAt == nil).set(\.$revokedAt, to: at).update()
            }
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "user", entityID: id.uuidString, changedFields: changed),
                by: actor, at: at, on: db)
            return user
        }
    }

    /// Enables or disables an account; disabling ends its sessions and revokes its tokens.
    func setUserActive(id: UUID, active: Bool, actingUserID: UUID?) async throws {
        if !active, id == actingUserID { throw AccountError.cannotDisableSelf }
        let actor = self.actor, at = now()
        try await database.writeTransaction { db in
            guard let user = try await UserModel.find(id, on: db) else { throw AccountError.notFound }
            guard user.isActive != active else { return }
            user.isActive = active
            user.version += 1
            try await user.update(on: db)
            if !active {
                try await SessionModel.query(on: db).filter(\.$user.$id == id).delete()
                try await APITokenModel.query(on: db).filter(\.$user.$id == id).filter(\.$revokedAt == nil)
                    .set(\.$revokedAt, to: at).update()
            }
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "user", entityID: id.uuidString, changedFields: ["is_active"],
                           detail: active ? "enabled" : "disabled"),
                by: actor, at: at, on: db)
        }
    }

    /// Gives the user a new one-time password, ends their sessions and unlocks the account.
    func resetPassword(id: UUID) async throws -> String {
        let password = SecureToken.oneTimePassword()
        let hash = try await hasher.hash(password)
        let actor = self.actor, at = now()
        try await database.writeTransaction { db in
            guard let user = try await UserModel.find(id, on: db) else { throw AccountError.notFound }
            user.passwordHash = hash
            user.mustChangePassword = true
            user.lockedUntil = nil
            user.version += 1
            try await user.update(on: db)
            try await SessionModel.query(on: db).filter(\.$user.$id == id).delete()
            // A reset means the account may be compromised: its API tokens go too.
            try await APITokenModel.query(on: db).filter(\.$user.$id == id).filter(\.$revokedAt == nil).set(\.$revokedAt, to: at).update()
            try await AuditLog.append(
                AuditEvent(action: .passwordReset, entityType: "user", entityID: id.uuidString, changedFields: ["password_hash"]),
                by: actor, at: at, on: db)
        }
        return password
    }

    /// Changes the signed-in user's own password after checking the current one; other
    /// sessions of the user end, the current one stays.
    func changePassword(userID: UUID, current: String, new: String, confirmation: String, keepSession: UUID?) async throws {
        guard let user = try await UserModel.find(userID, on: database) else { throw AccountError.notFound }
        guard try await hasher.verify(current, created: user.passwordHash) else { throw AccountError.wrongCurrentPassword }
        if let problem = PasswordPolicy.problem(password: new, confirmation: confirmation, email: user.email, current: current) {
            throw AccountError.weakPassword(problem)
        }
        let hash = try await hasher.hash(new)
        let actor = self.actor, at = now()
        try await database.writeTransaction { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw AccountError.notFound }
            user.passwordHash = hash
            user.mustChangePassword = false
            user.version += 1
            try await user.update(on: db)
            var others = SessionModel.query(on: db).filter(\.$user.$id == userID)
            if let keepSession { others = others.filter(\.$id != keepSession) }
            try await others.delete()
            try await AuditLog.append(
                AuditEvent(action: .passwordChanged, entityType: "user", entityID: userID.uuidString, changedFields: ["password_hash"]),
                by: actor, at: at, on: db)
        }
    }

    /// The signed-in user's own preferences (name and language).
    func updateProfile(userID: UUID, name: String, language: String?) async throws {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AccountError.nameRequired }
        let chosen = language.flatMap { Language(rawValue: $0) }?.rawValue
        let actor = self.actor, at = now()
        try await database.writeTransaction { db in
            guard let user = try await UserModel.find(userID, on: db) else { throw AccountError.notFound }
            var changed: [String] = []
            if user.name != trimmed { user.name = trimmed; changed.append("name") }
            if user.preferredLanguage != chosen { user.preferredLanguage = chosen; changed.append("preferred_language") }
            guard !changed.isEmpty else { return }
            user.version += 1
            try await user.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "user", entityID: userID.uuidString, changedFields: changed),
                by: actor, at: at, on: db)
        }
    }

    /// Creates the first administrator when there is no user at all; returns its e-mail
    /// and one-time password, or nil when users exist already.
    func bootstrapAdministrator(email: String = "admin@corridor.local") async throws -> (email: String, password: String)? {
        guard try await UserModel.query(on: database).count() == 0 else { return nil }
        let created = try await createUser(UserDraft(email: email, name: "Administrator", role: Role.admin.rawValue, institutionID: nil, preferredLanguage: nil))
        return (created.user.email, created.oneTimePassword)
    }

    private struct CheckedUser {
        var email: String
        var name: String
        var role: Role
        var institutionID: UUID?
        var language: Language?
        var offices: OfficeScope?
    }

    private func validate(_ draft: UserDraft, existingID: UUID?) async throws -> CheckedUser {
        let email = EmailAddress.normalized(draft.email)
        guard EmailAddress.isPlausible(email) else { throw AccountError.invalidEmail }
        let name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw AccountError.nameRequired }
        guard let role = Role(rawValue: draft.role) else { throw AccountError.unknownRole }
        if role.requiresInstitution, draft.institutionID == nil { throw AccountError.institutionRequired }
        if let institutionID = draft.institutionID, try await InstitutionModel.find(institutionID, on: database) == nil {
            throw AccountError.unknownInstitution
        }
        var sameEmail = UserModel.query(on: database).filter(\.$email == email)
        if let existingID { sameEmail = sameEmail.filter(\.$id != existingID) }
        if try await sameEmail.count() > 0 { throw AccountError.emailTaken }
        var offices: OfficeScope?
        if let typed = draft.offices {
            let parsed = OfficeScope.parse(typed)
            guard parsed.unknown.isEmpty else { throw AccountError.unknownOffice }
            // The offices table is the one list of offices: a scope names some of them (an office
            // the user already had stays allowed, so that an older scope does not block an edit).
            if !parsed.scope.offices.isEmpty {
                let known = Set(try await OfficeModel.query(on: database).filter(\.$code ~~ Array(parsed.scope.offices)).all().map(\.code))
                let held = try await existingID.asyncMap { try await UserModel.find($0, on: database) }.flatMap { $0.map { OfficeScope(stored: $0.offices).offices } } ?? []
                guard parsed.scope.offices.subtracting(known).subtracting(held).isEmpty else { throw AccountError.unknownOffice }
            }
            offices = parsed.scope
        }
        return CheckedUser(email: email, name: name, role: role, institutionID: draft.institutionID,
                           language: draft.preferredLanguage.flatMap { Language(rawValue: $0) }, offices: offices)
    }

    // MARK: Institutions

    func createInstitution(_ draft: InstitutionDraft) async throws -> InstitutionModel {
        let checked = try await validate(draft, existingID: nil)
        let actor = self.actor, at = now()
        return try await database.writeTransaction { db in
            let institution = InstitutionModel()
            institution.name = checked.name
            institution.acronym = checked.acronym
            institution.country = checked.country
            institution.kind = checked.kind
            institution.isActive = true
            institution.version = 1
            try await institution.create(on: db)
            try await AuditLog.append(
                AuditEvent(action: .create, entityType: "institution", entityID: institution.id?.uuidString,
                           changedFields: ["name", "acronym", "country", "kind"]),
                by: actor, at: at, on: db)
            return institution
        }
    }

    func updateInstitution(id: UUID, _ draft: InstitutionDraft, expectedVersion: Int) async throws -> InstitutionModel {
        let checked = try await validate(draft, existingID: id)
        let actor = self.actor, at = now()
        return try await database.writeTransaction { db in
            guard let institution = try await InstitutionModel.find(id, on: db) else { throw AccountError.notFound }
            guard institution.version == expectedVersion else { throw AccountError.staleVersion }
            var changed: [String] = []
            if institution.name != checked.name { institution.name = checked.name; changed.append("name") }
            if institution.acronym != checked.acronym { institution.acronym = checked.acronym; changed.append("acronym") }
            if institution.country != checked.country { institution.country = checked.country; changed.append("country") }
            if institution.kind != checked.kind { institution.kind = checked.kind; changed.append("kind") }
            guard !changed.isEmpty else { return institution }
            institution.version += 1
            try await institution.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "institution", entityID: id.uuidString, changedFields: changed),
                by: actor, at: at, on: db)
            return institution
        }
    }

    func setInstitutionActive(id: UUID, active: Bool) async throws {
        let actor = self.actor, at = now()
        try await database.writeTransaction { db in
            guard let institution = try await InstitutionModel.find(id, on: db) else { throw AccountError.notFound }
            guard institution.isActive != active else { return }
            institution.isActive = active
            institution.version += 1
            try await institution.update(on: db)
            try await AuditLog.append(
                AuditEvent(action: .update, entityType: "institution", entityID: id.uuidString, changedFields: ["is_active"],
                           detail: active ? "enabled" : "disabled"),
                by: actor, at: at, on: db)
        }
    }

    private func validate(_ draft: InstitutionDraft, existingID: UUID?) async throws -> InstitutionDraft {
        let name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw AccountError.nameRequired }
        let acronym = draft.acronym.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard !acronym.isEmpty else { throw AccountError.acronymRequired }
        let country = draft.country.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        guard country.count == 3, country.allSatisfy({ $0.isASCII && $0.isLetter }) else { throw AccountError.invalidCountry }
        guard InstitutionKind(rawValue: draft.kind) != nil else { throw AccountError.unknownKind }
        var same = InstitutionModel.query(on: database).filter(\.$acronym == acronym)
        if let existingID { same = same.filter(\.$id != existingID) }
        if try await same.count() > 0 { throw AccountError.acronymTaken }
        return InstitutionDraft(name: name, acronym: acronym, country: country, kind: draft.kind)
    }
}
