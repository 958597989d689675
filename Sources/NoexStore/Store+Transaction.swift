internal import NoexWire
internal import Synchronization

extension Store {
    /// Runs `body` against a transaction and commits its buffered writes atomically.
    ///
    /// Commit checks, under the store lock, that every key the transaction wrote, or read
    /// with `get`, still has the version it saw (else `transactionConflict`; scans are not
    /// tracked), applies all writes (inserts, then updates, then deletes, per bucket in
    /// first-use order) or none, and only then publishes events: each affected query is
    /// re-evaluated once for the whole commit.
    /// - Returns: what `body` returns.
    /// - Throws: whatever `body` throws (nothing is written), `transactionConflict`,
    ///   `uniqueConstraint`, `bucketNotDefined`, or a persistence error after the commit.
    public func transaction<R>(_ body: (inout TransactionContext) throws(StoreError) -> R) throws(StoreError) -> R {
        var tx = TransactionContext(store: self)
        let result = try body(&tx)
        try commitTransaction(tx)
        return result
    }

    /// The store's monotonic clock (ms).
    func now() -> Double { state.withLock { $0.tick() } }

    private enum Undo {
        case inserted(String, JSONValue)
        case replaced(String, JSONValue, previous: JSONObject, current: JSONObject)
        case removed(String, JSONValue, JSONObject, slot: Int)
        case counter(String, Int)
    }

    func commitTransaction(_ tx: TransactionContext) throws(StoreError) {
        guard tx.buffers.values.contains(where: { !$0.entries.isEmpty }) else { return }
        // A read-only transaction commits nothing; one that writes also validates its reads.
        // The undo list is returned, so that it is freed after the lock is released.
        let undo = try commit { s, log throws(StoreError) -> [Undo] in
            var undo: [Undo] = []
            defer {
                for name in tx.order { s.buckets[name]?.state.table.compactionSuspended = false }
            }
            do throws(StoreError) {
                for name in tx.order {
                    guard let buffer = tx.buffers[name], !buffer.entries.isEmpty || !buffer.reads.isEmpty else { continue }
                    guard let box = s.buckets[name] else { throw StoreError.notDefined(name) }
                    box.state.table.compactionSuspended = true
                    try apply(buffer, to: &box.state, &log, &undo)
                }
            } catch {
                rollback(undo, &s)
                throw error
            }
            return undo
        }
        _ = consume undo
    }

    private func apply(_ buffer: TransactionContext.Buffer, to b: inout BucketState, _ log: inout CommitLog,
        _ undo: inout [Undo]) throws(StoreError)
    {
        let name = b.name
        let persist = pipeline != nil && b.definition.persistent
        // Phase 1: every key must still be as the transaction saw it.
        for (key, entry) in buffer.entries.entries {
            let current = b.table[key].flatMap { b.isExpired($0, now: log.now) ? nil : $0 }
            if let expected = entry.expectedVersion {
                guard let current else {
                    throw StoreError.transactionConflict(bucket: name, key: key, detail: "Record with key \"\(key.jsString)\" not found")
                }
                let actual = current["_version"]?.numberValue ?? 0
                guard actual == expected else {
                    throw StoreError.transactionConflict(
                        bucket: name, key: key,
                        detail: "Version mismatch: expected \(JSONText.formatNumber(expected)), got \(JSONText.formatNumber(actual))")
                }
            } else if current != nil {
                throw StoreError.transactionConflict(
                    bucket: name, key: key, detail: "Record with key \"\(key.jsString)\" already exists")
            }
        }
        undo.append(.counter(name, b.counter))
        // Keys the transaction only read must not have changed either.
        for (key, seen) in buffer.reads where !buffer.entries.contains(key) {
            let current = b.table[key].flatMap { b.isExpired($0, now: log.now) ? nil : $0 }
            let actual = current?["_version"]?.numberValue ?? -1
            guard actual != seen else { continue }
            let detail: String
            if seen < 0 {
                detail = "Record with key \"\(key.jsString)\" already exists"
            } else if current == nil {
                detail = "Record with key \"\(key.jsString)\" not found"
            } else {
                detail = "Version mismatch: expected \(JSONText.formatNumber(seen)), got \(JSONText.formatNumber(actual))"
            }
            throw StoreError.transactionConflict(bucket: name, key: key, detail: detail)
        }
        guard !buffer.entries.isEmpty else { return }
        // Phase 2: inserts, then updates, then deletes.
        for (key, entry) in buffer.entries.entries where entry.expectedVersion == nil {
            guard let record = entry.final else { continue }
            if let (expired, slot) = b.remove(key) {
                undo.append(.removed(name, key, expired, slot: slot))
                log.events.append(.deleted(name, key, expired))
                if persist { log.changes.append(.delete(bucket: name, key: key)) }
            }
            try b.checkUnique(record, key: key, previous: nil)
            for victim in b.evictionVictims() {
                guard let (old, slot) = b.remove(victim) else { continue }
                undo.append(.removed(name, victim, old, slot: slot))
                log.events.append(.deleted(name, victim, old))
                if persist { log.changes.append(.delete(bucket: name, key: victim)) }
            }
            try configuration.limits.checkRecordCount(b.table.count, bucket: name)
            try b.insert(record, key: key)
            undo.append(.inserted(name, key))
            log.events.append(.inserted(name, key, record))
        }
        for (key, entry) in buffer.entries.entries where entry.expectedVersion != nil {
            guard let record = entry.final, let previous = b.table[key] else { continue }
            try b.replace(record, key: key, previous: previous)
            undo.append(.replaced(name, key, previous: previous, current: record))
            log.events.append(.updated(name, key, previous, record))
        }
        for (key, entry) in buffer.entries.entries where entry.expectedVersion != nil && entry.final == nil {
            guard let (old, slot) = b.remove(key) else { continue }
            undo.append(.removed(name, key, old, slot: slot))
            log.events.append(.deleted(name, key, old))
            if persist { log.changes.append(.delete(bucket: name, key: key)) }
        }
        b.counter = Swift.max(b.counter, buffer.scratch.counter)
        if persist {
            for (key, entry) in buffer.entries.entries {
                guard let record = entry.final else { continue }
                log.changes.append(.put(bucket: name, key: key, record: record, counter: b.counter))
            }
        }
        log.touch(name)
    }

    private func rollback(_ undo: [Undo], _ s: inout StoreState) {
        for step in undo.reversed() {
            switch step {
            case .inserted(let name, let key): s.buckets[name]?.state.remove(key)
            case .replaced(let name, let key, let previous, let current):
                s.buckets[name]?.state.revert(key: key, current: current, to: previous)
            case .removed(let name, let key, let record, let slot): s.buckets[name]?.state.restore(record, key: key, slot: slot)
            case .counter(let name, let value): s.buckets[name]?.state.counter = value
            }
        }
    }
}
