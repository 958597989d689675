/// A loop's timers: a binary min-heap of deadlines with lazy cancellation.
struct TimerQueue {
    private var heap: [(deadline: UInt64, id: UInt64)] = []
    private var work: [UInt64: () -> Void] = [:]

    /// The earliest pending deadline, in monotonic nanoseconds.
    var nextDeadline: UInt64? {
        mutating get {
            while let top = heap.first, work[top.id] == nil { pop() }
            return heap.first?.deadline
        }
    }

    /// Adds a timer under a caller-chosen unique id.
    mutating func schedule(id: UInt64, deadline: UInt64, _ body: @escaping () -> Void) {
        work[id] = body
        heap.append((deadline, id))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent].deadline <= heap[child].deadline { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    /// Cancels a timer (no effect if it already ran).
    mutating func cancel(_ id: UInt64) {
        work[id] = nil
        if work.isEmpty { heap.removeAll(keepingCapacity: true) }
    }

    /// Removes and returns every timer due at `now`, in deadline order (the caller runs them,
    /// so a timer body may schedule or cancel timers).
    mutating func takeDue(now: UInt64) -> [() -> Void] {
        var due: [() -> Void] = []
        while let top = heap.first, top.deadline <= now {
            pop()
            if let body = work.removeValue(forKey: top.id) { due.append(body) }
        }
        return due
    }

    private mutating func pop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
