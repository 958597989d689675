import CCrypto

/// SHA-256 and constant-time comparison from libcrypto.
public enum Digest {
    /// The SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        return digest
    }

    /// The SHA-256 of a string's UTF-8, as lowercase hex.
    public static func sha256Hex(_ text: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in sha256(Array(text.utf8)) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether two byte strings are equal, taking time independent of where they differ.
    /// Lengths are compared first (they are not secret for fixed-size digests).
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }

    /// Whether two secrets are equal without revealing their lengths or where they differ:
    /// both are hashed first, then the digests are compared in constant time.
    public static func secretsEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEquals(sha256(Array(a.utf8)), sha256(Array(b.utf8)))
    }
}
