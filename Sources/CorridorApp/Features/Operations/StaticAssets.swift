import Foundation
import Vapor

/// A file served as it is (the style sheet, the OpenAPI document).
struct StaticAsset: Sendable {
    var contentType: HTTPMediaType
    var body: String
}

enum StaticAssets {
    /// The files under Resources/Assets, and the OpenAPI document, read once at start-up.
    static func load() throws -> [String: StaticAsset] {
        var assets: [String: StaticAsset] = [:]
        let files: [(name: String, subdirectory: String, type: HTTPMediaType)] = [
            ("corridor.css", "Resources/Assets", .css),
            ("corridor.js", "Resources/Assets", HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])),
            ("favicon.svg", "Resources/Assets", HTTPMediaType(type: "image", subType: "svg+xml")),
            ("openapi.json", "Resources", .json),
        ]
        for file in files {
            let parts = file.name.split(separator: ".")
            guard let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: file.subdirectory) else {
                throw Abort(.internalServerError, reason: "missing resource \(file.name)")
            }
            assets[file.name] = .init(contentType: file.type, body: try String(contentsOf: url, encoding: .utf8))
        }
        return assets
    }
}

extension Application {
    private struct AssetsKey: StorageKey { typealias Value = [String: StaticAsset] }

    /// The static assets, read once at start-up.
    var assets: [String: StaticAsset] {
        get { configured(AssetsKey.self) }
        set { storage[AssetsKey.self] = newValue }
    }
}
