import Synchronization

/// A sliding-window-log rate limiter keyed by user id or remote address.
///
/// A request is allowed when fewer than `maxRequests` allowed requests happened in the last
/// `windowMs`; only allowed requests are recorded, so rejections never extend the window.
public final class RateLimiter: Sendable {
    /// The outcome of one `consume` call.
    public enum Decision: Sendable, Hashable {
        /// The request may proceed (it has been recorded).
        case allowed
        /// The request is refused; the oldest recorded request leaves the window in this many ms.
        case limited(retryAfterMs: Int64)
    }

    private struct Window {
        /// Timestamps of allowed requests, oldest first; `head` skips expired ones lazily.
        var stamps: [Int64] = []
        var head = 0

        mutating func prune(before cutoff: Int64) {
            while head < stamps.count, stamps[head] <= cutoff { head += 1 }
            if head > 64, head * 2 > stamps.count {
                stamps.removeFirst(head)
                head = 0
            }
        }

        var liveCount: Int { stamps.count - head }
    }

    private let configuration: RateLimitConfiguration
    private let clock: ServerClock
    private let windows = Mutex<[String: Window]>([:])

    /// Creates a limiter.
    /// - Parameters:
    ///   - configuration: requests per window and the window length.
    ///   - clock: the time source.
    public init(configuration: RateLimitConfiguration, clock: ServerClock = .system) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Records one request for `key` if the window allows it.
    /// - Parameter key: the user id, or the remote address before login.
    /// - Returns: whether the request is allowed, and if not, when to retry.
    public func consume(key: String) -> Decision {
        let now = clock.nowMs()
        let windowMs = Int64(configuration.windowMs)
        let maxRequests = configuration.maxRequests
        return windows.withLock { windows in
            var window = windows.removeValue(forKey: key) ?? Window()
            window.prune(before: now - windowMs)
            let decision: Decision
            if window.liveCount + 1 <= maxRequests {
                window.stamps.append(now)
                decision = .allowed
            } else {
                let oldest = window.liveCount > 0 ? window.stamps[window.head] : now
                decision = .limited(retryAfterMs: max(1, oldest + windowMs - now))
            }
            if window.liveCount > 0 { windows[key] = window }
            if windows.count > 4096 { Self.evictIdle(&windows, cutoff: now - windowMs) }
            return decision
        }
    }

    /// Forgets every recorded request.
    public func reset() {
        windows.withLock { $0.removeAll() }
    }

    /// Drops keys whose windows hold no live request, bounding memory under many distinct keys.
    private static func evictIdle(_ windows: inout [String: Window], cutoff: Int64) {
        for key in Array(windows.keys) {
            windows[key]?.prune(before: cutoff)
            if windows[key]?.liveCount == 0 { windows[key] = nil }
        }
    }
}
