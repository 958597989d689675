internal import NoexWire

/// A secondary index on one field: unique (value → key) or non-unique (value → keys in the
/// order they were added under that value). Null, objects and arrays are never indexed:
/// JS compares objects by reference, so no filter value could ever find them.
struct FieldIndex: Sendable {
    let field: String
    let unique: Bool
    private(set) var uniqueEntries: [JSONValue: JSONValue] = [:]
    private(set) var multiEntries: [JSONValue: OrderedTable<Void>] = [:]

    init(field: String, unique: Bool) {
        self.field = field
        self.unique = unique
    }

    static func indexable(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .string?, .number?, .bool?: return value
        default: return nil
        }
    }

    /// The key already holding `value` in a unique index, other than `key` itself.
    func conflict(_ value: JSONValue?, excluding key: JSONValue) -> Bool {
        guard unique, let v = Self.indexable(value), let holder = uniqueEntries[v] else { return false }
        return holder != key
    }

    mutating func add(_ value: JSONValue?, key: JSONValue) {
        guard let v = Self.indexable(value) else { return }
        if unique {
            uniqueEntries[v] = key
        } else {
            multiEntries[v, default: OrderedTable()].append(key, ())
        }
    }

    mutating func remove(_ value: JSONValue?, key: JSONValue) {
        guard let v = Self.indexable(value) else { return }
        if unique {
            if uniqueEntries[v] == key { uniqueEntries[v] = nil }
        } else {
            multiEntries[v]?.remove(key)
            if multiEntries[v]?.isEmpty == true { multiEntries[v] = nil }
        }
    }

    mutating func removeAll() {
        uniqueEntries.removeAll()
        multiEntries.removeAll()
    }

    /// Visits the keys whose field strictly equals `value`, in index order, until `body`
    /// returns false.
    func forEachKey(equalTo value: JSONValue, _ body: (JSONValue) -> Bool) {
        guard let v = Self.indexable(value) else { return }
        if unique {
            if let key = uniqueEntries[v] { _ = body(key) }
            return
        }
        guard let keys = multiEntries[v] else { return }
        for (key, _) in keys.entries where !body(key) { return }
    }
}
