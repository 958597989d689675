import Synchronization

/// The live connections of one server, with their auth state and subscription counts.
///
/// Entries are kept in connect order so listings are stable.
public final class ConnectionRegistry: Sendable {
    private struct State {
        var order: [String] = []
        var entries: [String: ConnectionInfo] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Adds a connection.
    public func register(_ info: ConnectionInfo) {
        state.withLock { state in
            if state.entries.updateValue(info, forKey: info.connectionId) == nil {
                state.order.append(info.connectionId)
            }
        }
    }

    /// Removes a connection; unknown ids are ignored.
    public func unregister(_ connectionId: String) {
        state.withLock { state in
            guard state.entries.removeValue(forKey: connectionId) != nil else { return }
            state.order.removeAll { $0 == connectionId }
        }
    }

    /// Applies `change` to one entry, if it is still registered.
    public func update(_ connectionId: String, _ change: (inout ConnectionInfo) -> Void) {
        state.withLock { state in
            guard var info = state.entries[connectionId] else { return }
            change(&info)
            state.entries[connectionId] = info
        }
    }

    /// One entry.
    public func info(_ connectionId: String) -> ConnectionInfo? {
        state.withLock { $0.entries[connectionId] }
    }

    /// Every entry, in connect order.
    public func all() -> [ConnectionInfo] {
        state.withLock { state in state.order.compactMap { state.entries[$0] } }
    }

    /// The number of registered connections.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Store plus rules subscriptions over all connections (the global subscription limit).
    public var totalSubscriptions: Int {
        state.withLock { state in
            state.entries.values.reduce(0) { $0 + $1.storeSubscriptionCount + $1.rulesSubscriptionCount }
        }
    }
}
