import NoexWire

/// The store buckets built-in identity keeps its state in (spec-identity §4.3). Clients can
/// never reach them: every `_`-prefixed bucket is refused by the server's system-bucket guard.
public enum SystemBuckets {
    /// Users and their password hashes.
    public static let users = "_users"
    /// Roles and their permissions.
    public static let roles = "_roles"
    /// User ↔ role assignments.
    public static let userRoles = "_user_roles"
    /// ACL grants.
    public static let acl = "_acl"
    /// Stored sessions, keyed by the SHA-256 of their token.
    public static let sessions = "_sessions"
    /// Resource owners.
    public static let resourceOwners = "_resource_owners"

    /// Whether a bucket name is reserved for the system (`_` prefix).
    public static func isSystem(_ bucket: String) -> Bool { bucket.hasPrefix("_") }

    private static let resourceTypes: JSONValue = ["bucket", "topic", "procedure", "query"]

    /// Each bucket's definition, in creation order.
    /// - Parameter sessionTtlMs: the store TTL of `_sessions`, so expired rows are purged.
    static func definitions(sessionTtlMs: Int) -> [(String, JSONObject)] {
        [
            (users, [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "username": ["type": "string", "required": true, "unique": true, "minLength": 3, "maxLength": 64],
                    "passwordHash": ["type": "string", "required": true],
                    "displayName": ["type": "string"],
                    "email": ["type": "string", "format": "email"],
                    "enabled": ["type": "boolean", "default": true],
                    "metadata": ["type": "object"],
                ],
                "indexes": ["username", "email"],
            ]),
            (roles, [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "name": ["type": "string", "required": true, "unique": true, "minLength": 1, "maxLength": 64],
                    "description": ["type": "string"],
                    "system": ["type": "boolean", "default": false],
                    "permissions": ["type": "array"],
                ],
                "indexes": ["name"],
            ]),
            (userRoles, [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "userId": ["type": "string", "required": true, "ref": "_users"],
                    "roleId": ["type": "string", "required": true, "ref": "_roles"],
                    "grantedBy": ["type": "string", "ref": "_users"],
                    "grantedAt": ["type": "number", "generated": "timestamp"],
                ],
                "indexes": ["userId", "roleId"],
            ]),
            (acl, [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "subjectType": ["type": "string", "enum": ["user", "role"], "required": true],
                    "subjectId": ["type": "string", "required": true],
                    "resourceType": ["type": "string", "enum": resourceTypes, "required": true],
                    "resourceName": ["type": "string", "required": true],
                    "operations": ["type": "array", "required": true],
                    "grantedBy": ["type": "string"],
                    "grantedAt": ["type": "number", "generated": "timestamp"],
                ],
                "indexes": ["subjectId", "resourceName"],
            ]),
            (sessions, [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "required": true],
                    "userId": ["type": "string", "required": true],
                    "expiresAt": ["type": "number", "required": true],
                    "createdAt": ["type": "number", "generated": "timestamp"],
                    "ip": ["type": "string"],
                    "userAgent": ["type": "string"],
                ],
                "indexes": ["userId"],
                "ttl": .number(Double(max(1, sessionTtlMs))),
            ]),
            (resourceOwners, [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "userId": ["type": "string", "required": true],
                    "resourceType": ["type": "string", "enum": resourceTypes, "required": true],
                    "resourceName": ["type": "string", "required": true],
                    "createdAt": ["type": "number", "generated": "timestamp"],
                ],
                "indexes": ["userId", "resourceName"],
            ]),
        ]
    }
}
