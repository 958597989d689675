internal import Foundation
internal import NoexWire

/// A query defined from JSON (spec-server §2.3): bucket, filter with `{{ params.x }}`
/// templates, sort, offset, limit, fields, aggregate.
struct DeclarativeQuery: Sendable {
    let bucket: String
    let filter: JSONObject?
    let sort: [(field: String, descending: Bool)]
    let offset: Int
    let limit: Int?
    let fields: [String]?
    let aggregate: (function: AggregateFunction, field: String?)?

    /// Compiles a config; unknown keys are ignored (they stay in the stored config).
    init(name: String, config: JSONObject) throws(StoreError) {
        func bad(_ option: String, _ expected: String) -> StoreError {
            .invalidDefinition("Invalid \"\(option)\" in query \"\(name)\": expected \(expected)")
        }
        guard case .string(let bucket)? = config["bucket"], !bucket.isEmpty else { throw bad("bucket", "non-empty string") }
        self.bucket = bucket
        switch config["filter"] {
        case nil, .null?: filter = nil
        case .object(let f)?:
            _ = try Self.compileFilter(f, params: nil)
            filter = f
        default: throw bad("filter", "object")
        }
        var sort: [(field: String, descending: Bool)] = []
        switch config["sort"] {
        case nil, .null?: break
        case .object(let s)?:
            for member in s.members {
                switch member.value.stringValue?.lowercased() {
                case "asc": sort.append((member.key, false))
                case "desc": sort.append((member.key, true))
                default: throw bad("sort", "\"asc\" or \"desc\" for field \"\(member.key)\"")
                }
            }
        default: throw bad("sort", "object")
        }
        self.sort = sort
        func count(_ option: String) throws(StoreError) -> Int? {
            switch config[option] {
            case nil, .null?: return nil
            case let v?:
                guard let n = v.integerValue, n >= 0 else { throw bad(option, "non-negative integer") }
                return n
            }
        }
        offset = try count("offset") ?? 0
        limit = try count("limit")
        switch config["fields"] {
        case nil, .null?: fields = nil
        case .array(let items)?:
            var names: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw bad("fields", "array of strings") }
                names.append(s)
            }
            fields = names
        default: throw bad("fields", "array of strings")
        }
        switch config["aggregate"] {
        case nil, .null?: aggregate = nil
        case .object(let a)?:
            guard let fname = a["function"]?.stringValue, let function = AggregateFunction(rawValue: fname) else {
                throw bad("aggregate.function", "one of count, sum, avg, min, max")
            }
            let field = a["field"]?.stringValue
            if function != .count, field == nil { throw bad("aggregate.field", "string") }
            aggregate = (function, field)
        default: throw bad("aggregate", "object")
        }
    }

    /// Runs the query (a bucket-level dependency either way).
    func evaluate(_ context: QueryContext, _ params: JSONValue?) throws -> JSONValue? {
        let view = try context.bucket(bucket)
        var records: [JSONObject]
        if let filter, !filter.isEmpty {
            records = try view.matching(try Self.compileFilter(filter, params: params))
        } else {
            records = try view.all()
        }
        if let aggregate {
            return BucketState.aggregate(aggregate.function, field: aggregate.field, records: records).map { .number($0) }
        }
        if !sort.isEmpty {
            records = records.enumerated().sorted { a, b in
                switch Self.order(a.element, b.element, sort) {
                case .some(let less): return less
                case .none: return a.offset < b.offset
                }
            }.map(\.element)
        }
        if offset > 0 { records = Array(records.dropFirst(offset)) }
        if let limit { records = Array(records.prefix(limit)) }
        if let fields {
            records = records.map { record in
                var projected = JSONObject(minimumCapacity: fields.count)
                for f in fields { if let v = record[f] { projected[f] = v } }
                return projected
            }
        }
        return .array(records.map { .object($0) })
    }

    /// Whether `a` sorts before `b`; nil when they are equal on every key.
    static func order(_ a: JSONObject, _ b: JSONObject, _ sort: [(field: String, descending: Bool)]) -> Bool? {
        for (field, descending) in sort {
            let x = a[field].flatMap { $0.isNull ? nil : $0 }
            let y = b[field].flatMap { $0.isNull ? nil : $0 }
            switch (x, y) {
            case (nil, nil): continue
            case (nil, _): return false  // null and missing sort last in both directions
            case (_, nil): return true
            case (let x?, let y?):
                if BucketDefinition.strictEquals(x, y) { continue }
                guard let c = JSCompare.compare(x, y), c != 0 else { continue }
                return descending ? c > 0 : c < 0
            }
        }
        return nil
    }

    // MARK: Templates

    /// The param name of a value that is exactly `{{ params.<word> }}` (whitespace allowed
    /// inside the braces; `<word>` is `\w+`), else nil.
    static func templateName(_ s: String) -> String? {
        guard s.hasPrefix("{{"), s.hasSuffix("}}"), s.count >= 4 else { return nil }
        let inner = s.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespacesAndNewlines)
        guard inner.hasPrefix("params.") else { return nil }
        let name = inner.dropFirst("params.".count)
        guard !name.isEmpty,
            name.unicodeScalars.allSatisfy({ $0 == "_" || ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) })
        else { return nil }
        return String(name)
    }

    /// `{{ params.x }}` → `params.x`; nil means "undefined" (a missing param).
    static func interpolate(_ value: JSONValue, params: JSONValue?) -> JSONValue? {
        switch value {
        case .string(let s):
            guard let name = templateName(s) else { return value }
            return params?[name]
        case .array(let items):
            return .array(items.compactMap { interpolate($0, params: params) })
        case .object(let o):
            var out = JSONObject(minimumCapacity: o.count)
            for member in o.members {
                if let v = interpolate(member.value, params: params) { out[member.key] = v }
            }
            return .object(out)
        default:
            return value
        }
    }

    /// Compiles a filter after interpolating its templates (also inside operators and arrays).
    static func compileFilter(_ filter: JSONObject, params: JSONValue?) throws(StoreError) -> RecordFilter {
        try RecordFilter(filter) { interpolate($0, params: params) }
    }
}
