internal import Foundation
internal import NoexWire

/// One bucket's data: definition, table in insertion order, indexes and insert counter.
/// Pure value logic; the store serialises access to it.
struct BucketState: Sendable {
    let name: String
    private(set) var definition: BucketDefinition
    var table = OrderedTable<JSONObject>()
    private(set) var indexes: [FieldIndex] = []
    var counter = 0
    /// The store mutation sequence number of the last change (reactive consistency checks).
    var changeSeq: UInt64 = 0

    init(name: String, definition: BucketDefinition) {
        self.name = name
        self.definition = definition
        indexes = Self.buildIndexes(definition)
    }

    /// Explicit indexes first, then unique-only fields in schema order (spec A.10).
    static func buildIndexes(_ definition: BucketDefinition) -> [FieldIndex] {
        var result = definition.indexes.map { FieldIndex(field: $0, unique: definition.field($0)?.unique == true) }
        for (name, field) in definition.fields where field.unique && !definition.indexes.contains(name) {
            result.append(FieldIndex(field: name, unique: true))
        }
        return result
    }

    /// Replaces the definition, keeping records unchanged and rebuilding the indexes.
    mutating func redefine(_ newDefinition: BucketDefinition) {
        definition = newDefinition
        indexes = Self.buildIndexes(newDefinition)
        for (key, record) in table.entries {
            for i in indexes.indices { indexes[i].add(record[indexes[i].field], key: key) }
        }
    }

    var indexNames: [String] { indexes.map(\.field) }

    func index(on field: String) -> FieldIndex? { indexes.first { $0.field == field } }

    // MARK: Expiry (F9)

    /// Whether `record` is expired at `now`. Only TTL buckets expire (as the reference purges
    /// only those), and only by a numeric `_expiresAt`.
    func isExpired(_ record: JSONObject, now: Double) -> Bool {
        guard definition.ttlMs != nil, case .number(let at)? = record["_expiresAt"] else { return false }
        return at <= now
    }

    // MARK: Writes

    /// Builds the record an insert would store: counter bump, generated values, defaults,
    /// metadata, validation and TTL (spec A.4 steps 1–7).
    mutating func prepareInsert(_ data: JSONObject, now: Double) throws(StoreError) -> (key: JSONValue, record: JSONObject) {
        counter += 1
        var record = data
        for (name, field) in definition.fields where record[name] == nil {
            guard let generated = field.generated else { continue }
            record[name] = Self.generate(generated, counter: counter, now: now)
        }
        for (name, field) in definition.fields where record[name] == nil {
            switch field.defaultValue {
            case .value(let v)?: record[name] = v
            case .dynamic(let make)?: record[name] = make()
            case nil: break
            }
        }
        record["_version"] = 1
        record["_createdAt"] = .number(now)
        record["_updatedAt"] = .number(now)
        var issues = definition.validate(record)
        let key = record[definition.key]
        if key == nil || key == .null, !issues.contains(where: { $0.field == definition.key }) {
            issues.insert(ValidationIssue(field: definition.key, message: "Field is required", code: "required"), at: 0)
        }
        guard issues.isEmpty, let key else { throw .validation(bucket: name, issues: issues) }
        if let ttl = definition.ttlMs, record["_expiresAt"] == nil {
            record["_expiresAt"] = .number(now + ttl)
        }
        return (key, record)
    }

    static func generate(_ kind: GeneratedKind, counter: Int, now: Double) -> JSONValue {
        switch kind {
        case .uuid: return .string(RandomPool.uuid())
        case .cuid: return .string("c" + RandomPool.hex(16))
        case .autoincrement: return .number(Double(counter))
        case .timestamp: return .number(now)
        }
    }

