import NoexProtocol
public import NoexWire
import Synchronization

/// Counts login attempts per key (`user:<name>`, `ip:<address>`, and the pair of both) in fixed
/// windows (spec-identity §4.8, with F17).
///
/// An attempt is **reserved before the password is verified** (``begin(_:)``): the limit counts
/// failures plus attempts still being verified, under one lock, so concurrent guesses cannot
/// all slip past a check made before any of them failed (300 simultaneous guesses with a limit
/// of 5 verify at most 5 passwords). The attempt then ends as a failure, which stays counted,
/// or a success, which forgives only that account's own failures: its account key, and from
/// this address only the failures against this account (``succeed(_:forgiving:)``). Failures
/// against other accounts stay counted, so an account holder's own logins cannot reopen a
/// password-spraying window.
public final class LoginRateLimiter: Sendable {
    private struct Entry {
        /// Failures in the current window.
        var failures: Int
        var windowStart: Int64
        /// Attempts reserved and still being verified (they survive a window change).
        var pending: Int
    }

    /// One reserved login attempt; end it with ``fail(_:)``, ``succeed(_:forgiving:)`` or
    /// ``abandon(_:)``.
    public struct Attempt: Sendable {
        /// The keys the attempt is counted on.
        public let keys: [String]
    }

    private let configuration: LoginRateLimitConfiguration
    private let now: @Sendable () -> Int64
    private let entries = Mutex<[String: Entry]>([:])
    /// Above this many tracked keys, idle expired entries are swept so an attacker cycling
    /// through names or addresses cannot grow the table without bound.
    private let sweepThreshold = 10_000

    /// Creates a limiter.
    /// - Parameters:
    ///   - configuration: attempts and window.
    ///   - now: the clock, in epoch milliseconds.
    public init(configuration: LoginRateLimitConfiguration, now: @escaping @Sendable () -> Int64) {
        self.configuration = configuration
        self.now = now
    }

    /// The key of a client address.
    public static func addressKey(_ address: String) -> String { "ip:\(address)" }

    /// The key of one address's attempts against one account key.
    public static func pairKey(address: String, account: String) -> String { "ip:\(address)|\(account)" }

    private var windowMs: Int64 { Int64(max(0, configuration.windowMs)) }

    /// The entry of `key` at `now`, its window restarted when it has run out.
    private func current(_ entries: [String: Entry], _ key: String, now: Int64) -> Entry {
        guard var entry = entries[key] else { return Entry(failures: 0, windowStart: now, pending: 0) }
        if now - entry.windowStart > windowMs {
            entry.failures = 0
            entry.windowStart = now
        }
        return entry
    }

    private func limited(retryAfterMs: Int64) -> ProtocolError {
        ProtocolError(
            .rateLimited, "Too many failed login attempts. Try again later.",
            details: ["retryAfterMs": .number(Double(max(0, retryAfterMs)))])
    }

    /// Reserves one attempt on every key at once, or throws `RATE_LIMITED` (with
    /// `details.retryAfterMs`) when any key already has as many failures plus attempts in
    /// flight as the limit allows; then nothing is reserved.
    public func begin(_ keys: [String]) throws(ProtocolError) -> Attempt {
        let now = now()
        let windowMs = windowMs
        let maxAttempts = configuration.maxAttempts
        let retryAfter = entries.withLock { entries -> Int64? in
            var updated: [(String, Entry)] = []
            for key in keys {
                var entry = current(entries, key, now: now)
                if entry.failures + entry.pending >= maxAttempts {
                    return windowMs - (now - entry.windowStart)
                }
                entry.pending += 1
                updated.append((key, entry))
            }
            if entries.count >= sweepThreshold {
                entries = entries.filter { $0.value.pending > 0 || now - $0.value.windowStart <= windowMs }
            }
            for (key, entry) in updated { entries[key] = entry }
            return nil
        }
        if let retryAfter { throw limited(retryAfterMs: retryAfter) }
        return Attempt(keys: keys)
    }

    /// Ends an attempt as a failure: it stays counted on every key.
    public func fail(_ attempt: Attempt) {
        let now = now()
        entries.withLock { entries in
            for key in attempt.keys {
                var entry = current(entries, key, now: now)
                entry.pending = max(0, entry.pending - 1)
                entry.failures += 1
                entries[key] = entry
            }
        }
    }

    /// Ends an attempt that was neither a failure nor a login (e.g. a revoked account): it
    /// stops counting.
    public func abandon(_ attempt: Attempt) {
        let now = now()
        entries.withLock { entries in
            for key in attempt.keys { release(&entries, key, now: now) }
        }
    }

    /// Ends an attempt as a success and forgives the account's own failures: the keys in
    /// `forgiving` are cleared (the account key, and the pair of this address and account),
    /// and a pair key's failures are also taken off the address key, where they were counted
    /// too. The address's failures against other accounts stay.
    /// - Parameters:
    ///   - attempt: the reserved attempt.
    ///   - forgiving: `(account key, address key, pair key)`; the account key may be `nil`.
    public func succeed(_ attempt: Attempt, forgiving: (account: String?, address: String, pair: String)) {
        let now = now()
        entries.withLock { entries in
            for key in attempt.keys { release(&entries, key, now: now) }
            if let account = forgiving.account, var entry = entries[account] {
                entry.failures = 0
                entries[account] = entry.pending == 0 ? nil : entry
            }
            guard var pair = entries[forgiving.pair] else { return }
            if var address = entries[forgiving.address] {
                address.failures = max(0, address.failures - pair.failures)
                entries[forgiving.address] = address
            }
            pair.failures = 0
            entries[forgiving.pair] = pair.pending == 0 ? nil : pair
        }
    }

    private func release(_ entries: inout [String: Entry], _ key: String, now: Int64) {
        guard entries[key] != nil else { return }
        var entry = current(entries, key, now: now)
        entry.pending = max(0, entry.pending - 1)
        entries[key] = entry.pending == 0 && entry.failures == 0 ? nil : entry
    }

    /// Passes, or throws `RATE_LIMITED` with `details.retryAfterMs` while `key` is locked out.
    /// Reserves nothing: a login must use ``begin(_:)`` so concurrent attempts are counted.
    public func check(_ key: String) throws(ProtocolError) {
        let now = now()
        let windowMs = windowMs
        let retryAfter = entries.withLock { entries -> Int64? in
            let entry = current(entries, key, now: now)
            guard entry.failures + entry.pending >= configuration.maxAttempts else { return nil }
            return windowMs - (now - entry.windowStart)
        }
        if let retryAfter { throw limited(retryAfterMs: retryAfter) }
    }

    /// Records one failure for `key`, opening a new window when none is running.
    public func recordFailure(_ key: String) {
        let now = now()
        entries.withLock { entries in
            var entry = current(entries, key, now: now)
            entry.failures += 1
            entries[key] = entry
        }
    }

    /// Forgets `key`'s failures.
    public func reset(_ key: String) {
        entries.withLock { entries in
            guard var entry = entries[key] else { return }
            entry.failures = 0
            entries[key] = entry.pending == 0 ? nil : entry
        }
    }
}
