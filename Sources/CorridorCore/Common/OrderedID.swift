import Foundation

/// Identifiers that sort in the order they were made (UUID version 7, RFC 9562): 48 bits of
/// milliseconds, then a counter, then random bits. Rows written in bulk with them go to the end
/// of the primary-key index instead of to random places, which keeps large imports fast.
public struct OrderedIDGenerator: Sendable {
    private var millis: UInt64 = 0
    private var counter: UInt64 = 0
    private var generator = SystemRandomNumberGenerator()

    public init() {}

    public mutating func next(now: Date = Date()) -> UUID {
        let current = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        if current > millis {
            millis = current
            counter = UInt64.random(in: 0..<(1 << 40), using: &generator)
        } else {
            counter += 1
            if counter >= 1 << 42 { millis += 1; counter = 0 }
        }
        // 48 bits of time, 4 bits of version, 12 bits of counter, 2 bits of variant, 30 bits of
        // counter, 32 random bits.
        let random = UInt32.random(in: .min ... .max, using: &generator)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: (counter >> 38) & 0x0F)
        bytes[7] = UInt8(truncatingIfNeeded: counter >> 30)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (counter >> 24) & 0x3F)
        bytes[9] = UInt8(truncatingIfNeeded: counter >> 16)
        bytes[10] = UInt8(truncatingIfNeeded: counter >> 8)
        bytes[11] = UInt8(truncatingIfNeeded: counter)
        for i in 0..<4 { bytes[12 + i] = UInt8(truncatingIfNeeded: random >> (24 - 8 * UInt32(i))) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
