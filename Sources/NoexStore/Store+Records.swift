internal import Dispatch
public import NoexWire
internal import Synchronization

extension Store {
    func insert(into name: String, _ data: JSONObject) throws(StoreError) -> JSONObject {
        try commit { s, log throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            try insertRecord(&box.state, data, &log)
            return log.events.last?.record ?? JSONObject()
        }
    }

    /// Inserts a record and returns it as UTF-8 JSON text: the text the record-size check
    /// already wrote (and keeps for later reads), so the answer is not serialised again.
    /// - Throws: as ``BucketHandle/insert(_:)``.
    public func insertEncoded(_ data: JSONObject, inBucket name: String) throws(StoreError) -> [UInt8] {
        try commit { s, log throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            try insertRecord(&box.state, data, &log)
            guard let key = log.events.last?.key, let slot = box.state.table.slot(of: key),
                let bytes = box.state.table.derivedBytes(atSlot: slot)
            else { return JSONSerializer.serialize(.object(log.events.last?.record ?? JSONObject())) }
            return bytes
        }
    }

    /// The insert pipeline on a bucket: prepare, key and unique checks, maxSize eviction, store.
    func insertRecord(_ b: inout BucketState, _ data: JSONObject, _ log: inout CommitLog) throws(StoreError) {
        let persist = pipeline != nil && b.definition.persistent
        let (key, record) = try b.prepareInsert(data, now: log.now)
        let encoded = try configuration.limits.checkRecordSize(record, bucket: b.name)
        if let existing = b.table[key] {
            // An expired, not yet purged record is gone for every read (F9), so it gives way.
            guard b.isExpired(existing, now: log.now) else { throw StoreError.alreadyExists(bucket: b.name, key: key) }
            b.remove(key)
            log.events.append(.deleted(b.name, key, existing))
            if persist { log.changes.append(.delete(bucket: b.name, key: key)) }
        }
        try b.checkUnique(record, key: key, previous: nil)
        for victim in b.evictionVictims() {
            guard let (old, _) = b.remove(victim) else { continue }
            log.events.append(.deleted(b.name, victim, old))
            if persist { log.changes.append(.delete(bucket: b.name, key: victim)) }
        }
        try configuration.limits.checkRecordCount(b.table.count, bucket: b.name)
        try b.insert(record, key: key)
        // The size check serialised the record anyway: keep the text for the next read.
        if let slot = b.table.slot(of: key) { b.table.setDerivedBytes(encoded, atSlot: slot) }
        log.touch(b.name)
        log.events.append(.inserted(b.name, key, record))
        if persist { log.changes.append(.put(bucket: b.name, key: key, record: record, counter: b.counter)) }
    }

    /// ``BucketHandle/getEncoded(_:)`` without making a handle (see ``updateEncoded(_:_:inBucket:)``).
    /// - Throws: `bucketNotDefined`.
    public func getEncoded(_ key: JSONValue, inBucket name: String) throws(StoreError) -> [UInt8]? {
        try readCaching(name) { b, now in b.encodedRecord(key, now: now) }
    }

    func update(in name: String, key: JSONValue, _ changes: JSONObject) throws(StoreError) -> JSONObject {
        try update(in: name, key: key, changes) { record, _ in record }
    }

    /// ``BucketHandle/updateEncoded(_:_:)`` without making a handle: for a caller on a hot path
    /// that would otherwise make one per call (each copy of a handle retains the store).
    /// - Throws: `notFound`, `validation`, `uniqueConstraint`, `bucketNotDefined`.
    public func updateEncoded(_ key: JSONValue, _ changes: JSONObject, inBucket name: String) throws(StoreError) -> [UInt8] {
        try update(in: name, key: key, changes) { _, encoded in encoded }
    }

    /// The update pipeline; `result` runs under the lock on the stored record and its JSON text.
    private func update<R>(
        in name: String, key: JSONValue, _ changes: JSONObject, result: (JSONObject, [UInt8]) -> R
    ) throws(StoreError) -> R {
        let persisting = pipeline != nil
        return try commit { s, log throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            return try Self.update(
                &box.state, key: key, changes, persisting: persisting, limits: configuration.limits, &log, result: result)
        }
    }

    /// The update on the bucket itself, through `inout` so that the bucket's state is never
    /// copied (calling methods on `box.state` directly copied it on every update).
    private static func update<R>(
        _ b: inout BucketState, key: JSONValue, _ changes: JSONObject, persisting: Bool, limits: StoreLimits,
        _ log: inout CommitLog, result: (JSONObject, [UInt8]) -> R
    ) throws(StoreError) -> R {
        guard let existing = b.get(key, now: log.now) else { throw StoreError.notFound(bucket: b.name, key: key) }
        let record = try b.prepareUpdate(existing: existing, changes: changes, now: log.now)
        let encoded = try limits.checkRecordSize(record, bucket: b.name)
        try b.replace(record, key: key, previous: existing)
        // The size check serialised the record: keep the text (also what `updateEncoded` answers).
        if let slot = b.table.slot(of: key) { b.table.setDerivedBytes(encoded, atSlot: slot) }
        log.touch(b.name)
        log.events.append(.updated(b.name, key, existing, record))
        if persisting, b.definition.persistent {
            log.changes.append(.put(bucket: b.name, key: key, record: record, counter: b.counter))
        }
        return result(record, encoded)
    }

    func delete(from name: String, key: JSONValue) throws(StoreError) -> Bool {
        try commit { s, log throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            guard let (record, _) = box.state.remove(key) else { return false }
            log.touch(name)
            log.events.append(.deleted(name, key, record))
            if pipeline != nil, box.state.definition.persistent { log.changes.append(.delete(bucket: name, key: key)) }
            return !box.state.isExpired(record, now: log.now)
        }
    }

    func clear(_ name: String) throws(StoreError) {
        try commit { s, log throws(StoreError) in
            guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
            box.state.removeAll()
            log.touch(name)
            log.clearedBuckets.append(name)
            if pipeline != nil, box.state.definition.persistent { log.changes.append(.clear(bucket: name)) }
        }
    }

    /// Removes every expired record of every TTL bucket, publishing `deleted` events.
    /// - Returns: the number of records purged.
    @discardableResult
    public func purgeTtl() -> Int {
        (try? commit { s, log throws(StoreError) -> Int in
            var purged = 0
            for name in s.bucketOrder {
                guard let box = s.buckets[name], box.state.definition.ttlMs != nil else { continue }
                let keys = box.state.expiredKeys(now: log.now)
                guard !keys.isEmpty else { continue }
                for key in keys {
                    guard let (record, _) = box.state.remove(key) else { continue }
                    purged += 1
                    log.events.append(.deleted(name, key, record))
                    if pipeline != nil, box.state.definition.persistent { log.changes.append(.delete(bucket: name, key: key)) }
                }
                log.touch(name)
            }
            return purged
        }) ?? 0
    }

    func scheduleTtlTick() {
        let interval = configuration.ttlCheckIntervalMs
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(interval)) {
            [weak self] in
            guard let self, !self.state.withLock({ $0.closed }) else { return }
            self.purgeTtl()
            self.scheduleTtlTick()
        }
    }
}

