internal import NoexWire

/// Persisted state held in memory and updated by changes: the memory adapter's storage and
/// the file adapter's replay target.
struct PersistedModel {
    struct Bucket {
        var definition: JSONObject
        var counter: Int
        var records = OrderedTable<JSONObject>()
    }

    var buckets: [String: Bucket] = [:]
    var order: [String] = []
    var sequence: UInt64 = 0

    init() {}

    init(_ state: PersistedState) {
        sequence = state.sequence
        for saved in state.buckets {
            var bucket = Bucket(definition: saved.definition, counter: saved.counter)
            for (key, record) in saved.records { bucket.records.append(key, record) }
            buckets[saved.name] = bucket
            order.append(saved.name)
        }
    }

    /// Applies a change newer than `sequence`; false when it was older or names a missing bucket.
    @discardableResult
    mutating func apply(_ change: SequencedChange) -> Bool {
        guard change.sequence > sequence else { return false }
        sequence = change.sequence
        switch change.change {
        case .defineBucket(let name, let definition, let counter):
            if buckets[name] == nil { order.append(name) }
            buckets[name] = Bucket(definition: definition, counter: counter)
        case .redefineBucket(let name, let definition):
            if buckets[name] == nil {
                order.append(name)
                buckets[name] = Bucket(definition: definition, counter: 0)
            } else {
                buckets[name]?.definition = definition
            }
        case .dropBucket(let name):
            buckets[name] = nil
            order.removeAll { $0 == name }
        case .put(let bucket, let key, let record, let counter):
            guard var b = buckets.removeValue(forKey: bucket) else { return false }
            if b.records.contains(key) { b.records.replace(key, record) } else { b.records.append(key, record) }
            b.counter = Swift.max(b.counter, counter)
            buckets[bucket] = b
        case .delete(let bucket, let key):
            guard buckets[bucket] != nil else { return false }
            buckets[bucket]?.records.remove(key)
        case .clear(let bucket):
            guard buckets[bucket] != nil else { return false }
            buckets[bucket]?.records.removeAll()
        }
        return true
    }

    var state: PersistedState {
        PersistedState(
            buckets: order.compactMap { name in
                guard let b = buckets[name] else { return nil }
                return PersistedBucket(
                    name: name, definition: b.definition, counter: b.counter,
                    records: b.records.entries.map { (key: $0.key, record: $0.value) })
            }, sequence: sequence)
    }
}
