internal import NoexWire

/// Values keyed by JSON value, iterated in the order each key was first added.
///
/// Slots are appended and deleted slots become tombstones, so lookups are one hash probe and
/// iteration is a linear walk; the slot array is compacted when tombstones outnumber live
/// entries (unless compaction is suspended while a transaction may roll back into a slot).
///
/// Each slot can also carry bytes derived from its value (the record's JSON text, so hot reads
/// answer without serialising again). Every change to a slot's value drops them, here, so no
/// caller can serve stale bytes. The side array stays empty for tables that never use it.
struct OrderedTable<Value> {
    private(set) var slots: [(key: JSONValue, value: Value)?] = []
    private(set) var positions: [JSONValue: Int] = [:]
    /// Empty, or exactly as long as `slots`.
    private var derived: [[UInt8]?] = []
    private var tombstones = 0
    var compactionSuspended = false

    var count: Int { positions.count }
    var isEmpty: Bool { positions.isEmpty }

    subscript(key: JSONValue) -> Value? {
        guard let slot = positions[key] else { return nil }
        return slots[slot]?.value
    }

    func contains(_ key: JSONValue) -> Bool { positions[key] != nil }

    /// The slot of a present key.
    func slot(of key: JSONValue) -> Int? { positions[key] }

    /// The value in a live slot.
    func value(atSlot slot: Int) -> Value? { slots[slot]?.value }

    /// The bytes derived from a slot's current value, if some were stored since it last changed.
    func derivedBytes(atSlot slot: Int) -> [UInt8]? {
        slot < derived.count ? derived[slot] : nil
    }

    /// Keeps bytes derived from a live slot's current value until that value changes.
    mutating func setDerivedBytes(_ bytes: [UInt8], atSlot slot: Int) {
        if derived.isEmpty { derived = Array(repeating: nil, count: slots.count) }
        derived[slot] = bytes
    }

    private mutating func forgetDerived(atSlot slot: Int) {
        if slot < derived.count { derived[slot] = nil }
    }

    /// Appends a new key; the caller guarantees it is absent. Returns the slot.
    @discardableResult
    mutating func append(_ key: JSONValue, _ value: Value) -> Int {
        positions[key] = slots.count
        slots.append((key, value))
        if !derived.isEmpty { derived.append(nil) }
        return slots.count - 1
    }

    /// Replaces the value of a present key in place.
    mutating func replace(_ key: JSONValue, _ value: Value) {
        guard let slot = positions[key] else { return }
        slots[slot] = (key, value)
        forgetDerived(atSlot: slot)
    }

    /// Removes a key; returns its value and the slot it occupied.
    @discardableResult
    mutating func remove(_ key: JSONValue) -> (value: Value, slot: Int)? {
        guard let slot = positions.removeValue(forKey: key), let entry = slots[slot] else { return nil }
        slots[slot] = nil
        forgetDerived(atSlot: slot)
        tombstones += 1
        if !compactionSuspended, tombstones > 64, tombstones > positions.count { compact() }
        if positions.isEmpty {
            slots.removeAll(keepingCapacity: true)
            derived.removeAll(keepingCapacity: true)
            tombstones = 0
        }
        return (entry.value, slot)
    }

    /// Puts a removed key back into its old slot (transaction rollback), or appends it when
    /// the slot is gone.
    mutating func restore(_ key: JSONValue, _ value: Value, slot: Int) {
        if slot < slots.count, slots[slot] == nil {
            slots[slot] = (key, value)
            forgetDerived(atSlot: slot)
            positions[key] = slot
            tombstones -= 1
        } else {
            append(key, value)
        }
    }

    mutating func removeAll() {
        slots.removeAll()
        positions.removeAll()
        derived.removeAll()
        tombstones = 0
    }

    mutating func compact() {
        var fresh: [(key: JSONValue, value: Value)?] = []
        fresh.reserveCapacity(positions.count)
        var freshDerived: [[UInt8]?] = []
        if !derived.isEmpty { freshDerived.reserveCapacity(positions.count) }
        for (slot, entry) in slots.enumerated() {
            guard let entry else { continue }
            positions[entry.key] = fresh.count
            fresh.append(entry)
            if !derived.isEmpty { freshDerived.append(derived[slot]) }
        }
        slots = fresh
        derived = freshDerived
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
