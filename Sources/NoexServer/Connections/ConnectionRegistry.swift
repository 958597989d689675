import Synchronization

/// The live connections of one server, with their auth state and subscription counts.
///
/// Listings are in connect order, so they are stable. Registering and unregistering are
/// constant time (a connect storm or a mass disconnect of thousands of connections must not be
/// quadratic); the listing sorts by connect sequence instead.
public final class ConnectionRegistry: Sendable {
    private struct State {
        var nextSequence = 0
        var entries: [String: (sequence: Int, info: ConnectionInfo)] = [:]
        /// Store plus rules subscriptions over all entries, kept up to date by `update`.
        var subscriptions = 0
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Adds a connection.
    public func register(_ info: ConnectionInfo) {
        state.withLock { state in
            let sequence = state.entries[info.connectionId]?.sequence ?? state.nextSequence
            if sequence == state.nextSequence { state.nextSequence += 1 }
            if let previous = state.entries.updateValue((sequence, info), forKey: info.connectionId)?.info {
                state.subscriptions -= Self.subscriptions(of: previous)
            }
            state.subscriptions += Self.subscriptions(of: info)
        }
    }

    /// Removes a connection; unknown ids are ignored.
    public func unregister(_ connectionId: String) {
        state.withLock { state in
            guard let removed = state.entries.removeValue(forKey: connectionId) else { return }
            state.subscriptions -= Self.subscriptions(of: removed.info)
        }
    }

    /// Applies `change` to one entry, if it is still registered.
    public func update(_ connectionId: String, _ change: (inout ConnectionInfo) -> Void) {
        state.withLock { state in
            guard var entry = state.entries[connectionId] else { return }
            let before = Self.subscriptions(of: entry.info)
            change(&entry.info)
            state.subscriptions += Self.subscriptions(of: entry.info) - before
            state.entries[connectionId] = entry
        }
    }

    /// One entry.
    public func info(_ connectionId: String) -> ConnectionInfo? {
        state.withLock { $0.entries[connectionId]?.info }
    }

    /// Every entry, in connect order.
    public func all() -> [ConnectionInfo] {
        state.withLock { state in state.entries.values.sorted { $0.sequence < $1.sequence }.map(\.info) }
    }

    /// The number of registered connections.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Store plus rules subscriptions over all connections (the global subscription limit).
    public var totalSubscriptions: Int {
        state.withLock { $0.subscriptions }
    }

    private static func subscriptions(of info: ConnectionInfo) -> Int {
        info.storeSubscriptionCount + info.rulesSubscriptionCount
    }
}
