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
        /// The `_version` each key had when `get` first read it (-1: absent). Commit checks
        /// these too, so a write computed from a stale read conflicts instead of losing an update.
        var reads: [JSONValue: Double] = [:]
    }

    let store: Store
    var buffers: [String: Buffer] = [:]
    var order: [String] = []

    init(store: Store) { self.store = store }

    /// Runs `body` on the bucket's buffer in place.
    ///
    /// The buffer is taken out of `buffers` for the call: mutating a copy while the dictionary
    /// still held the original made every operation copy the whole buffer (copy-on-write),
    /// which made a transaction's cost grow with the square of its size.
    private mutating func withBuffer<R>(
        _ name: String, _ body: (inout Buffer) throws(StoreError) -> R
    ) throws(StoreError) -> R {
        var buffer: Buffer
        if let existing = buffers.removeValue(forKey: name) {
            buffer = existing
        } else {
            let scratch = try store.read(name) { b, _ in
                var s = BucketState(name: name, definition: b.definition)
                s.counter = b.counter
                return s
            }
            order.append(name)
            buffer = Buffer(scratch: scratch)
        }
        // Put back whatever happens, so a caller that catches an error keeps its earlier writes.
        defer { buffers[name] = buffer }
        return try body(&buffer)
    }

    private static func live(_ store: Store, _ bucket: String, _ key: JSONValue) throws(StoreError) -> JSONObject? {
        // The clock is read before taking the lock again for the read: the lock is not reentrant.
        let now = store.now()
        return try store.read(bucket) { b, _ in
            guard let record = b.table[key] else { return nil }
            return b.isExpired(record, now: now) ? nil : record
        }
    }

    /// Buffers an insert (validated now).
    /// - Returns: the record as it will be stored.
    /// - Throws: `validation`, `alreadyExists`, `bucketNotDefined` (F2), `invalidArgument` when
    ///   the record is larger than the store's `maxRecordBytes`.
    @discardableResult
    public mutating func insert(_ bucket: String, _ data: JSONObject) throws(StoreError) -> JSONObject {
        let store = self.store
        return try withBuffer(bucket) { buffer throws(StoreError) in
            let (key, record) = try buffer.scratch.prepareInsert(data, now: store.now())
            try store.configuration.limits.checkRecordSize(record, bucket: bucket)
            if let entry = buffer.entries[key] {
                guard entry.final == nil else { throw .alreadyExists(bucket: bucket, key: key) }
                buffer.entries.replace(key, Entry(expectedVersion: entry.expectedVersion, final: record))
            } else {
                guard try Self.live(store, bucket, key) == nil else { throw .alreadyExists(bucket: bucket, key: key) }
                buffer.entries.append(key, Entry(expectedVersion: nil, final: record))
            }
            return record
        }
    }

    /// Buffers an update (merged and validated now).
    /// - Returns: the updated record.
    /// - Throws: `notFound`, `validation`, `bucketNotDefined`, `invalidArgument` (record too large).
    @discardableResult
    public mutating func update(_ bucket: String, _ key: JSONValue, _ changes: JSONObject) throws(StoreError) -> JSONObject {
        let store = self.store
        return try withBuffer(bucket) { buffer throws(StoreError) in
            let now = store.now()
            if let entry = buffer.entries[key] {
                guard let current = entry.final else { throw .notFound(bucket: bucket, key: key) }
                let record = try buffer.scratch.prepareUpdate(existing: current, changes: changes, now: now)
                try store.configuration.limits.checkRecordSize(record, bucket: bucket)
                buffer.entries.replace(key, Entry(expectedVersion: entry.expectedVersion, final: record))
                return record
            }
            guard let current = try Self.live(store, bucket, key) else { throw .notFound(bucket: bucket, key: key) }
            let expected = try Self.expectedVersion(buffer, bucket, key, current)
            let record = try buffer.scratch.prepareUpdate(existing: current, changes: changes, now: now)
            try store.configuration.limits.checkRecordSize(record, bucket: bucket)
            buffer.entries.append(key, Entry(expectedVersion: expected, final: record))
            return record
        }
    }

    /// Buffers a delete; a missing key is a no-op.
    /// - Throws: `bucketNotDefined`.
    public mutating func delete(_ bucket: String, _ key: JSONValue) throws(StoreError) {
        let store = self.store
        try withBuffer(bucket) { buffer throws(StoreError) in
            if let entry = buffer.entries[key] {
                if entry.expectedVersion == nil {
                    buffer.entries.remove(key)
                } else {
                    buffer.entries.replace(key, Entry(expectedVersion: entry.expectedVersion, final: nil))
                }
            } else if let current = try Self.live(store, bucket, key) {
                let expected = try Self.expectedVersion(buffer, bucket, key, current)
                buffer.entries.append(key, Entry(expectedVersion: expected, final: nil))
            }
        }
    }

    /// The version a write of `key` must find at commit: the one an earlier `get` saw, else
    /// the current one.
    private static func expectedVersion(_ buffer: Buffer, _ bucket: String, _ key: JSONValue, _ current: JSONObject)
        throws(StoreError) -> Double
    {
        let version = current["_version"]?.numberValue ?? 0
        guard let seen = buffer.reads[key] else { return version }
        guard seen >= 0 else {
            throw .transactionConflict(bucket: bucket, key: key, detail: "Record with key \"\(key.jsString)\" already exists")
        }
        return seen
    }

    /// The record as this transaction sees it.
    public mutating func get(_ bucket: String, _ key: JSONValue) throws(StoreError) -> JSONObject? {
        let store = self.store
        return try withBuffer(bucket) { buffer throws(StoreError) in
            if let entry = buffer.entries[key] { return entry.final }
            let record = try Self.live(store, bucket, key)
            if buffer.reads[key] == nil { buffer.reads[key] = record?["_version"]?.numberValue ?? -1 }
            return record
        }
    }

    /// Live records with this transaction's updates and deletes applied, then its inserts.
    public mutating func all(_ bucket: String) throws(StoreError) -> [JSONObject] {
        // Registers the bucket; the buffer is only read below (a copy shares its storage).
        try withBuffer(bucket) { _ throws(StoreError) in }
        guard let buffer = buffers[bucket] else { return [] }
        let now = store.now()
        let liveRecords = try store.orderedEntries(bucket, now: now)
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
