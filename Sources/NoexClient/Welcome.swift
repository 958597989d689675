/// The server's `welcome` message.
public struct Welcome: Hashable, Sendable {
    /// The protocol version the server speaks, e.g. `1.0.0`.
    public var version: String
    /// The server's clock when it sent the welcome, in milliseconds since the epoch.
    public var serverTime: Double
    /// Whether requests other than logins need an authenticated connection.
    public var requiresAuth: Bool

    /// Creates a welcome.
    public init(version: String, serverTime: Double, requiresAuth: Bool) {
        self.version = version
        self.serverTime = serverTime
        self.requiresAuth = requiresAuth
    }
}
