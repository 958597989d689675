public import NoexWire
import NoexAuth
import NoexProtocol
import NoexStore
import NoexWebSocket

/// A running noex server: the store, the rules engine and auth served over WebSocket.
///
/// ```swift
/// let store = try Store()
/// let server = try await NoexServer.start(ServerConfiguration(store: store))
/// print("ws://localhost:\(server.port)/")
/// await server.stop()
/// ```
public final class NoexServer: Sendable {
    let core: ServerCore
    private let transport: ServerTransport
    private let webSocketServer: WebSocketServer
    private let forwarding: EventSubscription?
    /// The bound port (the real one when the configuration asked for port 0).
    public let port: Int
    /// What the start restored (saved queries, procedures, rules) and what the schema changed.
    public let startupReport: StartupReport

    private init(
        core: ServerCore, transport: ServerTransport, webSocketServer: WebSocketServer, port: Int,
        forwarding: EventSubscription?, startupReport: StartupReport
    ) {
        self.startupReport = startupReport
        self.core = core
        self.transport = transport
        self.webSocketServer = webSocketServer
        self.port = port
        self.forwarding = forwarding
    }

    /// Starts a server and begins accepting connections.
    /// - Parameter configuration: what to serve and how.
    /// - Returns: the running server.
    /// Before listening, the queries, procedures and rules clients defined at run time and
    /// the store kept are registered again, then `configuration.schema` is applied.
    /// - Throws: when the address cannot be bound, the identity system buckets cannot be
    ///   created, the audit file cannot be opened, or the schema cannot be applied.
    public static func start(_ configuration: ServerConfiguration) async throws -> NoexServer {
        let core = try ServerCore(configuration: configuration)
        var report = StartupReport()
        let procedures = core.procedureEngine
        core.definitions.restore(procedures: procedures, rules: configuration.rules, into: &report)
        for note in report.notes { configuration.logWarning("[noex-server] Warning: \(note)") }
        if let schema = configuration.schema {
            try SchemaApplication(
                schema: schema, store: configuration.store, procedures: procedures, rules: configuration.rules,
                definitions: core.definitions
            ).apply(into: &report)
        }
        let transport = ServerTransport(core: core)
        var socketConfiguration = WebSocketServerConfiguration()
        socketConfiguration.host = configuration.host
        socketConfiguration.port = configuration.port
        socketConfiguration.path = configuration.path
        socketConfiguration.maxMessageBytes = configuration.maxPayloadBytes
        socketConfiguration.maxConnections = configuration.maxConnections
        socketConfiguration.reservedDescriptors = configuration.reservedDescriptors
        socketConfiguration.handshakeTimeout = .milliseconds(max(1, configuration.handshakeTimeoutMs))
        // One more than the upgraded limit, so the first client over it still gets its 4003.
        socketConfiguration.maxConnectionsPerAddress = configuration.maxConnectionsPerIp.map { limit in
            limit < Int.max ? max(0, limit) + 1 : limit
        }
        await DispatchPriming.prime()
        let webSocketServer = WebSocketServer(configuration: socketConfiguration, delegate: transport)
        transport.attach(webSocketServer)
        core.attach(webSocketServer)
        let port = try webSocketServer.start()
        if configuration.rateLimit == nil, configuration.host == "0.0.0.0" {
            configuration.logWarning(
                "[noex-server] Warning: rate limiting is disabled. Consider enabling it for production use.")
        }
        let forwarding = configuration.rules.flatMap { rules in
            configuration.storeEventForwarding?.start(store: configuration.store, rules: rules)
        }
        return NoexServer(
            core: core, transport: transport, webSocketServer: webSocketServer, port: port, forwarding: forwarding,
            startupReport: report)
    }

    /// The most sockets (handshaking or upgraded) the server keeps open at once.
    public var maxConnections: Int { webSocketServer.statistics?.maxConnections ?? 0 }

    /// The soft file-descriptor limit in force (raised to the hard limit at start).
    public var descriptorLimit: Int { webSocketServer.descriptorLimit?.soft ?? 0 }

    /// The soft file-descriptor limit found at start, before it was raised.
    public var descriptorLimitBeforeStart: Int { webSocketServer.descriptorLimit?.previousSoft ?? 0 }

    /// Socket counters: open and handshaking sockets, refusals, the caps in force.
    var socketStatistics: WebSocketServerStatistics? { core.socketStatistics }

    /// Whether the server still accepts connections.
    public var isRunning: Bool { core.isRunning }

    /// The number of live connections.
    public var connectionCount: Int { core.registry.count }

    /// Every live connection, in connect order.
    public func getConnections() -> [ConnectionInfo] { core.registry.all() }

    /// `{name, port, host, connectionCount, uptimeMs, authEnabled, rateLimitEnabled, rulesEnabled,
    /// connections, store, rules}`.
    public func getStats() -> JSONObject { ServerStatistics.fullStats(core: core, port: port) }

    /// Stops the server. With a grace period, clients get `system shutdown` first and may leave
    /// on their own; requests are still served meanwhile. Remaining connections are closed
    /// `1000 server_shutdown`. The store and the rules engine are left running. Idempotent.
    /// - Parameter gracePeriod: how long to wait for clients to disconnect.
    public func stop(gracePeriod: Duration = .zero) async {
        guard core.markStopped() else { return }
        forwarding?.cancel()
        let graceMs = Int(gracePeriod.components.seconds * 1000 + gracePeriod.components.attoseconds / 1_000_000_000_000_000)
        let open = core.liveConnections
        if graceMs > 0, !open.isEmpty {
            let notice = OutboundMessage.system(
                event: SystemEvent.shutdown.rawValue, extra: ["gracePeriodMs": .number(Double(graceMs))])
            for connection in open { connection.send(notice) }
            let deadline = ContinuousClock.now + gracePeriod
            while core.registry.count > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        for connection in core.liveConnections {
            connection.close(code: CloseCode.serverShutdown)
        }
        await webSocketServer.shutdown()
    }

    /// Revokes every session of `userId`: blacklists it and closes its connections with
    /// `system session_revoked` and `4002`.
    /// - Returns: the number of connections closed.
    @discardableResult
    public func revokeSession(userId: String) -> Int {
        core.blacklist?.add(userId)
        // With built-in identity the user's stored tokens die too, so no reconnect outlives the ban.
        _ = try? core.identity?.endSessions(ofUser: userId)
        return disconnectRevoked { $0.userId == userId }
    }

    /// Revokes the sessions of authenticated connections matching every given filter.
    /// - Returns: the number of connections closed.
    @discardableResult
    public func revokeSessions(userId: String? = nil, role: String? = nil) -> Int {
        let matches: (ConnectionInfo) -> Bool = { info in
            info.authenticated && (userId == nil || info.userId == userId)
                && (role.map { info.roles.contains($0) } ?? true)
        }
        for info in core.registry.all() where matches(info) {
            if let user = info.userId {
                core.blacklist?.add(user)
                _ = try? core.identity?.endSessions(ofUser: user)
            }
        }
        return disconnectRevoked(matches)
    }

    private func disconnectRevoked(_ matches: (ConnectionInfo) -> Bool) -> Int {
        core.endSessions(reason: "Session revoked by administrator") { connection in
            core.registry.info(connection.id).map(matches) ?? false
        }
    }
}
