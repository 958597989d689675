import NoexProtocol
import NoexStore
public import NoexWire
import Synchronization

extension IdentityManager {
    /// A user record as clients see it: no password hash, no `_version`.
    static func userInfo(_ record: JSONObject) -> JSONValue {
        var info = record
        _ = info.removeValue(forKey: "passwordHash")
        _ = info.removeValue(forKey: "_version")
        return .object(info)
    }

    func checkPasswordLength(_ password: String) throws(ProtocolError) {
        if password.count < configuration.passwordMinLength {
            throw ProtocolError(.validationError, "Password must be at least \(configuration.passwordMinLength) characters")
        }
    }

    func existingUser(_ userId: String) throws(ProtocolError) -> JSONObject {
        guard let record = try user(userId) else { throw ProtocolError(.notFound, "User not found") }
        return record
    }

    /// `identity.createUser`.
    /// - Throws: `VALIDATION_ERROR` (username length, password length, field formats),
    ///   `ALREADY_EXISTS` `User "<u>" already exists`.
    public func createUser(
        username: String, password: String, displayName: String?, email: String?, enabled: Bool?,
        metadata: JSONObject?
    ) async throws(ProtocolError) -> JSONValue {
        guard (3...64).contains(username.count) else {
            throw ProtocolError(.validationError, "Username must be between 3 and 64 characters")
        }
        try checkPasswordLength(password)
        let exists: () throws(ProtocolError) -> Void = { () throws(ProtocolError) in
            // The virtual superadmin's name is reserved so no real account can pose as it.
            let taken = try self.user(named: username) != nil
            if username == SystemRoles.superadminUserId || taken {
                throw ProtocolError(.alreadyExists, "User \"\(username)\" already exists")
            }
        }
        try exists()
        let hash: String
        do {
            hash = try await PasswordHasher.hashOffloaded(password, cost: configuration.passwordHashCost)
        } catch {
            throw ProtocolError(.internalError, "Internal server error")
        }
        var record: JSONObject = ["username": .string(username), "passwordHash": .string(hash)]
        if let displayName { record["displayName"] = .string(displayName) }
        if let email { record["email"] = .string(email) }
        if let enabled { record["enabled"] = .bool(enabled) }
        if let metadata { record["metadata"] = .object(metadata) }
        let users = try table(SystemBuckets.users)
        let created = try mutating { () throws(ProtocolError) -> JSONObject in
            try exists()
            return try guarded { () throws(StoreError) in try users.insert(record) }
        }
        return Self.userInfo(created)
    }

    /// `identity.getUser`.
    public func getUser(_ userId: String) throws(ProtocolError) -> JSONValue {
        Self.userInfo(try existingUser(userId))
    }

    /// `identity.updateUser`: self, or a caller whose session holds admin or superadmin. An absent
    /// field is left alone; `null` clears `displayName` and `email` and empties `metadata`.
    public func updateUser(
        caller: IdentityCaller, userId: String, displayName: Nullable<String>?, email: Nullable<String>?,
        metadata: Nullable<JSONObject>?
    ) throws(ProtocolError) -> JSONValue {
        guard caller.userId == userId || caller.isAdmin else { throw ProtocolError(.forbidden, "Admin role required") }
        let users = try table(SystemBuckets.users)
        return try mutating { () throws(ProtocolError) -> JSONValue in
            let current = try existingUser(userId)
            var changes = JSONObject()
            if let displayName { changes["displayName"] = displayName.value.map(JSONValue.string) ?? .null }
            if let email { changes["email"] = email.value.map(JSONValue.string) ?? .null }
            if let metadata { changes["metadata"] = .object(metadata.value ?? [:]) }
            if changes.isEmpty { return Self.userInfo(current) }
            let updated = try guarded { () throws(StoreError) in try users.update(.string(userId), changes) }
            return Self.userInfo(updated)
        }
    }

    /// `identity.deleteUser`: removes the user's sessions, role assignments, ACL grants and
    /// ownerships, then the user.
    public func deleteUser(_ userId: String) throws(ProtocolError) {
        if userId == SystemRoles.superadminUserId {
            throw ProtocolError(.forbidden, "Cannot delete virtual superadmin")
        }
        try mutating { () throws(ProtocolError) in
            let record = try existingUser(userId)
            _ = try deleteSessionRows(ofUser: userId)
            for row in try records(SystemBuckets.userRoles, where: ["userId": .string(userId)]) {
                try delete(SystemBuckets.userRoles, row)
            }
            for row in try records(SystemBuckets.acl, where: ["subjectType": "user", "subjectId": .string(userId)]) {
                try delete(SystemBuckets.acl, row)
            }
            for row in try records(SystemBuckets.resourceOwners, where: ["userId": .string(userId)]) {
                try delete(SystemBuckets.resourceOwners, row)
            }
            try delete(SystemBuckets.users, record)
        }
        try reloadCache()
    }

