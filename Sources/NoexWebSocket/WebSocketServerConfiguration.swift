/// Settings of a ``WebSocketServer``.
public struct WebSocketServerConfiguration: Sendable {
    /// The address to bind (numeric IPv4/IPv6 or a resolvable name).
    public var host: String = "0.0.0.0"
    /// The port to bind; 0 picks an ephemeral port (read it from ``WebSocketServer/start()``).
    public var port: Int = 8080
    /// The only path upgraded (exact match, query string ignored); others get 404.
    public var path: String = "/"
    /// The largest message accepted, in bytes; a bigger one closes the connection with 1009.
    public var maxMessageBytes: Int = 1_048_576
    /// How long a client may take to send a complete upgrade request before the socket is closed.
    /// A stalled request holds a descriptor (and a ``maxConnections`` slot) this long.
    public var handshakeTimeout: Duration = .seconds(10)
    /// The most accepted sockets open at once, handshaking or upgraded; more are answered
    /// `503 Service Unavailable` and closed at once. `nil` derives the cap from the descriptor
    /// limit at start (``DescriptorLimit/connectionCap(limit:reserve:requested:)``), and a value
    /// above that cap is lowered to it: running out of descriptors aborts the process. If
    /// `accept` still finds no free descriptor (something else took the reserve), the server
    /// closes 64 connections at once (handshaking ones first, upgraded ones with 1013) and the
    /// cap in force drops to the sockets left (see ``WebSocketServer/statistics``).
    public var maxConnections: Int?
    /// Descriptors kept back from ``maxConnections`` for everything else the process opens:
    /// the listener and event loops, persistence files and SQLite's journals, the audit file,
    /// libdispatch's timers and its `/proc` reads, and one socket being refused.
    public var reservedDescriptors: Int = 256
    /// The most sockets one remote address may hold at once, handshaking or upgraded; more are
    /// answered 503 at accept. `nil` for no limit.
    public var maxConnectionsPerAddress: Int?
    /// Whether ``WebSocketServer/start()`` raises the process's soft `RLIMIT_NOFILE` to its hard
    /// limit before deriving ``maxConnections``.
    public var raiseDescriptorLimit = true
    /// The largest upgrade request head accepted, in bytes (431 above it).
    public var maxHeaderBytes: Int = 8192
    /// The most header lines accepted in an upgrade request (431 above it).
    public var maxHeaderCount: Int = 64
    /// The listen backlog.
    public var backlog: Int32 = 1024
    /// How long to wait for the peer's close frame (or EOF) after sending ours before closing.
    public var closeTimeout: Duration = .seconds(5)
    /// When a connection's unsent output exceeds this many bytes and its socket is full, the
    /// server stops reading from it until the output is written (TCP backpressure; protects
    /// against peers that send or ping without reading). The application sees the backlog in
    /// ``WebSocketConnection/bufferedBytes``.
    public var pauseReadsAbove: Int = 16 << 20
    /// At start the server grows the process's descriptor table to this many entries (bounded by
    /// the `RLIMIT_NOFILE` soft limit); 0 leaves it alone. Linux grows the table by doubling as
    /// descriptors are opened, and in a multi-threaded process every growth waits for an RCU
    /// grace period (about 10–20 ms here) inside `accept4`, stalling the event loop: growing it
    /// once up front keeps a connect storm from paying that ~7 times. The cost is kernel memory,
    /// about 8 bytes per entry (512 KB for 65,536).
    public var descriptorTableReserve: Int = 65_536
    /// Event-loop threads; connections are spread over them round-robin.
    /// One is the measured best on a single core (see docs/performance-echo.md).
    public var loopCount: Int = 1

    /// Creates a configuration with defaults.
    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The port (0 for ephemeral).
    ///   - path: The upgrade path.
    public init(host: String = "0.0.0.0", port: Int = 8080, path: String = "/") {
        self.host = host
        self.port = port
        self.path = path
    }
}
