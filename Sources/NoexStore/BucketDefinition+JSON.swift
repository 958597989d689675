public import NoexWire

extension FieldDefinition {
    /// Parses a field definition from its wire form (F4: a bad option names the field).
    /// - Parameters:
    ///   - json: the field's definition object.
    ///   - field: the field name, for messages.
    ///   - bucket: the bucket name, for messages.
    /// - Throws: `StoreError.invalidDefinition` naming the field and the option.
    public init(json: JSONObject, field: String, bucket: String) throws(StoreError) {
        func bad(_ option: String, _ expected: String) -> StoreError {
            .invalidDefinition("Invalid \"\(option)\" for field \"\(field)\" in bucket \"\(bucket)\": expected \(expected)")
        }
        guard let typeName = json["type"]?.stringValue else { throw bad("type", "one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard let type = FieldType(rawValue: typeName) else {
            throw bad("type", "one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func bool(_ option: String) throws(StoreError) -> Bool {
            switch json[option] {
            case nil, .null?: return false
            case .bool(let b)?: return b
            default: throw bad(option, "boolean")
            }
        }
        func number(_ option: String) throws(StoreError) -> Double? {
            switch json[option] {
            case nil, .null?: return nil
            case .number(let n)?: return n
            default: throw bad(option, "number")
            }
        }
        func length(_ option: String) throws(StoreError) -> Int? {
            switch json[option] {
            case nil, .null?: return nil
            case let v?:
                guard let n = v.integerValue, n >= 0 else { throw bad(option, "non-negative integer") }
                return n
            }
        }
        func string(_ option: String) throws(StoreError) -> String? {
            switch json[option] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw bad(option, "string")
            }
        }
        var generated: GeneratedKind?
        if let g = try string("generated") {
            guard let kind = GeneratedKind(rawValue: g) else {
                throw bad("generated", "one of \(GeneratedKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            generated = kind
        }
        var format: FieldFormat?
        if let f = try string("format") {
            guard let kind = FieldFormat(rawValue: f) else {
                throw bad("format", "one of \(FieldFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = kind
        }
        var enumValues: [JSONValue]?
        switch json["enum"] {
        case nil, .null?: break
        case .array(let values)?: enumValues = values
        default: throw bad("enum", "array")
        }
        let pattern = try string("pattern")
        if let pattern {
            guard pattern.utf8.count <= FieldPattern.maxLength else {
                throw bad("pattern", "a regular expression of at most \(FieldPattern.maxLength) bytes, found \(pattern.utf8.count)")
            }
            guard (try? FieldPattern(pattern)) != nil else { throw bad("pattern", "a valid regular expression") }
        }
        try self.init(
            type: type, required: try bool("required"), default: json["default"].map { .value($0) },
            generated: generated, unique: try bool("unique"), enum: enumValues, format: format,
            min: try number("min"), max: try number("max"), minLength: try length("minLength"),
            maxLength: try length("maxLength"), pattern: pattern, ref: try string("ref"))
    }
}

extension BucketDefinition {
    /// Parses a bucket definition from the wire form of spec-server §2.3.
    ///
    /// `key` defaults to `"id"` when absent. Unknown top-level keys are ignored but kept, so
    /// schema read-back returns the definition exactly as given.
    /// - Throws: `StoreError.invalidDefinition` naming the offending field or option (F4).
    public init(json: JSONObject, bucket: String) throws(StoreError) {
        func bad(_ option: String, _ expected: String) -> StoreError {
            .invalidDefinition("Invalid \"\(option)\" in definition of bucket \"\(bucket)\": expected \(expected)")
        }
        let key: String
        switch json["key"] {
        case nil, .null?: key = "id"
        case .string(let s)?: key = s
        default: throw bad("key", "string")
        }
        guard case .object(let schema)? = json["schema"] else { throw bad("schema", "object") }
        var fields: [(String, FieldDefinition)] = []
        for member in schema.members {
            guard case .object(let fieldJSON) = member.value else {
                throw .invalidDefinition(
                    "Invalid definition for field \"\(member.key)\" in bucket \"\(bucket)\": expected object")
            }
            fields.append((member.key, try FieldDefinition(json: fieldJSON, field: member.key, bucket: bucket)))
        }
        var indexes: [String] = []
        switch json["indexes"] {
        case nil, .null?: break
        case .array(let items)?:
            for item in items {
                guard let s = item.stringValue else { throw bad("indexes", "array of field names") }
                if !indexes.contains(s) { indexes.append(s) }
            }
        default: throw bad("indexes", "array of field names")
        }
        var tableKind = TableKind.set
        switch json["etsType"] {
        case nil, .null?: break
        case .string(let s)?:
            guard let kind = TableKind(rawValue: s) else { throw bad("etsType", "one of set, ordered_set, bag, duplicate_bag") }
            tableKind = kind
        default: throw bad("etsType", "string")
        }
        var persistent = true
        switch json["persistent"] {
        case nil, .null?: break
        case .bool(let b)?: persistent = b
        default: throw bad("persistent", "boolean")
        }
        var ttl: TTL?
        if let t = json["ttl"], !t.isNull { ttl = try TTL(json: t) }
        var maxSize: Int?
        if let m = json["maxSize"], !m.isNull {
            guard let n = m.integerValue, n >= 1 else { throw bad("maxSize", "positive integer") }
            maxSize = n
        }
        self.init(key: key, fields: fields, indexes: indexes, tableKind: tableKind, persistent: persistent,
            ttl: ttl, maxSize: maxSize)
        rawJSON = json
        try check(bucket: bucket)
    }

    /// Applies `store.updateBucket` changes `{addFields?, addIndexes?, ttl?}` and returns the
    /// new definition (`ttl: null` removes the TTL; an absent `ttl` keeps it).
    /// - Throws: `StoreError.invalidDefinition` for an existing field, an unknown index or a bad TTL.
    func updated(with updates: JSONObject, bucket: String) throws(StoreError) -> BucketDefinition {
        var next = self
        var raw = json
        if let addFields = updates["addFields"], !addFields.isNull {
            guard case .object(let add) = addFields else {
                throw .invalidDefinition("Invalid \"addFields\" for bucket \"\(bucket)\": expected object")
            }
            var schema = raw["schema"]?.objectValue ?? JSONObject()
            for member in add.members {
                guard next.field(member.key) == nil else {
                    throw .invalidDefinition("Field \"\(member.key)\" already exists in bucket \"\(bucket)\"")
                }
                guard case .object(let fieldJSON) = member.value else {
                    throw .invalidDefinition(
                        "Invalid definition for field \"\(member.key)\" in bucket \"\(bucket)\": expected object")
                }
                next.fields.append(
                    (name: member.key, definition: try FieldDefinition(json: fieldJSON, field: member.key, bucket: bucket)))
                schema[member.key] = member.value
            }
            raw["schema"] = .object(schema)
        }
        if let addIndexes = updates["addIndexes"], !addIndexes.isNull {
            guard case .array(let items) = addIndexes else {
                throw .invalidDefinition("Invalid \"addIndexes\" for bucket \"\(bucket)\": expected array of field names")
            }
            for item in items {
                guard let name = item.stringValue else {
                    throw .invalidDefinition("Invalid \"addIndexes\" for bucket \"\(bucket)\": expected array of field names")
                }
                guard next.field(name) != nil else {
                    throw .invalidDefinition("Index field \"\(name)\" does not exist in schema for bucket \"\(bucket)\"")
                }
                if !next.indexes.contains(name) { next.indexes.append(name) }
            }
            raw["indexes"] = .array(next.indexes.map { .string($0) })
        }
        if let ttl = updates["ttl"] {
            if ttl.isNull {
                next.ttlMs = nil
                raw["ttl"] = nil
            } else {
                next.ttlMs = try TTL(json: ttl).milliseconds
                raw["ttl"] = ttl
            }
        }
        next.rawJSON = raw
        return next
    }
}
