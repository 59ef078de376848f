import Foundation

/// `corridor serve` holds an exclusive lock on `<data>/serve.lock` while it runs (released by the
/// system when the process ends, even killed), so that the commands that must run with the server
/// stopped — `secret rotate`, `restore` — can tell, and refuse.
enum ServerLock {
    nonisolated(unsafe) private static var held: Int32 = -1

    static func path(_ dataDirectory: String) -> String { (dataDirectory as NSString).appendingPathComponent("serve.lock") }

    /// Takes the lock for the life of the process; false when another server holds it.
    static func acquire(dataDirectory: String) throws -> Bool {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let descriptor = open(path(dataDirectory), O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else { return true }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return false
        }
        held = descriptor
        return true
    }

    /// Whether a server is running on this data directory.
    static func isHeld(dataDirectory: String) -> Bool {
        let descriptor = open(path(dataDirectory), O_RDWR)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }
}
