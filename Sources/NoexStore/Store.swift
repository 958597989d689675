internal import Dispatch
internal import Foundation
public import NoexWire
internal import Synchronization

/// A bucket's state in a reference cell, so the lock holder reads and mutates it in place:
/// a struct stored directly in the dictionary would be copied (a dozen retains) on every read.
final class BucketBox: @unchecked Sendable {
    // @unchecked: `state` is only touched while the store's Mutex is held, which also makes the
    // runtime's dynamic exclusivity check on every access redundant (turned off).
    @exclusivity(unchecked) var state: BucketState

    init(_ state: BucketState) { self.state = state }
}

/// Everything the store lock guards.
struct StoreState: Sendable {
    var buckets: [String: BucketBox] = [:]
    var bucketOrder: [String] = []
    /// Buckets restored from persistence that no `defineBucket` has claimed yet in this run.
    var restoredUnclaimed: Set<String> = []
    var lastNow: Double = 0
    var closed = false
    var mutationSeq: UInt64 = 0
    var reactive = ReactiveState()
    var eventHandlers: [Int: (pattern: String, handler: @Sendable (StoreEvent) -> Void)] = [:]
    var nextHandlerId = 1
    var pendingEvents: [StoreEvent] = []
    var drainScheduled = false
    /// Drains currently running (settle waits for them).
    var draining = false

    /// Wall-clock milliseconds, never going backwards (so table order is `_createdAt` order).
    mutating func tick() -> Double {
        let wall = (Date().timeIntervalSince1970 * 1000).rounded(.down)
        lastNow = Swift.max(lastNow, wall)
        return lastNow
    }
}

/// What a committing mutation produced: events to publish and changes to persist.
struct CommitLog: Sendable {
    let now: Double
    var events: [StoreEvent] = []
    var changes: [PersistenceChange] = []
    /// Buckets changed without per-record events (clear, F6).
    var clearedBuckets: [String] = []
    /// Buckets whose data changed, each once (a handful at most: a linear check is cheaper
    /// than hashing into a set on every write).
    private(set) var touched: [String] = []

    /// Records that `bucket`'s data changed.
    mutating func touch(_ bucket: String) {
        if !touched.contains(bucket) { touched.append(bucket) }
    }
}

/// The schema-driven reactive store: buckets of validated records, indexes, reactive queries,
/// transactions, TTL, events and durable persistence.
///
/// The data path is synchronous and guarded by one `Mutex`; query re-evaluation, event
/// handlers and subscription callbacks never run while it is held. They run on one serial
/// notification queue, in commit order.
public final class Store: Sendable {
    /// The store's name (`stats().name`).
    public let name: String
    let configuration: StoreConfiguration
    let state: Mutex<StoreState>
    let pipeline: PersistencePipeline?
    let notifyQueue: DispatchQueue

    private static let nameCounter = Atomic<Int>(0)

    /// Opens a store and restores the buckets and records its persistence adapter holds.
    /// - Parameter configuration: name, persistence adapter, durability and TTL interval.
    /// - Throws: `StoreError.persistence` when the adapter cannot be opened or read.
    public init(configuration: StoreConfiguration = .init()) throws(StoreError) {
        self.configuration = configuration
        if let name = configuration.name {
            self.name = name
        } else {
            let n = Self.nameCounter.add(1, ordering: .relaxed).newValue
            self.name = "store-\(n)"
        }
        notifyQueue = DispatchQueue(label: "noex.store.notify")
        let adapter: (any PersistenceAdapter)?
        switch configuration.persistence {
        case .memory: adapter = nil
        case .file(let directory):
            adapter = try FilePersistenceAdapter(
                directory: directory, repair: configuration.repair, notice: configuration.persistenceNotice)
        case .sqlite(let path):
            adapter = try SQLitePersistenceAdapter(
                path: path, durability: configuration.durability, repair: configuration.repair,
                notice: configuration.persistenceNotice)
        case .custom(let custom): adapter = custom
        }
        var initial = StoreState()
        var sequence: UInt64 = 0
        if let adapter {
            let persisted = try adapter.load()
            sequence = persisted.sequence
            for saved in persisted.buckets {
                initial.buckets[saved.name] = BucketBox(try Self.restoredBucket(saved))
                initial.bucketOrder.append(saved.name)
                initial.restoredUnclaimed.insert(saved.name)
            }
            pipeline = PersistencePipeline(
                adapter: adapter, durability: configuration.durability,
                flushIntervalMs: configuration.flushIntervalMs, sequence: sequence)
        } else {
            pipeline = nil
        }
        state = Mutex(initial)
        pipeline?.revert = { [weak self] _ throws(StoreError) -> UInt64 in
            guard let self else { throw StoreError.closed }
            return try self.revertToPersisted()
        }
        if configuration.ttlCheckIntervalMs > 0 { scheduleTtlTick() }
    }

