import Foundation
import NIOConcurrencyHelpers

/// Where Corridor keeps files of its own (uploads waiting for confirmation today): a flat set of
/// named blobs with the time each was written. The live store is a folder under the data
/// directory, outside the web root; tests use the one in memory.
protocol FileStore: Sendable {
    func write(_ data: Data, name: String, at time: Date) throws
    func read(_ name: String) throws -> Data?
    func remove(_ name: String)
    /// Every stored name with the time it was written.
    func list() -> [(name: String, written: Date)]
}

/// Files in one folder on disk; the folder is made on the first write.
struct FolderFileStore: FileStore {
    let folder: URL

    init(folder: URL) { self.folder = folder }

    /// Written whole or not at all (a temporary name, then renamed), readable by Corridor's user
    /// only: these files hold personal data.
    func write(_ data: Data, name: String, at time: Date) throws {
        guard Self.isPlainName(name) else { throw CocoaError(.fileWriteInvalidFileName, userInfo: [NSFilePathErrorKey: name]) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = folder.appendingPathComponent(name)
        let partial = folder.appendingPathComponent(".\(name).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: partial.path])
        }
        try? FileManager.default.setAttributes([.modificationDate: time], ofItemAtPath: partial.path)
        if rename(partial.path, file.path) != 0 {
            try? FileManager.default.removeItem(at: partial)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }

    /// A name of this folder: no separator, no `..`, not hidden.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\\") && !name.contains("\u{0}")
    }

    func read(_ name: String) throws -> Data? {
        guard Self.isPlainName(name) else { return nil }
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try Data(contentsOf: file)
    }

    func remove(_ name: String) {
        guard Self.isPlainName(name) else { return }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }

    func list() -> [(name: String, written: Date)] {
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        // A write cut off by a crash leaves its `.partial` file: older than a day, it goes.
        for file in files where file.lastPathComponent.hasPrefix(".") && file.lastPathComponent.hasSuffix(".partial") {
            let modified = (try? file.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate ?? .distantPast
            if Date().timeIntervalSince(modified) > 86_400 { try? FileManager.default.removeItem(at: file) }
        }
        return files.filter { !$0.lastPathComponent.hasPrefix(".") }.map { file in
            let modified = (try? file.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate ?? .distantPast
            return (file.lastPathComponent, modified)
        }
    }
}

/// Files held in memory, for tests.
final class MemoryFileStore: FileStore {
    private let files = NIOLockedValueBox<[String: (data: Data, written: Date)]>([:])

    init() {}

    func write(_ data: Data, name: String, at time: Date) throws {
        files.withLockedValue { $0[name] = (data, time) }
    }

    func read(_ name: String) throws -> Data? { files.withLockedValue { $0[name]?.data } }

    func remove(_ name: String) { _ = files.withLockedValue { $0.removeValue(forKey: name) } }

    func list() -> [(name: String, written: Date)] {
        files.withLockedValue { $0.map { (name: $0.key, written: $0.value.written) } }
    }
}

/// Uploaded files waiting for their confirmation page, each visible to the person who sent it
/// only. Every importer (cases, matrices, institutions, Kobo) keeps its upload here between the
/// report and the commit.
struct UploadStore: Sendable {
    let files: any FileStore
    let clock: any TimeSource
    /// How long an upload waits for its confirmation (`CORRIDOR_RETENTION_UPLOAD_HOURS`).
    var lifetime: TimeInterval = Self.defaultLifetime

    static let defaultLifetime: TimeInterval = 3_600

    /// Keeps an upload for its owner; uploads older than `lifetime` are removed on the way.
    func keep(_ data: Data, owner: UUID?) throws -> String {
        removeExpired()
        let id = UUID().uuidString.lowercased()
        try files.write(data, name: name(id, owner: owner), at: clock.now())
        return id
    }

    /// The upload, only for the person who sent it, and only while it has not expired.
    func load(_ id: String, owner: UUID?) throws -> Data? {
        guard UUID(uuidString: id) != nil else { return nil }
        let key = name(id.lowercased(), owner: owner)
        guard let written = files.list().first(where: { $0.name == key })?.written,
              clock.now().timeIntervalSince(written) <= lifetime else { return nil }
        return try files.read(key)
    }

    func discard(_ id: String, owner: UUID?) {
        files.remove(name(id.lowercased(), owner: owner))
    }

    private func name(_ id: String, owner: UUID?) -> String {
        "\(id).\(owner?.uuidString.lowercased() ?? "cli").upload"
    }

    /// Deletes the uploads older than their lifetime (at start, at every upload and in the
    /// retention run); returns how many went.
    @discardableResult
    func removeExpired() -> Int {
        let names = expired()
        for name in names { files.remove(name) }
        return names.count
    }

    /// The names of the uploads past their lifetime.
    func expired() -> [String] {
        let now = clock.now()
        return files.list().filter { $0.name.hasSuffix(".upload") && now.timeIntervalSince($0.written) > lifetime }.map(\.name)
    }
}
