/// The wildcard matcher of permissions and roles (spec-identity §2.2): `*` matches anything,
/// `prefix.*` matches names starting with `prefix.` (the dot included), anything else is exact.
public enum OperationPattern {
    /// Whether `pattern` matches `value`.
    public static func matches(_ pattern: String, _ value: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return value.hasPrefix(pattern.dropLast()) }
        return pattern == value
    }
}