    // MARK: Locking helpers

    /// Runs a mutation under the lock, then publishes its events and persists its changes.
    func commit<R>(_ body: (inout StoreState, inout CommitLog) throws(StoreError) -> R) throws(StoreError) -> R {
        if let pipeline, let broken = pipeline.broken.withLock({ $0 }) { throw broken }
        // The log leaves the lock with the result: freeing a large commit's events (and the
        // record versions only they still hold) must not happen while every other call waits.
        let (result, sequence, scheduleFlush, log) = try state.withLock {
            s throws(StoreError) -> (R, UInt64?, Bool, CommitLog) in
            guard !s.closed else { throw StoreError.closed }
            var log = CommitLog(now: s.tick())
            let result = try body(&s, &log)
            afterCommit(&s, log)
            guard let pipeline, !log.changes.isEmpty else { return (result, nil, false, log) }
            let (seq, schedule) = pipeline.append(log.changes)
            return (result, seq, schedule, log)
        }
        _ = consume log
        if let sequence, let pipeline {
            if pipeline.durability != .none {
                try pipeline.sync(upTo: sequence, snapshot: snapshotState)
            } else if scheduleFlush {
                scheduleBackgroundFlush()
            }
        }
        return result
    }

    /// Routes committed changes to reactive queries and event handlers (under the lock).
    func afterCommit(_ s: inout StoreState, _ log: CommitLog) {
        guard !log.touched.isEmpty || !log.events.isEmpty || !log.clearedBuckets.isEmpty else { return }
        s.mutationSeq += 1
        for b in log.touched { s.buckets[b]?.state.changeSeq = s.mutationSeq }
        for event in log.events { s.reactive.noteChange(bucket: event.bucket, key: event.key) }
        for b in log.clearedBuckets { s.reactive.noteBucketChange(b) }
        if !s.eventHandlers.isEmpty { s.pendingEvents += log.events }
        scheduleDrainIfNeeded(&s)
    }

    func scheduleDrainIfNeeded(_ s: inout StoreState) {
        guard !s.drainScheduled, !s.reactive.dirtyQueue.isEmpty || !s.pendingEvents.isEmpty else { return }
        s.drainScheduled = true
        notifyQueue.async { self.drain() }
    }

    /// Reads a bucket under the lock. `now` is only computed for TTL buckets.
    func read<R>(_ name: String, _ body: (borrowing BucketState, Double) throws(StoreError) -> R) throws(StoreError) -> R {
        try readCaching(name) { b, now throws(StoreError) in try body(b, now) }
    }

    /// Reads a bucket outside the lock: the lock is held only to copy the bucket's state, which
    /// shares its storage (copy-on-write), so a scan of a large bucket never stalls other store
    /// calls. A write to the bucket while a scan still holds the copy pays for copying the
    /// table once; writes to other buckets pay nothing.
    func scan<R>(_ name: String, _ body: (borrowing BucketState, Double) throws(StoreError) -> R) throws(StoreError) -> R {
        let (snapshot, now) = try state.withLock { s throws(StoreError) -> (BucketState, Double) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            return (box.state, box.state.definition.ttlMs == nil ? 0 : (Date().timeIntervalSince1970 * 1000))
        }
        return try body(snapshot, now)
    }

    /// Like `read`, for reads that keep derived data (serialised records) in the bucket.
    func readCaching<R>(_ name: String, _ body: (inout BucketState, Double) throws(StoreError) -> R) throws(StoreError) -> R {
        try state.withLock { s throws(StoreError) -> R in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            let now = box.state.definition.ttlMs == nil ? 0 : (Date().timeIntervalSince1970 * 1000)
            return try body(&box.state, now)
        }
    }

    /// A bucket's live records in bucket order (key order for `ordered_set`), sorted after the
    /// lock is released: sorting a large bucket under it would stall every other store call.
    /// - Parameter now: the expiry instant; the wall clock when nil.
    func orderedEntries(_ name: String, now: Double? = nil) throws(StoreError) -> [(key: JSONValue, record: JSONObject)] {
        var (entries, sort) = try scan(name) { b, readNow in
            (b.liveEntries(now: now ?? readNow), b.definition.tableKind == .orderedSet)
        }
        if sort { BucketState.sortByKey(&entries) }
        return entries
    }