    /// Builds the record an update would store (spec A.8): protected fields stripped, shallow
    /// merge, version bump, whole-record validation.
    func prepareUpdate(existing: JSONObject, changes: JSONObject, now: Double) throws(StoreError) -> JSONObject {
        var record = existing
        for member in changes.members {
            switch member.key {
            case "_version", "_createdAt", "_updatedAt", definition.key: continue
            default:
                if definition.field(member.key)?.generated != nil { continue }
                record[member.key] = member.value
            }
        }
        record["_version"] = .number((existing["_version"]?.numberValue ?? 0) + 1)
        record["_updatedAt"] = .number(now)
        let issues = definition.validate(record)
        guard issues.isEmpty else { throw .validation(bucket: name, issues: issues) }
        return record
    }

    /// Throws if storing `record` under `key` would break a unique index.
    func checkUnique(_ record: JSONObject, key: JSONValue, previous: JSONObject?) throws(StoreError) {
        for index in indexes where index.unique {
            let value = record[index.field]
            if let previous, let old = previous[index.field], let value, BucketDefinition.strictEquals(old, value) {
                continue
            }
            if index.conflict(value, excluding: key), let value {
                throw .uniqueConstraint(bucket: name, field: index.field, value: value)
            }
        }
    }

    /// Stores a new record (unique checks first, nothing written on failure).
    mutating func insert(_ record: JSONObject, key: JSONValue) throws(StoreError) {
        guard !table.contains(key) else { throw .alreadyExists(bucket: name, key: key) }
        try checkUnique(record, key: key, previous: nil)
        for i in indexes.indices { indexes[i].add(record[indexes[i].field], key: key) }
        table.append(key, record)
    }

    /// Replaces a present record in place, re-indexing changed fields.
    mutating func replace(_ record: JSONObject, key: JSONValue, previous: JSONObject) throws(StoreError) {
        try checkUnique(record, key: key, previous: previous)
        reindex(key: key, from: previous, to: record)
        table.replace(key, record)
    }

    private mutating func reindex(key: JSONValue, from old: JSONObject, to new: JSONObject) {
        for i in indexes.indices {
            let field = indexes[i].field
            let before = old[field]
            let after = new[field]
            if let before, let after, BucketDefinition.strictEquals(before, after) { continue }
            indexes[i].remove(before, key: key)
            indexes[i].add(after, key: key)
        }
    }

    /// Removes a record; returns it and its slot.
    @discardableResult
    mutating func remove(_ key: JSONValue) -> (record: JSONObject, slot: Int)? {
        guard let (record, slot) = table.remove(key) else { return nil }
        for i in indexes.indices { indexes[i].remove(record[indexes[i].field], key: key) }
        return (record, slot)
    }

    /// Puts a removed record back (rollback).
    mutating func restore(_ record: JSONObject, key: JSONValue, slot: Int) {
        table.restore(key, record, slot: slot)
        for i in indexes.indices { indexes[i].add(record[indexes[i].field], key: key) }
    }

    /// Undoes a `replace` (rollback).
    mutating func revert(key: JSONValue, current: JSONObject, to previous: JSONObject) {
        reindex(key: key, from: current, to: previous)
        table.replace(key, previous)
    }

    mutating func removeAll() {
        table.removeAll()
        for i in indexes.indices { indexes[i].removeAll() }
    }

    /// The keys `maxSize` eviction removes before one more insert: the oldest first. Table
    /// order is `_createdAt` order because the store's clock never goes backwards.
    func evictionVictims() -> [JSONValue] {
        guard let maxSize = definition.maxSize, table.count >= maxSize else { return [] }
        return Array(table.entries.prefix(table.count - maxSize + 1).map(\.key))
    }

    // MARK: Reads (expired records are never returned, F9)

    func get(_ key: JSONValue, now: Double) -> JSONObject? {
        guard let record = table[key], !isExpired(record, now: now) else { return nil }
        return record
    }

    /// The JSON text of the record with `key`, serialised on the first read and kept until the
    /// record changes (the table drops it on every write to the slot).
    mutating func encodedRecord(_ key: JSONValue, now: Double) -> [UInt8]? {
        guard let slot = table.slot(of: key) else { return nil }
        // Without a TTL nothing expires: a cached text answers without touching the record
        // (one memory access fewer on the hottest read).
        if definition.ttlMs == nil, let bytes = table.derivedBytes(atSlot: slot) { return bytes }
        guard let record = table.value(atSlot: slot), !isExpired(record, now: now) else { return nil }
        if let bytes = table.derivedBytes(atSlot: slot) { return bytes }
        let bytes = JSONSerializer.serialize(.object(record))
        table.setDerivedBytes(bytes, atSlot: slot)
        return bytes
    }

