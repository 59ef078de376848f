import CorridorCore
import Fluent
import Foundation
import Vapor

/// Reads of the accounts feature, returned as plain values for pages and the API.
struct AccountQueries: Sendable {
    let database: any Database

    struct UserRow: Sendable, Content {
        var id: UUID
        var email: String
        var name: String
        var role: String
        var institutionID: UUID?
        var institutionAcronym: String?
        var preferredLanguage: String?
        var isActive: Bool
        var mustChangePassword: Bool
        var lockedUntil: Date?
        /// When the account's authenticator was confirmed; nil without a second factor.
        var twoFactorEnabledAt: Date?
        var version: Int
        /// `OfficeScope.display`: `*`, `CIV, TUN`, or empty for none.
        var offices: String
    }

    struct InstitutionRow: Sendable, Content {
        var id: UUID
        var name: String
        var acronym: String
        var country: String
        var kind: String
        var isActive: Bool
        var version: Int
    }

    struct TokenRow: Sendable, Content {
        var id: UUID
        var name: String
        var prefix: String
        var createdAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?
    }

    /// Every user, sorted by name, with the acronym of their institution.
    func users() async throws -> [UserRow] {
        try await UserModel.query(on: database).with(\.$institution).sort(\.$name).all().map(Self.row)
    }

    func user(_ id: UUID) async throws -> UserRow? {
        try await UserModel.query(on: database).filter(\.$id == id).with(\.$institution).first().map(Self.row)
    }

    /// Institutions, sorted by acronym; only the active ones unless asked.
    func institutions(includeInactive: Bool = true) async throws -> [InstitutionRow] {
        var query = InstitutionModel.query(on: database).sort(\.$acronym)
        if !includeInactive { query = query.filter(\.$isActive == true) }
        return try await query.all().map(Self.row)
    }

    func institution(_ id: UUID) async throws -> InstitutionRow? {
        try await InstitutionModel.find(id, on: database).map(Self.row)
    }

    func institution(acronym: String) async throws -> InstitutionRow? {
        try await InstitutionModel.query(on: database).filter(\.$acronym == acronym.uppercased()).first().map(Self.row)
    }

    func user(email: String) async throws -> UserRow? {
        try await UserModel.query(on: database).filter(\.$email == EmailAddress.normalized(email)).with(\.$institution).first().map(Self.row)
    }

    /// The user's tokens, newest first.
    func tokens(userID: UUID) async throws -> [TokenRow] {
        try await APITokenModel.query(on: database).filter(\.$user.$id == userID).sort(\.$createdAt, .descending).all()
            .map { TokenRow(id: $0.id ?? UUID(), name: $0.name, prefix: $0.prefix, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, revokedAt: $0.revokedAt) }
    }

    private static func row(_ user: UserModel) -> UserRow {
        UserRow(id: user.id ?? UUID(), email: user.email, name: user.name, role: user.role,
                institutionID: user.$institution.id, institutionAcronym: user.institution?.acronym,
                preferredLanguage: user.preferredLanguage, isActive: user.isActive,
                mustChangePassword: user.mustChangePassword, lockedUntil: user.lockedUntil,
                twoFactorEnabledAt: user.totpEnabledAt, version: user.version,
                offices: OfficeScope(stored: user.offices).display)
    }

    private static func row(_ institution: InstitutionModel) -> InstitutionRow {
        InstitutionRow(id: institution.id ?? UUID(), name: institution.name, acronym: institution.acronym,
                       country: institution.country, kind: institution.kind, isActive: institution.isActive, version: institution.version)
    }
}
