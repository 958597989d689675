/// Rules by trigger key: exact keys in a dictionary, wildcard patterns in a list. `Payload`
/// is what a lookup returns (the engine stores its rule slots, so a lookup needs no further
/// dictionary access).
///
/// Every list is kept sorted by priority (highest first), equal priorities in registration
/// order, so a lookup merges two sorted lists instead of sorting. Wildcard patterns keep their
/// UTF-8 bytes so matching allocates once per trigger, not once per pattern.
struct TriggerIndex<Payload> {
    struct Entry {
        var id: String
        var priority: Double
        var payload: Payload
    }

    struct WildcardEntry {
        var pattern: String
        var bytes: [UInt8]
        var entry: Entry
    }

    var exact: [String: [Entry]] = [:]
    var wildcard: [WildcardEntry] = []

    mutating func insert(_ pattern: String, _ id: String, priority: Double, payload: Payload) {
        let entry = Entry(id: id, priority: priority, payload: payload)
        if PatternMatching.isWildcard(pattern) {
            let at = wildcard.firstIndex { $0.entry.priority < priority } ?? wildcard.endIndex
            wildcard.insert(WildcardEntry(pattern: pattern, bytes: Array(pattern.utf8), entry: entry), at: at)
        } else {
            var list = exact[pattern, default: []]
            let at = list.firstIndex { $0.priority < priority } ?? list.endIndex
            list.insert(entry, at: at)
            exact[pattern] = list
        }
    }

    mutating func remove(_ pattern: String, _ id: String) {
        if PatternMatching.isWildcard(pattern) {
            wildcard.removeAll { $0.entry.id == id }
        } else {
            exact[pattern]?.removeAll { $0.id == id }
            if exact[pattern]?.isEmpty == true { exact[pattern] = nil }
        }
    }

    /// Matching rule ids, highest priority first; for equal priority exact matches come
    /// before wildcard matches, each in registration order (the reference's stable sort).
    func lookup(_ key: String, _ matches: ([UInt8], [UInt8]) -> Bool) -> [Payload] {
        let exactEntries = exact[key] ?? []
        guard !wildcard.isEmpty else { return exactEntries.map(\.payload) }
        let keyBytes = Array(key.utf8)
        var result: [Payload] = []
        result.reserveCapacity(exactEntries.count + 4)
        var e = 0
        for candidate in wildcard where matches(candidate.bytes, keyBytes) {
            while e < exactEntries.count, exactEntries[e].priority >= candidate.entry.priority {
                result.append(exactEntries[e].payload)
                e += 1
            }
            result.append(candidate.entry.payload)
        }
        while e < exactEntries.count {
            result.append(exactEntries[e].payload)
            e += 1
        }
        return result
    }
}
