import NoexWire

/// The few JavaScript value rules procedures are defined by (the reference evaluates steps as
/// JavaScript): `String(v)`, property lookup, strict equality and relational comparison.
///
/// A Swift `nil` stands for JavaScript's `undefined` throughout.
enum JSSemantics {
    /// `String(v)`: numbers in their shortest form, arrays joined by `,` (null items empty),
    /// objects as `[object Object]`.
    static func string(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number: JSONSerializer.string(value)
        case .string(let text): text
        case .array(let items): items.map { $0.isNull ? "" : string($0) }.joined(separator: ",")
        case .object: "[object Object]"
        }
    }

    /// The text a `{{ }}` template contributes inside a longer string: nothing for
    /// undefined and null, JSON text for objects and arrays, `String(v)` otherwise.
    static func interpolation(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .object?, .array?: JSONSerializer.string(value ?? .null)
        case let value?: string(value)
        }
    }

    /// `value[name]` for a step path: object members, and `length` or an index on arrays.
    /// Anything else (strings included, as `typeof` is not `object`) gives undefined.
    static func member(of value: JSONValue?, named name: String) -> JSONValue? {
        switch value {
        case .object(let object)?: return object[name]
        case .array(let items)?:
            if name == "length" { return .number(Double(items.count)) }
            guard let index = arrayIndex(name), index < items.count else { return nil }
            return items[index]
        default: return nil
        }
    }

    /// A canonical array index (`0`, `12`; not `01`, `-1`, `1.0`).
    private static func arrayIndex(_ name: String) -> Int? {
        guard let first = name.utf8.first, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            first != 0x30 || name.utf8.count == 1
        else { return nil }
        return Int(name)
    }

    /// `a === b`, with one deliberate difference: objects and arrays compare by content, since
    /// values rebuilt from JSON have no identity to compare.
    static func strictEquals(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        a == b
    }

    /// JavaScript's abstract relational comparison `a < b`: strings compare by UTF-16 code
    /// units when both sides are strings (after `ToPrimitive`), otherwise both sides become
    /// numbers. `nil` when the comparison is undefined (a side is `NaN`).
    static func lessThan(_ a: JSONValue?, _ b: JSONValue?) -> Bool? {
        let (left, right) = (primitive(a), primitive(b))
        if case .string(let x)? = left, case .string(let y)? = right {
            return x.utf16.lexicographicallyPrecedes(y.utf16)
        }
        let (x, y) = (number(left), number(right))
        if x.isNaN || y.isNaN { return nil }
        return x < y
    }

    /// `ToPrimitive` with the number hint: arrays and objects become their `String(v)`.
    private static func primitive(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .array?, .object?: .string(string(value ?? .null))
        default: value
        }
    }

    /// `ToNumber` of a primitive.
    static func number(_ value: JSONValue?) -> Double {
        switch value {
        case nil: .nan
        case .null?: 0
        case .bool(let flag)?: flag ? 1 : 0
        case .number(let n)?: n
        case .string(let text)?: number(parsing: text)
        case .array?, .object?: number(primitive(value))
        }
    }

    /// `StringToNumber`: blank is 0, decimal literals and `Infinity`, `0x`/`0o`/`0b` integers.
    private static func number(parsing text: String) -> Double {
        let trimmed = trim(text)
        if trimmed.isEmpty { return 0 }
        switch trimmed {
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        let lower = trimmed.lowercased()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
            return UInt64(lower.dropFirst(2), radix: radix).map { Double($0) } ?? .nan
        }
        // Swift's parser also takes `inf`, `nan` and hex floats, which JavaScript does not.
        let allowed = Set("0123456789+-.eE")
        guard trimmed.allSatisfy({ allowed.contains($0) }) else { return .nan }
        return Double(trimmed) ?? .nan
    }

    /// `String.prototype.trim`: the text without leading and trailing whitespace.
    static func trim(_ text: String) -> String {
        var rest = Substring(text)
        while let first = rest.first, first.isWhitespace { rest.removeFirst() }
        while let last = rest.last, last.isWhitespace { rest.removeLast() }
        return String(rest)
    }
}
