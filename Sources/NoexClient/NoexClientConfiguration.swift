/// How a ``NoexClient`` connects, times out and reconnects.
public struct NoexClientConfiguration: Sendable {
    /// The `Origin` header sent with the upgrade request (servers with `allowedOrigins` check it).
    public var origin: String?
    /// Extra headers sent with the upgrade request.
    public var headers: [(String, String)] = []
    /// How long one connection attempt (TCP, handshake and welcome) may take.
    public var connectTimeout: Duration = .seconds(10)
    /// How long a request may wait for its answer (including time spent waiting for a
    /// reconnect before it could be sent). Each typed method can override it.
    public var requestTimeout: Duration = .seconds(30)
    /// How long ``NoexClient/close()`` waits for the server to finish the close handshake.
    public var closeTimeout: Duration = .seconds(2)
    /// Reconnection after a lost connection, or `nil` to close the client instead.
    public var reconnect: ReconnectPolicy? = ReconnectPolicy()

    /// Creates a configuration with the defaults above.
    /// - Parameter origin: the `Origin` header to send.
    public init(origin: String? = nil) { self.origin = origin }
}

/// Exponential backoff with jitter between reconnection attempts.
///
/// Attempt `n` (1-based) waits `min(maximumDelay, initialDelay × multiplier^(n-1))`, reduced by a
/// random fraction up to `jitter` (0.2 → between 80 % and 100 % of the delay), so that many
/// clients dropped together do not come back in lockstep.
public struct ReconnectPolicy: Hashable, Sendable {
    /// The delay before the first attempt.
    public var initialDelay: Duration
    /// The largest delay.
    public var maximumDelay: Duration
    /// The factor between consecutive delays (at least 1).
    public var multiplier: Double
    /// The largest fraction of a delay removed at random, in 0...1.
    public var jitter: Double
    /// Attempts before giving up (the client then closes), or `nil` for no limit.
    public var maximumAttempts: Int?

    /// Creates a policy.
    public init(
        initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2, maximumAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximumAttempts = maximumAttempts
    }

    /// The delay before an attempt.
    /// - Parameters:
    ///   - attempt: 1-based attempt number.
    ///   - random: a number in 0..<1 (injected so the computation is testable).
    /// - Returns: the delay.
    public func delay(attempt: Int, random: Double) -> Duration {
        let initial = Self.seconds(initialDelay)
        let maximum = Self.seconds(maximumDelay)
        let growth = backoffGrowth(Swift.max(1, multiplier), Double(Swift.max(0, attempt - 1)))
        let base = Swift.min(maximum, initial * growth)
        let jittered = base * (1 - Swift.min(1, Swift.max(0, jitter)) * Swift.min(1, Swift.max(0, random)))
        return .nanoseconds(Int64((jittered * 1e9).rounded()))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// `base` raised to a whole exponent, capped once it passes 1e12 (a delay that large is capped anyway).
func backoffGrowth(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 && result < 1e12 {
        result *= base
        remaining -= 1
    }
    return result
}
