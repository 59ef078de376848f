import Foundation

/// A share with its 95 % Wilson score interval.
public struct Proportion: Sendable, Equatable, Codable {
    public var count: Int
    public var n: Int
    public var share: Double
    public var low: Double
    public var high: Double

    public static let z95 = 1.959963984540054

    /// `count` of `n`, with the Wilson interval (well behaved near 0 and 1 and for small n).
    public init(count: Int, n: Int, z: Double = Proportion.z95) {
        self.count = count
        self.n = n
        guard n > 0 else { share = 0; low = 0; high = 0; return }
        let p = Double(count) / Double(n)
        let nn = Double(n)
        let denominator = 1 + z * z / nn
        let centre = (p + z * z / (2 * nn)) / denominator
        let half = z * ((p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()) / denominator
        share = p
        low = max(0, centre - half)
        high = min(1, centre + half)
    }
}
