import NoexProtocol
import NoexStore
public import NoexWire
import Synchronization

extension IdentityManager {
    /// ACL operations.
    public static let aclOperations = ["read", "write", "admin"]
    /// Resource types of ACL grants and ownership.
    public static let resourceTypes = ["bucket", "topic", "procedure", "query"]

    // MARK: Authorization

    /// Whether `userId` may run `operation` on every resource it touches (F22): the first
    /// resource refused, or `nil` when all are allowed. No resources checks the operation alone.
    public func firstDenied(userId: String, operation: String, resources: [AccessResource]) -> AccessResource? {
        if resources.isEmpty {
            let operationOnly = AccessResource(kind: nil, name: "*", access: nil)
            return isAllowed(userId: userId, operation: operation, resource: operationOnly) ? nil : operationOnly
        }
        return resources.first { !isAllowed(userId: userId, operation: operation, resource: $0) }
    }

    /// Whether `userId` may run `operation` on `resource`, a name typed by the operation's
    /// namespace (a bucket for `store.*`, a topic for `rules.*`, a procedure for
    /// `procedures.*`) and needing the operation's tier as its ACL operation.
    public func isAllowed(userId: String, operation: String, resource: String) -> Bool {
        let kind: AccessResource.Kind? =
            operation.hasPrefix("store.") ? .bucket
            : operation.hasPrefix("rules.") ? .topic : operation.hasPrefix("procedures.") ? .procedure : nil
        let access = Operations.descriptor(for: operation)?.tier
        return isAllowed(userId: userId, operation: operation, resource: AccessResource(kind: kind, name: resource, access: access))
    }

    /// Whether `userId` may run `operation` on `resource` (spec-identity §4.9), from the live
    /// cache: superadmin; then, for a specific resource, an exact ACL grant of the access it
    /// needs to the user or one of their roles, then ownership; then a role permission whose
    /// pattern matches the operation and whose constraint admits the resource.
    public func isAllowed(userId: String, operation: String, resource: AccessResource) -> Bool {
        cache.withLock { cache -> Bool in
            let roles = cache.roles(ofUser: userId)
            if roles.contains(where: { $0.name == SystemRoles.superadmin }) { return true }
            if let kind = resource.kind, resource.isSpecific {
                let resourceType = kind.rawValue
                if let access = resource.access?.rawValue {
                    let userKey = IdentityCache.aclKey("user", userId, resourceType, resource.name)
                    if cache.acl[userKey]?.contains(access) == true { return true }
                    for role in roles {
                        let roleKey = IdentityCache.aclKey("role", role.id, resourceType, resource.name)
                        if cache.acl[roleKey]?.contains(access) == true { return true }
                    }
                }
                if cache.owned.contains(IdentityCache.ownerKey(userId, resourceType, resource.name)) { return true }
            }
            return roles.contains { role in
                role.permissions.contains { $0.allows(operation: operation, resource: resource) }
            }
        }
    }

    /// The manage rule for ACLs: superadmin or admin role (live), owner, or a user ACL with `admin`.
    func canManage(_ userId: String, resourceType: String, resourceName: String) -> Bool {
        cache.withLock { cache in
            let names = cache.roleNames(ofUser: userId)
            if names.contains(SystemRoles.superadmin) || names.contains(SystemRoles.admin) { return true }
            if cache.owned.contains(IdentityCache.ownerKey(userId, resourceType, resourceName)) { return true }
            return cache.acl[IdentityCache.aclKey("user", userId, resourceType, resourceName)]?.contains("admin") == true
        }
    }

    // MARK: ACL

    /// `identity.grant`: validates the operations, resource type and subject, checks the manage
    /// rule, then merges into an existing entry or inserts one.
    public func grant(
        caller: IdentityCaller, subjectType: String, subjectId: String, resourceType: String, resourceName: String,
        operations: [JSONValue]
    ) throws(ProtocolError) {
        guard !operations.isEmpty else { throw ProtocolError(.validationError, "Operations must be a non-empty array") }
        var ops: [String] = []
        for value in operations {
            guard let op = value.stringValue, Self.aclOperations.contains(op) else {
                let shown = value.stringValue ?? JSONSerializer.string(value)
                throw ProtocolError(
                    .validationError, "Invalid ACL operation \"\(shown)\". Valid operations: read, write, admin")
            }
            if !ops.contains(op) { ops.append(op) }
        }
        guard Self.resourceTypes.contains(resourceType) else {
            throw ProtocolError(
                .validationError, "Invalid resource type \"\(resourceType)\". Must be one of: bucket, topic, procedure, query")
        }
        try checkSubject(subjectType, subjectId)
        guard canManage(caller.userId, resourceType: resourceType, resourceName: resourceName) else {
            throw Self.manageDenied
        }
        let acl = try table(SystemBuckets.acl)
        try mutating { () throws(ProtocolError) in
            if let entry = try aclEntry(subjectType, subjectId, resourceType, resourceName), let id = entry["id"] {
                var merged = (entry["operations"]?.arrayValue ?? []).compactMap(\.stringValue)
                for op in ops where !merged.contains(op) { merged.append(op) }
                _ = try guarded { () throws(StoreError) in
                    try acl.update(id, ["operations": .array(merged.map(JSONValue.string))])
                }
            } else {
                _ = try guarded { () throws(StoreError) in
                    try acl.insert([
                        "subjectType": .string(subjectType), "subjectId": .string(subjectId),
                        "resourceType": .string(resourceType), "resourceName": .string(resourceName),
                        "operations": .array(ops.map(JSONValue.string)), "grantedBy": .string(caller.userId),
                    ])
                }
            }
        }
        try reloadTable(SystemBuckets.acl)
    }

