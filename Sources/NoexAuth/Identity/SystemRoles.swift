import NoexWire

/// The four roles seeded on start when absent (spec-identity §4.5). Rows that already exist are
/// never overwritten, so an operator's edits survive restarts.
public enum SystemRoles {
    /// The virtual superadmin's user id and username.
    public static let superadminUserId = "__superadmin__"
    /// Role names.
    public static let superadmin = "superadmin", admin = "admin", writer = "writer", reader = "reader"

    private static let readStore = [
        "get", "all", "where", "findOne", "count", "first", "last", "paginate", "sum", "avg", "min", "max",
        "subscribe", "unsubscribe", "buckets", "stats",
    ]
    private static let readRules = ["getFact", "queryFacts", "getAllFacts", "subscribe", "unsubscribe", "stats"]

    private static func names(_ prefix: String, _ ops: [String]) -> JSONValue {
        .array(ops.map { .string("\(prefix).\($0)") })
    }

    /// Seed rows in seed order: superadmin, admin, writer, reader.
    static var seeds: [JSONObject] {
        [
            [
                "name": .string(superadmin), "description": "Full access to everything including identity management",
                "system": true, "permissions": [["allow": "*"]],
            ],
            [
                "name": .string(admin), "description": "Structural operations, data mutations, and reads", "system": true,
                "permissions": [
                    ["allow": ["store.*", "rules.*", "procedures.*", "server.*", "audit.*"]],
                    ["allow": ["identity.createUser", "identity.getUser", "identity.updateUser", "identity.deleteUser", "identity.listUsers"]],
                    ["allow": ["identity.enableUser", "identity.disableUser", "identity.resetPassword"]],
                    ["allow": ["identity.listRoles", "identity.assignRole", "identity.removeRole", "identity.getUserRoles"]],
                    ["allow": ["identity.grant", "identity.revoke", "identity.getAcl"]],
                ],
            ],
            [
                "name": .string(writer), "description": "Data mutations and reads", "system": true,
                "permissions": [
                    ["allow": names("store", ["insert", "update", "delete", "clear", "transaction"])],
                    ["allow": names("store", Array(readStore[0..<7]))],
                    ["allow": names("store", Array(readStore[7..<12]))],
                    ["allow": names("store", Array(readStore[12...]))],
                    ["allow": names("rules", ["emit", "setFact", "deleteFact"])],
                    ["allow": names("rules", Array(readRules[0..<3]))],
                    ["allow": names("rules", Array(readRules[3...]))],
                    ["allow": ["procedures.call"]],
                    ["allow": ["procedures.get"]],
                ],
            ],
            [
                "name": .string(reader), "description": "Read-only access", "system": true,
                "permissions": [
                    ["allow": names("store", readStore)],
                    ["allow": names("rules", readRules)],
                    ["allow": ["procedures.get"]],
                ],
            ],
        ]
    }

    /// Whether `name` is one of the four system role names.
    public static func isSystemName(_ name: String) -> Bool {
        name == superadmin || name == admin || name == writer || name == reader
    }
}
