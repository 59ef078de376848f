import Foundation

/// The field-data servers Corridor reads submissions from, through their published APIs:
/// KoboToolbox (API v2, `GET /api/v2/assets/<uid>/data/?format=json`, paged by `next` links) and
/// ODK Central (OData, `GET /v1/projects/<p>/forms/<f>.svc/Submissions`, paged by `$skip`).
public enum FieldServerKind: String, Sendable, Codable, CaseIterable {
    case kobo
    case odkCentral = "odk_central"
}

/// A JSON value as a field server sends it.
public enum JSONValue: Sendable, Equatable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    /// A scalar as the text an export would hold: numbers without a needless `.0`.
    public var text: String? {
        switch self {
        case .string(let text): return text
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return ""
        case .array, .object: return nil
        }
    }

    /// The value written back as JSON (for a value that is not a scalar, kept as text).
    public var json: String {
        switch self {
        case .string(let text):
            let data = (try? JSONEncoder().encode(text)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .number, .bool: return text ?? ""
        case .null: return "null"
        case .array(let values): return "[" + values.map(\.json).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.keys.sorted().map { JSONValue.string($0).json + ":" + (fields[$0] ?? .null).json }.joined(separator: ",") + "}"
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }
}

/// One submission as the Kobo reader's columns: `group/question` names, a key column (`_uuid`
/// and `meta/rootUuid` for Kobo; `KEY` for ODK Central), and the dates the import reads.
public struct FieldSubmission: Sendable, Equatable, Codable {
    public var fields: [String: String]

    public init(fields: [String: String]) { self.fields = fields }

    /// The lasting key the import matches on, without its `uuid:` prefix.
    public var key: String? {
        for name in ["meta/rootUuid", "_uuid", "KEY", "meta/instanceID"] {
            if let value = fields[name], !value.isEmpty { return value.replacingOccurrences(of: "uuid:", with: "") }
        }
        return nil
    }

    /// When the server last saw it change (ODK Central: the later of submission and update).
    public var changedAt: String? {
        [fields["SubmissionDate"], fields["__system/updatedAt"]].compactMap { $0 }.filter { !$0.isEmpty }.max()
    }
}

/// A page of submissions and where the next one is.
public struct FieldPage: Sendable, Equatable {
    public var submissions: [FieldSubmission]
    /// The full count the server announces (Kobo `count`, ODK `@odata.count`), if it does.
    public var count: Int?
    /// Kobo's `next` link; ODK pages are asked for by `$skip`, and `@odata.nextLink` says there is one.
    public var next: String?
}

public enum FieldPageError: Error, Sendable, Equatable {
    /// The body is not the JSON the server documents.
    case unreadable
}

/// Reads what the field servers send into the columns the Kobo reader takes, so that pulled,
/// pushed and uploaded submissions go through one import.
public enum FieldSubmissions {
    /// A page of `GET /api/v2/assets/<uid>/data/?format=json`: `{"count", "next", "results": [...]}`.
    public static func koboPage(_ data: Data) throws(FieldPageError) -> FieldPage {
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: data), case .array(let results)? = body["results"] else { throw .unreadable }
        var submissions: [FieldSubmission] = []
        for result in results {
            guard let submission = kobo(result) else { throw .unreadable }
            submissions.append(submission)
        }
        let next: String? = if case .string(let link)? = body["next"], !link.isEmpty { link } else { nil }
        let count: Int? = if case .number(let number)? = body["count"] { Int(exactly: number.rounded()) } else { nil }
        return FieldPage(submissions: submissions, count: count, next: next)
    }

    /// One Kobo submission (a data result, or the body of a REST Services delivery). Metadata
    /// that are not scalars (`_attachments`, `_geolocation`, `_tags`, `_notes`,
    /// `_validation_status`) are left out; an answer that is not a scalar is kept as JSON text,
    /// so that the import reports it rather than drops it.
    public static func kobo(_ value: JSONValue) -> FieldSubmission? {
        guard case .object(let object) = value else { return nil }
        var fields: [String: String] = [:]
        for (name, field) in object {
            if let text = field.text {
                fields[name] = text
            } else if !name.hasPrefix("_") {
                fields[name] = field.json
            }
        }
        return FieldSubmission(fields: fields)
    }

    /// A page of ODK Central's OData submissions: `{"value": [...], "@odata.count", "@odata.nextLink"}`.
    /// Groups are nested objects, named here `group/question` as an export names them;
    /// `__id` (the submission's lasting id, kept across edits) becomes `KEY`, and
    /// `__system/submissionDate` `SubmissionDate`, as in Central's CSV export.
    public static func odkPage(_ data: Data) throws(FieldPageError) -> FieldPage {
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: data), case .array(let values)? = body["value"] else { throw .unreadable }
        var submissions: [FieldSubmission] = []
        for value in values {
            guard case .object(let object) = value else { throw .unreadable }
            var fields: [String: String] = [:]
            func flatten(_ object: [String: JSONValue], path: String) {
                for (name, field) in object {
                    // Repeat groups are links to other entity sets; the questionnaires have none.
                    if name.hasSuffix("@odata.navigationLink") { continue }
                    let column = path.isEmpty ? name : path + "/" + name
                    switch field {
                    case .object(let inner): flatten(inner, path: column)
                    default: fields[column] = field.text ?? field.json
                    }
                }
            }
            flatten(object, path: "")
            if let id = fields.removeValue(forKey: "__id") { fields["KEY"] = id }
            if let submitted = fields.removeValue(forKey: "__system/submissionDate") { fields["SubmissionDate"] = submitted }
            for name in Array(fields.keys) where name.hasPrefix("__system/") && name != "__system/updatedAt" { fields.removeValue(forKey: name) }
            submissions.append(FieldSubmission(fields: fields))
        }
        let next: String? = if case .string(let link)? = body["@odata.nextLink"], !link.isEmpty { link } else { nil }
        let count: Int? = if case .number(let number)? = body["@odata.count"] { Int(exactly: number.rounded()) } else { nil }
        return FieldPage(submissions: submissions, count: count, next: next)
    }

    /// Submissions as a table for `KoboCSVReader.read(table:)`: every column any of them has,
    /// in a stable order, empty where one has none.
    public static func table(_ submissions: [FieldSubmission]) -> [[String]] {
        let header = Set(submissions.flatMap(\.fields.keys)).sorted()
        return [header] + submissions.map { submission in header.map { submission.fields[$0] ?? "" } }
    }
}
