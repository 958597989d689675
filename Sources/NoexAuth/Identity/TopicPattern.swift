/// Whether a role's topic constraint covers a topic, fact key or pattern (F22).
///
/// A constraint is `*`, a `prefix.*` (names starting with `prefix.`) or an exact name, as in
/// ``OperationPattern``. A requested name without `*` is covered when the constraint matches
/// it. A requested *pattern* (a `rules.subscribe` topic pattern, a `rules.queryFacts` key
/// pattern) is covered only when every name it can match is: the constraint is `*`, the pattern
/// is the constraint itself, or the constraint is a `prefix.*` and the literal text the pattern
/// guarantees (everything before its first `*`) starts with `prefix.`. Checking the pattern
/// as a plain string instead would let `*` or `orders*` through a constraint of `orders.*`.
public enum TopicPattern {
    /// Whether `constraint` covers every name `requested` can stand for.
    public static func covers(_ constraint: String, _ requested: String) -> Bool {
        if constraint == "*" || constraint == requested { return true }
        guard let star = requested.firstIndex(of: "*") else {
            return OperationPattern.matches(constraint, requested)
        }
        guard constraint.hasSuffix(".*") else { return false }
        var guaranteed = requested[..<star]
        // A trailing `.*` of a subscription also matches the bare prefix (`order.*` matches
        // `order`), so only the text before that dot is guaranteed.
        if requested.index(after: star) == requested.endIndex, guaranteed.hasSuffix(".") {
            guaranteed = guaranteed.dropLast()
        }
        return guaranteed.hasPrefix(constraint.dropLast())
    }
}
