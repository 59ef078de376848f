import Testing
@testable import CorridorCore
@Test func placeholder() { #expect(CorridorCoreVersion.name == "corridor") }
