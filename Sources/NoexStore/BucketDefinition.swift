public import NoexWire

/// Key ordering of a bucket; only `orderedSet` changes behaviour (sorted first/last/paginate).
public enum TableKind: String, Sendable, Hashable, CaseIterable {
    case set
    case orderedSet = "ordered_set"
    case bag
    case duplicateBag = "duplicate_bag"
}

/// A bucket's definition: key field, schema (in field order), indexes and lifecycle options.
public struct BucketDefinition: Sendable {
    /// The primary-key field; it must be in `schema`.
    public var key: String
    /// Fields in schema order (validation, generation and defaults run in this order).
    public var fields: [(name: String, definition: FieldDefinition)]
    /// Explicitly indexed fields.
    public var indexes: [String]
    /// Table ordering.
    public var tableKind: TableKind
    /// Whether the bucket is written to the persistence adapter.
    public var persistent: Bool
    /// Record lifetime in milliseconds, if any.
    public var ttlMs: Double?
    /// The most records kept; the oldest are evicted on insert.
    public var maxSize: Int?

    /// The original wire form, kept so schema read-back returns the definition as given.
    var rawJSON: JSONObject?

    /// Creates a definition.
    /// - Parameters:
    ///   - key: the primary-key field name.
    ///   - fields: the schema in field order.
    ///   - indexes: fields to index (unique when the field is `unique`).
    ///   - tableKind: key ordering.
    ///   - persistent: whether to persist the bucket.
    ///   - ttl: record lifetime, as a `TTL`.
    ///   - maxSize: the most records kept.
    public init(
        key: String, fields: [(String, FieldDefinition)], indexes: [String] = [],
        tableKind: TableKind = .set, persistent: Bool = true, ttl: TTL? = nil, maxSize: Int? = nil
    ) {
        self.key = key
        self.fields = fields.map { (name: $0.0, definition: $0.1) }
        self.indexes = indexes
        self.tableKind = tableKind
        self.persistent = persistent
        self.ttlMs = ttl?.milliseconds
        self.maxSize = maxSize
    }

    /// The field named `name`.
    public func field(_ name: String) -> FieldDefinition? {
        fields.first { $0.name == name }?.definition
    }

    /// Checks the rules every definition must satisfy (key and indexes in the schema).
    func check(bucket: String) throws(StoreError) {
        guard field(key) != nil else {
            throw .invalidDefinition("Key field \"\(key)\" does not exist in schema for bucket \"\(bucket)\"")
        }
        for index in indexes where field(index) == nil {
            throw .invalidDefinition("Index field \"\(index)\" does not exist in schema for bucket \"\(bucket)\"")
        }
        if let maxSize, maxSize < 1 {
            throw .invalidDefinition("Invalid \"maxSize\" for bucket \"\(bucket)\": expected positive integer")
        }
    }

    /// The definition's wire form: the JSON it was defined from, or one generated from it.
    public var json: JSONObject {
        if let rawJSON { return rawJSON }
        var o = JSONObject()
        o["key"] = .string(key)
        var schema = JSONObject()
        for (name, def) in fields { schema[name] = .object(def.json) }
        o["schema"] = .object(schema)
        if !indexes.isEmpty { o["indexes"] = .array(indexes.map { .string($0) }) }
        if tableKind != .set { o["etsType"] = .string(tableKind.rawValue) }
        if !persistent { o["persistent"] = .bool(false) }
        if let ttlMs { o["ttl"] = .number(ttlMs) }
        if let maxSize { o["maxSize"] = .number(Double(maxSize)) }
        return o
    }
}
