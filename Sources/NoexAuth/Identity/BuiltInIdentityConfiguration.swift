/// Built-in identity (`--auth --admin-secret S`): users, roles, sessions and ACLs kept in the
/// store's system buckets (spec-identity §4, with fixes F12 and F13).
public struct BuiltInIdentityConfiguration: Sendable, Hashable {
    /// The secret `identity.loginWithSecret` accepts for the virtual superadmin.
    public var adminSecret: String
    /// How long a session token lives, in milliseconds (default 24 h).
    public var sessionTtlMs: Int
    /// The shortest password `createUser`, `changePassword` and `resetPassword` accept (F12).
    public var passwordMinLength: Int
    /// The most stored sessions one user may hold; the oldest end first (F12).
    public var maxSessionsPerUser: Int
    /// Failed-login throttling per username and per client address.
    public var loginRateLimit: LoginRateLimitConfiguration
    /// scrypt work factors for new password hashes (default: the reference's N=16384, r=8, p=1).
    /// Lower them only where hashing time matters more than resistance to offline guessing,
    /// such as test suites.
    public var passwordHashCost: PasswordHasher.Cost

    /// Creates a built-in identity setting.
    /// - Parameters:
    ///   - adminSecret: the superadmin secret.
    ///   - sessionTtlMs: session lifetime in milliseconds.
    ///   - passwordMinLength: minimum password length in characters.
    ///   - maxSessionsPerUser: stored sessions per user.
    ///   - loginRateLimit: failed-login throttling.
    ///   - passwordHashCost: scrypt work factors for new hashes.
    public init(
        adminSecret: String, sessionTtlMs: Int = 86_400_000, passwordMinLength: Int = 8,
        maxSessionsPerUser: Int = 10, loginRateLimit: LoginRateLimitConfiguration = .init(),
        passwordHashCost: PasswordHasher.Cost = .reference
    ) {
        self.passwordHashCost = passwordHashCost
        self.adminSecret = adminSecret
        self.sessionTtlMs = sessionTtlMs
        self.passwordMinLength = passwordMinLength
        self.maxSessionsPerUser = maxSessionsPerUser
        self.loginRateLimit = loginRateLimit
    }
}

/// Failed-login throttling: a fixed window per key (spec-identity §4.8).
public struct LoginRateLimitConfiguration: Sendable, Hashable {
    /// Failures allowed within one window before logins are refused.
    public var maxAttempts: Int
    /// Window length in milliseconds.
    public var windowMs: Int

    /// Creates a throttling setting (defaults: 5 attempts per 15 minutes).
    public init(maxAttempts: Int = 5, windowMs: Int = 900_000) {
        self.maxAttempts = maxAttempts
        self.windowMs = windowMs
    }
}