    /// `first(n)` / `last(n)` of a bucket; an `ordered_set` bucket is sorted outside the lock.
    func edge(_ name: String, first: Bool, _ n: Int) throws(StoreError) -> [JSONObject] {
        let unsorted = try scan(name) { b, now -> [JSONObject]? in
            guard b.definition.tableKind != .orderedSet else { return nil }
            return first ? b.first(n, now: now) : b.last(n, now: now)
        }
        if let unsorted { return unsorted }
        let entries = try orderedEntries(name)
        if first { return entries.prefix(Swift.max(0, n)).map(\.record) }
        return (n <= 0 ? entries[...] : entries.suffix(n)).map(\.record)
    }

    // MARK: Bucket administration

    /// Defines a bucket.
    ///
    /// A bucket restored from persistence is claimed by the first `defineBucket` of its name
    /// in this run: the new definition replaces the stored one and the records are kept (so
    /// applications that define their buckets at start-up, as with the reference, keep working).
    /// - Throws: `bucketAlreadyExists`, or `invalidDefinition` (key or index not in schema).
    public func defineBucket(_ name: String, _ definition: BucketDefinition) throws(StoreError) {
        try definition.check(bucket: name)
        try commit { s, log throws(StoreError) in
            if let existing = s.buckets[name] {
                guard s.restoredUnclaimed.remove(name) != nil else { throw StoreError.bucketAlreadyExists(name) }
                existing.state.redefine(definition)
                if pipeline != nil {
                    log.changes.append(definition.persistent
                        ? .redefineBucket(name: name, definition: definition.json) : .dropBucket(name: name))
                }
                return
            }
            try configuration.limits.checkBucketCount(s.buckets.count, adding: name)
            s.buckets[name] = BucketBox(BucketState(name: name, definition: definition))
            s.bucketOrder.append(name)
            if pipeline != nil, definition.persistent {
                log.changes.append(.defineBucket(name: name, definition: definition.json, counter: 0))
            }
        }
    }

    /// Defines a bucket from the wire form of spec-server §2.3.
    /// - Throws: `invalidDefinition` naming the bad field or option (F4), or `bucketAlreadyExists`.
    public func defineBucket(_ name: String, json: JSONObject) throws(StoreError) {
        try defineBucket(name, try BucketDefinition(json: json, bucket: name))
    }

    /// Drops a bucket, its records (also persisted ones) and the subscriptions depending on it.
    /// - Throws: `bucketNotDefined` with `Bucket "<n>" does not exist`.
    public func dropBucket(_ name: String) throws(StoreError) {
        try commit { s, log throws(StoreError) in
            guard let removed = s.buckets.removeValue(forKey: name)?.state else { throw StoreError.doesNotExist(name) }
            s.bucketOrder.removeAll { $0 == name }
            s.restoredUnclaimed.remove(name)
            s.reactive.removeInstances(dependingOn: name)
            if pipeline != nil, removed.definition.persistent { log.changes.append(.dropBucket(name: name)) }
        }
    }

    /// Applies `{addFields?, addIndexes?, ttl?}` keeping the data (no events, no revalidation).
    /// - Throws: `bucketNotDefined`, or `invalidDefinition` (existing field, unknown index, bad TTL).
    public func updateBucket(_ name: String, json updates: JSONObject) throws(StoreError) {
        try commit { s, log throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            let next = try box.state.definition.updated(with: updates, bucket: name)
            box.state.redefine(next)
            if pipeline != nil, next.persistent {
                log.changes.append(.redefineBucket(name: name, definition: next.json))
            }
        }
    }

