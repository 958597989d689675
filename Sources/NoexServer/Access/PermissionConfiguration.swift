public import NoexAuth

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

    /// Whether `session` may run `operation` on `resource`, a name whose kind follows the
    /// operation's namespace (a bucket for `store.*`, a topic for `rules.*`).
    public func isAllowed(session: AuthSession, operation: String, resource: String) -> Bool {
        isAllowed(session: session, operation: operation, resource: PermissionRule.resource(resource, of: operation))
    }

    /// Whether `session` may run `operation` on `resource`. `check` is asked with the
    /// resource's name; rules apply their constraint for the resource's kind.
    public func isAllowed(session: AuthSession, operation: String, resource: AccessResource) -> Bool {
        if let check, let decision = check(session, operation, resource.name) { return decision }
        for rule in rules where rule.matches(session: session, operation: operation, resource: resource) {
            return true
        }
        return self.default == .allow
    }

    /// Whether `session` may run `operation` on every resource it touches (F22): the first
    /// resource refused, or `nil`. No resources asks once about the operation, with `*`.
    public func firstDenied(session: AuthSession, operation: String, resources: [AccessResource]) -> AccessResource? {
        if resources.isEmpty {
            let operationOnly = AccessResource(kind: nil, name: "*", access: nil)
            return isAllowed(session: session, operation: operation, resource: operationOnly) ? nil : operationOnly
        }
        return resources.first { !isAllowed(session: session, operation: operation, resource: $0) }
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

    /// Whether the rule fully matches a request on `resource`, a name whose kind follows the
    /// operation's namespace (a bucket for `store.*`, a topic for `rules.*`).
    public func matches(session: AuthSession, operation: String, resource: String) -> Bool {
        matches(session: session, operation: operation, resource: Self.resource(resource, of: operation))
    }

    /// Whether the rule fully matches a request on `resource`: the role, an `allow` pattern,
    /// and the constraint for the resource's kind (`buckets`, exact, for buckets and queries;
    /// `topics`, covering every name a pattern can match, for topics and fact keys).
    public func matches(session: AuthSession, operation: String, resource: AccessResource) -> Bool {
        guard session.roles.contains(role) else { return false }
        return allow.contains(where: { PermissionPattern.matches($0, operation) })
            && resource.isWithin(buckets: buckets, topics: topics)
    }

    /// A bare resource name typed by the operation's namespace.
    static func resource(_ name: String, of operation: String) -> AccessResource {
        let kind: AccessResource.Kind? =
            operation.hasPrefix("store.") ? .bucket : operation.hasPrefix("rules.") ? .topic : nil
        return AccessResource(kind: kind, name: name, access: nil)
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
