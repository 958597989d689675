import NoexProtocol
import NoexStore
public import NoexWire
import Synchronization

extension IdentityManager {
    /// A well-formed hash at the configured cost that no password matches, verified for unknown
    /// usernames so a failed login costs the same scrypt work whether or not the account exists.
    var decoyHash: String {
        let cost = configuration.passwordHashCost
        return "$scrypt$\(cost.n)$\(cost.r)$\(cost.p)$AAAAAAAAAAAAAAAAAAAAAA==$" + String(repeating: "A", count: 86) + "=="
    }

    /// `identity.login`: throttled per username, per address and per address and username,
    /// the attempt counted before the password is verified (F17: concurrent guesses cannot
    /// exceed the limit); constant work for unknown users; `Account disabled` only once the
    /// password is right (so it reveals nothing to guessers); refused for revoked users (F13).
    /// A success forgives that account's own failures (per user, and from this address), not
    /// this address's failures against other accounts.
    /// - Parameters:
    ///   - username: the account name.
    ///   - password: the password.
    ///   - ip: the client address (throttle key and stored with the session).
    ///   - isRevoked: whether a user id is on the revocation blacklist.
    /// - Throws: `RATE_LIMITED`, `UNAUTHORIZED` (`Invalid credentials`, `Account disabled`),
    ///   `SESSION_REVOKED`.
    public func login(
        username: String, password: String, ip: String, isRevoked: (String) -> Bool
    ) async throws(ProtocolError) -> IdentityLogin {
        let userKey = Self.throttleKey(username: username), ipKey = LoginRateLimiter.addressKey(ip)
        let pairKey = LoginRateLimiter.pairKey(address: ip, account: userKey)
        let attempt = try loginLimiter.begin([userKey, ipKey, pairKey])
        let record: JSONObject?
        do {
            record = try user(named: username)
        } catch {
            loginLimiter.abandon(attempt)
            throw error
        }
        let matches = await PasswordHasher.verifyOffloaded(
            password, encoded: record?["passwordHash"]?.stringValue ?? decoyHash)
        guard let record, matches, let userId = record["id"]?.stringValue else {
            loginLimiter.fail(attempt)
            throw ProtocolError(.unauthorized, "Invalid credentials")
        }
        if record["enabled"] == .bool(false) {
            loginLimiter.fail(attempt)
            throw ProtocolError(.unauthorized, "Account disabled")
        }
        if isRevoked(userId) {
            loginLimiter.abandon(attempt)
            throw ProtocolError(.sessionRevoked, "Session has been revoked")
        }
        loginLimiter.succeed(attempt, forgiving: (account: userKey, address: ipKey, pair: pairKey))
        return try createSession(userId: userId, user: record, ip: ip)
    }

    /// The throttle key of a username. Names longer than any valid username are keyed by their
    /// digest, so a flood of huge made-up names cannot make the limiter hold megabytes per entry.
    static func throttleKey(username: String) -> String {
        username.utf8.count <= 64 ? "user:\(username)" : "user#\(Digest.sha256Hex(username))"
    }

    /// `identity.loginWithSecret`: the virtual superadmin; throttled per address (and the
    /// address's secret attempts), counted before the secret is compared.
    /// - Throws: `RATE_LIMITED`, `UNAUTHORIZED` `Invalid secret`, `SESSION_REVOKED`.
    public func loginWithSecret(_ secret: String, ip: String, isRevoked: (String) -> Bool) throws(ProtocolError)
        -> IdentityLogin
    {
        let ipKey = LoginRateLimiter.addressKey(ip)
        let pairKey = LoginRateLimiter.pairKey(address: ip, account: "secret")
        let attempt = try loginLimiter.begin([ipKey, pairKey])
        guard Digest.secretsEqual(secret, configuration.adminSecret) else {
            loginLimiter.fail(attempt)
            throw ProtocolError(.unauthorized, "Invalid secret")
        }
        if isRevoked(SystemRoles.superadminUserId) {
            loginLimiter.abandon(attempt)
            throw ProtocolError(.sessionRevoked, "Session has been revoked")
        }
        loginLimiter.succeed(attempt, forgiving: (account: nil, address: ipKey, pair: pairKey))
        return try createSession(userId: SystemRoles.superadminUserId, user: nil, ip: ip)
    }

    /// Stores a new session for `userId` and ends the oldest ones beyond `maxSessionsPerUser`.
    func createSession(userId: String, user: JSONObject?, ip: String) throws(ProtocolError) -> IdentityLogin {
        let token = SecureRandom.token()
        let tokenId = Digest.sha256Hex(token)
        let now = now()
        let expiresAt = now + Int64(configuration.sessionTtlMs)
        let sessions = try table(SystemBuckets.sessions)
        let ended = try mutating { () throws(ProtocolError) -> [String] in
            _ = try guarded { () throws(StoreError) in
                try sessions.insert([
                    "id": .string(tokenId), "userId": .string(userId), "expiresAt": .number(Double(expiresAt)),
                    "ip": .string(ip),
                ])
            }
            return try trimSessions(of: userId, keeping: tokenId, now: now)
        }
        let roles = roleNames(ofUser: userId)
        var userJSON: JSONObject = [
            "id": .string(userId), "username": user?["username"] ?? .string(SystemRoles.superadminUserId),
        ]
        if let displayName = user?["displayName"], !displayName.isNull { userJSON["displayName"] = displayName }
        userJSON["roles"] = .array(roles.map(JSONValue.string))
        return IdentityLogin(
            token: token, tokenId: tokenId,
            session: IdentitySession(userId: userId, roles: roles, expiresAt: expiresAt),
            result: ["token": .string(token), "expiresAt": .number(Double(expiresAt)), "user": .object(userJSON)],
            endedTokenIds: ended)
    }

