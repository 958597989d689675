/// The state of a ``NoexClient``'s connection, as reported by ``NoexClient/connectionStates()``.
public enum ConnectionState: Hashable, Sendable {
    /// The first connection is being opened.
    case connecting
    /// Connected and welcomed; after a reconnect, also re-authenticated and re-subscribed.
    case connected
    /// The connection was lost; the client waits before attempt `attempt` (1-based) to reconnect.
    case reconnecting(attempt: Int)
    /// Closed for good, by ``NoexClient/close()`` or because reconnecting gave up.
    case closed
}
