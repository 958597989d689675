import Synchronization

/// User ids whose sessions were revoked, each until its TTL passes.
public final class SessionBlacklist: Sendable {
    private let ttlMs: Int64
    private let clock: ServerClock
    private let expiries = Mutex<[String: Int64]>([:])

    /// Creates a blacklist whose entries last `ttlMs`.
    public init(ttlMs: Int, clock: ServerClock) {
        self.ttlMs = Int64(ttlMs)
        self.clock = clock
    }

    /// Blacklists `userId`, restarting its TTL.
    public func add(_ userId: String) {
        let expiry = clock.nowMs() + ttlMs
        expiries.withLock { $0[userId] = expiry }
    }

    /// Whether `userId` is blacklisted now; expired entries are dropped.
    public func contains(_ userId: String) -> Bool {
        let now = clock.nowMs()
        return expiries.withLock { expiries in
            guard let expiry = expiries[userId] else { return false }
            if expiry <= now {
                expiries[userId] = nil
                return false
            }
            return true
        }
    }
}
