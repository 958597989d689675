public import NoexWire

/// A Swift type a result (or result member) can be read as by the generated client methods.
public protocol ResultValue: Sendable {
    /// Reads the value.
    /// - Parameters:
    ///   - json: the JSON value (never `null` here: nullability is decided by the caller).
    ///   - path: where it sits, for the error message (e.g. `store.count`, `auth.login.userId`).
    /// - Throws: ``NoexClientError`` `INVALID_RESPONSE` when the value has another type.
    init(resultValue json: JSONValue, path: String) throws(NoexClientError)
}

extension String: ResultValue {
    /// Reads a JSON string.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) {
        guard case .string(let value) = json else { throw ResultDecoding.mismatch(path, "a string", json) }
        self = value
    }
}

extension Double: ResultValue {
    /// Reads a JSON number.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) {
        guard case .number(let value) = json else { throw ResultDecoding.mismatch(path, "a number", json) }
        self = value
    }
}

extension Int: ResultValue {
    /// Reads an integral JSON number.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) {
        guard let value = json.integerValue else { throw ResultDecoding.mismatch(path, "an integer", json) }
        self = value
    }
}

extension Bool: ResultValue {
    /// Reads `true` or `false`.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) {
        guard case .bool(let value) = json else { throw ResultDecoding.mismatch(path, "a boolean", json) }
        self = value
    }
}

extension JSONObject: ResultValue {
    /// Reads a JSON object.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) {
        guard case .object(let value) = json else { throw ResultDecoding.mismatch(path, "an object", json) }
        self = value
    }
}

extension JSONValue: ResultValue {
    /// Takes any value as it is.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) { self = json }
}

extension Array: ResultValue where Element: ResultValue {
    /// Reads a JSON array whose items all read as `Element`.
    public init(resultValue json: JSONValue, path: String) throws(NoexClientError) {
        guard case .array(let items) = json else { throw ResultDecoding.mismatch(path, "an array", json) }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            result.append(try Element(resultValue: item, path: "\(path)[\(index)]"))
        }
        self = result
    }
}

/// Helpers the generated client methods use to read typed results.
public enum ResultDecoding {
    /// Reads a whole result that must be present and not null.
    public static func value<T: ResultValue>(_ json: JSONValue, as type: T.Type, in operation: String) throws(NoexClientError) -> T {
        if json.isNull { throw mismatch(operation, "a value", json) }
        return try T(resultValue: json, path: operation)
    }

    /// Reads a whole result that may be `null`.
    public static func nullable<T: ResultValue>(_ json: JSONValue, as type: T.Type, in operation: String) throws(NoexClientError) -> T? {
        if json.isNull { return nil }
        return try T(resultValue: json, path: operation)
    }

    /// Reads an object result.
    public static func object(_ json: JSONValue, in operation: String) throws(NoexClientError) -> JSONObject {
        guard case .object(let object) = json else { throw mismatch(operation, "an object", json) }
        return object
    }

    /// Reads a member that must be present and not null.
    public static func required<T: ResultValue>(
        _ object: JSONObject, _ key: String, as type: T.Type, in operation: String
    ) throws(NoexClientError) -> T {
        guard let member = object[key], !member.isNull else {
            throw NoexClientError.client(.invalidResponse, "The result of \(operation) lacks \"\(key)\"")
        }
        return try T(resultValue: member, path: "\(operation).\(key)")
    }

    /// Reads a member that may be absent or null (both read as `nil`).
    public static func optional<T: ResultValue>(
        _ object: JSONObject, _ key: String, as type: T.Type, in operation: String
    ) throws(NoexClientError) -> T? {
        guard let member = object[key], !member.isNull else { return nil }
        return try T(resultValue: member, path: "\(operation).\(key)")
    }

    static func mismatch(_ path: String, _ expected: String, _ json: JSONValue) -> NoexClientError {
        .client(.invalidResponse, "Expected \(expected) at \(path), got \(json.kindName)")
    }
}
