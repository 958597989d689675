public import NoexProtocol

/// One resource a request touches, with the access it needs there (F22).
///
/// A request is authorized only when every resource it touches is allowed: the bucket a
/// record operation names, every bucket of a transaction, the query of a subscription and the
/// bucket that query reads, the topic or fact key (or every topic a pattern can match).
public struct AccessResource: Sendable, Hashable, CustomStringConvertible {
    /// What kind of resource it is: picks the ACL resource type and the role constraint that
    /// applies (`buckets` for buckets and queries, `topics` for topics and fact keys).
    public enum Kind: String, Sendable, Hashable {
        /// A store bucket.
        case bucket
        /// A defined store query.
        case query
        /// An event topic, a fact key, or a topic/fact pattern.
        case topic
        /// A procedure.
        case procedure
    }

    /// The kind; `nil` for requests that touch nothing shared (the caller's own subscription,
    /// `server.*`, `audit.*`): only the operation itself is checked.
    public var kind: Kind?
    /// The resource name; `*` stands for every resource of the kind (a listing, a rule change).
    public var name: String
    /// The ACL operation the access needs (`read`, `write`, `admin`); `nil` consults no ACL.
    public var access: OperationTier?

    /// Creates a resource access.
    /// - Parameters:
    ///   - kind: the resource kind, `nil` for none.
    ///   - name: the resource name or `*`.
    ///   - access: the ACL operation it needs.
    public init(kind: Kind?, name: String, access: OperationTier?) {
        self.kind = kind
        self.name = name
        self.access = access
    }

    /// Every resource of `kind` (`*`).
    public static func all(_ kind: Kind?, access: OperationTier?) -> AccessResource {
        AccessResource(kind: kind, name: "*", access: access)
    }

    /// Whether it names one specific resource (ACLs and ownership can apply).
    public var isSpecific: Bool { kind != nil && name != "*" }

    /// The resource name, as error messages and the permission check closure show it.
    public var description: String { name }

    /// Whether it passes a role's constraint for its kind: `buckets` (exact names) for buckets
    /// and queries, `topics` (patterns covering every name the resource can stand for) for
    /// topics; `nil` means unconstrained. Procedures and kindless resources always pass.
    /// - Parameters:
    ///   - buckets: the role's allowed buckets, or `nil`.
    ///   - topics: the role's allowed topic patterns, or `nil`.
    public func isWithin(buckets: [String]?, topics: [String]?) -> Bool {
        switch kind {
        case .bucket?, .query?:
            if let buckets, !buckets.contains(name) { return false }
        case .topic?:
            if let topics, !topics.contains(where: { TopicPattern.covers($0, name) }) { return false }
        case .procedure?, nil:
            break
        }
        return true
    }
}