    /// The bucket's definition as given (or as merged by `updateBucket`), in wire form.
    /// - Throws: `bucketNotDefined` with `Bucket "<n>" does not exist`.
    public func bucketSchema(_ name: String) throws(StoreError) -> JSONObject {
        try state.withLock { s throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.doesNotExist(name) }
            return box.state.definition.json
        }
    }

    /// Whether a bucket is defined.
    public func hasBucket(_ name: String) -> Bool { state.withLock { $0.buckets[name] != nil } }

    /// The number of records a bucket holds (expired ones not yet purged included), 0 when it
    /// does not exist: a cheap size check, one lock and no scan.
    public func recordCount(_ name: String) -> Int {
        state.withLock { $0.buckets[name]?.state.table.count ?? 0 }
    }

    /// Bucket names in definition order.
    public func bucketNames() -> [String] { state.withLock { $0.bucketOrder } }

    /// A handle for data operations on a bucket.
    /// - Throws: `bucketNotDefined` with `Bucket "<n>" is not defined`.
    public func bucket(_ name: String) throws(StoreError) -> BucketHandle {
        guard hasBucket(name) else { throw .notDefined(name) }
        return BucketHandle(store: self, name: name)
    }

    /// A handle for data operations on a bucket, without checking now that it exists: each
    /// operation checks anyway (and throws `bucketNotDefined`), so a caller about to run one
    /// saves a lookup.
    public func uncheckedBucket(_ name: String) -> BucketHandle {
        BucketHandle(store: self, name: name)
    }

    // MARK: Stats

    /// Store statistics in the shape of spec A.19 / spec-server §2.1 `store.stats`.
    public func stats() -> JSONObject {
        state.withLock { s in
            var perBucketRecords = JSONObject()
            var perBucketIndexes = JSONObject()
            var totalRecords = 0
            var totalIndexes = 0
            for name in s.bucketOrder {
                guard let bucket = s.buckets[name]?.state else { continue }
                let n = bucket.table.count
                totalRecords += n
                totalIndexes += bucket.indexes.count
                perBucketRecords[name] = .number(Double(n))
                perBucketIndexes[name] = .number(Double(bucket.indexes.count))
            }
            return [
                "name": .string(name),
                "buckets": ["count": .number(Double(s.bucketOrder.count)), "names": .array(s.bucketOrder.map { .string($0) })],
                "records": ["total": .number(Double(totalRecords)), "perBucket": .object(perBucketRecords)],
                "indexes": ["total": .number(Double(totalIndexes)), "perBucket": .object(perBucketIndexes)],
                "queries": [
                    "defined": .number(Double(s.reactive.queries.count)),
                    "activeSubscriptions": .number(Double(s.reactive.totalSubscriptions)),
                ],
                "persistence": ["enabled": .bool(pipeline != nil)],
                "ttl": [
                    "enabled": .bool(configuration.ttlCheckIntervalMs > 0 && !s.closed),
                    "checkIntervalMs": .number(Double(configuration.ttlCheckIntervalMs)),
                ],
            ]
        }
    }

    /// Per-bucket internal statistics (spec A.19, not exposed by the server).
    public func bucketStats(_ name: String) throws(StoreError) -> JSONObject {
        try read(name) { b, _ in
            [
                "recordCount": .number(Double(b.table.count)), "indexCount": .number(Double(b.indexes.count)),
                "indexNames": .array(b.indexNames.map { .string($0) }),
                "hasUniqueConstraints": .bool(b.indexes.contains { $0.unique }),
                "autoincrementCounter": .number(Double(b.counter)),
                "etsType": .string(b.definition.tableKind.rawValue), "hasTtl": .bool(b.definition.ttlMs != nil),
                "hasMaxSize": .bool(b.definition.maxSize != nil),
                "maxSize": b.definition.maxSize.map { .number(Double($0)) } ?? .null,
            ]
        }
    }

    // MARK: Persistence

    /// A consistent full state of the persistent buckets (taken under the store lock).
    func snapshotState() -> PersistedState {
        state.withLock { s in
            var buckets: [PersistedBucket] = []
            for name in s.bucketOrder {
                guard let b = s.buckets[name]?.state, b.definition.persistent else { continue }
                buckets.append(PersistedBucket(
                    name: name, definition: b.definition.json, counter: b.counter,
                    records: b.table.entries.map { (key: $0.key, record: $0.value) }))
            }
            return PersistedState(buckets: buckets, sequence: pipeline?.lastSequence ?? 0)
        }
    }

    /// Writes every change not yet written to the adapter.
    /// - Throws: `StoreError.persistence` when the adapter fails.
    public func flush() throws(StoreError) {
        try pipeline?.flush(snapshot: snapshotState)
    }

    private func scheduleBackgroundFlush() {
        guard let pipeline else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(pipeline.flushIntervalMs)) { [weak self] in
            guard let self else { return }
            // A failure stays buffered and is retried by the next flush or by close().
            try? self.pipeline?.flush(snapshot: self.snapshotState)
        }
    }

    /// Stops the TTL timer, drops queries and subscriptions, flushes and closes the adapter.
    /// Later operations throw `StoreError.closed`.
    public func close() throws(StoreError) {
        let wasOpen = state.withLock { s in
            defer { s.closed = true }
            guard !s.closed else { return false }
            s.reactive = ReactiveState()
            s.eventHandlers.removeAll()
            return true
        }
        guard wasOpen, let pipeline else { return }
        try pipeline.flush(snapshot: snapshotState)
        try pipeline.adapter.close()
    }
}
