import Vapor
import Foundation

/// Random secrets (session ids, API tokens, one-time passwords) and their stored hashes.
enum SecureToken {
    /// `byteCount` random bytes from the system's secure generator, base64url-encoded.
    static func generate(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A one-time password a person can type: 16 characters without look-alikes.
    static func oneTimePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(characters)
    }

    /// Tokens are stored as SHA-256 hex digests, never in clear.
    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }

}
