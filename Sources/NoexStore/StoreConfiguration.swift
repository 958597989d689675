internal import NoexWire

/// Where the store keeps its data between runs.
public enum PersistenceConfiguration: Sendable {
    /// No persistence: data lives in memory only.
    case memory
    /// A directory holding a snapshot file and a write-ahead log.
    case file(directory: String)
    /// A SQLite database file.
    case sqlite(path: String)
    /// Any other adapter (an in-memory one for tests, or a future PostgreSQL one).
    case custom(any PersistenceAdapter)
}

/// When a write counts as done.
public enum Durability: String, Sendable, Hashable {
    /// Acknowledge at once; the adapter is written by a debounced background flush
    /// (`flushIntervalMs`), so a crash loses the last interval's writes.
    case none
    /// Acknowledge after the change has been written to the operating system (file `write`,
    /// SQLite commit with `synchronous=NORMAL` in WAL mode): survives `kill -9` of the
    /// process, not necessarily a power cut.
    case sync
    /// As `sync`, and also `fsync`ed (SQLite `synchronous=FULL`): survives a power cut.
    case fsync
}

/// How a `Store` is set up.
public struct StoreConfiguration: Sendable {
    /// The store's name (`stats().name`); `store-<n>` when nil.
    public var name: String?
    /// The persistence adapter.
    public var persistence: PersistenceConfiguration
    /// When writes are acknowledged.
    public var durability: Durability
    /// Milliseconds between TTL purge ticks; 0 turns automatic purging off.
    public var ttlCheckIntervalMs: Int
    /// With `durability: .none`, the debounce window of background flushes.
    public var flushIntervalMs: Int
    /// Start even if the persisted data is damaged: keep every record that verifies, keep
    /// the damaged files aside and report what was dropped (`noex-server --repair`). Without
    /// it, damage stops the start with an error naming the file and line.
    public var repair: Bool
    /// Where adapters report a dropped torn tail or a repair (default: standard error).
    public var persistenceNotice: @Sendable (String) -> Void
    /// Bounds on buckets, records per bucket and record size.
    public var limits: StoreLimits

    /// Creates a configuration.
    /// - Parameters:
    ///   - name: the store's name.
    ///   - persistence: the adapter (default: none).
    ///   - durability: when writes are acknowledged (default `.sync`, see docs/store-durability.md).
    ///   - ttlCheckIntervalMs: TTL purge interval (default 1000; 0 disables).
    ///   - flushIntervalMs: background flush window for `durability: .none` (default 100).
    ///   - repair: start over damaged persisted data, keeping what verifies (default false).
    ///   - persistenceNotice: where torn-tail and repair reports go (default standard error).
    ///   - limits: bounds on buckets, records and record size (see ``StoreLimits``).
    public init(
        name: String? = nil, persistence: PersistenceConfiguration = .memory, durability: Durability = .sync,
        ttlCheckIntervalMs: Int = 1000, flushIntervalMs: Int = 100, repair: Bool = false,
        persistenceNotice: @escaping @Sendable (String) -> Void = PersistenceNotice.standardError,
        limits: StoreLimits = StoreLimits()
    ) {
        self.repair = repair
        self.persistenceNotice = persistenceNotice
        self.limits = limits
        self.name = name
        self.persistence = persistence
        self.durability = durability
        self.ttlCheckIntervalMs = ttlCheckIntervalMs
        self.flushIntervalMs = flushIntervalMs
    }
}
