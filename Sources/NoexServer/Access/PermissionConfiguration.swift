/// Declarative and programmatic permissions for token-authenticated sessions (spec-identity §2).
public struct PermissionConfiguration: Sendable {
    /// What happens when no rule allows an operation.
    public enum Default: String, Sendable, Hashable {
        /// Allow unmatched operations.
        case allow
        /// Refuse unmatched operations.
        case deny
    }

    /// Applied when neither `check` nor any rule decides.
    public var `default`: Default
    /// Allow rules, tried in order; the first full match allows.
    public var rules: [PermissionRule]
    /// Consulted first: `true` allows, `false` refuses, `nil` falls through to the rules.
    public var check: (@Sendable (_ session: AuthSession, _ operation: String, _ resource: String) -> Bool?)?

    /// Creates a permission setting.
    public init(
        default: Default = .allow,
        rules: [PermissionRule] = [],
        check: (@Sendable (_ session: AuthSession, _ operation: String, _ resource: String) -> Bool?)? = nil
    ) {
        self.default = `default`
        self.rules = rules
        self.check = check
    }

    /// Whether `session` may run `operation` on `resource`.
    public func isAllowed(session: AuthSession, operation: String, resource: String) -> Bool {
        if let check, let decision = check(session, operation, resource) { return decision }
        for rule in rules where rule.matches(session: session, operation: operation, resource: resource) {
            return true
        }
        return self.default == .allow
    }
}

/// One allow rule: a role, the operations it allows, and optional resource constraints.
public struct PermissionRule: Sendable, Hashable {
    /// The role a session must hold.
    public var role: String
    /// Operation patterns: `*`, a `prefix.*`, or an exact name.
    public var allow: [String]
    /// For `store.*` operations: the buckets (exact names) the rule covers.
    public var buckets: [String]?
    /// For `rules.*` operations: the topic patterns the rule covers.
    public var topics: [String]?

    /// Creates a rule.
    public init(role: String, allow: [String], buckets: [String]? = nil, topics: [String]? = nil) {
        self.role = role
        self.allow = allow
        self.buckets = buckets
        self.topics = topics
    }

    /// Whether the rule fully matches a request.
    public func matches(session: AuthSession, operation: String, resource: String) -> Bool {
        guard session.roles.contains(role) else { return false }
        guard allow.contains(where: { PermissionPattern.matches($0, operation) }) else { return false }
        if let buckets, operation.hasPrefix("store."), !buckets.contains(resource) { return false }
        if let topics, operation.hasPrefix("rules."),
            !topics.contains(where: { PermissionPattern.matches($0, resource) })
        {
            return false
        }
        return true
    }
}

/// The wildcard matcher of permissions and roles: `*`, `prefix.*` (the dot included), or exact.
public enum PermissionPattern {
    /// Whether `pattern` matches `value`.
    public static func matches(_ pattern: String, _ value: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return value.hasPrefix(pattern.dropLast()) }
        return pattern == value
    }
}
