public import NoexWire

/// What the registry knows about one live connection (`server.connections`, `getConnections()`).
public struct ConnectionInfo: Sendable, Hashable {
    /// The server-assigned id, `conn-N`.
    public var connectionId: String
    /// The peer's IP address.
    public var remoteAddress: String
    /// Connect time in epoch milliseconds.
    public var connectedAt: Int64
    /// Whether the connection holds an authenticated session.
    public var authenticated: Bool
    /// The session's user id, when authenticated.
    public var userId: String?
    /// The session's roles (empty when unauthenticated).
    public var roles: [String]
    /// Live `store.subscribe` subscriptions.
    public var storeSubscriptionCount: Int
    /// Live `rules.subscribe` subscriptions.
    public var rulesSubscriptionCount: Int

    /// A freshly connected, unauthenticated entry.
    public init(connectionId: String, remoteAddress: String, connectedAt: Int64) {
        self.connectionId = connectionId
        self.remoteAddress = remoteAddress
        self.connectedAt = connectedAt
        authenticated = false
        userId = nil
        roles = []
        storeSubscriptionCount = 0
        rulesSubscriptionCount = 0
    }

    /// The wire form of spec-server §5.3.
    public var json: JSONValue {
        [
            "connectionId": .string(connectionId),
            "remoteAddress": .string(remoteAddress),
            "connectedAt": .number(Double(connectedAt)),
            "authenticated": .bool(authenticated),
            "userId": userId.map(JSONValue.string) ?? .null,
            "roles": .array(roles.map(JSONValue.string)),
            "storeSubscriptionCount": .number(Double(storeSubscriptionCount)),
            "rulesSubscriptionCount": .number(Double(rulesSubscriptionCount)),
        ]
    }
}
