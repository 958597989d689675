import CCrypto
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// scrypt password hashes in the reference's encoding:
/// `$scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>` (spec-identity §4.6).
public enum PasswordHasher {
    /// scrypt work factors. Verification always uses the factors stored in the hash, so they
    /// can be raised later without invalidating existing passwords.
    public struct Cost: Sendable, Hashable {
        /// CPU/memory cost (a power of two).
        public let n: UInt64
        /// Block size.
        public let r: UInt64
        /// Parallelism.
        public let p: UInt64

        /// Factors clamped into the range `verify` accepts: `n` a power of two in 2…2²⁰,
        /// `r` 1…32, `p` 1…16, at most 256 MiB of scrypt memory.
        public init(n: UInt64, r: UInt64, p: UInt64) {
            var power: UInt64 = 2
            while power < min(n, 1 << 20) { power <<= 1 }
            var r = min(max(r, 1), 32)
            let p = min(max(p, 1), 16)
            while 128 * power * r * p > 1 << 28, r > 1 { r -= 1 }
            self.n = power
            self.r = r
            self.p = p
        }

        /// The reference's factors: N = 16384, r = 8, p = 1 (16 MiB, tens of milliseconds).
        public static let reference = Cost(n: 16_384, r: 8, p: 1)
    }
    /// Derived key length in bytes.
    public static let keyLength = 64
    /// Salt length in bytes.
    public static let saltLength = 16

    /// Why hashing failed (libcrypto refused the parameters or ran out of memory).
    public struct HashingFailed: Error, Sendable {}

    /// Hashes a password with a fresh random salt. Blocks for tens of milliseconds at the
    /// reference cost.
    /// - Parameters:
    ///   - password: the password.
    ///   - cost: the scrypt work factors.
    /// - Throws: `HashingFailed` when libcrypto cannot derive the key.
    public static func hash(_ password: String, cost: Cost = .reference) throws(HashingFailed) -> String {
        let salt = SecureRandom.bytes(saltLength)
        guard let key = derive(password, salt: salt, n: cost.n, r: cost.r, p: cost.p, length: keyLength) else {
            throw HashingFailed()
        }
        return "$scrypt$\(cost.n)$\(cost.r)$\(cost.p)$\(Base64.encode(salt))$\(Base64.encode(key))"
    }

    /// Whether `password` matches an encoded hash. Malformed or out-of-bounds encodings give
    /// false, never an error; the comparison is constant-time.
    public static func verify(_ password: String, encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0].isEmpty, parts[1] == "scrypt",
            let n = UInt64(parts[2]), let r = UInt64(parts[3]), let p = UInt64(parts[4]),
            let salt = Base64.decode(String(parts[5])), let expected = Base64.decode(String(parts[6])),
            !expected.isEmpty, expected.count <= 1024,
            // Bounds keep a tampered record from making one login cost gigabytes or minutes.
            n >= 2, n <= 1 << 20, n & (n - 1) == 0, r >= 1, r <= 32, p >= 1, p <= 16,
            128 * n * r * p <= 1 << 28
        else { return false }
        guard let actual = derive(password, salt: salt, n: n, r: r, p: p, length: expected.count) else { return false }
        return Digest.constantTimeEquals(actual, expected)
    }

    /// `hash` off the cooperative thread pool (scrypt would otherwise block one of its few threads).
    public static func hashOffloaded(_ password: String, cost: Cost = .reference) async throws(HashingFailed) -> String {
        let encoded: String? = await offload { try? hash(password, cost: cost) }
        guard let encoded else { throw HashingFailed() }
        return encoded
    }

    /// `verify` off the cooperative thread pool.
    public static func verifyOffloaded(_ password: String, encoded: String) async -> Bool {
        await offload { verify(password, encoded: encoded) }
    }

    /// One serial lane per core (at most 8): at most that many derivations run at once, so a
    /// flood of logins queues up instead of allocating 16 MiB per concurrent attempt.
    private static let lanes: [DispatchQueue] = {
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return (0..<min(8, max(1, cores))).map { DispatchQueue(label: "noex.auth.scrypt.\($0)") }
    }()
    private static let nextLane = Atomic<Int>(0)

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let lane = lanes[nextLane.add(1, ordering: .relaxed).newValue % lanes.count]
        return await withCheckedContinuation { continuation in
            lane.async { continuation.resume(returning: work()) }
        }
    }

    private static func derive(_ password: String, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) -> [UInt8]? {
        var key = [UInt8](repeating: 0, count: length)
        let pass = Array(password.utf8)
        // Enough memory for the largest accepted parameters (128·N·r·p bytes plus slack).
        let maxMemory = 128 * n * r * p + 1 << 20
        let status = pass.withUnsafeBufferPointer { passBytes in
            salt.withUnsafeBufferPointer { saltBytes in
                key.withUnsafeMutableBufferPointer { out in
                    passBytes.withMemoryRebound(to: CChar.self) { passChars in
                        EVP_PBE_scrypt(
                            passChars.baseAddress, passChars.count, saltBytes.baseAddress, saltBytes.count,
                            n, r, p, maxMemory, out.baseAddress, out.count)
                    }
                }
            }
        }
        return status == 1 ? key : nil
    }
}