    /// Live records in table order, or sorted by key for `ordered_set` buckets.
    func ordered(now: Double) -> [(key: JSONValue, record: JSONObject)] {
        var result = liveEntries(now: now)
        if definition.tableKind == .orderedSet { Self.sortByKey(&result) }
        return result
    }

    /// Live records in table order (a copy of references: cheap enough to take under the lock,
    /// unlike sorting them).
    func liveEntries(now: Double) -> [(key: JSONValue, record: JSONObject)] {
        var result: [(key: JSONValue, record: JSONObject)] = []
        result.reserveCapacity(table.count)
        for (key, record) in table.entries where !isExpired(record, now: now) { result.append((key, record)) }
        return result
    }

    /// The order of an `ordered_set` bucket.
    static func sortByKey(_ entries: inout [(key: JSONValue, record: JSONObject)]) {
        entries.sort { KeyOrder.less($0.key, $1.key) }
    }

    func all(now: Double) -> [JSONObject] {
        var result: [JSONObject] = []
        result.reserveCapacity(table.count)
        for (_, record) in table.entries where !isExpired(record, now: now) { result.append(record) }
        return result
    }

    /// Records matching `filter`: index-assisted on the first indexed equality field (results
    /// in index order), otherwise a scan in table order (spec A.10/A.11).
    func matching(_ filter: RecordFilter, now: Double, limit: Int = .max) -> [JSONObject] {
        var result: [JSONObject] = []
        guard limit > 0 else { return result }
        if let clause = filter.indexedClause(indexed: { f in indexes.contains { $0.field == f } }),
            let index = index(on: clause.field)
        {
            guard case .equals(let value) = clause.condition else { return [] }
            index.forEachKey(equalTo: value) { key in
                guard let record = table[key], !isExpired(record, now: now), filter.matches(record) else { return true }
                result.append(record)
                return result.count < limit
            }
            return result
        }
        for (_, record) in table.entries where !isExpired(record, now: now) && filter.matches(record) {
            result.append(record)
            if result.count >= limit { break }
        }
        return result
    }

    func count(now: Double) -> Int {
        guard definition.ttlMs != nil else { return table.count }
        return table.entries.reduce(0) { $0 + (isExpired($1.value, now: now) ? 0 : 1) }
    }

    /// Keys of records expired at `now`.
    func expiredKeys(now: Double) -> [JSONValue] {
        guard definition.ttlMs != nil else { return [] }
        return table.entries.filter { isExpired($0.value, now: now) }.map(\.key)
    }
}

/// Key order of `ordered_set` buckets: numbers numerically, otherwise strings compared in an
/// approximation of ICU collation (punctuation first, then digits, then letters with lower
/// case before upper case at equal letters).
enum KeyOrder {
    static func less(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return x < y }
        let x = a.jsString
        let y = b.jsString
        let xf = x.lowercased()
        let yf = y.lowercased()
        if xf != yf {
            return collationKey(xf).lexicographicallyPrecedes(collationKey(yf))
        }
        return collationKey(x, caseSecondary: true).lexicographicallyPrecedes(collationKey(y, caseSecondary: true))
    }

    private static func collationKey(_ s: String, caseSecondary: Bool = false) -> [UInt32] {
        s.unicodeScalars.map { c in
            let v = c.value
            let group: UInt32
            if c.properties.isAlphabetic { group = 3 } else if ("0"..."9").contains(c) { group = 2 } else { group = 1 }
            let lower = c.properties.lowercaseMapping.unicodeScalars.first?.value ?? v
            let caseBit: UInt32 = caseSecondary && c.properties.isUppercase ? 1 : 0
            return group << 28 | (lower & 0x1F_FFFF) << 1 | caseBit
        }
    }
}
