public import NoexWire

/// The buffered writes of one transaction. Reads see the live store overlaid with this
/// transaction's own writes; nothing reaches the store until the body returns and the commit
/// succeeds (version checks, then all-or-nothing apply, then events).
public struct TransactionContext: Sendable {
    /// A key's state in the transaction.
    struct Entry: Sendable {
        /// The `_version` seen at the first read, or nil when the key must not exist.
        var expectedVersion: Double?
        /// The record after the transaction, or nil when deleted.
        var final: JSONObject?
    }

    struct Buffer: Sendable {
        /// An empty bucket with the live definition and counter, used to prepare records.
        var scratch: BucketState
        var entries = OrderedTable<Entry>()
    }

    let store: Store
    var buffers: [String: Buffer] = [:]
    var order: [String] = []

    init(store: Store) { self.store = store }

    private mutating func buffer(_ name: String) throws(StoreError) -> Buffer {
        if let existing = buffers[name] { return existing }
        let scratch = try store.read(name) { b, _ in
            var s = BucketState(name: name, definition: b.definition)
            s.counter = b.counter
            return s
        }
        order.append(name)
        return Buffer(scratch: scratch)
    }

    private func live(_ bucket: String, _ key: JSONValue) throws(StoreError) -> JSONObject? {
        // The clock is read before taking the lock again for the read: the lock is not reentrant.
        let now = store.now()
        return try store.read(bucket) { b, _ in
            guard let record = b.table[key] else { return nil }
            return b.isExpired(record, now: now) ? nil : record
        }
    }

    /// Buffers an insert (validated now).
    /// - Returns: the record as it will be stored.
    /// - Throws: `validation`, `alreadyExists`, `bucketNotDefined` (F2).
    @discardableResult
    public mutating func insert(_ bucket: String, _ data: JSONObject) throws(StoreError) -> JSONObject {
        var buffer = try buffer(bucket)
        let (key, record) = try buffer.scratch.prepareInsert(data, now: store.now())
        if let entry = buffer.entries[key] {
            guard entry.final == nil else { throw .alreadyExists(bucket: bucket, key: key) }
            buffer.entries.replace(key, Entry(expectedVersion: entry.expectedVersion, final: record))
        } else {
            guard try live(bucket, key) == nil else { throw .alreadyExists(bucket: bucket, key: key) }
            buffer.entries.append(key, Entry(expectedVersion: nil, final: record))
        }
        buffers[bucket] = buffer
        return record
    }

    /// Buffers an update (merged and validated now).
    /// - Returns: the updated record.
    /// - Throws: `notFound`, `validation`, `bucketNotDefined`.
    @discardableResult
    public mutating func update(_ bucket: String, _ key: JSONValue, _ changes: JSONObject) throws(StoreError) -> JSONObject {
        var buffer = try buffer(bucket)
        let now = store.now()
        if let entry = buffer.entries[key] {
            guard let current = entry.final else { throw .notFound(bucket: bucket, key: key) }
            let record = try buffer.scratch.prepareUpdate(existing: current, changes: changes, now: now)
            buffer.entries.replace(key, Entry(expectedVersion: entry.expectedVersion, final: record))
            buffers[bucket] = buffer
            return record
        }
        guard let current = try live(bucket, key) else { throw .notFound(bucket: bucket, key: key) }
        let record = try buffer.scratch.prepareUpdate(existing: current, changes: changes, now: now)
        buffer.entries.append(key, Entry(expectedVersion: current["_version"]?.numberValue ?? 0, final: record))
        buffers[bucket] = buffer
        return record
    }

    /// Buffers a delete; a missing key is a no-op.
    /// - Throws: `bucketNotDefined`.
    public mutating func delete(_ bucket: String, _ key: JSONValue) throws(StoreError) {
        var buffer = try buffer(bucket)
        if let entry = buffer.entries[key] {
            if entry.expectedVersion == nil {
                buffer.entries.remove(key)
            } else {
                buffer.entries.replace(key, Entry(expectedVersion: entry.expectedVersion, final: nil))
            }
        } else if let current = try live(bucket, key) {
            buffer.entries.append(key, Entry(expectedVersion: current["_version"]?.numberValue ?? 0, final: nil))
        }
        buffers[bucket] = buffer
    }

    /// The record as this transaction sees it.
    public mutating func get(_ bucket: String, _ key: JSONValue) throws(StoreError) -> JSONObject? {
        let buffer = try buffer(bucket)
        buffers[bucket] = buffer
        if let entry = buffer.entries[key] { return entry.final }
        return try live(bucket, key)
    }

    /// Live records with this transaction's updates and deletes applied, then its inserts.
    public mutating func all(_ bucket: String) throws(StoreError) -> [JSONObject] {
        let buffer = try buffer(bucket)
        buffers[bucket] = buffer
        let now = store.now()
        let liveRecords = try store.read(bucket) { b, _ in b.ordered(now: now) }
        var result: [JSONObject] = []
        for (key, record) in liveRecords {
            if let entry = buffer.entries[key] {
                if let final = entry.final { result.append(final) }
            } else {
                result.append(record)
            }
        }
        let liveKeys = Set(liveRecords.map(\.key))
        for (key, entry) in buffer.entries.entries where !liveKeys.contains(key) {
            if let final = entry.final { result.append(final) }
        }
        return result
    }

    /// Records (as this transaction sees them) matching `filter`.
    public mutating func `where`(_ bucket: String, _ filter: JSONObject) throws(StoreError) -> [JSONObject] {
        let compiled = try RecordFilter(filter)
        return try all(bucket).filter { compiled.matches($0) }
    }

    /// The first record matching `filter`, or nil.
    public mutating func findOne(_ bucket: String, _ filter: JSONObject) throws(StoreError) -> JSONObject? {
        try self.where(bucket, filter).first
    }

    /// The number of (matching) records.
    public mutating func count(_ bucket: String, _ filter: JSONObject? = nil) throws(StoreError) -> Int {
        guard let filter else { return try all(bucket).count }
        return try self.where(bucket, filter).count
    }
}
