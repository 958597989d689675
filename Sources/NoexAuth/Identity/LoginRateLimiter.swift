import NoexProtocol
public import NoexWire
import Synchronization

/// Counts failed logins per key (`user:<name>`, `ip:<address>`) in fixed windows
/// (spec-identity §4.8, with F17: a success resets both keys).
public final class LoginRateLimiter: Sendable {
    private struct Window {
        var count: Int
        var firstAttemptAt: Int64
    }

    private let configuration: LoginRateLimitConfiguration
    private let now: @Sendable () -> Int64
    private let windows = Mutex<[String: Window]>([:])
    /// Above this many tracked keys, expired windows are swept so an attacker cycling through
    /// names or addresses cannot grow the table without bound.
    private let sweepThreshold = 10_000

    /// Creates a limiter.
    /// - Parameters:
    ///   - configuration: attempts and window.
    ///   - now: the clock, in epoch milliseconds.
    public init(configuration: LoginRateLimitConfiguration, now: @escaping @Sendable () -> Int64) {
        self.configuration = configuration
        self.now = now
    }

    /// Passes, or throws `RATE_LIMITED` with `details.retryAfterMs` while `key` is locked out.
    public func check(_ key: String) throws(ProtocolError) {
        let now = now()
        let windowMs = Int64(configuration.windowMs)
        let retryAfter = windows.withLock { windows -> Int64? in
            guard let window = windows[key] else { return nil }
            if now - window.firstAttemptAt > windowMs {
                windows[key] = nil
                return nil
            }
            guard window.count >= configuration.maxAttempts else { return nil }
            return windowMs - (now - window.firstAttemptAt)
        }
        if let retryAfter {
            throw ProtocolError(
                .rateLimited, "Too many failed login attempts. Try again later.",
                details: ["retryAfterMs": .number(Double(retryAfter))])
        }
    }

    /// Records one failure for `key`, opening a new window when none is running.
    public func recordFailure(_ key: String) {
        let now = now()
        let windowMs = Int64(configuration.windowMs)
        windows.withLock { windows in
            if var window = windows[key], now - window.firstAttemptAt <= windowMs {
                window.count += 1
                windows[key] = window
            } else {
                if windows.count >= sweepThreshold {
                    windows = windows.filter { now - $0.value.firstAttemptAt <= windowMs }
                }
                windows[key] = Window(count: 1, firstAttemptAt: now)
            }
        }
    }

    /// Forgets `key`'s failures.
    public func reset(_ key: String) {
        _ = windows.withLock { $0.removeValue(forKey: key) }
    }
}
