internal import NoexWire
internal import Synchronization

/// An adapter that keeps the persisted state in memory: a store opened later with the same
/// adapter instance restores it. For tests and embedding.
public final class MemoryPersistenceAdapter: PersistenceAdapter {
    private let model = Mutex(PersistedModel())

    /// Creates an empty adapter.
    public init() {}

    public func load() throws(StoreError) -> PersistedState { model.withLock { $0.state } }

    public func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        model.withLock { m in for change in changes { m.apply(change) } }
    }

    public var wantsSnapshot: Bool { false }

    public func writeSnapshot(_ state: PersistedState) throws(StoreError) {
        model.withLock { $0 = PersistedModel(state) }
    }

    public func close() throws(StoreError) {}
}
