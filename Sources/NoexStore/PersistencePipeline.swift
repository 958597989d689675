internal import Dispatch
internal import NoexWire
internal import Synchronization

/// Orders changes from commits and writes them to the adapter in batches (group commit).
///
/// Commits append under the store lock, so buffer order is commit order; whoever then asks
/// for durability writes every buffered change in one adapter call, so concurrent writers
/// share one disk write. Lock order: store → buffer; writer → buffer; writer → store.
final class PersistencePipeline: Sendable {
    struct Buffer {
        var changes: [SequencedChange] = []
        var lastSequence: UInt64
        var flushScheduled = false
    }

    let adapter: any PersistenceAdapter
    let durability: Durability
    let flushIntervalMs: Int
    private let buffer: Mutex<Buffer>
    /// The last sequence number the adapter holds; also serialises adapter calls.
    private let writer: Mutex<UInt64>

    init(adapter: any PersistenceAdapter, durability: Durability, flushIntervalMs: Int, sequence: UInt64) {
        self.adapter = adapter
        self.durability = durability
        self.flushIntervalMs = flushIntervalMs
        buffer = Mutex(Buffer(lastSequence: sequence))
        writer = Mutex(sequence)
    }

    /// Appends changes (called under the store lock); returns the sequence of the last one
    /// and whether a background flush must be scheduled.
    func append(_ changes: [PersistenceChange]) -> (sequence: UInt64, scheduleFlush: Bool) {
        buffer.withLock { b in
            for change in changes {
                b.lastSequence += 1
                b.changes.append(SequencedChange(sequence: b.lastSequence, change: change))
            }
            if durability == .none, !b.flushScheduled, !changes.isEmpty {
                b.flushScheduled = true
                return (b.lastSequence, true)
            }
            return (b.lastSequence, false)
        }
    }

    /// The sequence of the last appended change (called under the store lock for snapshots).
    var lastSequence: UInt64 { buffer.withLock { $0.lastSequence } }

    /// Writes every buffered change up to at least `sequence`.
    /// - Parameter snapshot: produces a consistent full state when the adapter asks for one.
    func sync(upTo sequence: UInt64, snapshot: () -> PersistedState) throws(StoreError) {
        try writer.withLock { durable throws(StoreError) in
            guard durable < sequence else { return }
            let batch = buffer.withLock { b in
                let taken = b.changes
                b.changes.removeAll(keepingCapacity: true)
                b.flushScheduled = false
                return taken
            }
            let pending = batch.filter { $0.sequence > durable }
            if !pending.isEmpty {
                do throws(StoreError) {
                    try adapter.write(pending, durability: durability)
                } catch {
                    // Put the batch back so a later flush retries it in order.
                    buffer.withLock { b in b.changes.insert(contentsOf: pending, at: 0) }
                    throw error
                }
                durable = pending[pending.count - 1].sequence
            }
            if adapter.wantsSnapshot {
                let state = snapshot()
                try adapter.writeSnapshot(state)
                durable = Swift.max(durable, state.sequence)
                buffer.withLock { b in b.changes.removeAll { $0.sequence <= state.sequence } }
            }
        }
    }

    /// Writes everything buffered.
    func flush(snapshot: () -> PersistedState) throws(StoreError) {
        try sync(upTo: lastSequence, snapshot: snapshot)
    }
}
