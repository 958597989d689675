internal import NoexWire
internal import Synchronization

/// An adapter that keeps the persisted state in memory: a store opened later with the same
/// adapter instance restores it. For tests and embedding.
public final class MemoryPersistenceAdapter: PersistenceAdapter {
    private let model = Mutex(PersistedModel())

    /// Creates an empty adapter.
    public init() {}

    /// Reads the persisted state (see `PersistenceAdapter.load()`).
    public func load() throws(StoreError) -> PersistedState { model.withLock { $0.state } }

    /// Applies a batch of changes in order (see `PersistenceAdapter.write(_:durability:)`).
    public func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        model.withLock { m in for change in changes { m.apply(change) } }
    }

    /// Whether a full snapshot would help (see `PersistenceAdapter.wantsSnapshot`).
    public var wantsSnapshot: Bool { false }

    /// Replaces the stored state (see `PersistenceAdapter.writeSnapshot(_:)`).
    public func writeSnapshot(_ state: PersistedState) throws(StoreError) {
        model.withLock { $0 = PersistedModel(state) }
    }

    /// Releases files and handles.
    public func close() throws(StoreError) {}
}
