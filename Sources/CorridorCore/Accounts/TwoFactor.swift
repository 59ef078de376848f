import Crypto
import Foundation

extension Role {
    /// The roles that read trafficking details and medical notes, or give others that right,
    /// sign in with a second factor: a code from an authenticator app after the password.
    public var requiresTwoFactor: Bool { self == .admin || self == .protection }
}

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps,
/// six digits — what every authenticator app (FreeOTP, Aegis, Google and Microsoft
/// Authenticator) computes from the key it was given at enrolment.
public struct TOTP: Sendable {
    public static let period: TimeInterval = 30
    public static let digits = 6
    /// Steps either side of the current one that are still accepted: a phone's clock that is
    /// up to 30 seconds off, or a code typed as it changes.
    public static let drift: Int64 = 1
    /// Bytes of a new key (160 bits, as RFC 4226 recommends for SHA-1).
    public static let keyLength = 20

    public let key: Data

    public init(key: Data) { self.key = key }

    /// A fresh random key.
    public static func generateKey() -> Data {
        SymmetricKey(size: .init(bitCount: keyLength * 8)).withUnsafeBytes { Data($0) }
    }

    /// The step a moment falls in (seconds since 1970 divided by 30).
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / period).rounded(.down))
    }

    /// The code of one step, zero-padded to `digits`.
    public func code(step: Int64, digits: Int = TOTP.digits) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        // Dynamic truncation (RFC 4226 §5.3).
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    public func code(at date: Date) -> String { code(step: Self.step(at: date)) }

    /// The step whose code `typed` is, within the drift around `date` and later than
    /// `lastUsed` (a code is good once: one seen over a shoulder cannot be replayed); nil when
    /// it is none.
    public func matchingStep(_ typed: String, at date: Date, after lastUsed: Int64?) -> Int64? {
        guard let typed = Self.normalized(typed) else { return nil }
        let now = Self.step(at: date)
        var found: Int64?
        // Every candidate is compared, whatever matched, so that timing says nothing.
        for step in (now - Self.drift)...(now + Self.drift) {
            let expected = code(step: step)
            if ConstantTime.equal(expected, typed), step > (lastUsed ?? Int64.min), found == nil { found = step }
        }
        return found
    }

    /// Six digits, once spaces and dashes typed between them are left out; nil otherwise.
    public static func normalized(_ typed: String) -> String? {
        let digits = typed.filter { $0 != " " && $0 != "-" && $0 != "\u{00A0}" }
        guard digits.count == Self.digits, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits
    }

    /// The `otpauth://` address an authenticator app reads from a QR code or a link.
    public func provisioningURI(issuer: String, account: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        let label = (issuer + ":" + account).addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        let issuerParameter = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(key))&issuer=\(issuerParameter)&algorithm=SHA1&digits=\(Self.digits)&period=\(Int(Self.period))"
    }
}

/// Base32 (RFC 4648 §6), the alphabet authenticator apps take keys in.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Without padding, as `otpauth://` addresses carry it.
    public static func encode(_ data: Data) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Any case, spaces and padding ignored; nil for a character outside the alphabet.
    public static func decode(_ text: String) -> Data? {
        var output = Data()
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }

    /// In groups of four, as people copy a key into an app by hand.
    public static func grouped(_ text: String) -> String {
        var groups: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }
}

/// Single-use codes for signing in without the phone (lost, broken, left at home). Ten are
/// given at enrolment, shown once; only their SHA-256 is kept.
public enum RecoveryCodes {
    public static let count = 10
    /// Letters and digits that cannot be misread for one another (no 0/o, 1/l/i).
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    /// `count` fresh codes, each ten characters (about 49 bits) in two groups: `k7qmd-x3hpa`.
    public static func generate() -> [String] {
        (0..<count).map { _ in
            var generator = SystemRandomNumberGenerator()
            let characters = (0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
            return String(characters.prefix(5)) + "-" + String(characters.suffix(5))
        }
    }

    /// What was typed, in the form the digest is taken of: lower case, without spaces or dashes.
    public static func normalized(_ typed: String) -> String? {
        let kept = typed.lowercased().filter { $0 != " " && $0 != "-" && $0 != "\u{00A0}" }
        guard kept.count == 10, kept.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return kept
    }

    public static func digest(_ code: String) -> String? {
        normalized(code).map { SHA256.hash(data: Data($0.utf8)).map { String(format: "%02x", $0) }.joined() }
    }
}

/// Seals what Corridor must store but not show: AES-GCM under a key derived from the one
/// secret (`CorridorSecret.key(for:)`); the stored text is the base64 of nonce, ciphertext and tag.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    public init(secret: CorridorSecret, purpose: String) {
        key = secret.key(for: purpose)
    }

    public func seal(_ plain: Data) throws -> String {
        guard let combined = try AES.GCM.seal(plain, using: key).combined else { throw CryptoKitError.incorrectParameterSize }
        return combined.base64EncodedString()
    }

    /// Nil when the text was not sealed with this key (edited, or another secret).
    public func open(_ sealed: String) -> Data? {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data) else { return nil }
        return try? AES.GCM.open(box, using: key)
    }
}
