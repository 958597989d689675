import Foundation
public import NoexAuth
public import NoexRules
public import NoexStore

/// Everything `NoexServer.start` needs: the services to serve and how to serve them.
///
/// Defaults follow the reference (spec-server §4.1); the fixes of `wire-decisions.md` apply.
public struct ServerConfiguration: Sendable {
    /// The store served to clients. The server never closes it.
    public var store: Store
    /// The rules engine behind `rules.*`; `nil` answers `RULES_NOT_AVAILABLE`.
    public var rules: RuleEngine?
    /// Name used in stats.
    public var name: String = "noex-server"
    /// Listen address.
    public var host: String = "0.0.0.0"
    /// Listen port; 0 picks an ephemeral port (read it back from `NoexServer.port`).
    public var port: Int = 8080
    /// The only upgrade path accepted (the query string is ignored).
    public var path: String = "/"
    /// Largest incoming message; larger ones close the connection with 1009.
    public var maxPayloadBytes: Int = 1_048_576
    /// Token authentication; `nil` serves everyone anonymously and answers `auth.*` as unconfigured.
    public var auth: TokenAuthConfiguration?
    /// Built-in identity (users, roles, sessions, ACLs in the store's system buckets). When set,
    /// it replaces `auth`: every operation but the logins needs a session, and `auth.login`
    /// reconnects with an identity session token.
    public var identity: BuiltInIdentityConfiguration?
    /// The audit log; `nil` disables it (`audit.query` then answers `UNKNOWN_OPERATION`).
    public var audit: AuditConfiguration?
    /// Request rate limiting; `nil` disables it.
    public var rateLimit: RateLimitConfiguration?
    /// Heartbeat pings.
    public var heartbeat = HeartbeatConfiguration()
    /// Outbound backpressure thresholds.
    public var backpressure = BackpressureConfiguration()
    /// Subscription limits.
    public var connectionLimits = ConnectionLimits()
    /// Session revocation.
    public var revocation = RevocationConfiguration()
    /// Largest answer: a result whose JSON text would be larger is not sent, the client gets
    /// `VALIDATION_ERROR` suggesting pagination or a limit instead (see docs/configuration.md, Limits).
    public var maxResultBytes: Int = 16 * 1_048_576
    /// Most operations one `store.transaction` may hold; more answer `VALIDATION_ERROR`.
    public var maxTransactionOperations: Int = 1_000
    /// Limits of the procedure engine, which always exists (spec-identity §6.1).
    public var procedures = ProcedureLimits()
    /// Whether error `details` are sent to clients.
    public var exposeErrorDetails = true
    /// Accepted `Origin` header values; `nil` accepts any. Requests without `Origin` are always accepted.
    public var allowedOrigins: [String]?
    /// Most simultaneous connections from one IP; more are closed `4003`. Sockets still
    /// handshaking count too: an IP may hold at most one socket more than this (so a client over
    /// the limit can complete its upgrade and learn `4003`); further ones are answered 503.
    public var maxConnectionsPerIp: Int?
    /// Most accepted sockets open at once, handshaking or upgraded; more are answered
    /// `503 Service Unavailable` before the upgrade. `nil` derives it from the file-descriptor
    /// limit (raised to the hard limit at start) minus ``reservedDescriptors``; a larger value
    /// is lowered to that. Read the cap in force from `NoexServer.maxConnections`.
    public var maxConnections: Int?
    /// Descriptors kept back from ``maxConnections`` for files, persistence and the runtime.
    public var reservedDescriptors: Int = 256
    /// How long a client may take to send its complete upgrade request, in milliseconds; a
    /// stalled one is closed after it.
    public var handshakeTimeoutMs: Int = 10_000
    /// A declarative schema applied at start, after saved run-time definitions are restored
    /// (`--schema`); `nil` applies none.
    public var schema: ServerSchema?
    /// Forwards store changes to the rules engine as events; `nil` (the default) forwards nothing.
    public var storeEventForwarding: StoreEventForwarding?
    /// The time source (tests substitute a manual clock).
    public var clock: ServerClock = .system
    /// Where warnings go (the rate-limit warning of spec-server §4.1, saved definitions that
    /// could not be restored). By default standard error, unbuffered, so they appear at once
    /// (through `print` they sat in stdout's buffer until exit when stdout was a pipe).
    public var logWarning: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Creates a configuration serving `store`.
    public init(store: Store, rules: RuleEngine? = nil) {
        self.store = store
        self.rules = rules
    }

    /// Whether clients must log in before other operations.
    public var requiresAuth: Bool { identity != nil || (auth.map(\.required) ?? false) }
}
