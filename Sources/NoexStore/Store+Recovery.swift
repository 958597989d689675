internal import NoexWire
internal import Synchronization

extension Store {
    /// A bucket as restored from persistence (definition checked, records and indexes rebuilt).
    static func restoredBucket(_ saved: PersistedBucket) throws(StoreError) -> BucketState {
        let definition: BucketDefinition
        do {
            definition = try BucketDefinition(json: saved.definition, bucket: saved.name)
        } catch {
            throw .persistence("Cannot restore bucket \"\(saved.name)\": \(error.message)")
        }
        var bucket = BucketState(name: saved.name, definition: definition)
        bucket.counter = saved.counter
        for (key, record) in saved.records where !bucket.table.contains(key) {
            bucket.restore(record, key: key, slot: Int.max)
        }
        return bucket
    }

    /// Undoes every change the adapter refused: under the store lock, drops the buffered
    /// changes and replaces the persistent buckets with what the adapter holds (buckets with
    /// `persistent: false` are kept as they are). Reactive queries over them are re-run.
    /// Events already delivered for the undone changes are not taken back.
    /// - Returns: the last sequence number handed out (every change up to it was undone).
    func revertToPersisted() throws(StoreError) -> UInt64 {
        guard let pipeline else { return 0 }
        return try state.withLock { s throws(StoreError) -> UInt64 in
            let last = pipeline.discardBuffered()
            let persisted = try pipeline.adapter.reload()
            var restored: [String: BucketBox] = [:]
            for saved in persisted.buckets { restored[saved.name] = BucketBox(try Self.restoredBucket(saved)) }
            var order: [String] = []
            for name in s.bucketOrder {
                if restored[name] != nil || s.buckets[name]?.state.definition.persistent == false { order.append(name) }
            }
            for saved in persisted.buckets where restored[saved.name] != nil && !order.contains(saved.name) {
                order.append(saved.name)
            }
            let touched = Set(s.bucketOrder).union(order)
            for name in s.bucketOrder where !order.contains(name) { s.buckets[name] = nil }
            for (name, box) in restored { s.buckets[name] = box }
            s.bucketOrder = order
            s.restoredUnclaimed = s.restoredUnclaimed.filter { restored[$0] != nil }
            s.mutationSeq += 1
            for name in touched {
                s.buckets[name]?.state.changeSeq = s.mutationSeq
                s.reactive.noteBucketChange(name)
            }
            scheduleDrainIfNeeded(&s)
            return last
        }
    }
}
