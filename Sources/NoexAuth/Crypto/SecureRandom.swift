import CCrypto

/// Random bytes and bearer tokens from libcrypto's CSPRNG, which the kernel seeds.
public enum SecureRandom {
    /// `count` random bytes.
    ///
    /// libcrypto's `RAND_bytes` is the source; should it ever report failure, the standard
    /// library's `SystemRandomNumberGenerator` (the kernel's `getrandom`) fills the buffer
    /// instead, so callers never receive predictable bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let status = buffer.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        if status != 1 {
            var generator = SystemRandomNumberGenerator()
            for index in buffer.indices { buffer[index] = UInt8.random(in: .min ... .max, using: &generator) }
        }
        return buffer
    }

    /// A bearer token: 256 random bits, base64url without padding (43 characters).
    public static func token() -> String {
        Base64.encode(bytes(32), urlSafe: true)
    }
}
