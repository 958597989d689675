public import NoexWire

/// One audited request (spec-identity §5.2).
public struct AuditEntry: Sendable, Hashable {
    /// Whether the request succeeded.
    public enum Outcome: String, Sendable, Hashable {
        /// Answered with a result.
        case success
        /// Answered with an error.
        case error
    }

    /// When it was logged, epoch milliseconds.
    public var timestamp: Int64
    /// The session's user id after the request ran; `nil` when unauthenticated.
    public var userId: String?
    /// The connection id (`conn-N`), never the auth token.
    public var sessionId: String
    /// The request `type`.
    public var operation: String
    /// What the request was about (see `AuditEntry.resource(of:)`).
    public var resource: String
    /// Success or error.
    public var result: Outcome
    /// The error message, for errors.
    public var error: String?
    /// Operation-specific details (never passwords, secrets, hashes or tokens).
    public var details: JSONObject?
    /// The client address.
    public var remoteAddress: String

    /// Creates an entry.
    public init(
        timestamp: Int64, userId: String?, sessionId: String, operation: String, resource: String,
        result: Outcome, error: String? = nil, details: JSONObject? = nil, remoteAddress: String
    ) {
        self.timestamp = timestamp
        self.userId = userId
        self.sessionId = sessionId
        self.operation = operation
        self.resource = resource
        self.result = result
        self.error = error
        self.details = details
        self.remoteAddress = remoteAddress
    }

    /// The wire form `{timestamp, userId, sessionId, operation, resource, result, error?, details?, remoteAddress}`.
    public var json: JSONObject {
        var object: JSONObject = [
            "timestamp": .number(Double(timestamp)), "userId": userId.map(JSONValue.string) ?? .null,
            "sessionId": .string(sessionId), "operation": .string(operation), "resource": .string(resource),
            "result": .string(result.rawValue),
        ]
        if let error { object["error"] = .string(error) }
        if let details { object["details"] = .object(details) }
        object["remoteAddress"] = .string(remoteAddress)
        return object
    }

    /// The audited resource of a request: the first string among `bucket`, `name`, `ruleId`,
    /// `topic`, `key`, `pattern`; then `user:<username>`, `user:<userId>`, `role:<roleId>`,
    /// `<resourceType>:<resourceName>`; else `*`.
    public static func resource(of message: JSONObject) -> String {
        for key in ["bucket", "name", "ruleId", "topic", "key", "pattern"] {
            if case .string(let value)? = message[key] { return value }
        }
        if case .string(let username)? = message["username"] { return "user:\(username)" }
        if case .string(let userId)? = message["userId"] { return "user:\(userId)" }
        if case .string(let roleId)? = message["roleId"] { return "role:\(roleId)" }
        if case .string(let type)? = message["resourceType"], case .string(let name)? = message["resourceName"] {
            return "\(type):\(name)"
        }
        return "*"
    }

    /// The details recorded for an operation; only names and ids, never credentials.
    public static func details(operation: String, message: JSONObject) -> JSONObject? {
        let keys: [String]
        switch operation {
        case "identity.login", "identity.createUser": keys = ["username"]
        case "identity.assignRole", "identity.removeRole": keys = ["userId", "roleName"]
        case "identity.grant", "identity.revoke":
            keys = ["subjectType", "subjectId", "resourceType", "resourceName", "operations"]
        case "identity.transferOwner": keys = ["resourceType", "resourceName", "newOwnerId"]
        default: return nil
        }
        var details = JSONObject()
        for key in keys { if let value = message[key] { details[key] = value } }
        return details
    }
}