    /// `identity.listUsers`: offset paging in insertion order; `page` ≥ 1, `pageSize` 1…200.
    public func listUsers(page: Double?, pageSize: Double?) throws(ProtocolError) -> JSONValue {
        // Clamp as doubles first: converting a huge or fractional number to Int must not trap.
        let pageNumber = Int(min(max((page ?? 1).rounded(.down), 1), 1e9))
        let size = Int(min(max((pageSize ?? 50).rounded(.down), 1), 200))
        let users = try table(SystemBuckets.users)
        let all = try guarded { () throws(StoreError) in try users.all() }
        let start = (pageNumber - 1) * size
        let slice = start < all.count ? all[start..<min(all.count, start + size)] : []
        return [
            "users": .array(slice.map(Self.userInfo)), "total": .number(Double(all.count)),
            "page": .number(Double(pageNumber)), "pageSize": .number(Double(size)),
        ]
    }

    /// `identity.enableUser`.
    public func enableUser(_ userId: String) throws(ProtocolError) -> JSONValue {
        try setEnabled(userId, true)
    }

    /// `identity.disableUser`: also deletes the user's stored sessions.
    public func disableUser(_ userId: String) throws(ProtocolError) -> JSONValue {
        if userId == SystemRoles.superadminUserId {
            throw ProtocolError(.forbidden, "Cannot disable virtual superadmin")
        }
        let info = try setEnabled(userId, false)
        try endSessions(ofUser: userId)
        return info
    }

    private func setEnabled(_ userId: String, _ enabled: Bool) throws(ProtocolError) -> JSONValue {
        let users = try table(SystemBuckets.users)
        return try mutating { () throws(ProtocolError) -> JSONValue in
            _ = try existingUser(userId)
            return Self.userInfo(try guarded { () throws(StoreError) in
                try users.update(.string(userId), ["enabled": .bool(enabled)])
            })
        }
    }

    /// `identity.changePassword`: only for oneself, with the current password (throttled like a
    /// login, so a stolen session cannot guess it). Deletes all the user's stored sessions.
    public func changePassword(
        caller: IdentityCaller, userId: String, currentPassword: String, newPassword: String
    ) async throws(ProtocolError) {
        guard caller.userId == userId else {
            throw ProtocolError(
                .forbidden, "Can only change your own password (use resetPassword for other users)")
        }
        try checkPasswordLength(newPassword)
        let record = try existingUser(userId)
        let throttleKey = Self.throttleKey(username: record["username"]?.stringValue ?? userId)
        try loginLimiter.check(throttleKey)
        guard await PasswordHasher.verifyOffloaded(currentPassword, encoded: record["passwordHash"]?.stringValue ?? "")
        else {
            loginLimiter.recordFailure(throttleKey)
            throw ProtocolError(.unauthorized, "Current password is incorrect")
        }
        try await storePassword(userId, newPassword)
    }

    /// `identity.resetPassword` (admin): sets a password without the current one and deletes all
    /// the user's stored sessions.
    public func resetPassword(userId: String, newPassword: String) async throws(ProtocolError) {
        try checkPasswordLength(newPassword)
        _ = try existingUser(userId)
        try await storePassword(userId, newPassword)
    }

    private func storePassword(_ userId: String, _ password: String) async throws(ProtocolError) {
        let hash: String
        do {
            hash = try await PasswordHasher.hashOffloaded(password, cost: configuration.passwordHashCost)
        } catch {
            throw ProtocolError(.internalError, "Internal server error")
        }
        let users = try table(SystemBuckets.users)
        try mutating { () throws(ProtocolError) in
            _ = try existingUser(userId)
            _ = try guarded { () throws(StoreError) in try users.update(.string(userId), ["passwordHash": .string(hash)]) }
            _ = try deleteSessionRows(ofUser: userId)
        }
    }

    /// Reloads every cached table (after cascades touching several of them).
    func reloadCache() throws(ProtocolError) {
        try guarded { () throws(StoreError) in try reloadAll() }
    }
}
