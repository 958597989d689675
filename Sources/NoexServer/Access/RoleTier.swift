public import NoexProtocol

/// The legacy role-tier check of token auth: `reader` < `writer` < `admin` against op tiers.
public enum RoleTier {
    /// The level of a built-in role name, or `nil` for custom roles.
    static func level(ofRole role: String) -> Int? {
        switch role {
        case "reader": 0
        case "writer": 1
        case "admin": 2
        default: nil
        }
    }

    /// The level an operation tier requires.
    static func level(of tier: OperationTier) -> Int {
        switch tier {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    /// Whether roles satisfy a tier. Sessions holding no built-in role skip the check.
    /// - Parameters:
    ///   - roles: the session's roles.
    ///   - tier: the operation's tier; `nil` is never checked.
    public static func allows(roles: [String], tier: OperationTier?) -> Bool {
        guard let tier else { return true }
        guard let highest = roles.compactMap(level(ofRole:)).max() else { return true }
        return highest >= level(of: tier)
    }
}
