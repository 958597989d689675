/// A kind of payload value a field accepts, with the word used for it in messages.
///
/// A kind pairs a conversion from `JSONValue` (returning `nil` when the value is of another
/// kind) with its *expectation*, the text after `expected` in a validation message. The
/// predefined kinds follow JavaScript's checks in the reference: `typeof v === "string"`,
/// a non-null non-array object, `Number.isInteger(v) && v >= 1`, and so on.
public struct FieldKind<Value: Sendable>: Sendable {
    /// The text after `expected` in messages, e.g. `non-empty string`.
    public let expectation: String

    @usableFromInline let convert: @Sendable (JSONValue) -> Value?

    /// Creates a kind.
    /// - Parameters:
    ///   - expectation: the text after `expected` in messages.
    ///   - convert: returns the typed value, or `nil` when the JSON value is of another kind.
    public init(expectation: String, convert: @escaping @Sendable (JSONValue) -> Value?) {
        self.expectation = expectation
        self.convert = convert
    }

    /// The same kind with another expectation text, for messages the protocol words differently.
    /// - Parameter expectation: the replacement text.
    /// - Returns: the renamed kind.
    public func expecting(_ expectation: String) -> FieldKind<Value> {
        FieldKind(expectation: expectation, convert: convert)
    }

    /// Converts a value, or returns `nil` when it is of another kind.
    /// - Parameter value: the JSON value.
    /// - Returns: the typed value, or `nil`.
    @inlinable public func value(of value: JSONValue) -> Value? { convert(value) }
}

extension FieldKind where Value == String {
    /// A string with at least one character.
    public static var nonEmptyString: FieldKind<String> {
        FieldKind(expectation: "non-empty string") { value in
            guard case .string(let s) = value, !s.isEmpty else { return nil }
            return s
        }
    }

    /// Any string, the empty string included.
    public static var string: FieldKind<String> {
        FieldKind(expectation: "string") { value in value.stringValue }
    }

    /// One of a fixed set of strings. The expectation reads `"a" or "b"`, or
    /// `one of: "a", "b", "c"` for three or more.
    /// - Parameter allowed: the accepted strings.
    /// - Returns: the kind.
    public static func oneOf(_ allowed: [String]) -> FieldKind<String> {
        let quoted = allowed.map { "\"\($0)\"" }
        let expectation =
            quoted.count == 2 ? "\(quoted[0]) or \(quoted[1])" : "one of: " + quoted.joined(separator: ", ")
        return FieldKind(expectation: expectation) { value in
            guard case .string(let s) = value, allowed.contains(s) else { return nil }
            return s
        }
    }
}

extension FieldKind where Value == JSONObject {
    /// A JSON object (not `null`, not an array).
    public static var object: FieldKind<JSONObject> {
        FieldKind(expectation: "object") { value in value.objectValue }
    }
}

extension FieldKind where Value == [JSONValue] {
    /// A JSON array of any items.
    public static var array: FieldKind<[JSONValue]> {
        FieldKind(expectation: "array") { value in value.arrayValue }
    }
}

extension FieldKind where Value == Double {
    /// Any JSON number.
    public static var number: FieldKind<Double> {
        FieldKind(expectation: "number") { value in value.numberValue }
    }
}

extension FieldKind where Value == Bool {
    /// `true` or `false`.
    public static var boolean: FieldKind<Bool> {
        FieldKind(expectation: "boolean") { value in value.boolValue }
    }
}

extension FieldKind where Value == Int {
    /// An integral number ≥ 1, as JavaScript's `Number.isInteger(v) && v >= 1`.
    ///
    /// Integral values beyond `Int.max` are accepted (JavaScript accepts them) and clamp to
    /// `Int.max`, which every caller treats as "no limit".
    public static var positiveInteger: FieldKind<Int> {
        FieldKind(expectation: "positive integer") { value in
            guard case .number(let n) = value, n.isFinite, n.rounded(.towardZero) == n, n >= 1 else {
                return nil
            }
            return n >= 9.223_372_036_854_775_807e18 ? Int.max : Int(n)
        }
    }

    /// Any integral number, as JavaScript's `Number.isInteger(v)`; out-of-range values clamp.
    public static var integer: FieldKind<Int> {
        FieldKind(expectation: "integer") { value in
            guard case .number(let n) = value, n.isFinite, n.rounded(.towardZero) == n else { return nil }
            if n >= 9.223_372_036_854_775_807e18 { return Int.max }
            if n <= -9.223_372_036_854_775_808e18 { return Int.min }
            return Int(n)
        }
    }
}

extension FieldKind where Value == JSONValue {
    /// Any JSON value other than `null`.
    public static var nonNull: FieldKind<JSONValue> {
        FieldKind(expectation: "non-null value") { value in value.isNull ? nil : value }
    }
}
