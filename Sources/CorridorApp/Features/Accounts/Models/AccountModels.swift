import CorridorCore
import Fluent
import Foundation

final class InstitutionModel: Model, @unchecked Sendable {
    static let schema = "institutions"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "acronym") var acronym: String
    @Field(key: "country") var country: String
    @Field(key: "kind") var kind: String
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @OptionalParent(key: "institution_id") var institution: InstitutionModel?
    @OptionalField(key: "preferred_language") var preferredLanguage: String?
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "must_change_password") var mustChangePassword: Bool
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    /// The authenticator key, sealed (`SecretBox`, purpose `totp-key`); set when a code
    /// confirmed it.
    @OptionalField(key: "totp_key") var totpKey: String?
    /// When a first code confirmed the key: from then on, every sign-in asks for a code.
    @OptionalField(key: "totp_enabled_at") var totpEnabledAt: Date?
    /// The step of the last code accepted: a code is good once.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    @Field(key: "version") var version: Int
    /// The offices whose cases they work on: `|CIV|TUN|`, `*` for every office (`OfficeScope`).
    @Field(key: "offices") var offices: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

final class SessionModel: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "address") var address: String?
    /// Set while the password was checked but not the second factor: `verify` or `enrol`.
    /// Such a session signs nobody in; it only reaches the second step.
    @OptionalField(key: "pending_step") var pendingStep: String?
    /// The authenticator key this session is enrolling, sealed: a key belongs to the session that
    /// was shown it until a code confirms it onto the account.
    @OptionalField(key: "enrolment_key") var enrolmentKey: String?

    init() {}
}

/// A single-use recovery code of an account, by digest.
final class RecoveryCodeModel: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}

final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "prefix") var prefix: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

final class LoginAttemptModel: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "succeeded") var succeeded: Bool

    init() {}
}
