import NoexProtocol
import NoexStore
public import NoexWire
import Synchronization

extension IdentityManager {
    /// A role record as clients see it: no `_version`.
    static func roleInfo(_ record: JSONObject) -> JSONValue {
        var info = record
        _ = info.removeValue(forKey: "_version")
        return .object(info)
    }

    func role(_ roleId: String) throws(ProtocolError) -> JSONObject? {
        let roles = try table(SystemBuckets.roles)
        return try guarded { () throws(StoreError) in try roles.get(.string(roleId)) }
    }

    func role(named name: String) throws(ProtocolError) -> JSONObject? {
        try records(SystemBuckets.roles, where: ["name": .string(name)]).first
    }

    /// `identity.createRole` (superadmin). Permissions are stored as given; entries that cannot
    /// grant anything are ignored when checking access.
    public func createRole(name: String, description: String?, permissions: [JSONValue]?) throws(ProtocolError) -> JSONValue {
        guard (1...64).contains(name.count) else {
            throw ProtocolError(.validationError, "Role name must be between 1 and 64 characters")
        }
        let roles = try table(SystemBuckets.roles)
        let created = try mutating { () throws(ProtocolError) -> JSONObject in
            if try role(named: name) != nil { throw ProtocolError(.alreadyExists, "Role \"\(name)\" already exists") }
            var record: JSONObject = ["name": .string(name), "system": false, "permissions": .array(permissions ?? [])]
            if let description { record["description"] = .string(description) }
            return try guarded { () throws(StoreError) in try roles.insert(record) }
        }
        try reloadTable(SystemBuckets.roles)
        return Self.roleInfo(created)
    }

    /// `identity.updateRole` (superadmin): description and permissions; names never change.
    public func updateRole(roleId: String, description: String?, permissions: [JSONValue]?) throws(ProtocolError) -> JSONValue {
        let roles = try table(SystemBuckets.roles)
        let updated = try mutating { () throws(ProtocolError) -> JSONObject in
            guard let current = try role(roleId) else { throw ProtocolError(.notFound, "Role not found") }
            var changes = JSONObject()
            if let description { changes["description"] = .string(description) }
            if let permissions { changes["permissions"] = .array(permissions) }
            if changes.isEmpty { return current }
            return try guarded { () throws(StoreError) in try roles.update(.string(roleId), changes) }
        }
        try reloadTable(SystemBuckets.roles)
        return Self.roleInfo(updated)
    }

    /// `identity.deleteRole` (superadmin): removes the role's assignments and its ACL grants.
    public func deleteRole(roleId: String) throws(ProtocolError) {
        try mutating { () throws(ProtocolError) in
            guard let current = try role(roleId) else { throw ProtocolError(.notFound, "Role not found") }
            if current["system"] == .bool(true) { throw ProtocolError(.forbidden, "Cannot delete system role") }
            for row in try records(SystemBuckets.userRoles, where: ["roleId": .string(roleId)]) {
                try delete(SystemBuckets.userRoles, row)
            }
            for row in try records(SystemBuckets.acl, where: ["subjectType": "role", "subjectId": .string(roleId)]) {
                try delete(SystemBuckets.acl, row)
            }
            try delete(SystemBuckets.roles, current)
        }
        try reloadCache()
    }

    /// `identity.listRoles`.
    public func listRoles() throws(ProtocolError) -> JSONValue {
        let roles = try table(SystemBuckets.roles)
        let all = try guarded { () throws(StoreError) in try roles.all() }
        return ["roles": .array(all.map(Self.roleInfo))]
    }

    /// `identity.assignRole`. Only a superadmin may hand out `superadmin` (F13), or change the
    /// roles of a superadmin (F23).
    public func assignRole(caller: IdentityCaller, userId: String, roleName: String) throws(ProtocolError) {
        let assignments = try table(SystemBuckets.userRoles)
        try mutating { () throws(ProtocolError) in
            if userId != SystemRoles.superadminUserId { _ = try existingUser(userId) }
            guard let role = try role(named: roleName), let roleId = role["id"]?.stringValue else {
                throw ProtocolError(.notFound, "Role \"\(roleName)\" not found")
            }
            if roleName == SystemRoles.superadmin, !caller.isSuperadmin {
                throw ProtocolError(.forbidden, "Only a superadmin can assign the superadmin role")
            }
            try requireMayAdminister(userId, caller: caller)
            let existing = try records(SystemBuckets.userRoles, where: ["userId": .string(userId), "roleId": .string(roleId)])
            if !existing.isEmpty { throw ProtocolError(.alreadyExists, "User already has role \"\(roleName)\"") }
            _ = try guarded { () throws(StoreError) in
                try assignments.insert([
                    "userId": .string(userId), "roleId": .string(roleId), "grantedBy": .string(caller.userId),
                ])
            }
        }
        try reloadTable(SystemBuckets.userRoles)
    }

    /// `identity.removeRole`. Only a superadmin may take `superadmin` away, or change the roles
    /// of a superadmin (F23).
    public func removeRole(caller: IdentityCaller, userId: String, roleName: String) throws(ProtocolError) {
        try mutating { () throws(ProtocolError) in
            guard let role = try role(named: roleName), let roleId = role["id"]?.stringValue else {
                throw ProtocolError(.notFound, "Role \"\(roleName)\" not found")
            }
            if roleName == SystemRoles.superadmin, !caller.isSuperadmin {
                throw ProtocolError(.forbidden, "Only a superadmin can remove the superadmin role")
            }
            try requireMayAdminister(userId, caller: caller)
            let existing = try records(SystemBuckets.userRoles, where: ["userId": .string(userId), "roleId": .string(roleId)])
            if existing.isEmpty { throw ProtocolError(.notFound, "User does not have role \"\(roleName)\"") }
            for row in existing { try delete(SystemBuckets.userRoles, row) }
        }
        try reloadTable(SystemBuckets.userRoles)
    }

    /// `identity.getUserRoles`: role records in `_roles` order.
    public func getUserRoles(userId: String) throws(ProtocolError) -> JSONValue {
        if userId != SystemRoles.superadminUserId { _ = try existingUser(userId) }
        let ids = Set(cache.withLock { $0.roles(ofUser: userId).map(\.id) })
        let roles = try table(SystemBuckets.roles)
        let all = try guarded { () throws(StoreError) in try roles.all() }
        return ["roles": .array(all.filter { ids.contains($0["id"]?.stringValue ?? "") }.map(Self.roleInfo))]
    }

    /// Reloads one cached table after a mutation, so the change is visible to the next request.
    func reloadTable(_ bucket: String) throws(ProtocolError) {
        try guarded { () throws(StoreError) in try reload(bucket) }
    }
}
