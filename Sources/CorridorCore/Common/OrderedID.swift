import Crypto
import Foundation

/// Identifiers that sort in the order they were made (UUID version 7, RFC 9562): 48 bits of
/// milliseconds, then a counter, then random bits. Rows written in bulk with them go to the end
/// of the primary-key index instead of to random places, which keeps large imports fast.
public struct OrderedIDGenerator: Sendable {
    private var millis: UInt64 = 0
    private var counter: UInt64 = 0
    /// Random words drawn from the system 256 at a time (one system call per 256 identifiers
    /// instead of one per identifier: an import makes millions).
    private var pool: [UInt32] = []
    private var drawn = 0

    public init() {}

    private mutating func random() -> UInt32 {
        if drawn == pool.count {
            pool = [UInt32](repeating: 0, count: 256)
            Self.fill(&pool)
            drawn = 0
        }
        defer { drawn += 1 }
        return pool[drawn]
    }

    /// Fills the words from BoringSSL's generator (seeded by the system, drawn in user space).
    private static func fill(_ words: inout [UInt32]) {
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: words.count * 32))
        key.withUnsafeBytes { source in
            words.withUnsafeMutableBytes { target in target.copyMemory(from: source) }
        }
    }

    public mutating func next(now: Date = Date()) -> UUID {
        let current = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        if current > millis {
            millis = current
            counter = (UInt64(random()) << 8 | UInt64(random() & 0xFF)) & ((1 << 40) - 1)
        } else {
            counter += 1
            if counter >= 1 << 42 { millis += 1; counter = 0 }
        }
        // 48 bits of time, 4 bits of version, 12 bits of counter, 2 bits of variant, 30 bits of
        // counter, 32 random bits.
        let tail = random()
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        func byte(_ value: UInt32, _ shift: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (byte(millis, 40), byte(millis, 32), byte(millis, 24), byte(millis, 16), byte(millis, 8), byte(millis, 0),
                           0x70 | UInt8(truncatingIfNeeded: (counter >> 38) & 0x0F), byte(counter, 30),
                           0x80 | UInt8(truncatingIfNeeded: (counter >> 24) & 0x3F), byte(counter, 16), byte(counter, 8), byte(counter, 0),
                           byte(tail, 24), byte(tail, 16), byte(tail, 8), byte(tail, 0)))
    }
}
