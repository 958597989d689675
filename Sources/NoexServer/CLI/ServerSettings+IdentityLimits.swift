public import NoexAuth
public import NoexWire

extension ServerSettings {
    /// The built-in identity settings the config file may give; out-of-range values keep the default.
    public struct IdentityLimits: Sendable, Hashable {
        /// Session lifetime in milliseconds (file key `sessionTtl`).
        public var sessionTtlMs = 86_400_000
        /// Minimum password length (file key `passwordMinLength`).
        public var passwordMinLength = 8
        /// Stored sessions per user (file key `maxSessionsPerUser`).
        public var maxSessionsPerUser = 10
        /// Failed-login throttling (file key `loginRateLimit{maxAttempts, windowMs}`).
        public var loginRateLimit = LoginRateLimitConfiguration()

        /// The defaults.
        public init() {}

        /// Reads the keys from a config file's top-level object.
        public init(file: JSONObject) {
            if let value = file["sessionTtl"]?.integerValue, value > 0 { sessionTtlMs = value }
            if let value = file["passwordMinLength"]?.integerValue, value > 0 { passwordMinLength = value }
            if let value = file["maxSessionsPerUser"]?.integerValue, value > 0 { maxSessionsPerUser = value }
            if let object = file["loginRateLimit"]?.objectValue {
                if let value = object["maxAttempts"]?.integerValue, value > 0 { loginRateLimit.maxAttempts = value }
                if let value = object["windowMs"]?.integerValue, value > 0 { loginRateLimit.windowMs = value }
            }
        }

        /// The identity configuration for `adminSecret`.
        public func configuration(adminSecret: String) -> BuiltInIdentityConfiguration {
            BuiltInIdentityConfiguration(
                adminSecret: adminSecret, sessionTtlMs: sessionTtlMs, passwordMinLength: passwordMinLength,
                maxSessionsPerUser: maxSessionsPerUser, loginRateLimit: loginRateLimit)
        }
    }
}
