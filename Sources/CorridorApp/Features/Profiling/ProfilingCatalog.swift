import CorridorCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The questionnaires and weight tables shipped with Corridor, read once at start-up, and
/// whether they are stored already (rows are never deleted, so pages need not ask again).
struct ShippedProfiling: Sendable {
    var questionnaires: [Questionnaire]
    var weightTables: [WeightTable]
    let seeded = NIOLockedValueBox(false)
}

extension Application {
    private struct ShippedProfilingKey: StorageKey { typealias Value = ShippedProfiling }

    var shippedProfiling: ShippedProfiling {
        get { configured(ShippedProfilingKey.self) }
        set { storage[ShippedProfilingKey.self] = newValue }
    }

    var profilingCatalog: ProfilingCatalog { ProfilingCatalog(database: db, shipped: shippedProfiling) }
}

extension Request {
    var profilingCatalog: ProfilingCatalog { ProfilingCatalog(database: db, shipped: application.shippedProfiling) }
}

/// The questionnaires and weight tables in force: stored versions first, the shipped ones
/// seeded when none is stored yet.
struct ProfilingCatalog: Sendable {
    let database: any Database
    let shipped: ShippedProfiling

    init(database: any Database, shipped: ShippedProfiling) {
        self.database = database
        self.shipped = shipped
    }

    /// The latest version of a questionnaire (or a given one).
    func questionnaire(_ code: String, version: Int? = nil) async throws -> Questionnaire? {
        // A code is lower-case letters, digits and `_`; anything else names no questionnaire and
        // never reaches the database (PostgreSQL refuses a NUL in a text with a server error).
        guard !code.isEmpty, code.count <= 64, code.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.lowercaseLetters.contains($0) || CharacterSet.decimalDigits.contains($0) || $0 == "_") }) else {
            return nil
        }
        try await seed()
        var query = QuestionnaireModel.query(on: database).filter(\.$code == code)
        if let version { query = query.filter(\.$version == version) }
        guard let model = try await query.sort(\.$version, .descending).first() else { return nil }
        return try Self.decode(model.definition)
    }

    /// Questionnaires decoded once per definition text (the same text is the same questionnaire),
    /// since pages and figures ask for them on every request.
    private static let decoded = NIOLockedValueBox<[String: Questionnaire]>([:])

    static func decode(_ definition: String) throws -> Questionnaire {
        if let known = decoded.withLockedValue({ $0[definition] }) { return known }
        let questionnaire = try JSONDecoder().decode(Questionnaire.self, from: Data(definition.utf8))
        decoded.withLockedValue { cache in
            if cache.count > 64 { cache.removeAll() }
            cache[definition] = questionnaire
        }
        return questionnaire
    }

    func questionnaires() async throws -> [Questionnaire] {
        var result: [Questionnaire] = []
        for code in ["profiling_return", "reintegration_monitoring"] { if let q = try await questionnaire(code) { result.append(q) } }
        return result
    }

    /// The newest weight table (a programme may load its own; the default ships with Corridor).
    func weightTable() async throws -> WeightTable? {
        try await seed()
        guard let model = try await WeightTableModel.query(on: database).sort(\.$createdAt, .descending).first() else { return nil }
        return try JSONDecoder().decode(WeightTable.self, from: Data(model.definition.utf8))
    }

    private func seed() async throws {
        if shipped.seeded.withLockedValue({ $0 }) { return }
        for questionnaire in shipped.questionnaires {
            let exists = try await QuestionnaireModel.query(on: database).filter(\.$code == questionnaire.code).filter(\.$version == questionnaire.version).count() > 0
            if !exists {
                let model = QuestionnaireModel()
                model.code = questionnaire.code
                model.version = questionnaire.version
                model.definition = String(decoding: try JSONEncoder.sorted.encode(questionnaire), as: UTF8.self)
                model.createdAt = Date(timeIntervalSince1970: 0)
                try? await model.create(on: database)
            }
        }
        for table in shipped.weightTables {
            let exists = try await WeightTableModel.query(on: database).filter(\.$code == table.code).filter(\.$version == table.version).count() > 0
            if !exists {
                let model = WeightTableModel()
                model.code = table.code
                model.version = table.version
                model.definition = String(decoding: try JSONEncoder.sorted.encode(table), as: UTF8.self)
                model.createdAt = Date(timeIntervalSince1970: 0)
                try? await model.create(on: database)
            }
        }
        shipped.seeded.withLockedValue { $0 = true }
    }

    /// Loads the definitions shipped as resources.
    static func loadShipped() throws -> ShippedProfiling {
        func load<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Resources/Questionnaires") else {
                throw Abort(.internalServerError, reason: "missing resource \(name)")
            }
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        }
        let questionnaires = [try load("profiling_return.v1.json", Questionnaire.self), try load("reintegration_monitoring.v1.json", Questionnaire.self)]
        let table = try load("reintegration_default.weights.json", WeightTable.self)
        precondition(table.problems.isEmpty, "the shipped weight table is invalid: \(table.problems)")
        return ShippedProfiling(questionnaires: questionnaires, weightTables: [table])
    }
}
