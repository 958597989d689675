public import NoexWire

/// One change to persisted state, in commit order.
public enum PersistenceChange: Sendable, Hashable {
    /// A bucket was defined (or re-defined over restored data) with this wire definition.
    case defineBucket(name: String, definition: JSONObject, counter: Int)
    /// A bucket's definition changed (`updateBucket`); records are kept.
    case redefineBucket(name: String, definition: JSONObject)
    /// A bucket and all its records were dropped.
    case dropBucket(name: String)
    /// A record was inserted or replaced; `counter` is the bucket's insert counter after it.
    case put(bucket: String, key: JSONValue, record: JSONObject, counter: Int)
    /// A record was removed.
    case delete(bucket: String, key: JSONValue)
    /// Every record of a bucket was removed.
    case clear(bucket: String)
}

/// A change with its position in the store's commit order.
public struct SequencedChange: Sendable, Hashable {
    /// Strictly increasing across the store's life, also across restarts.
    public var sequence: UInt64
    /// The change.
    public var change: PersistenceChange
}

/// One bucket as persisted.
public struct PersistedBucket: Sendable {
    /// The bucket name.
    public var name: String
    /// Its wire definition.
    public var definition: JSONObject
    /// Its insert counter.
    public var counter: Int
    /// Records in table order.
    public var records: [(key: JSONValue, record: JSONObject)]

    /// Creates a persisted bucket.
    public init(name: String, definition: JSONObject, counter: Int, records: [(key: JSONValue, record: JSONObject)]) {
        self.name = name
        self.definition = definition
        self.counter = counter
        self.records = records
    }
}

/// Everything an adapter restores at start.
public struct PersistedState: Sendable {
    /// Buckets in definition order.
    public var buckets: [PersistedBucket]
    /// The sequence number of the last change the state includes.
    public var sequence: UInt64

    /// Creates a state.
    public init(buckets: [PersistedBucket] = [], sequence: UInt64 = 0) {
        self.buckets = buckets
        self.sequence = sequence
    }
}

/// Storage for a store's buckets. Changes arrive in commit order from one writer at a time;
/// an adapter applies them durably according to `durability` before returning.
///
/// Shaped as a change feed so that an adapter for a replicated database can be added
/// without touching the store or the server.
public protocol PersistenceAdapter: AnyObject, Sendable {
    /// Reads the persisted state (called once, at store start).
    func load() throws(StoreError) -> PersistedState
    /// Applies a batch of changes, in order, as one unit.
    func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError)
    /// Whether the adapter would like a full snapshot (e.g. its log has grown large).
    var wantsSnapshot: Bool { get }
    /// Replaces the stored state with `state` (covering every change up to `state.sequence`).
    func writeSnapshot(_ state: PersistedState) throws(StoreError)
    /// Releases files and handles.
    func close() throws(StoreError)
    /// Reads the stored state again without changing it: after a failed write, the store
    /// replaces its in-memory data with this so that nothing refused stays visible.
    func reload() throws(StoreError) -> PersistedState
}

extension PersistenceAdapter {
    /// By default the same as `load()`.
    public func reload() throws(StoreError) -> PersistedState { try load() }
}
