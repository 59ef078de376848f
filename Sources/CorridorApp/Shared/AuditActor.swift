import Foundation

/// Who did something: a signed-in person, or the command line.
struct AuditActor: Sendable {
    var id: String?
    var label: String
    var address: String?
    /// What seals the trail's head; set wherever an actor is made for the application.
    var anchor: AuditAnchor?

    static func commandLine(_ command: String) -> AuditActor {
        AuditActor(id: nil, label: "cli:\(command)", address: nil)
    }
}
