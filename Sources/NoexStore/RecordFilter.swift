internal import Foundation
internal import NoexWire

/// A compiled `where` filter: strict equality per field, plus the upstream `$` operators
/// (`$eq $neq $gt $gte $lt $lte $in $nin $contains $startsWith $endsWith $exists $between`)
/// and top-level `$or` / `$and`.
struct RecordFilter: Sendable {
    enum Condition: Sendable {
        /// `record[field] === value`.
        case equals(JSONValue)
        /// `record[field] === undefined` (a declarative `{{ params.x }}` with no such param).
        case missing
        /// An operator object; every listed operator must hold.
        case operators([(String, JSONValue)])
    }

    var clauses: [(field: String, condition: Condition)] = []
    var anyOf: [[RecordFilter]] = []
    var allOf: [RecordFilter] = []

    static let operatorNames: Set<String> = [
        "$eq", "$neq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$contains", "$startsWith", "$endsWith",
        "$exists", "$between",
    ]

    init() {}

    /// Compiles a filter object.
    /// - Parameters:
    ///   - json: the filter.
    ///   - resolve: maps each field's value before it is compiled (declarative queries fill in
    ///     their `{{ params.x }}` templates here); `nil` makes the clause require the field to
    ///     be absent.
    /// - Throws: `StoreError.invalidArgument` for an unknown operator or a malformed `$or`/`$and`.
    init(_ json: JSONObject, resolve: (JSONValue) -> JSONValue? = { $0 }) throws(StoreError) {
        for member in json.members {
            switch member.key {
            case "$or", "$and":
                guard case .array(let items) = member.value else {
                    throw .invalidArgument("Invalid filter: \"\(member.key)\" expects an array of filters")
                }
                var filters: [RecordFilter] = []
                for item in items {
                    guard case .object(let o) = item else {
                        throw .invalidArgument("Invalid filter: \"\(member.key)\" expects an array of filters")
                    }
                    filters.append(try RecordFilter(o, resolve: resolve))
                }
                if member.key == "$or" { anyOf.append(filters) } else { allOf += filters }
            default:
                if let value = resolve(member.value) {
                    clauses.append((member.key, try Self.condition(value)))
                } else {
                    clauses.append((member.key, .missing))
                }
            }
        }
    }

    init(clauses: [(field: String, condition: Condition)]) { self.clauses = clauses }

    static func condition(_ value: JSONValue) throws(StoreError) -> Condition {
        if case .object(let o) = value, !o.isEmpty, o.keys.allSatisfy({ $0.hasPrefix("$") }) {
            for key in o.keys where !operatorNames.contains(key) {
                throw .invalidArgument("Invalid filter: unknown operator \"\(key)\"")
            }
            return .operators(o.members.map { ($0.key, $0.value) })
        }
        return .equals(value)
    }

    var isEmpty: Bool { clauses.isEmpty && anyOf.isEmpty && allOf.isEmpty }

    func matches(_ record: JSONObject) -> Bool {
        for (field, condition) in clauses where !Self.holds(condition, record[field]) { return false }
        for filter in allOf where !filter.matches(record) { return false }
        for alternatives in anyOf where !alternatives.contains(where: { $0.matches(record) }) { return false }
        return true
    }

    static func holds(_ condition: Condition, _ value: JSONValue?) -> Bool {
        switch condition {
        case .equals(let expected):
            guard let value else { return false }
            return BucketDefinition.strictEquals(value, expected)
        case .missing:
            return value == nil
        case .operators(let ops):
            for (op, operand) in ops where !apply(op, operand, value) { return false }
            return true
        }
    }

    static func apply(_ op: String, _ operand: JSONValue, _ value: JSONValue?) -> Bool {
        switch op {
        case "$eq": return value.map { BucketDefinition.strictEquals($0, operand) } ?? false
        case "$neq": return !(value.map { BucketDefinition.strictEquals($0, operand) } ?? false)
        case "$gt", "$gte", "$lt", "$lte":
            guard let value, !value.isNull, let order = JSCompare.compare(value, operand) else { return false }
            switch op {
            case "$gt": return order > 0
            case "$gte": return order >= 0
            case "$lt": return order < 0
            default: return order <= 0
            }
        case "$between":
            guard let value, !value.isNull, case .array(let bounds) = operand, bounds.count == 2,
                let lo = JSCompare.compare(value, bounds[0]), let hi = JSCompare.compare(value, bounds[1])
            else { return false }
            return lo >= 0 && hi <= 0
        case "$in", "$nin":
            guard case .array(let options) = operand else { return op == "$nin" }
            let found = value.map { v in options.contains { BucketDefinition.strictEquals(v, $0) } } ?? false
            return op == "$in" ? found : !found
        case "$contains":
            if case .string(let s)? = value, case .string(let needle) = operand {
                return needle.isEmpty || s.lowercased().contains(needle.lowercased())
            }
            if case .array(let items)? = value { return items.contains { BucketDefinition.strictEquals($0, operand) } }
            return false
        case "$startsWith":
            guard case .string(let s)? = value, case .string(let prefix) = operand else { return false }
            return s.hasPrefix(prefix)
        case "$endsWith":
            guard case .string(let s)? = value, case .string(let suffix) = operand else { return false }
            return s.hasSuffix(suffix)
        case "$exists":
            let wanted = operand.boolValue ?? true
            return (value != nil) == wanted
        default:
            return false
        }
    }

    /// The first plain-equality clause on an indexed field, in filter key order (spec A.10).
    func indexedClause(indexed: (String) -> Bool) -> (field: String, condition: Condition)? {
        guard anyOf.isEmpty else { return nil }
        for clause in clauses where indexed(clause.field) {
            switch clause.condition {
            case .equals, .missing: return clause
            case .operators: continue
            }
        }
        return nil
    }
}

/// JavaScript's relational comparison (`<`, `>`) on JSON values.
enum JSCompare {
    /// -1, 0 or 1, or `nil` when JS would answer false both ways (NaN, objects).
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            if x == y { return 0 }
            return x.utf16.lexicographicallyPrecedes(y.utf16) ? -1 : 1
        default:
            guard let x = number(a), let y = number(b), !x.isNaN, !y.isNaN else { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .number(let n): return n
        case .bool(let b): return b ? 1 : 0
        case .null: return 0
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? 0 : Double(t)
        default: return nil
        }
    }
}
