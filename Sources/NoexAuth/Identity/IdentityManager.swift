import NoexProtocol
public import NoexStore
public import NoexWire
import Synchronization

/// A session the identity system vouches for: who, with which roles (fresh from the store at
/// login or refresh), until when.
public struct IdentitySession: Sendable, Hashable {
    /// The user id (`__superadmin__` for the virtual superadmin).
    public var userId: String
    /// Role names, in `_roles` order.
    public var roles: [String]
    /// Expiry in epoch milliseconds.
    public var expiresAt: Int64
}

/// A successful login or refresh.
public struct IdentityLogin: Sendable {
    /// The bearer token. It is shown to the client once and stored nowhere: the store keeps only
    /// its SHA-256 (`tokenId`).
    public var token: String
    /// The stored session's key, the SHA-256 of `token` in hex.
    public var tokenId: String
    /// The session to attach to the connection.
    public var session: IdentitySession
    /// The wire result `{token, expiresAt, user:{id, username, displayName?, roles}}`.
    public var result: JSONValue
    /// Older sessions of the same user ended because `maxSessionsPerUser` was exceeded (F12).
    public var endedTokenIds: [String]
}

/// Who is asking: the session's user and their roles (the server passes the live ones).
public struct IdentityCaller: Sendable, Hashable {
    /// The caller's user id.
    public var userId: String
    /// The caller's roles.
    public var roles: [String]

    /// Creates a caller.
    public init(userId: String, roles: [String]) {
        self.userId = userId
        self.roles = roles
    }

    var isSuperadmin: Bool { roles.contains(SystemRoles.superadmin) }
    var isAdmin: Bool { isSuperadmin || roles.contains(SystemRoles.admin) }
}

/// Built-in identity over the store's system buckets: users, password hashes, sessions, roles,
/// ACL grants and resource ownership, plus the authorization check every request goes through
/// (spec-identity §4 with fixes F12, F13, F17).
///
/// Every method is synchronous against the store except those hashing passwords, which run
/// scrypt off the cooperative thread pool. Mutations are serialised so check-then-write
/// sequences (unique names, duplicate assignments) cannot interleave.
public final class IdentityManager: Sendable {
    /// The settings in force.
    public let configuration: BuiltInIdentityConfiguration
    /// The store holding the system buckets.
    public let store: Store
    /// Failed-login throttling.
    public let loginLimiter: LoginRateLimiter
    let now: @Sendable () -> Int64
    let cache = Mutex(IdentityCache())
    /// Serialises identity mutations.
    let writes = Mutex<Int>(0)
    private let eventSubscriptions = Mutex<[EventSubscription]>([])

    /// Opens built-in identity on `store`: creates the system buckets when missing, seeds the
    /// system roles when absent, and loads the authorization cache.
    /// - Parameters:
    ///   - store: the application's store.
    ///   - configuration: secret, TTLs and limits.
    ///   - now: the clock in epoch milliseconds.
    /// - Throws: the store's error when a system bucket cannot be created or read.
    public init(
        store: Store, configuration: BuiltInIdentityConfiguration, now: @escaping @Sendable () -> Int64
    ) throws(StoreError) {
        self.store = store
        self.configuration = configuration
        self.now = now
        loginLimiter = LoginRateLimiter(configuration: configuration.loginRateLimit, now: now)
        for (name, json) in SystemBuckets.definitions(sessionTtlMs: configuration.sessionTtlMs) {
            do {
                try store.defineBucket(name, json: json)
            } catch .bucketAlreadyExists {
                // Created by an earlier start in this process; keep it.
            }
        }
        let existing = Set(try store.bucket(SystemBuckets.roles).all().compactMap { $0["name"]?.stringValue })
        for seed in SystemRoles.seeds where !existing.contains(seed["name"]?.stringValue ?? "") {
            _ = try store.bucket(SystemBuckets.roles).insert(seed)
        }
        try reloadAll()
        // Writes that bypass this manager (a Swift application editing the buckets directly)
        // still reach the cache; the manager's own writes reload synchronously as well.
        let watched = [SystemBuckets.roles, SystemBuckets.userRoles, SystemBuckets.acl, SystemBuckets.resourceOwners]
        let subscriptions = watched.map { bucket in
            store.onEvent("bucket.\(bucket).*") { [weak self] _ in try? self?.reload(bucket) }
        }
        eventSubscriptions.withLock { $0 = subscriptions }
    }

    deinit {
        for subscription in eventSubscriptions.withLock({ $0 }) { subscription.cancel() }
    }

    // MARK: Cache

    func reloadAll() throws(StoreError) {
        for bucket in [SystemBuckets.roles, SystemBuckets.userRoles, SystemBuckets.acl, SystemBuckets.resourceOwners] {
            try reload(bucket)
        }
    }

    /// Re-reads one table into the cache. The read happens under the cache lock so two
    /// reloads can never swap in an older snapshot after a newer one.
    func reload(_ bucket: String) throws(StoreError) {
        try cache.withLock { cache throws(StoreError) in
            let records = try store.bucket(bucket).all()
            switch bucket {
            case SystemBuckets.roles: cache.loadRoles(records)
            case SystemBuckets.userRoles: cache.loadUserRoles(records)
            case SystemBuckets.acl: cache.loadAcl(records)
            case SystemBuckets.resourceOwners: cache.loadOwners(records)
            default: break
            }
        }
    }

    /// A user's role names from the live cache, in `_roles` order.
    public func roleNames(ofUser userId: String) -> [String] {
        cache.withLock { $0.roleNames(ofUser: userId) }
    }

    // MARK: Store access

    func table(_ name: String) throws(ProtocolError) -> BucketHandle {
        try guarded { () throws(StoreError) in try store.bucket(name) }
    }

    /// Runs store work, turning store failures into client-facing errors that name no system
    /// bucket: schema violations become `VALIDATION_ERROR` naming the field, unique clashes
    /// `ALREADY_EXISTS`, anything else `INTERNAL_ERROR`.
    func guarded<T>(_ body: () throws(StoreError) -> T) throws(ProtocolError) -> T {
        do {
            return try body()
        } catch .validation(_, let issues) {
            let issue = issues.first
            throw ProtocolError(
                .validationError, "Invalid \"\(issue?.field ?? "value")\": \(issue?.message ?? "invalid value")")
        } catch .uniqueConstraint(_, let field, _) {
            throw ProtocolError(.alreadyExists, "A record with this \(field) already exists")
        } catch {
            throw ProtocolError(.internalError, "Internal server error")
        }
    }

    /// Runs a mutation with the identity write lock held.
    func mutating<T>(_ body: () throws(ProtocolError) -> T) throws(ProtocolError) -> T {
        try writes.withLock { _ throws(ProtocolError) in try body() }
    }

    func user(_ userId: String) throws(ProtocolError) -> JSONObject? {
        let users = try table(SystemBuckets.users)
        return try guarded { () throws(StoreError) in try users.get(.string(userId)) }
    }

    func user(named username: String) throws(ProtocolError) -> JSONObject? {
        let users = try table(SystemBuckets.users)
        return try guarded { () throws(StoreError) in try users.where(["username": .string(username)]).first }
    }

    func records(_ bucket: String, where filter: JSONObject) throws(ProtocolError) -> [JSONObject] {
        let handle = try table(bucket)
        return try guarded { () throws(StoreError) in try handle.where(filter) }
    }

    func delete(_ bucket: String, _ record: JSONObject) throws(ProtocolError) {
        guard let id = record["id"] else { return }
        let handle = try table(bucket)
        _ = try guarded { () throws(StoreError) in try handle.delete(id) }
    }
}
