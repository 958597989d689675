import NoexWire

/// The condition operators (spec-store-rules C.5). `actual` and `expected` are `nil` when
/// undefined.
///
/// Equality is structural for arrays and objects (the reference compares them by identity,
/// which no JSON client can rely on); everything else follows the reference.
enum ConditionEvaluator {
    /// Evaluates one condition.
    /// - Parameters:
    ///   - limits: the bounds of `matches` (``RuleEngineLimits/maxRegexLength``,
    ///     ``RuleEngineLimits/regexTimeLimitMs``); a pattern beyond them, or a search that runs
    ///     out of time, counts as no match.
    ///   - report: told why a `matches` search was abandoned (the engine logs it).
    static func evaluate(
        _ op: ConditionOperator, _ actual: JSONValue?, _ expected: JSONValue?,
        limits: RuleEngineLimits = RuleEngineLimits(), report: (String) -> Void = { _ in }
    ) -> Bool {
        switch op {
        case .eq: return strictEquals(actual, expected)
        case .neq: return !strictEquals(actual, expected)
        case .gt, .gte, .lt, .lte:
            guard case .number(let a)? = actual, case .number(let b)? = expected else { return false }
            switch op {
            case .gt: return a > b
            case .gte: return a >= b
            case .lt: return a < b
            default: return a <= b
            }
        case .in:
            guard case .array(let items)? = expected else { return false }
            return items.contains { strictEquals($0, actual) }
        case .not_in:
            guard case .array(let items)? = expected else { return false }
            return !items.contains { strictEquals($0, actual) }
        case .contains: return contains(actual, expected)
        case .not_contains: return !contains(actual, expected)
        case .matches:
            guard case .string(let text)? = actual, case .string(let pattern)? = expected else { return false }
            switch RegexCache.shared.test(
                pattern, text, maxPatternLength: limits.maxRegexLength, timeLimitMs: limits.regexTimeLimitMs)
            {
            case .match: return true
            case .noMatch, .invalidPattern: return false
            case .patternTooLong:
                report(limits.regexProblem(pattern, field: "Regular expression") ?? "Regular expression is too long")
                return false
            case .timedOut:
                report(
                    "Regular expression abandoned after \(limits.regexTimeLimitMs) ms (regexTimeLimitMs) on a \(text.utf8.count)-byte text: counted as no match"
                )
                return false
            }
        case .exists: return !isNullish(actual)
        case .not_exists: return isNullish(actual)
        }
    }

    static func isNullish(_ value: JSONValue?) -> Bool {
        if let value { return value.isNull }
        return true
    }

    /// `===`, except that arrays and objects compare structurally.
    static func strictEquals(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): return true
        case (nil, _), (_, nil): return false
        case (let l?, let r?): return l == r
        }
    }

    private static func contains(_ actual: JSONValue?, _ expected: JSONValue?) -> Bool {
        switch actual {
        case .string(let s)?:
            guard case .string(let needle)? = expected else { return false }
            return needle.isEmpty || s.contains(needle)
        case .array(let items)?:
            return items.contains { strictEquals($0, expected) }
        default: return false
        }
    }
}
