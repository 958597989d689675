/// Socket counters of a running ``WebSocketServer`` (``WebSocketServer/statistics``).
public struct WebSocketServerStatistics: Sendable, Hashable {
    /// Accepted sockets open now, handshaking or upgraded.
    public var openSockets: Int
    /// Of those, the ones still sending their upgrade request.
    public var handshakingSockets: Int
    /// The cap on ``openSockets`` in force.
    public var maxConnections: Int
    /// The cap per remote address, if any.
    public var maxConnectionsPerAddress: Int?
    /// The soft `RLIMIT_NOFILE` the cap was derived from.
    public var descriptorLimit: Int
    /// Sockets answered 503 because ``maxConnections`` were open, since start.
    public var refusedAtCapacity: Int
    /// Sockets answered 503 because their address was at its cap, since start.
    public var refusedPerAddress: Int
    /// `accept` calls that failed for lack of descriptors or memory (`EMFILE`, `ENFILE`,
    /// `ENOBUFS`, `ENOMEM`), since start.
    public var acceptFailures: Int
    /// Times the process was found out of descriptors, or within 32 of its limit, although the
    /// cap was not reached (something else took the reserve), since start. Each time up to 64
    /// connections were closed (handshaking ones first) and ``maxConnections`` was lowered.
    public var descriptorShortages: Int

    /// Creates a statistics value.
    public init(
        openSockets: Int, handshakingSockets: Int, maxConnections: Int, maxConnectionsPerAddress: Int?,
        descriptorLimit: Int, refusedAtCapacity: Int, refusedPerAddress: Int, acceptFailures: Int,
        descriptorShortages: Int = 0
    ) {
        self.openSockets = openSockets
        self.handshakingSockets = handshakingSockets
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.descriptorLimit = descriptorLimit
        self.refusedAtCapacity = refusedAtCapacity
        self.refusedPerAddress = refusedPerAddress
        self.acceptFailures = acceptFailures
        self.descriptorShortages = descriptorShortages
    }
}
