import Synchronization

/// A clock that only moves when told to: ``advance(byMilliseconds:)`` runs due callbacks in
/// due-time order on the calling thread. For tests and simulations.
public final class ManualRuleClock: RuleClock {
    private struct Pending {
        var id: Int
        var due: Int64
        var action: @Sendable () -> Void
    }

    private struct State {
        var now: Int64
        var nextID = 0
        var pending: [Pending] = []
    }

    // Mutex-guarded: callbacks are never run while the lock is held.
    private let state: Mutex<State>

    /// Creates a manual clock reading `start` milliseconds since the epoch.
    public init(start: Int64 = 1_700_000_000_000) { state = Mutex(State(now: start)) }

    /// The current (manual) time.
    public func now() -> Int64 { state.withLock { $0.now } }

    /// Records a callback due `milliseconds` after the current manual time.
    public func schedule(afterMilliseconds milliseconds: Int64, _ action: @escaping @Sendable () -> Void)
        -> any RuleScheduledTask
    {
        let id = state.withLock { s in
            s.nextID += 1
            s.pending.append(Pending(id: s.nextID, due: s.now + max(0, milliseconds), action: action))
            return s.nextID
        }
        return ManualTask(clock: self, id: id)
    }

    /// The number of callbacks scheduled and not yet run or cancelled.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Moves time forward, running every callback that falls due, earliest first (ties in
    /// scheduling order). Callbacks scheduled by callbacks run too if they fall due in range.
    public func advance(byMilliseconds milliseconds: Int64) {
        let target = state.withLock { $0.now + max(0, milliseconds) }
        while true {
            let next: Pending? = state.withLock { s in
                guard let index = s.pending.indices.filter({ s.pending[$0].due <= target })
                    .min(by: { (s.pending[$0].due, s.pending[$0].id) < (s.pending[$1].due, s.pending[$1].id) })
                else { return nil }
                let item = s.pending.remove(at: index)
                s.now = max(s.now, item.due)
                return item
            }
            guard let next else { break }
            next.action()
        }
        state.withLock { $0.now = max($0.now, target) }
    }

    fileprivate func cancel(id: Int) {
        state.withLock { $0.pending.removeAll { $0.id == id } }
    }

    private struct ManualTask: RuleScheduledTask {
        let clock: ManualRuleClock
        let id: Int
        func cancel() { clock.cancel(id: id) }
    }
}
