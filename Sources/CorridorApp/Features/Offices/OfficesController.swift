import CorridorCore
import Fluent
import Foundation
import Vapor

/// The offices (`/admin/offices`): administrators and the communications role add and change
/// them; the cases' office field, the caseload's filter and *Où travaillons-nous* read them.
struct OfficesController: Sendable {
    func register(web: any RoutesBuilder) {
        web.get("admin", "offices", action: .manageOffices, use: list)
        web.get("admin", "offices", "new", action: .manageOffices, use: newForm)
        web.post("admin", "offices", "new", action: .manageOffices, use: create)
        web.get("admin", "offices", ":id", action: .manageOffices, use: editForm)
        web.post("admin", "offices", ":id", action: .manageOffices, use: update)
    }

    struct Form: Content {
        var code: String?
        var city: String?
        var address: String?
        var email: String?
        var phone: String?
        var description_fr: String?
        var description_en: String?
        var latitude: String?
        var longitude: String?
        var is_public: String?
        var version: Int?

        var draft: OfficeDraft {
            OfficeDraft(code: code ?? "", city: city ?? "", address: address ?? "", email: email ?? "", phone: phone ?? "",
                        descriptions: [.fr: description_fr ?? "", .en: description_en ?? ""], latitude: latitude ?? "", longitude: longitude ?? "",
                        isPublic: is_public == "1")
        }

        init(_ office: OfficeModel? = nil) {
            guard let office else { is_public = "1"; return }
            code = office.code
            city = office.city
            address = office.address
            email = office.email
            phone = office.phone
            description_fr = office.descriptionFR
            description_en = office.descriptionEN
            latitude = office.latitude.map { String($0) }
            longitude = office.longitude.map { String($0) }
            is_public = office.isPublic ? "1" : nil
            version = office.version
        }
    }

    @Sendable func list(_ req: Request) async throws -> HTML {
        OfficePages.list(try await OfficeQueries(database: req.db).all(), req.pageContext())
    }

    @Sendable func newForm(_ req: Request) async throws -> HTML {
        OfficePages.form(id: nil, Form(), errors: [:], req.pageContext())
    }

    @Sendable func editForm(_ req: Request) async throws -> HTML {
        guard let id = req.parameters.get("id", as: UUID.self), let office = try await OfficeQueries(database: req.db).find(id) else { throw Abort(.notFound) }
        return OfficePages.form(id: id, Form(office), errors: [:], req.pageContext())
    }

    @Sendable func create(_ req: Request) async throws -> Response { try await save(req, id: nil) }

    @Sendable func update(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        return try await save(req, id: id)
    }

    private func save(_ req: Request, id: UUID?) async throws -> Response {
        let form = (try? req.content.decode(Form.self)) ?? Form()
        do {
            _ = try await OfficeService(context: req.serviceContext).save(id: id, form.draft, expectedVersion: form.version)
            return req.redirect(to: "/admin/offices?notice=office_saved", redirectType: .normal)
        } catch OfficeService.OfficeError.invalid(let issues) {
            let context = req.pageContext()
            return try await HTMLPage(status: .unprocessableEntity, html: OfficePages.form(id: id, form, errors: Layout.fieldErrors(issues, context), context)).encodeResponse(for: req)
        } catch OfficeService.OfficeError.conflict {
            let context = req.pageContext()
            return try await HTMLPage(status: .conflict, html: OfficePages.form(id: id, form, errors: ["general": context.t("office.error.conflict")], context)).encodeResponse(for: req)
        } catch OfficeService.OfficeError.notFound {
            throw Abort(.notFound)
        }
    }
}
