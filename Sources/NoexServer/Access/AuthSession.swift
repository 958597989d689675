public import NoexWire

/// An authenticated identity attached to a connection.
public struct AuthSession: Sendable, Hashable {
    /// The user's id.
    public var userId: String
    /// The user's roles; `reader`, `writer` and `admin` also carry operation tiers.
    public var roles: [String]
    /// Application data carried with the session.
    public var metadata: JSONObject?
    /// Expiry in epoch milliseconds; `nil` never expires.
    public var expiresAt: Int64?

    /// Creates a session.
    public init(userId: String, roles: [String], metadata: JSONObject? = nil, expiresAt: Int64? = nil) {
        self.userId = userId
        self.roles = roles
        self.metadata = metadata
        self.expiresAt = expiresAt
    }

    /// Whether the session has expired at `nowMs`.
    public func isExpired(at nowMs: Int64) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt < nowMs
    }
}

/// Token authentication supplied by a Swift application.
public struct TokenAuthConfiguration: Sendable {
    /// Turns a client token into a session; `nil` rejects the token as `Invalid token`.
    public var validate: @Sendable (_ token: String) async throws -> AuthSession?
    /// When false, unauthenticated clients may call every operation.
    public var required: Bool
    /// Optional per-operation permissions.
    public var permissions: PermissionConfiguration?

    /// Creates a token-auth setting.
    /// - Parameters:
    ///   - required: whether a login is needed before other operations.
    ///   - permissions: optional permission rules and check closure.
    ///   - validate: the token validator.
    public init(
        required: Bool = true,
        permissions: PermissionConfiguration? = nil,
        validate: @escaping @Sendable (_ token: String) async throws -> AuthSession?
    ) {
        self.validate = validate
        self.required = required
        self.permissions = permissions
    }
}
