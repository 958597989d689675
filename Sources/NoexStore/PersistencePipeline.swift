internal import Dispatch
internal import Foundation
internal import NoexWire
internal import Synchronization

/// Orders changes from commits and writes them to the adapter in batches (group commit).
///
/// Commits append under the store lock, so buffer order is commit order. A committer that
/// needs durability either becomes the single writer, taking every buffered change into one
/// adapter call, or sleeps on a condition until a writer has covered its change. Sleeping
/// (not spinning) matters: a write takes ~100 µs, and spinning waiters would steal the CPU
/// the writer needs on a small machine. Lock order: store → buffer; writer → store.
///
/// An error answer means "not stored": when a durable write fails (a full disk), the
/// adapter has kept nothing of the batch, and `revert` (run by the writer under the store
/// lock) drops every buffered change and puts the store's in-memory data back to what the
/// adapter holds. Every committer whose change was dropped gets the error; later commits
/// start from the restored data, so the store recovers by itself once the disk does.
final class PersistencePipeline: @unchecked Sendable {
    // @unchecked: `durable`, `writing` and `failures` are only read or written with `condition`
    // locked; everything else is immutable, atomic or a Mutex.
    struct Buffer {
        var changes: [SequencedChange] = []
        var lastSequence: UInt64
        var flushScheduled = false
    }

    let adapter: any PersistenceAdapter
    let durability: Durability
    let flushIntervalMs: Int
    private let buffer: Mutex<Buffer>
    private let condition = NSCondition()
    /// The last sequence number the adapter holds.
    private var durable: UInt64
    /// Whether some thread is writing to the adapter.
    private var writing = false
    /// Sequence ranges whose changes were refused and undone, newest last (bounded).
    private var failures: [(range: ClosedRange<UInt64>, error: StoreError)] = []
    /// Set when a refused change could not be undone: the store then refuses every write.
    let broken = Mutex<StoreError?>(nil)
    /// Undoes refused changes: called by the writer with the error; must, under the store lock,
    /// call `discardBuffered()` and restore the in-memory data from `adapter.reload()`.
    /// Returns the last refused sequence.
    var revert: (@Sendable (StoreError) throws(StoreError) -> UInt64)?

    init(adapter: any PersistenceAdapter, durability: Durability, flushIntervalMs: Int, sequence: UInt64) {
        self.adapter = adapter
        self.durability = durability
        self.flushIntervalMs = flushIntervalMs
        buffer = Mutex(Buffer(lastSequence: sequence))
        durable = sequence
    }

    /// Drops every buffered change (they are being undone); returns the last sequence handed out.
    func discardBuffered() -> UInt64 {
        buffer.withLock { b in
            b.changes.removeAll()
            b.flushScheduled = false
            return b.lastSequence
        }
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

    /// Returns once every change up to `sequence` is in the adapter.
    /// - Parameter snapshot: produces a consistent full state when the adapter asks for one.
    /// - Parameter refusedIsError: whether a refused (and undone) change throws; a flush
    ///   only waits until nothing is pending, and the refused committers have been told.
    /// - Throws: the adapter's error when the change was refused (and undone).
    func sync(upTo sequence: UInt64, refusedIsError: Bool = true, snapshot: () -> PersistedState) throws(StoreError) {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let failure = failures.last(where: { $0.range.contains(sequence) }) {
                if refusedIsError { throw failure.error }
                return
            }
            if durable >= sequence { return }
            if writing {
                condition.wait()
                continue
            }
            writing = true
            let from = durable
            condition.unlock()
            let result = writeBatch(after: from, snapshot: snapshot)
            var refused: ClosedRange<UInt64>?
            if case .failure(let error) = result, durability != .none {
                refused = undo(error, durableAt: from)
            }
            condition.lock()
            writing = false
            condition.broadcast()
            switch result {
            case .success(let reached):
                durable = Swift.max(durable, reached)
                if reached <= from, durable < sequence, buffer.withLock({ $0.changes.isEmpty }) {
                    // Nothing left to write will ever cover it: fail rather than spin.
                    throw .persistence("Change \(sequence) is neither stored nor pending")
                }
            case .failure(let error):
                guard let refused else { throw error }
                // Say it plainly on the wire: the change is gone, not pending.
                let reason = broken.withLock { $0 } ?? .persistence("Not stored: \(error.message)")
                failures.append((refused, reason))
                if failures.count > 4096 { failures.removeFirst() }  // waiters wake within microseconds
            }
        }
    }

    /// Undoes every change after `durableAt` and returns their range (nil without `revert`).
    /// When the in-memory data cannot be restored, the changes are still dropped and
    /// `broken` is set: the store then refuses every write.
    private func undo(_ failure: StoreError, durableAt: UInt64) -> ClosedRange<UInt64>? {
        guard let revert else { return nil }
        let last: UInt64
        do throws(StoreError) {
            last = try revert(failure)
        } catch {
            broken.withLock { b in
                b = .persistence(
                    "A write failed (\(failure.message)) and the data could not be re-read to undo it (\(error.message)); "
                        + "the store refuses writes until it is restarted")
            }
            last = discardBuffered()
        }
        return (durableAt + 1)...Swift.max(durableAt + 1, last)
    }

    /// Writes every buffered change newer than `from`; returns the sequence now durable.
    private func writeBatch(after from: UInt64, snapshot: () -> PersistedState) -> Result<UInt64, StoreError> {
        var reached = from
        let batch = buffer.withLock { b in
            let taken = b.changes
            b.changes.removeAll(keepingCapacity: true)
            b.flushScheduled = false
            return taken
        }
        let pending = batch.filter { $0.sequence > from }
        if !pending.isEmpty {
            do throws(StoreError) {
                try adapter.write(pending, durability: durability)
            } catch {
                // Put the batch back so a later flush retries it in order.
                buffer.withLock { b in b.changes.insert(contentsOf: pending, at: 0) }
                return .failure(error)
            }
            reached = pending[pending.count - 1].sequence
        }
        if adapter.wantsSnapshot {
            let state = snapshot()
            do throws(StoreError) {
                try adapter.writeSnapshot(state)
            } catch {
                // The changes themselves are stored: a failed compaction is retried later.
                return .success(reached)
            }
            reached = Swift.max(reached, state.sequence)
            buffer.withLock { b in b.changes.removeAll { $0.sequence <= state.sequence } }
        }
        return .success(reached)
    }

    /// Writes everything buffered.
    func flush(snapshot: () -> PersistedState) throws(StoreError) {
        try sync(upTo: lastSequence, refusedIsError: false, snapshot: snapshot)
    }
}
