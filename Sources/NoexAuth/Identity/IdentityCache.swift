import NoexWire

/// One permission entry of a role: operation patterns plus optional resource constraints.
struct RolePermission: Sendable, Hashable {
    var allow: [String]
    var buckets: [String]?
    var topics: [String]?

    /// Parses a stored entry; shapes that cannot grant anything give `nil`.
    init?(_ value: JSONValue) {
        guard case .object(let object) = value else { return nil }
        switch object["allow"] {
        case .string(let pattern)?: allow = [pattern]
        case .array(let items)?: allow = items.compactMap(\.stringValue)
        default: return nil
        }
        buckets = object["buckets"]?.arrayValue.map { $0.compactMap(\.stringValue) }
        topics = object["topics"]?.arrayValue.map { $0.compactMap(\.stringValue) }
    }

    /// Whether the entry allows `operation` on `resource`: the operation matches one `allow`
    /// pattern and the resource passes the entry's constraint for its kind (`buckets`, exact,
    /// for buckets and queries; `topics`, covering every name a pattern can match, for topics).
    /// A `*` resource passes a constraint only when the constraint lists `*`.
    func allows(operation: String, resource: AccessResource) -> Bool {
        allow.contains(where: { OperationPattern.matches($0, operation) })
            && resource.isWithin(buckets: buckets, topics: topics)
    }
}

/// A role as the authorization check needs it.
struct CachedRole: Sendable {
    var id: String
    var name: String
    var permissions: [RolePermission]
}

/// The in-memory view of `_roles`, `_user_roles`, `_acl` and `_resource_owners` that every
/// request's authorization reads (spec-identity §4.10). Rebuilt table by table from the store.
struct IdentityCache: Sendable {
    /// Roles in `_roles` order (role-name arrays follow it).
    var roles: [CachedRole] = []
    var roleIndexById: [String: Int] = [:]
    var roleIdByName: [String: String] = [:]
    var roleIdsByUser: [String: Set<String>] = [:]
    /// `subjectType:subjectId:resourceType:resourceName` → operations.
    var acl: [String: [String]] = [:]
    /// `userId:resourceType:resourceName`.
    var owned: Set<String> = []

    static func aclKey(_ subjectType: String, _ subjectId: String, _ resourceType: String, _ resourceName: String) -> String {
        "\(subjectType):\(subjectId):\(resourceType):\(resourceName)"
    }

    static func ownerKey(_ userId: String, _ resourceType: String, _ resourceName: String) -> String {
        "\(userId):\(resourceType):\(resourceName)"
    }

    mutating func loadRoles(_ records: [JSONObject]) {
        roles = records.compactMap { record in
            guard let id = record["id"]?.stringValue, let name = record["name"]?.stringValue else { return nil }
            return CachedRole(id: id, name: name, permissions: (record["permissions"]?.arrayValue ?? []).compactMap(RolePermission.init))
        }
        roleIndexById = Dictionary(roles.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        roleIdByName = Dictionary(roles.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func loadUserRoles(_ records: [JSONObject]) {
        var map: [String: Set<String>] = [:]
        for record in records {
            guard let userId = record["userId"]?.stringValue, let roleId = record["roleId"]?.stringValue else { continue }
            map[userId, default: []].insert(roleId)
        }
        roleIdsByUser = map
    }

    mutating func loadAcl(_ records: [JSONObject]) {
        var map: [String: [String]] = [:]
        for record in records {
            guard let subjectType = record["subjectType"]?.stringValue, let subjectId = record["subjectId"]?.stringValue,
                let resourceType = record["resourceType"]?.stringValue,
                let resourceName = record["resourceName"]?.stringValue
            else { continue }
            map[Self.aclKey(subjectType, subjectId, resourceType, resourceName), default: []] +=
                (record["operations"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        acl = map
    }

    mutating func loadOwners(_ records: [JSONObject]) {
        owned = Set(records.compactMap { record in
            guard let userId = record["userId"]?.stringValue, let resourceType = record["resourceType"]?.stringValue,
                let resourceName = record["resourceName"]?.stringValue
            else { return nil }
            return Self.ownerKey(userId, resourceType, resourceName)
        })
    }

    /// The user's roles in `_roles` order; the virtual superadmin always has exactly `superadmin`.
    func roles(ofUser userId: String) -> [CachedRole] {
        if userId == SystemRoles.superadminUserId {
            if let id = roleIdByName[SystemRoles.superadmin], let index = roleIndexById[id] { return [roles[index]] }
            return [CachedRole(id: "", name: SystemRoles.superadmin, permissions: [])]
        }
        guard let ids = roleIdsByUser[userId], !ids.isEmpty else { return [] }
        return roles.filter { ids.contains($0.id) }
    }

    /// Role names of a user, in `_roles` order.
    func roleNames(ofUser userId: String) -> [String] { roles(ofUser: userId).map(\.name) }
}
