public import NoexWire

/// One schema violation found while validating a record: `{field, message, code}` on the wire.
public struct ValidationIssue: Sendable, Hashable {
    /// The field that failed.
    public var field: String
    /// The exact spec message, e.g. `Field is required`.
    public var message: String
    /// The issue code: `required`, `type`, `enum`, `minLength`, `maxLength`, `pattern`,
    /// `format`, `min` or `max`.
    public var code: String

    /// Creates an issue.
    public init(field: String, message: String, code: String) {
        self.field = field
        self.message = message
        self.code = code
    }

    /// The wire form `{field, message, code}`.
    public var json: JSONValue {
        .object(["field": .string(field), "message": .string(message), "code": .string(code)])
    }
}
