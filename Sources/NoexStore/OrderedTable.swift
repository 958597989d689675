internal import NoexWire

/// Values keyed by JSON value, iterated in the order each key was first added.
///
/// Slots are appended and deleted slots become tombstones, so lookups are one hash probe and
/// iteration is a linear walk; the slot array is compacted when tombstones outnumber live
/// entries (unless compaction is suspended while a transaction may roll back into a slot).
struct OrderedTable<Value> {
    private(set) var slots: [(key: JSONValue, value: Value)?] = []
    private(set) var positions: [JSONValue: Int] = [:]
    private var tombstones = 0
    var compactionSuspended = false

    var count: Int { positions.count }
    var isEmpty: Bool { positions.isEmpty }

    subscript(key: JSONValue) -> Value? {
        guard let slot = positions[key] else { return nil }
        return slots[slot]?.value
    }

    func contains(_ key: JSONValue) -> Bool { positions[key] != nil }

    /// Appends a new key; the caller guarantees it is absent. Returns the slot.
    @discardableResult
    mutating func append(_ key: JSONValue, _ value: Value) -> Int {
        positions[key] = slots.count
        slots.append((key, value))
        return slots.count - 1
    }

    /// Replaces the value of a present key in place.
    mutating func replace(_ key: JSONValue, _ value: Value) {
        guard let slot = positions[key] else { return }
        slots[slot] = (key, value)
    }

    /// Removes a key; returns its value and the slot it occupied.
    @discardableResult
    mutating func remove(_ key: JSONValue) -> (value: Value, slot: Int)? {
        guard let slot = positions.removeValue(forKey: key), let entry = slots[slot] else { return nil }
        slots[slot] = nil
        tombstones += 1
        if !compactionSuspended, tombstones > 64, tombstones > positions.count { compact() }
        if positions.isEmpty {
            slots.removeAll(keepingCapacity: true)
            tombstones = 0
        }
        return (entry.value, slot)
    }

    /// Puts a removed key back into its old slot (transaction rollback), or appends it when
    /// the slot is gone.
    mutating func restore(_ key: JSONValue, _ value: Value, slot: Int) {
        if slot < slots.count, slots[slot] == nil {
            slots[slot] = (key, value)
            positions[key] = slot
            tombstones -= 1
        } else {
            append(key, value)
        }
    }

    mutating func removeAll() {
        slots.removeAll()
        positions.removeAll()
        tombstones = 0
    }

    mutating func compact() {
        var fresh: [(key: JSONValue, value: Value)?] = []
        fresh.reserveCapacity(positions.count)
        for case let entry? in slots {
            positions[entry.key] = fresh.count
            fresh.append(entry)
        }
        slots = fresh
        tombstones = 0
    }

    /// Live entries in table order.
    var entries: some Sequence<(key: JSONValue, value: Value)> {
        slots.lazy.compactMap { $0 }
    }

    /// Live entries in reverse table order.
    var reversedEntries: some Sequence<(key: JSONValue, value: Value)> {
        slots.reversed().lazy.compactMap { $0 }
    }

    /// The live entries following `key` in table order (empty when `key` is absent).
    func entries(after key: JSONValue) -> some Sequence<(key: JSONValue, value: Value)> {
        let start = positions[key].map { $0 + 1 } ?? slots.count
        return slots[start...].lazy.compactMap { $0 }
    }
}
extension OrderedTable: Sendable where Value: Sendable {}
