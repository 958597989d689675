/// A bounded FIFO of trace entries.
struct TraceBuffer {
    private var storage: [RuleTraceEntry] = []
    private var head = 0

    var count: Int { storage.count }

    mutating func append(_ entry: RuleTraceEntry, capacity: Int) {
        if storage.count < capacity {
            storage.append(entry)
        } else {
            storage[head] = entry
            head = (head + 1) % capacity
        }
    }

    var elements: [RuleTraceEntry] { Array(storage[head...] + storage[..<head]) }
}
