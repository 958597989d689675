public import NoexWire

/// Data operations on one bucket. A cheap value: it holds the store and the bucket name, and
/// each call looks the bucket up (so a dropped bucket gives `BUCKET_NOT_DEFINED`).
public struct BucketHandle: Sendable {
    /// The store.
    public let store: Store
    /// The bucket name.
    public let name: String

    /// Inserts a record (generated values, defaults, metadata, validation, TTL, maxSize).
    /// - Returns: the stored record.
    /// - Throws: `validation`, `uniqueConstraint`, `alreadyExists` (F5), `bucketNotDefined`.
    @discardableResult
    public func insert(_ data: JSONObject) throws(StoreError) -> JSONObject {
        try store.insert(into: name, data)
    }

    /// The record with `key`, or nil (also for an expired one).
    public func get(_ key: JSONValue) throws(StoreError) -> JSONObject? {
        try store.read(name) { b, now in b.get(key, now: now) }
    }

    /// The record with `key` as UTF-8 JSON text, or nil (also for an expired one).
    ///
    /// The same bytes `JSONSerializer` writes for `get(_:)`'s record, but serialised once per
    /// version of the record: repeated reads of an unchanged record copy nothing but a reference.
    public func getEncoded(_ key: JSONValue) throws(StoreError) -> [UInt8]? {
        try store.getEncoded(key, inBucket: name)
    }

    /// Shallow-merges `changes` into the record (key, generated and metadata fields ignored),
    /// bumps `_version` and revalidates.
    /// - Returns: the full updated record.
    /// - Throws: `notFound` (F1), `validation`, `uniqueConstraint`, `bucketNotDefined`.
    @discardableResult
    public func update(_ key: JSONValue, _ changes: JSONObject) throws(StoreError) -> JSONObject {
        try store.update(in: name, key: key, changes)
    }

    /// Like `update(_:_:)`, returning the updated record as UTF-8 JSON text (the bytes
    /// `JSONSerializer` writes for it), which is also kept for later `getEncoded(_:)` reads.
    public func updateEncoded(_ key: JSONValue, _ changes: JSONObject) throws(StoreError) -> [UInt8] {
        try store.updateEncoded(key, changes, inBucket: name)
    }

    /// Deletes the record with `key`; a missing key is a no-op without event.
    /// - Returns: whether a record was deleted.
    @discardableResult
    public func delete(_ key: JSONValue) throws(StoreError) -> Bool {
        try store.delete(from: name, key: key)
    }

    /// Every record in table order.
    public func all() throws(StoreError) -> [JSONObject] {
        try store.scan(name) { b, now in b.all(now: now) }
    }

    /// Records whose fields strictly equal the filter's values (or satisfy its `$` operators).
    /// - Throws: `invalidArgument` for an unknown operator.
    public func `where`(_ filter: JSONObject) throws(StoreError) -> [JSONObject] {
        let compiled = try RecordFilter(filter)
        return try store.scan(name) { b, now in b.records(compiled, now: now) }
    }

    /// The first record matching the filter, or nil.
    public func findOne(_ filter: JSONObject) throws(StoreError) -> JSONObject? {
        let compiled = try RecordFilter(filter)
        return try store.scan(name) { b, now in b.findOne(compiled, now: now) }
    }

    /// The number of records, or of records matching `filter`.
    public func count(_ filter: JSONObject? = nil) throws(StoreError) -> Int {
        let compiled = try filter.map { f throws(StoreError) in try RecordFilter(f) }
        return try store.scan(name) { b, now in b.count(compiled, now: now) }
    }

    /// The first `n` records.
    public func first(_ n: Int) throws(StoreError) -> [JSONObject] {
        try store.edge(name, first: true, n)
    }

    /// The last `n` records (`last(0)` returns all, as in the reference).
    public func last(_ n: Int) throws(StoreError) -> [JSONObject] {
        try store.edge(name, first: false, n)
    }

    /// A page of `limit` records after the key `after` (from the start when nil).
    public func paginate(after: JSONValue? = nil, limit: Int) throws(StoreError) -> Page {
        try BucketState.page(of: store.orderedEntries(name), after: after, limit: limit)
    }

    /// The sum of the numeric values of `field` (0 when none).
    public func sum(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double {
        try aggregate(.sum, field, filter) ?? 0
    }

    /// The mean of the numeric values of `field` (0 when none).
    public func avg(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double {
        try aggregate(.avg, field, filter) ?? 0
    }

    /// The smallest numeric value of `field`, or nil.
    public func min(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double? {
        try aggregate(.min, field, filter)
    }

    /// The largest numeric value of `field`, or nil.
    public func max(_ field: String, filter: JSONObject? = nil) throws(StoreError) -> Double? {
        try aggregate(.max, field, filter)
    }

    private func aggregate(_ f: AggregateFunction, _ field: String, _ filter: JSONObject?) throws(StoreError) -> Double? {
        let compiled = try filter.map { x throws(StoreError) in try RecordFilter(x) }
        return try store.scan(name) { b, now in b.aggregate(f, field: field, filter: compiled, now: now) }
    }

    /// Removes every record. Subscriptions depending on the bucket are re-evaluated (F6); no
    /// per-record events are published.
    public func clear() throws(StoreError) {
        try store.clear(name)
    }
}