    static let manageDenied = ProtocolError(
        .forbidden, "Must be the resource owner, admin, or have admin ACL to manage permissions")

    private func checkSubject(_ subjectType: String, _ subjectId: String) throws(ProtocolError) {
        switch subjectType {
        case "user":
            if subjectId != SystemRoles.superadminUserId, try user(subjectId) == nil {
                throw ProtocolError(.notFound, "Subject user not found")
            }
        case "role":
            if try role(subjectId) == nil { throw ProtocolError(.notFound, "Subject role not found") }
        default:
            throw ProtocolError(.validationError, "Invalid subject type \"\(subjectType)\". Must be \"user\" or \"role\"")
        }
    }

    private func aclEntry(_ subjectType: String, _ subjectId: String, _ resourceType: String, _ resourceName: String)
        throws(ProtocolError) -> JSONObject?
    {
        try records(
            SystemBuckets.acl,
            where: [
                "subjectType": .string(subjectType), "subjectId": .string(subjectId),
                "resourceType": .string(resourceType), "resourceName": .string(resourceName),
            ]
        ).first
    }

    /// `identity.revoke`: without operations (or with none) the entry goes; otherwise the listed
    /// operations are removed, and the entry with them once empty.
    public func revoke(
        caller: IdentityCaller, subjectType: String, subjectId: String, resourceType: String, resourceName: String,
        operations: [JSONValue]?
    ) throws(ProtocolError) {
        guard canManage(caller.userId, resourceType: resourceType, resourceName: resourceName) else {
            throw Self.manageDenied
        }
        let acl = try table(SystemBuckets.acl)
        try mutating { () throws(ProtocolError) in
            guard let entry = try aclEntry(subjectType, subjectId, resourceType, resourceName), let id = entry["id"] else {
                throw ProtocolError(.notFound, "ACL entry not found")
            }
            let removing = (operations ?? []).compactMap(\.stringValue)
            let remaining = (entry["operations"]?.arrayValue ?? []).compactMap(\.stringValue)
                .filter { !removing.contains($0) }
            if removing.isEmpty || remaining.isEmpty {
                try delete(SystemBuckets.acl, entry)
            } else {
                _ = try guarded { () throws(StoreError) in
                    try acl.update(id, ["operations": .array(remaining.map(JSONValue.string))])
                }
            }
        }
        try reloadTable(SystemBuckets.acl)
    }

    /// The name shown for a subject: the username or role name, else the raw id.
    private func subjectName(_ subjectType: String, _ subjectId: String) throws(ProtocolError) -> String {
        if subjectType == "user" {
            if subjectId == SystemRoles.superadminUserId { return subjectId }
            return try user(subjectId)?["username"]?.stringValue ?? subjectId
        }
        return try role(subjectId)?["name"]?.stringValue ?? subjectId
    }

    /// `identity.getAcl`: every entry of a resource; an owner without an entry is listed first.
    public func getAcl(resourceType: String, resourceName: String) throws(ProtocolError) -> JSONValue {
        let owner = try ownerRecord(resourceType, resourceName)?["userId"]?.stringValue
        let rows = try records(
            SystemBuckets.acl, where: ["resourceType": .string(resourceType), "resourceName": .string(resourceName)])
        var entries: [JSONValue] = []
        var ownerListed = false
        for row in rows {
            guard let subjectType = row["subjectType"]?.stringValue, let subjectId = row["subjectId"]?.stringValue else {
                continue
            }
            let isOwner = subjectType == "user" && subjectId == owner
            ownerListed = ownerListed || isOwner
            entries.append([
                "subjectType": .string(subjectType), "subjectId": .string(subjectId),
                "subjectName": .string(try subjectName(subjectType, subjectId)),
                "operations": row["operations"] ?? [], "isOwner": .bool(isOwner),
            ])
        }
        if let owner, !ownerListed {
            entries.insert(
                [
                    "subjectType": "user", "subjectId": .string(owner),
                    "subjectName": .string(try subjectName("user", owner)), "operations": [], "isOwner": true,
                ], at: 0)
        }
        return ["entries": .array(entries)]
    }

