import Synchronization

/// A live subscription to engine events; ``cancel()`` ends it.
public final class RulesSubscription: Sendable {
    private let id: Int
    private weak let engine: RuleEngine?

    init(id: Int, engine: RuleEngine) {
        self.id = id
        self.engine = engine
    }

    /// The topic pattern the subscription was made with.
    public var pattern: String? { engine?.state.withLock { s in s.subscriptions.first { $0.id == id }?.pattern } }

    /// Stops deliveries. - Returns: whether the subscription was still active.
    @discardableResult
    public func cancel() -> Bool {
        guard let engine else { return false }
        return engine.state.withLock { s in
            guard let index = s.subscriptions.firstIndex(where: { $0.id == id }) else { return false }
            s.subscriptions.remove(at: index)
            return true
        }
    }
}
