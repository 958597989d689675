/// Request rate limiting: a sliding window per user (or per IP before login).
public struct RateLimitConfiguration: Sendable, Hashable {
    /// Requests allowed within one window.
    public var maxRequests: Int
    /// Window length in milliseconds.
    public var windowMs: Int

    /// Creates a rate-limit setting.
    public init(maxRequests: Int, windowMs: Int) {
        self.maxRequests = maxRequests
        self.windowMs = windowMs
    }
}

/// Heartbeat pings and the pong deadline (fix F7: `timeoutMs` is honoured).
public struct HeartbeatConfiguration: Sendable, Hashable {
    /// Time between pings, in milliseconds.
    public var intervalMs: Int
    /// How long a client may take to answer a ping before it is closed `4001`.
    public var timeoutMs: Int

    /// Creates a heartbeat setting.
    public init(intervalMs: Int = 30_000, timeoutMs: Int = 10_000) {
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
    }
}

/// Outbound backpressure thresholds (fix F8).
public struct BackpressureConfiguration: Sendable, Hashable {
    /// Unsent bytes above which new requests are refused with `BACKPRESSURE`.
    public var maxBufferedBytes: Int
    /// Fraction of `maxBufferedBytes` above which pushes are coalesced or dropped.
    public var highWaterMark: Double

    /// Creates a backpressure setting.
    public init(maxBufferedBytes: Int = 1_048_576, highWaterMark: Double = 0.8) {
        self.maxBufferedBytes = maxBufferedBytes
        self.highWaterMark = highWaterMark
    }

    /// The byte count at which pushes start being coalesced.
    public var pushThresholdBytes: Int { Int(Double(maxBufferedBytes) * highWaterMark) }
}

/// Subscription limits, per connection and across the server.
public struct ConnectionLimits: Sendable, Hashable {
    /// Store plus rules subscriptions one connection may hold.
    public var maxSubscriptionsPerConnection: Int
    /// Subscriptions all connections together may hold.
    public var maxTotalSubscriptions: Int

    /// Creates subscription limits.
    public init(maxSubscriptionsPerConnection: Int = 100, maxTotalSubscriptions: Int = 10_000) {
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
        self.maxTotalSubscriptions = maxTotalSubscriptions
    }
}

/// Session revocation settings.
public struct RevocationConfiguration: Sendable, Hashable {
    /// How long a revoked user id stays blacklisted, in milliseconds.
    public var blacklistTtlMs: Int

    /// Creates a revocation setting.
    public init(blacklistTtlMs: Int = 3_600_000) {
        self.blacklistTtlMs = blacklistTtlMs
    }
}
