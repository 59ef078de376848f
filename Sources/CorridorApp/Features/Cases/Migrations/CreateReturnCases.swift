import Fluent
import SQLKit

struct CreateReturnCases: AsyncMigration {
    var name: String { "2026-11-29-01-create-return-cases" }

    func prepare(on database: any Database) async throws {
        try await database.schema("return_cases")
            .id()
            .field("case_number", .string, .required)
            .field("office", .string, .required)
            .field("host_country", .string, .required)
            .field("status", .string, .required)
            .field("closure_reason", .string)
            .field("registered_on", .string, .required)
            .field("departure_date", .string)
            .field("arrival_date", .string)
            .field("caseworker_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("principal_name", .string, .required)
            .field("member_count", .int, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "case_number")
            .create()
        try await database.schema("case_members")
            .id()
            .field("case_id", .uuid, .required, .references("return_cases", "id", onDelete: .cascade))
            .field("member_number", .int, .required)
            .field("relationship", .string, .required)
            .field("given_names", .string, .required)
            .field("family_name", .string, .required)
            .field("sex", .string, .required)
            .field("birth_date", .string)
            .field("birth_year", .int)
            .field("nationality", .string, .required)
            .field("document_type", .string, .required)
            .field("document_number", .string)
            .field("phone", .string)
            .field("languages", .string)
            .field("origin_region", .string)
            .field("origin_department", .string)
            .field("education_level", .string)
            .field("occupation", .string)
            .field("left_country_on", .string)
            .field("route", .string, .required)
            .field("stay", .string)
            .field("vulnerabilities", .string, .required)
            .field("search_text", .string, .required)
            .unique(on: "case_id", "member_number")
            .create()
        try await database.schema("case_protected_details")
            .id()
            .field("member_id", .uuid, .required, .references("case_members", "id", onDelete: .cascade))
            .field("case_id", .uuid, .required, .references("return_cases", "id", onDelete: .cascade))
            .field("exploitation_form", .string)
            .field("identified_on", .string)
            .field("identified_place", .string)
            .field("identified_by", .string)
            .field("referral", .string)
            .field("medical_notes", .string)
            .field("version", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "member_id")
            .create()
        try await database.schema("case_transitions")
            .id()
            .field("case_id", .uuid, .required, .references("return_cases", "id", onDelete: .cascade))
            .field("from_status", .string)
            .field("to_status", .string, .required)
            .field("occurred_on", .string, .required)
            .field("closure_reason", .string)
            .field("note", .string)
            .field("actor_label", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        try await database.schema("case_assistance")
            .id()
            .field("case_id", .uuid, .required, .references("return_cases", "id", onDelete: .cascade))
            .field("member_id", .uuid, .references("case_members", "id", onDelete: .setNull))
            .field("assistance_type", .string, .required)
            .field("phase", .string, .required)
            .field("provided_on", .string, .required)
            .field("description", .string, .required)
            .field("amount_cents", .int64)
            .field("currency", .string)
            .field("actor_label", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        try await database.schema("case_number_counters")
            .field("prefix", .string, .identifier(auto: false))
            .field("last_sequence", .int, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        let indexes: [(String, String, [String])] = [
            ("return_cases_status_idx", "return_cases", ["status", "registered_on"]),
            ("return_cases_host_idx", "return_cases", ["host_country", "registered_on"]),
            ("return_cases_office_idx", "return_cases", ["office", "registered_on"]),
            ("return_cases_worker_idx", "return_cases", ["caseworker_id", "registered_on"]),
            ("return_cases_registered_idx", "return_cases", ["registered_on"]),
            ("return_cases_arrival_idx", "return_cases", ["arrival_date"]),
            ("return_cases_updated_idx", "return_cases", ["updated_at"]),
            ("case_members_case_idx", "case_members", ["case_id"]),
            ("case_members_search_idx", "case_members", ["search_text"]),
            ("case_transitions_case_idx", "case_transitions", ["case_id"]),
            ("case_assistance_case_idx", "case_assistance", ["case_id"]),
            ("case_protected_case_idx", "case_protected_details", ["case_id"]),
        ]
        for (name, table, columns) in indexes {
            var builder = sql.create(index: name).on(table)
            for column in columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["case_number_counters", "case_assistance", "case_transitions", "case_protected_details", "case_members", "return_cases"] {
            try await database.schema(table).delete()
        }
    }
}
