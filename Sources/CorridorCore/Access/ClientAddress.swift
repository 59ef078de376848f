import Foundation

/// Who is asking, behind reverse proxies: `X-Forwarded-For` is believed only from a proxy the
/// configuration trusts, and then read from its right end (what the nearest proxy saw), past
/// the trusted proxies, so that a client cannot choose its own address by sending the header.
public enum ClientAddress {
    public static func resolve(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String {
        guard let peer, !peer.isEmpty else { return "unknown" }
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusted.contains(hop) {
            return isIPAddress(hop) ? hop : peer
        }
        return hops.first.flatMap { isIPAddress($0) ? $0 : nil } ?? peer
    }

    /// The unit an address counts in for per-address limits: an IPv4 address itself, an IPv6
    /// address's /64 (one subscriber's network: the addresses inside it are theirs to rotate).
    public static func limitKey(_ address: String) -> String {
        var v6 = in6_addr()
        guard address.contains(":"), inet_pton(AF_INET6, address, &v6) == 1 else { return address }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let groups = stride(from: 0, to: 8, by: 2).map { String(format: "%x", Int(bytes[$0]) << 8 | Int(bytes[$0 + 1])) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// An IPv4 or IPv6 address as text.
    public static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
