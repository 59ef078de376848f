import CorridorCore
import Fluent
import Foundation
import SQLKit

/// One office of the mission. Its code is its country's ISO code, as the cases' `office` and
/// the users' scopes name it.
final class OfficeModel: Model, @unchecked Sendable {
    static let schema = "offices"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "city") var city: String
    @Field(key: "address") var address: String
    @Field(key: "email") var email: String
    @Field(key: "phone") var phone: String
    @Field(key: "description_fr") var descriptionFR: String
    @Field(key: "description_en") var descriptionEN: String
    @OptionalField(key: "latitude") var latitude: Double?
    @OptionalField(key: "longitude") var longitude: Double?
    /// Shown on the public page *Où travaillons-nous*.
    @Field(key: "is_public") var isPublic: Bool
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    func description(_ language: Language) -> String { language == .fr ? descriptionFR : descriptionEN }
}

/// The offices table, seeded with every office the cases and the users' scopes already name (to
/// be completed by an administrator) and, on a new installation, the mission's office in Côte d'Ivoire with
/// placeholder text.
struct CreateOffices: AsyncMigration {
    var name: String { "2026-12-06-05-create-offices" }

    func prepare(on database: any Database) async throws {
        try await database.schema("offices").id()
            .field("code", .string, .required).field("city", .string, .required).field("address", .string, .required)
            .field("email", .string, .required).field("phone", .string, .required)
            .field("description_fr", .string, .required).field("description_en", .string, .required)
            .field("latitude", .double).field("longitude", .double)
            .field("is_public", .bool, .required).field("version", .int, .required).field("updated_at", .datetime, .required)
            .unique(on: "code")
            .create()
        struct Row: Decodable { var office: String }
        struct Scope: Decodable { var offices: String }
        let named = try await database.sqlDatabase.raw("SELECT DISTINCT office FROM return_cases").all(decoding: Row.self).map { $0.office.uppercased() }
        // And the offices users' scopes already name.
        let scoped = try await database.sqlDatabase.raw("SELECT DISTINCT offices FROM users").all(decoding: Scope.self).flatMap { OfficeScope(stored: $0.offices).offices }
        let now = Date()
        for code in Set(named + scoped + ["CIV"]).sorted() where Countries.isKnown(code) {
            let office = OfficeModel()
            office.code = code
            office.city = code == "CIV" ? "Abidjan" : ""
            office.address = code == "CIV" ? "Adresse à compléter · Address to be completed" : ""
            office.email = ""
            office.phone = ""
            office.descriptionFR = code == "CIV" ? "Texte d'exemple : ce que fait le bureau, à compléter." : ""
            office.descriptionEN = code == "CIV" ? "Sample text: what the office does, to be completed." : ""
            office.latitude = code == "CIV" ? 5.32 : nil
            office.longitude = code == "CIV" ? -4.03 : nil
            office.isPublic = code == "CIV"
            office.version = 1
            office.updatedAt = now
            try await office.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("offices").delete()
    }
}

enum OfficeMigrations {
    static let all: [any Migration] = [CreateOffices()]
}