    /// `identity.myAccess`: the caller's ACL grants (own, then through roles) and owned
    /// resources; role permissions are not included.
    public func myAccess(userId: String) throws(ProtocolError) -> JSONValue {
        let username: String
        if userId == SystemRoles.superadminUserId {
            username = userId
        } else {
            username = try user(userId)?["username"]?.stringValue ?? userId
        }
        let roles = cache.withLock { $0.roles(ofUser: userId) }
        var order: [String] = []
        var access: [String: (type: String, name: String, ops: Set<String>, owner: Bool)] = [:]
        func add(_ type: String, _ name: String, _ ops: [String], owner: Bool) {
            let key = "\(type):\(name)"
            if access[key] == nil {
                order.append(key)
                access[key] = (type, name, [], false)
            }
            access[key]?.ops.formUnion(ops)
            if owner { access[key]?.owner = true }
        }
        var subjects: [(String, String)] = [("user", userId)]
        subjects += roles.map { ("role", $0.id) }
        for (subjectType, subjectId) in subjects where !subjectId.isEmpty {
            for row in try records(SystemBuckets.acl, where: ["subjectType": .string(subjectType), "subjectId": .string(subjectId)]) {
                guard let type = row["resourceType"]?.stringValue, let name = row["resourceName"]?.stringValue else { continue }
                add(type, name, (row["operations"]?.arrayValue ?? []).compactMap(\.stringValue), owner: false)
            }
        }
        for row in try records(SystemBuckets.resourceOwners, where: ["userId": .string(userId)]) {
            guard let type = row["resourceType"]?.stringValue, let name = row["resourceName"]?.stringValue else { continue }
            add(type, name, Self.aclOperations, owner: true)
        }
        let resources: [JSONValue] = order.compactMap { key in
            guard let entry = access[key] else { return nil }
            return [
                "resourceType": .string(entry.type), "resourceName": .string(entry.name),
                "operations": .array(entry.ops.sorted().map(JSONValue.string)), "isOwner": .bool(entry.owner),
            ]
        }
        return [
            "user": ["id": .string(userId), "username": .string(username), "roles": .array(roles.map { .string($0.name) })],
            "resources": .array(resources),
        ]
    }

    // MARK: Ownership

    func ownerRecord(_ resourceType: String, _ resourceName: String) throws(ProtocolError) -> JSONObject? {
        try records(
            SystemBuckets.resourceOwners,
            where: ["resourceType": .string(resourceType), "resourceName": .string(resourceName)]
        ).first
    }

    /// `identity.getOwner`: `{owner: {userId, username, resourceType, resourceName} | null}`.
    public func getOwner(resourceType: String, resourceName: String) throws(ProtocolError) -> JSONValue {
        guard let record = try ownerRecord(resourceType, resourceName), let userId = record["userId"]?.stringValue else {
            return ["owner": nil]
        }
        return [
            "owner": [
                "userId": .string(userId), "username": .string(try subjectName("user", userId)),
                "resourceType": .string(resourceType), "resourceName": .string(resourceName),
            ],
        ]
    }

    /// `identity.transferOwner`: by the current owner or a superadmin (live roles).
    public func transferOwner(
        caller: IdentityCaller, resourceType: String, resourceName: String, newOwnerId: String
    ) throws(ProtocolError) {
        let owners = try table(SystemBuckets.resourceOwners)
        try mutating { () throws(ProtocolError) in
            guard let record = try ownerRecord(resourceType, resourceName), let id = record["id"] else {
                throw ProtocolError(.notFound, "Resource has no owner")
            }
            let isSuperadmin = roleNames(ofUser: caller.userId).contains(SystemRoles.superadmin)
            guard record["userId"]?.stringValue == caller.userId || isSuperadmin else {
                throw ProtocolError(.forbidden, "Only the owner or superadmin can transfer ownership")
            }
            if newOwnerId != SystemRoles.superadminUserId, try user(newOwnerId) == nil {
                throw ProtocolError(.notFound, "New owner not found")
            }
            _ = try guarded { () throws(StoreError) in try owners.update(id, ["userId": .string(newOwnerId)]) }
        }
        try reloadTable(SystemBuckets.resourceOwners)
    }

    /// Records `userId` as the owner of a resource it just created; an existing owner record
    /// is re-pointed.
    public func setOwner(userId: String, resourceType: String, resourceName: String) throws(ProtocolError) {
        let owners = try table(SystemBuckets.resourceOwners)
        try mutating { () throws(ProtocolError) in
            if let record = try ownerRecord(resourceType, resourceName), let id = record["id"] {
                _ = try guarded { () throws(StoreError) in try owners.update(id, ["userId": .string(userId)]) }
            } else {
                _ = try guarded { () throws(StoreError) in
                    try owners.insert([
                        "userId": .string(userId), "resourceType": .string(resourceType),
                        "resourceName": .string(resourceName),
                    ])
                }
            }
        }
        try reloadTable(SystemBuckets.resourceOwners)
    }

    /// Forgets a dropped resource: its owner record and every ACL entry on it.
    public func removeOwnership(resourceType: String, resourceName: String) throws(ProtocolError) {
        try mutating { () throws(ProtocolError) in
            let filter: JSONObject = ["resourceType": .string(resourceType), "resourceName": .string(resourceName)]
            for row in try records(SystemBuckets.resourceOwners, where: filter) { try delete(SystemBuckets.resourceOwners, row) }
            for row in try records(SystemBuckets.acl, where: filter) { try delete(SystemBuckets.acl, row) }
        }
        try reloadCache()
    }
}
