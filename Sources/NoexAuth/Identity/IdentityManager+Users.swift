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

    /// F23: an account holding `superadmin` (or the virtual superadmin) is changed, disabled,
    /// deleted, re-roled or given a new password only by a superadmin. Otherwise an admin could
    /// reset a superadmin's password, log in as them and make itself superadmin. Read from the
    /// store, inside the write lock, so a role assigned a moment ago counts.
    func requireMayAdminister(_ userId: String, caller: IdentityCaller) throws(ProtocolError) {
        guard !caller.isSuperadmin, try holdsSuperadmin(userId) else { return }
        throw ProtocolError(.forbidden, "Only a superadmin can change a superadmin account")
    }

    /// Whether `userId` holds the `superadmin` role, by the stored assignments.
    func holdsSuperadmin(_ userId: String) throws(ProtocolError) -> Bool {
        if userId == SystemRoles.superadminUserId { return true }
        guard let roleId = try role(named: SystemRoles.superadmin)?["id"]?.stringValue else { return false }
        return !(try records(SystemBuckets.userRoles, where: ["userId": .string(userId), "roleId": .string(roleId)]))
            .isEmpty
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

    /// `identity.updateUser`: self, or a caller whose session holds admin or superadmin (only a
    /// superadmin for a superadmin's profile, F23). An absent field is left alone; `null`
    /// clears `displayName` and `email` and empties `metadata`.
    public func updateUser(
        caller: IdentityCaller, userId: String, displayName: Nullable<String>?, email: Nullable<String>?,
        metadata: Nullable<JSONObject>?
    ) throws(ProtocolError) -> JSONValue {
        guard caller.userId == userId || caller.isAdmin else { throw ProtocolError(.forbidden, "Admin role required") }
        let users = try table(SystemBuckets.users)
        return try mutating { () throws(ProtocolError) -> JSONValue in
            let current = try existingUser(userId)
            try requireMayAdminister(userId, caller: caller)
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
    /// ownerships, then the user. Only a superadmin deletes a superadmin (F23).
    public func deleteUser(_ userId: String, caller: IdentityCaller) throws(ProtocolError) {
        if userId == SystemRoles.superadminUserId {
            throw ProtocolError(.forbidden, "Cannot delete virtual superadmin")
        }
        try mutating { () throws(ProtocolError) in
            let record = try existingUser(userId)
            try requireMayAdminister(userId, caller: caller)
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

    /// `identity.enableUser`. Only a superadmin enables a superadmin (F23).
    public func enableUser(_ userId: String, caller: IdentityCaller) throws(ProtocolError) -> JSONValue {
        try setEnabled(userId, true, caller: caller)
    }

    /// `identity.disableUser`: also deletes the user's stored sessions. Only a superadmin
    /// disables a superadmin (F23).
    public func disableUser(_ userId: String, caller: IdentityCaller) throws(ProtocolError) -> JSONValue {
        if userId == SystemRoles.superadminUserId {
            throw ProtocolError(.forbidden, "Cannot disable virtual superadmin")
        }
        let info = try setEnabled(userId, false, caller: caller)
        try endSessions(ofUser: userId)
        return info
    }

    private func setEnabled(_ userId: String, _ enabled: Bool, caller: IdentityCaller) throws(ProtocolError) -> JSONValue {
        let users = try table(SystemBuckets.users)
        return try mutating { () throws(ProtocolError) -> JSONValue in
            _ = try existingUser(userId)
            try requireMayAdminister(userId, caller: caller)
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
        // Reserved before verifying, like a login, so concurrent guesses cannot pass the limit.
        let attempt = try loginLimiter.begin([throttleKey])
        guard await PasswordHasher.verifyOffloaded(currentPassword, encoded: record["passwordHash"]?.stringValue ?? "")
        else {
            loginLimiter.fail(attempt)
            throw ProtocolError(.unauthorized, "Current password is incorrect")
        }
        loginLimiter.abandon(attempt)
        try await storePassword(userId, newPassword)
    }

    /// `identity.resetPassword` (admin): sets a password without the current one and deletes all
    /// the user's stored sessions. Only a superadmin resets a superadmin's password (F23),
    /// checked before hashing and again when the hash is stored.
    public func resetPassword(userId: String, newPassword: String, caller: IdentityCaller) async throws(ProtocolError) {
        try checkPasswordLength(newPassword)
        _ = try existingUser(userId)
        try requireMayAdminister(userId, caller: caller)
        try await storePassword(userId, newPassword, caller: caller)
    }

    /// Hashes and stores a password; with `caller`, re-checks F23 inside the write lock.
    private func storePassword(_ userId: String, _ password: String, caller: IdentityCaller? = nil) async throws(ProtocolError) {
        let hash: String
        do {
            hash = try await PasswordHasher.hashOffloaded(password, cost: configuration.passwordHashCost)
        } catch {
            throw ProtocolError(.internalError, "Internal server error")
        }
        let users = try table(SystemBuckets.users)
        try mutating { () throws(ProtocolError) in
            _ = try existingUser(userId)
            if let caller { try requireMayAdminister(userId, caller: caller) }
            _ = try guarded { () throws(StoreError) in try users.update(.string(userId), ["passwordHash": .string(hash)]) }
            _ = try deleteSessionRows(ofUser: userId)
        }
    }

    /// Reloads every cached table (after cascades touching several of them).
    func reloadCache() throws(ProtocolError) {
        try guarded { () throws(StoreError) in try reloadAll() }
    }
}
