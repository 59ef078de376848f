/// A problem with one field; `code` is a catalogue key.
public struct FieldIssue: Sendable, Equatable, Hashable {
    public var field: String
    public var code: String
    public init(_ field: String, _ code: String) { self.field = field; self.code = code }
}