    /// Deletes expired sessions of a user and, oldest first, those beyond the per-user limit.
    private func trimSessions(of userId: String, keeping newest: String, now: Int64) throws(ProtocolError) -> [String] {
        var live: [(id: String, createdAt: Double)] = []
        for record in try records(SystemBuckets.sessions, where: ["userId": .string(userId)]) {
            guard let id = record["id"]?.stringValue else { continue }
            if let expiresAt = record["expiresAt"]?.numberValue, expiresAt < Double(now) {
                try delete(SystemBuckets.sessions, record)
            } else if id != newest {
                live.append((id, record["createdAt"]?.numberValue ?? record["_createdAt"]?.numberValue ?? 0))
            }
        }
        let excess = live.count + 1 - max(1, configuration.maxSessionsPerUser)
        guard excess > 0 else { return [] }
        let oldest = live.sorted { $0.createdAt < $1.createdAt }.prefix(excess).map(\.id)
        for id in oldest { try delete(SystemBuckets.sessions, ["id": .string(id)]) }
        return oldest
    }

    /// Token reconnect (`auth.login` in built-in mode): the session a token stands for, with roles
    /// read fresh; `nil` for unknown or expired tokens and for users deleted or disabled since.
    /// - Returns: the session and its token id.
    public func validateSession(token: String) throws(ProtocolError) -> (session: IdentitySession, tokenId: String)? {
        let tokenId = Digest.sha256Hex(token)
        guard let record = try storedSession(tokenId) else { return nil }
        // A row written around the manager with a non-finite or absurd expiry is no session.
        guard let userId = record["userId"]?.stringValue, let expiresAt = record["expiresAt"]?.numberValue,
            expiresAt.isFinite, abs(expiresAt) < 1e15
        else {
            return nil
        }
        if userId != SystemRoles.superadminUserId {
            guard let user = try user(userId), user["enabled"] != .bool(false) else {
                try mutating { () throws(ProtocolError) in try delete(SystemBuckets.sessions, record) }
                return nil
            }
        }
        return (IdentitySession(userId: userId, roles: roleNames(ofUser: userId), expiresAt: Int64(expiresAt)), tokenId)
    }

    /// The stored session row for a token id, `nil` (and deleted) once expired.
    private func storedSession(_ tokenId: String) throws(ProtocolError) -> JSONObject? {
        let sessions = try table(SystemBuckets.sessions)
        guard let record = try guarded({ () throws(StoreError) in try sessions.get(.string(tokenId)) }) else { return nil }
        if let expiresAt = record["expiresAt"]?.numberValue, expiresAt < Double(now()) {
            try mutating { () throws(ProtocolError) in try delete(SystemBuckets.sessions, record) }
            return nil
        }
        return record
    }

    /// `identity.logout`: deletes one stored session (idempotent).
    public func logout(tokenId: String) throws(ProtocolError) {
        try mutating { () throws(ProtocolError) in try delete(SystemBuckets.sessions, ["id": .string(tokenId)]) }
    }

    /// `identity.refreshSession`: replaces a stored session with a new one, roles re-read.
    /// - Throws: `UNAUTHORIZED` `Invalid or expired session` or `User not found or disabled`.
    public func refreshSession(tokenId: String, ip: String) throws(ProtocolError) -> IdentityLogin {
        guard let record = try storedSession(tokenId), let userId = record["userId"]?.stringValue else {
            throw ProtocolError(.unauthorized, "Invalid or expired session")
        }
        try mutating { () throws(ProtocolError) in try delete(SystemBuckets.sessions, record) }
        var user: JSONObject?
        if userId != SystemRoles.superadminUserId {
            guard let found = try self.user(userId), found["enabled"] != .bool(false) else {
                throw ProtocolError(.unauthorized, "User not found or disabled")
            }
            user = found
        }
        return try createSession(userId: userId, user: user, ip: ip)
    }

    /// Deletes every stored session of a user.
    /// - Returns: the token ids deleted.
    @discardableResult
    public func endSessions(ofUser userId: String) throws(ProtocolError) -> [String] {
        try mutating { () throws(ProtocolError) -> [String] in try deleteSessionRows(ofUser: userId) }
    }

    /// `endSessions` for callers already holding the write lock.
    func deleteSessionRows(ofUser userId: String) throws(ProtocolError) -> [String] {
        let rows = try records(SystemBuckets.sessions, where: ["userId": .string(userId)])
        for row in rows { try delete(SystemBuckets.sessions, row) }
        return rows.compactMap { $0["id"]?.stringValue }
    }
}
