import Foundation
import Testing
@testable import CorridorCore

@Suite struct TwoFactorTests {
    /// RFC 6238 appendix B, SHA-1 rows (eight digits), key "12345678901234567890".
    @Test func codesAreThoseOfRFC6238() {
        let totp = TOTP(key: Data("12345678901234567890".utf8))
        let vectors: [(TimeInterval, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (seconds, expected) in vectors {
            #expect(totp.code(step: TOTP.step(at: Date(timeIntervalSince1970: seconds)), digits: 8) == expected, "at \(seconds)")
        }
        // Six digits are the last six of the same truncation.
        #expect(totp.code(at: Date(timeIntervalSince1970: 59)) == "287082")
        #expect(totp.code(at: Date(timeIntervalSince1970: 1_111_111_109)) == "081804", "leading zeros are kept")
    }

    @Test func aCodeIsGoodWithinOneStepOfDriftAndOnlyOnce() {
        let totp = TOTP(key: TOTP.generateKey())
        let now = Date(timeIntervalSince1970: 1_790_000_015)
        let step = TOTP.step(at: now)
        #expect(totp.matchingStep(totp.code(step: step), at: now, after: nil) == step)
        #expect(totp.matchingStep(totp.code(step: step - 1), at: now, after: nil) == step - 1, "the phone is 30 s slow")
        #expect(totp.matchingStep(totp.code(step: step + 1), at: now, after: nil) == step + 1, "the phone is 30 s fast")
        #expect(totp.matchingStep(totp.code(step: step - 2), at: now, after: nil) == nil, "a minute old")
        #expect(totp.matchingStep(totp.code(step: step + 2), at: now, after: nil) == nil)
        #expect(totp.matchingStep(totp.code(step: step), at: now, after: step) == nil, "a code already used is refused")
        #expect(totp.matchingStep(totp.code(step: step - 1), at: now, after: step) == nil, "so is an earlier one")
        let spaced = totp.code(step: step).enumerated().map { $0.offset == 3 ? " \($0.element)" : String($0.element) }.joined()
        #expect(totp.matchingStep(spaced, at: now, after: nil) == step, "a space typed in the middle is left out")
        for typed in ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            #expect(totp.matchingStep(typed, at: now, after: nil) == nil, "\(typed)")
        }
    }

    @Test func base32IsThatOfRFC4648() {
        let vectors = [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Data(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Data(plain.utf8))
        }
        #expect(Base32.decode("mzxw 6ytb oi======") == Data("foobar".utf8), "any case, spaces and padding")
        #expect(Base32.decode("MZXW1") == nil, "1 is not in the alphabet")
        for _ in 0..<50 {
            let key = TOTP.generateKey()
            #expect(Base32.decode(Base32.grouped(Base32.encode(key))) == key)
        }
        #expect(Base32.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ")
    }

    @Test func theProvisioningAddressNamesIssuerAccountAndKey() {
        let totp = TOTP(key: Data("12345678901234567890".utf8))
        let uri = totp.provisioningURI(issuer: "Corridor", account: "awa.kone@gouv.ci")
        #expect(uri == "otpauth://totp/Corridor%3Aawa.kone@gouv.ci?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Corridor&algorithm=SHA1&digits=6&period=30")
        let components = URLComponents(string: uri)
        #expect(components?.scheme == "otpauth")
        #expect(components?.queryItems?.first { $0.name == "secret" }?.value.flatMap(Base32.decode) == totp.key)
    }

    @Test func recoveryCodesAreDistinctReadableAndDigestedAsTyped() throws {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == RecoveryCodes.count)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(code.count == 11 && code.dropFirst(5).first == "-")
            #expect(!code.contains { "0o1li".contains($0) })
        }
        let code = try #require(codes.first)
        #expect(RecoveryCodes.digest(code) == RecoveryCodes.digest(code.uppercased().replacingOccurrences(of: "-", with: " ")))
        #expect(RecoveryCodes.digest(code) != RecoveryCodes.digest(codes[1]))
        #expect(RecoveryCodes.digest("abc") == nil)
        #expect(RecoveryCodes.digest("0000000000") == nil, "outside the alphabet")
    }

    @Test func aSealedSecretOpensOnlyWithItsOwnKeyAndPurpose() throws {
        let secret = try #require(CorridorSecret(bytes: CorridorSecret.generate()))
        let other = try #require(CorridorSecret(bytes: CorridorSecret.generate()))
        let box = SecretBox(secret: secret, purpose: "totp-key")
        let key = TOTP.generateKey()
        let sealed = try box.seal(key)
        #expect(box.open(sealed) == key)
        #expect(try box.seal(key) != sealed, "a fresh nonce each time")
        #expect(SecretBox(secret: other, purpose: "totp-key").open(sealed) == nil)
        #expect(SecretBox(secret: secret, purpose: "backup").open(sealed) == nil)
        var bytes = try #require(Data(base64Encoded: sealed))
        bytes[bytes.count / 2] ^= 1
        #expect(box.open(bytes.base64EncodedString()) == nil, "an edited box does not open")
        #expect(box.open("not base64") == nil)
    }

    @Test func theRolesThatReadProtectedDetailsNeedASecondFactor() {
        #expect(Role.allCases.filter(\.requiresTwoFactor) == [.admin, .protection])
    }
}

@Suite struct QRCodeTests {
    /// The worked example of the standard (ISO/IEC 18004 annex I: "01234567", version 1-M).
    @Test func errorCorrectionIsThatOfTheStandardsExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        #expect(ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
                == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test func formatAndVersionBitsAreThoseOfTheStandardsTables() {
        #expect(QRCode.formatBits(mask: 0) == 0b101010000010010)
        #expect(QRCode.formatBits(mask: 7) == 0b100101010100000)
        #expect(QRCode.formatBits(mask: 5) == 0b100000011001110)
        #expect(QRCode.versionBits(7) == 0x07C94)
        #expect(QRCode.versionBits(10) == 0x0A4D3)
    }

    @Test func theSmallestVersionHoldsTheTextWithItsFixedPatterns() throws {
        let short = try #require(QRCode(text: "corridor"))
        #expect(short.version == 1 && short.size == 21)
        let uri = TOTP(key: TOTP.generateKey()).provisioningURI(issuer: "Corridor", account: "awa.kone-traore@protection.corridor.example")
        let code = try #require(QRCode(text: uri))
        #expect(code.version >= 6 && code.version <= 10, "an otpauth address of \(uri.utf8.count) bytes")
        #expect(code.modules.count == code.size && code.modules.allSatisfy { $0.count == code.size })
        // Finder patterns in three corners (a dark ring, a light ring, a dark centre), timing rows, the dark module.
        for (x, y) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            #expect(code.modules[y][x] && code.modules[y + 6][x + 6] && !code.modules[y + 1][x + 1] && code.modules[y + 3][x + 3])
        }
        for index in 8..<(code.size - 8) { #expect(code.modules[6][index] == (index % 2 == 0) && code.modules[index][6] == (index % 2 == 0)) }
        #expect(code.modules[code.size - 8][8])
        #expect(QRCode(text: String(repeating: "x", count: 214)) == nil, "beyond version 10")
        #expect(QRCode(text: String(repeating: "x", count: 213))?.version == 10)
        let svg = try #require(QRCode.svg("corridor"))
        #expect(svg.hasPrefix("<svg") && svg.contains("viewBox=\"0 0 29 29\""))
    }
}
