public import NoexWire
internal import Synchronization

/// What a query function reads through. Every read records a dependency: `get` on the
/// record, everything else on the whole bucket.
public final class QueryContext: Sendable {
    let store: Store
    private let recorded = Mutex(Dependencies())

    init(store: Store) { self.store = store }

    /// A read-only view of a bucket.
    /// - Throws: `bucketNotDefined`.
    public func bucket(_ name: String) throws(StoreError) -> QueryBucket {
        guard store.hasBucket(name) else { throw .notDefined(name) }
        return QueryBucket(context: self, name: name)
    }

    var dependencies: Dependencies { recorded.withLock { $0 } }

    func track(_ bucket: String) { recorded.withLock { _ = $0.buckets.insert(bucket) } }

    func track(_ bucket: String, key: JSONValue) {
        recorded.withLock { _ = $0.records[bucket, default: []].insert(key) }
    }
}

/// The read-only bucket view of a query (`get`, `all`, `where`, `findOne`, `count`, `first`,
/// `last`, `paginate`, `sum`, `avg`, `min`, `max`).
public struct QueryBucket: Sendable {
    let context: QueryContext
    /// The bucket name.
    public let name: String

    private var store: Store { context.store }

    /// The record with `key` (a record-level dependency).
    public func get(_ key: JSONValue) throws(StoreError) -> JSONObject? {
        context.track(name, key: key)
        return try store.read(name) { b, now in b.get(key, now: now) }
    }

    /// Every record.
    public func all() throws(StoreError) -> [JSONObject] {
        context.track(name)
        return try store.scan(name) { b, now in b.all(now: now) }
    }

    /// Records matching `filter`.
    public func `where`(_ filter: JSONObject) throws(StoreError) -> [JSONObject] {
        try matching(try RecordFilter(filter))
    }

    func matching(_ filter: RecordFilter) throws(StoreError) -> [JSONObject] {
        context.track(name)
        return try store.scan(name) { b, now in b.records(filter, now: now) }
    }

    /// The first record matching `filter`, or nil.
    public func findOne(_ filter: JSONObject) throws(StoreError) -> JSONObject? {
        let compiled = try RecordFilter(filter)
        context.track(name)
        return try store.scan(name) { b, now in b.findOne(compiled, now: now) }
    }

    /// The number of (matching) records.
    public func count(_ filter: JSONObject? = nil) throws(StoreError) -> Int {
        let compiled = try filter.map { f throws(StoreError) in try RecordFilter(f) }
        context.track(name)
        return try store.scan(name) { b, now in b.count(compiled, now: now) }
    }

    /// The first `n` records.
    public func first(_ n: Int) throws(StoreError) -> [JSONObject] {
        context.track(name)
        return try store.edge(name, first: true, n)
    }

    /// The last `n` records.
    public func last(_ n: Int) throws(StoreError) -> [JSONObject] {
        context.track(name)
        return try store.edge(name, first: false, n)
    }

    /// A page of records after `after`.
    public func paginate(after: JSONValue? = nil, limit: Int) throws(StoreError) -> Page {
        context.track(name)
        return try BucketState.page(of: store.orderedEntries(name), after: after, limit: limit)
    }

    /// Sum of the numeric values of `field`.
    public func sum(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double {
        try aggregate(.sum, field, filter) ?? 0
    }

    /// Mean of the numeric values of `field`.
    public func avg(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double {
        try aggregate(.avg, field, filter) ?? 0
    }

    /// Smallest numeric value of `field`, or nil.
    public func min(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double? {
        try aggregate(.min, field, filter)
    }

    /// Largest numeric value of `field`, or nil.
    public func max(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double? {
        try aggregate(.max, field, filter)
    }

    private func aggregate(_ f: AggregateFunction, _ field: String, _ filter: JSONObject?) throws(StoreError) -> Double? {
        let compiled = try filter.map { x throws(StoreError) in try RecordFilter(x) }
        context.track(name)
        return try store.scan(name) { b, now in b.aggregate(f, field: field, filter: compiled, now: now) }
    }
}
