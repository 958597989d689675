@testable import NoexAuth
import Testing

@Suite struct PasswordHasherTests {
    /// The encoding, checked at cheap factors. Derivations at the reference cost (16 MiB each) stay
    /// out of this process, where they would disturb the memory measurement of SlowClientTests;
    /// `.ci/checks/55-auth-smoke.sh` creates and logs in a user at the reference cost instead.
    @Test func hashHasTheReferenceShapeAndVerifies() async throws {
        #expect(PasswordHasher.Cost.reference == PasswordHasher.Cost(n: 16_384, r: 8, p: 1))
        #expect(PasswordHasher.Cost.reference.n == 16_384 && PasswordHasher.Cost.reference.r == 8)
        #expect(BuiltInIdentityConfiguration(adminSecret: "s").passwordHashCost == .reference)
        let encoded = try await PasswordHasher.hashOffloaded("password123", cost: cheap)
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 7)
        #expect(parts[0].isEmpty && parts[1] == "scrypt")
        #expect(parts[2] == "1024" && parts[3] == "8" && parts[4] == "1")
        #expect(Base64.decode(String(parts[5]))?.count == 16)
        #expect(Base64.decode(String(parts[6]))?.count == 64)
        #expect(await PasswordHasher.verifyOffloaded("password123", encoded: encoded))
    }

    /// Cheap factors for the remaining cases: each reference derivation takes 16 MiB, which would
    /// disturb memory measurements of suites running alongside.
    private let cheap = PasswordHasher.Cost(n: 1024, r: 8, p: 1)

    @Test func wrongPasswordsFail() async throws {
        let encoded = try await PasswordHasher.hashOffloaded("password123", cost: cheap)
        #expect(await !PasswordHasher.verifyOffloaded("password124", encoded: encoded))
        #expect(await !PasswordHasher.verifyOffloaded("", encoded: encoded))
    }

    @Test func saltsDifferSoHashesDiffer() async throws {
        let first = try await PasswordHasher.hashOffloaded("same", cost: cheap)
        let second = try await PasswordHasher.hashOffloaded("same", cost: cheap)
        #expect(first != second)
    }

    @Test func emptyPasswordHashesAndVerifies() throws {
        let encoded = try PasswordHasher.hash("", cost: cheap)
        #expect(PasswordHasher.verify("", encoded: encoded))
        #expect(!PasswordHasher.verify("x", encoded: encoded))
    }

    /// A known scrypt vector (RFC 7914 §12, second case: "password"/"NaCl", N=1024, r=8, p=16, 64 bytes).
    @Test func verifiesRfc7914Vector() async {
        let key: [UInt8] = [
            0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00, 0x78, 0x56, 0xe7, 0x19, 0x0d, 0x01, 0xe9, 0xfe,
            0x7c, 0x6a, 0xd7, 0xcb, 0xc8, 0x23, 0x78, 0x30, 0xe7, 0x73, 0x76, 0x63, 0x4b, 0x37, 0x31, 0x62,
            0x2e, 0xaf, 0x30, 0xd9, 0x2e, 0x22, 0xa3, 0x88, 0x6f, 0xf1, 0x09, 0x27, 0x9d, 0x98, 0x30, 0xda,
            0xc7, 0x27, 0xaf, 0xb9, 0x4a, 0x83, 0xee, 0x6d, 0x83, 0x60, 0xcb, 0xdf, 0xa2, 0xcc, 0x06, 0x40,
        ]
        let encoded = "$scrypt$1024$8$16$\(Base64.encode(Array("NaCl".utf8)))$\(Base64.encode(key))"
        // Run off the cooperative pool: each derivation holds a thread for tens of milliseconds.
        #expect(await PasswordHasher.verifyOffloaded("password", encoded: encoded))
        #expect(await !PasswordHasher.verifyOffloaded("Password", encoded: encoded))
    }

    @Test func malformedEncodingsAreFalseNotErrors() {
        for bad in [
            "", "plain", "$scrypt$16384$8$1$AAAA", "$bcrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
            "$scrypt$abc$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA", "$scrypt$16384$8$1$!!!!$AAAA",
            "$scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$", "x$scrypt$16384$8$1$AAAA$AAAA",
            // Costs a tampered record could use to stall the server are refused outright.
            "$scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA", "$scrypt$16384$1024$64$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
            "$scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA",
        ] {
            #expect(!PasswordHasher.verify("password", encoded: bad), "\(bad)")
        }
    }

    @Test func base64RoundTrips() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm8") == nil)
        #expect(Base64.decode("Z=8=") == nil)
    }
}

@Suite struct SecureRandomTests {
    @Test func tokensCarry256BitsAndNeverRepeat() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let token = SecureRandom.token()
            #expect(token.count == 43)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            seen.insert(token)
        }
        #expect(seen.count == 1000)
    }

    /// A crude bias check: over 64 KiB every byte value appears, none wildly often.
    @Test func bytesLookUniform() {
        var counts = [Int](repeating: 0, count: 256)
        for byte in SecureRandom.bytes(65_536) { counts[Int(byte)] += 1 }
        #expect(counts.allSatisfy { $0 > 128 && $0 < 384 })
    }

    @Test func digestAndComparison() {
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(Digest.secretsEqual("s3cret", "s3cret"))
        #expect(!Digest.secretsEqual("s3cret", "s3cret "))
    }
}

@Suite struct PasswordHashCostTests {
    @Test func costsAreClampedIntoTheVerifiableRange() throws {
        #expect(PasswordHasher.Cost.reference == PasswordHasher.Cost(n: 16_384, r: 8, p: 1))
        let odd = PasswordHasher.Cost(n: 1000, r: 0, p: 99)
        #expect(odd.n == 1024 && odd.r >= 1 && odd.p == 16)
        #expect(128 * odd.n * odd.r * odd.p <= 1 << 28)
        let huge = PasswordHasher.Cost(n: .max, r: .max, p: .max)
        #expect(huge.n == 1 << 20)
        let encoded = try PasswordHasher.hash("pw", cost: PasswordHasher.Cost(n: 1024, r: 8, p: 1))
        #expect(encoded.hasPrefix("$scrypt$1024$8$1$"))
        #expect(PasswordHasher.verify("pw", encoded: encoded))
    }
}
