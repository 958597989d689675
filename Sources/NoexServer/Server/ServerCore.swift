import NoexAuth
import NoexProtocol
import NoexWebSocket
import Synchronization

/// The state one running server shares between its connections.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let registry = ConnectionRegistry()
    /// The server's procedures (in memory, per server instance; saved copies in `definitions`).
    let procedureRegistry = ProcedureRegistry()
    /// The saved copies of what clients define at run time (queries, procedures, rules).
    let definitions: RuntimeDefinitions
    let rateLimiter: RateLimiter?
    let blacklist: SessionBlacklist?
    /// Built-in identity, when configured.
    let identity: IdentityManager?
    /// The audit log, when configured.
    let auditLog: AuditLog?
    /// The resource check of the configured auth mode (F22).
    let authorizer: Authorizer
    let startedAt: Int64
    /// Query results serialised once per notification for all their subscribers.
    let pushEncoder = PushDataEncoder()
    private let nextConnectionNumber = Atomic<Int>(0)
    private let nextSubscriptionNumber = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    /// Live connections by their transport id (listing, revocation, stop; messages reach their
    /// connection through the socket's attachment instead).
    private let connections = Mutex<[ObjectIdentifier: ClientConnection]>([:])
    /// Open connections per remote IP, for `maxConnectionsPerIp`.
    private let connectionsPerIp = Mutex<[String: Int]>([:])
    /// The WebSocket server, for its socket counters in the stats (set once it exists).
    private let socketServer = Mutex<WebSocketServer?>(nil)

    /// - Throws: when the identity system buckets cannot be created or the audit file opened.
    init(configuration: ServerConfiguration) throws {
        self.configuration = configuration
        definitions = RuntimeDefinitions(store: configuration.store)
        rateLimiter = configuration.rateLimit.map { RateLimiter(configuration: $0, clock: configuration.clock) }
        blacklist =
            configuration.auth != nil || configuration.identity != nil
            ? SessionBlacklist(ttlMs: configuration.revocation.blacklistTtlMs, clock: configuration.clock) : nil
        let clock = configuration.clock
        identity = try configuration.identity.map { settings in
            try IdentityManager(store: configuration.store, configuration: settings, now: { clock.nowMs() })
        }
        auditLog = try configuration.audit.map { try AuditLog(configuration: $0) }
        authorizer = Authorizer(configuration: configuration, identity: identity)
        startedAt = configuration.clock.nowMs()
    }

    var clock: ServerClock { configuration.clock }

    /// Remembers the WebSocket server whose socket counters the stats report.
    func attach(_ server: WebSocketServer) {
        socketServer.withLock { $0 = server }
    }

    /// Accepted sockets, refusals and the caps in force; `nil` before start or after stop.
    var socketStatistics: WebSocketServerStatistics? {
        socketServer.withLock { $0 }?.statistics
    }

    /// The procedure engine over this server's registry, store, rules engine and limits.
    var procedureEngine: ProcedureEngine {
        ProcedureEngine(
            registry: procedureRegistry, store: configuration.store, rules: configuration.rules,
            limits: configuration.procedures, clock: clock)
    }

    var isRunning: Bool { running.load(ordering: .acquiring) }

    /// Marks the server as stopping; returns false when it already was.
    func markStopped() -> Bool {
        running.compareExchange(expected: true, desired: false, ordering: .acquiringAndReleasing).exchanged
    }

    /// A fresh `conn-N` id (per server instance, fix F16).
    func makeConnectionId() -> String {
        "conn-\(nextConnectionNumber.add(1, ordering: .relaxed).newValue)"
    }

    /// A fresh `sub-N` id shared by store and rules subscriptions (per server instance, fix F16).
    func makeSubscriptionId() -> String {
        "sub-\(nextSubscriptionNumber.add(1, ordering: .relaxed).newValue)"
    }

    // MARK: Connection bookkeeping

    /// Reserves a slot for `ip`; false when `maxConnectionsPerIp` is reached.
    func reserveSlot(forIp ip: String) -> Bool {
        let limit = configuration.maxConnectionsPerIp
        return connectionsPerIp.withLock { counts in
            let current = counts[ip, default: 0]
            if let limit, current >= limit { return false }
            counts[ip] = current + 1
            return true
        }
    }

    /// Releases a slot taken by `reserveSlot`.
    func releaseSlot(forIp ip: String) {
        connectionsPerIp.withLock { counts in
            let remaining = counts[ip, default: 1] - 1
            counts[ip] = remaining > 0 ? remaining : nil
        }
    }

    /// Admits a new connection: refuses it while stopping (`1001`) or over the per-IP limit
    /// (`4003`); otherwise registers it, sends the welcome and starts its heartbeat.
    @discardableResult
    func open(_ socket: any ClientSocket, scheduler: any TimerScheduler) -> ClientConnection? {
        guard isRunning else {
            socket.close(code: CloseCode.serverShuttingDown.code, reason: CloseCode.serverShuttingDown.reason)
            return nil
        }
        guard reserveSlot(forIp: socket.remoteAddress) else {
            socket.close(code: CloseCode.tooManyConnections.code, reason: CloseCode.tooManyConnections.reason)
            return nil
        }
        let connection = ClientConnection(socket: socket, core: self)
        add(connection)
        connection.send(
            OutboundMessage.welcome(
                version: ProtocolInfo.version, serverTime: clock.nowMs(), requiresAuth: configuration.requiresAuth))
        connection.startHeartbeat(on: scheduler)
        return connection
    }

    private func add(_ connection: ClientConnection) {
        connections.withLock { $0[ObjectIdentifier(connection.socket)] = connection }
        registry.register(
            ConnectionInfo(
                connectionId: connection.id,
                remoteAddress: connection.remoteAddress,
                connectedAt: connection.connectedAt))
    }

    func remove(_ connection: ClientConnection) {
        let removed = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(connection.socket)) }
        guard removed != nil else { return }
        registry.unregister(connection.id)
        releaseSlot(forIp: connection.remoteAddress)
    }

    var liveConnections: [ClientConnection] {
        connections.withLock { Array($0.values) }
    }
}
