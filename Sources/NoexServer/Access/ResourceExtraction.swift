public import NoexWire

/// The permission resource of a request (spec-identity §2.4).
public enum ResourceExtraction {
    /// The resource named by a request message.
    /// - Parameters:
    ///   - operation: the request `type`.
    ///   - message: the whole request message (payload fields are flat).
    public static func resource(operation: String, message: JSONObject) -> String {
        if operation.hasPrefix("store.") {
            if operation == "store.subscribe", case .string(let query)? = message["query"] { return query }
            if operation == "store.unsubscribe", case .string(let id)? = message["subscriptionId"] { return id }
            return string(message, "bucket") ?? string(message, "name") ?? "*"
        }
        if operation.hasPrefix("rules.") {
            return string(message, "topic") ?? string(message, "key") ?? string(message, "pattern") ?? "*"
        }
        return "*"
    }

    /// A member's value when it is a string; `nil` otherwise.
    private static func string(_ message: JSONObject, _ key: String) -> String? {
        if case .string(let value)? = message[key] { return value }
        return nil
    }
}
