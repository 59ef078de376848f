import CorridorCore
import Foundation
import Vapor

/// Administrator pages to create, edit, disable users and reset their passwords.
struct AdminUsersController: Sendable {
    struct UserForm: Content {
        var email: String?
        var name: String?
        var role: String?
        var institution: String?
        var preferred_language: String?
        var offices: String?
        var version: Int?

        var draft: UserDraft {
            UserDraft(email: email ?? "", name: name ?? "", role: role ?? "",
                      institutionID: institution.flatMap(UUID.init(uuidString:)),
                      preferredLanguage: preferred_language.flatMap { $0.isEmpty ? nil : $0 }, offices: offices ?? "")
        }
    }

    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        let admin = web.grouped("admin", "users")
        admin.get(action: .manageUsers, use: list)
        admin.get("new", action: .manageUsers, use: newPage)
        admin.post("new", action: .manageUsers, use: create)
        admin.get(":userID", action: .manageUsers, use: editPage)
        admin.post(":userID", action: .manageUsers, use: update)
        admin.post(":userID", "disable", action: .manageUsers, use: disable)
        admin.post(":userID", "enable", action: .manageUsers, use: enable)
        admin.post(":userID", "reset-password", action: .manageUsers, use: resetPassword)
        api.get("users", action: .manageUsers, use: listAPI)
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        let users = try await AccountQueries(database: req.db).users()
        return AdminPages.users(users, now: req.now, req.pageContext())
    }

    @Sendable func listAPI(_ req: Request) async throws -> [AccountQueries.UserRow] {
        try await AccountQueries(database: req.db).users()
    }

    @Sendable func newPage(_ req: Request) async throws -> HTML {
        let institutions = try await AccountQueries(database: req.db).institutions(includeInactive: false)
        return AdminPages.userForm(UserFormModel(institutions: institutions), req.pageContext())
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(UserForm.self)
        do {
            let created = try await AccountService(req.serviceContext).createUser(form.draft)
            let model = OneTimePasswordModel(name: created.user.name, email: created.user.email, password: created.oneTimePassword, isNewUser: true)
            return try await AdminPages.oneTimePassword(model, req.pageContext()).encodeResponse(for: req)
        } catch let error as AccountError {
            return try await invalid(req, form: form, userID: nil, error: error)
        }
    }

    @Sendable func editPage(_ req: Request) async throws -> HTML {
        let queries = AccountQueries(database: req.db)
        guard let id = req.parameters.get("userID", as: UUID.self), let user = try await queries.user(id) else { throw Abort(.notFound) }
        let form = UserForm(email: user.email, name: user.name, role: user.role, institution: user.institutionID?.uuidString,
                            preferred_language: user.preferredLanguage, offices: user.offices, version: user.version)
        return AdminPages.userForm(UserFormModel(existing: user, form: form, institutions: try await queries.institutions()), req.pageContext())
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("userID", as: UUID.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(UserForm.self)
        do {
            _ = try await AccountService(req.serviceContext).updateUser(id: id, form.draft, expectedVersion: form.version ?? -1)
            return req.redirect(to: "/admin/users?notice=saved", redirectType: .normal)
        } catch let error as AccountError {
            if error == .notFound { throw Abort(.notFound) }
            return try await invalid(req, form: form, userID: id, error: error)
        }
    }

    @Sendable func disable(_ req: Request) async throws -> Response {
        try await setActive(req, false)
    }

    @Sendable func enable(_ req: Request) async throws -> Response {
        try await setActive(req, true)
    }

    @Sendable func resetPassword(_ req: Request) async throws -> HTML {
        let queries = AccountQueries(database: req.db)
        guard let id = req.parameters.get("userID", as: UUID.self), let user = try await queries.user(id) else { throw Abort(.notFound) }
        let password = try await AccountService(req.serviceContext).resetPassword(id: id)
        return AdminPages.oneTimePassword(OneTimePasswordModel(name: user.name, email: user.email, password: password, isNewUser: false), req.pageContext())
    }

    private func setActive(_ req: Request, _ active: Bool) async throws -> Response {
        guard let id = req.parameters.get("userID", as: UUID.self) else { throw Abort(.notFound) }
        do {
            try await AccountService(req.serviceContext).setUserActive(id: id, active: active, actingUserID: req.currentUser?.id)
            return req.redirect(to: "/admin/users?notice=" + (active ? "user_enabled" : "user_disabled"), redirectType: .normal)
        } catch AccountError.notFound {
            throw Abort(.notFound)
        } catch AccountError.cannotDisableSelf {
            return req.redirect(to: "/admin/users?notice=cannot_disable_self", redirectType: .normal)
        }
    }

    private func invalid(_ req: Request, form: UserForm, userID: UUID?, error: AccountError) async throws -> Response {
        let queries = AccountQueries(database: req.db)
        let existing = try await userID.asyncMap { try await queries.user($0) } ?? nil
        var model = UserFormModel(existing: existing, form: form, institutions: try await queries.institutions())
        if let field = error.field { model.errors[field] = req.t(error.messageKey) } else { model.generalError = req.t(error.messageKey) }
        if error == .staleVersion, let existing { model.form.version = existing.version }
        return try await HTMLPage(status: .unprocessableEntity, html: AdminPages.userForm(model, req.pageContext())).encodeResponse(for: req)
    }
}

struct UserFormModel: Sendable {
    var existing: AccountQueries.UserRow?
    var form = AdminUsersController.UserForm()
    var institutions: [AccountQueries.InstitutionRow]
    var errors: [String: String] = [:]
    var generalError: String?
}

struct OneTimePasswordModel: Sendable {
    var name: String
    var email: String
    var password: String
    var isNewUser: Bool
}
