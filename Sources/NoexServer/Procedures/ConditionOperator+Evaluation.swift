import NoexWire

extension ConditionOperator {
    /// Whether `actual` (the condition's `ref`) and `expected` (its resolved `value`) satisfy
    /// this operator, with JavaScript's meaning (spec-identity §6.4): strict equality for
    /// `eq`/`neq`, relational comparison (numeric, or lexicographic for two strings) for the
    /// orderings, and null or undefined for the existence tests. `nil` is undefined.
    func holds(_ actual: JSONValue?, _ expected: JSONValue?) -> Bool {
        switch self {
        case .eq: return JSSemantics.strictEquals(actual, expected)
        case .neq: return !JSSemantics.strictEquals(actual, expected)
        case .lt: return JSSemantics.lessThan(actual, expected) == true
        case .gt: return JSSemantics.lessThan(expected, actual) == true
        // `a >= b` is `!(a < b)` unless the comparison is undefined (NaN).
        case .gte: return JSSemantics.lessThan(actual, expected) == false
        case .lte: return JSSemantics.lessThan(expected, actual) == false
        case .exists: return !(actual ?? .null).isNull
        case .notExists: return (actual ?? .null).isNull
        }
    }
}
