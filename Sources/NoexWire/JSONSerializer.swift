/// Renders `JSONValue`s as compact JSON text, byte for byte what JavaScript's
/// `JSON.stringify(value)` produces for the same value.
///
/// - Numbers follow ECMAScript `Number::toString`: integers print without a fraction,
///   other values in the shortest form that round-trips, plain decimal for magnitudes in
///   [1e-6, 1e21) and `1.5e-7` / `1e+21` style outside; `-0` prints `0`; NaN and the
///   infinities print `null`.
/// - Strings escape `"` `\` and the control characters (`\b \f \n \r \t`, others as
///   `\u00XX` lowercase); everything else is written as raw UTF-8.
/// - Object members keep their order.
///
/// Recursion follows the value's nesting; parsed values are at most
/// ``JSONParser/maximumDepth`` deep.
public enum JSONSerializer {
    /// Serializes a value into a new byte array.
    /// - Parameter value: the value to render.
    /// - Returns: the UTF-8 JSON text.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(128)
        serialize(value, into: &buffer)
        return buffer
    }

    /// Appends a value's JSON text to `buffer`.
    /// - Parameters:
    ///   - value: the value to render.
    ///   - buffer: the buffer to append to; its existing bytes are kept.
    public static func serialize(_ value: JSONValue, into buffer: inout [UInt8]) {
        serialize(value, into: &buffer, smallStrings: SmallString.isLayoutVerified)
    }

    /// Appends a value's JSON text to `buffer`; `smallStrings` is
    /// ``SmallString/isLayoutVerified``, read once per document.
    @usableFromInline
    static func serialize(_ value: JSONValue, into buffer: inout [UInt8], smallStrings: Bool) {
        switch value {
        case .null:
            appendASCII("null", to: &buffer)
        case .bool(let flag):
            appendASCII(flag ? "true" : "false", to: &buffer)
        case .number(let number):
            appendNumber(number, to: &buffer)
        case .string(let string):
            appendString(string, to: &buffer, smallStrings: smallStrings)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                serialize(element, into: &buffer, smallStrings: smallStrings)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            var leading = UInt8(ascii: "{")
            for member in object.storage {
                // The `{` or `,` before a key and the `:` after it go in the key's own write.
                appendString(
                    member.key, to: &buffer, leading: leading, trailing: UInt8(ascii: ":"), smallStrings: smallStrings)
                leading = UInt8(ascii: ",")
                serialize(member.value, into: &buffer, smallStrings: smallStrings)
            }
            if leading == UInt8(ascii: "{") { buffer.append(leading) }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Serializes a value into a `String`.
    /// - Parameter value: the value to render.
    /// - Returns: the JSON text.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: serialize(value), as: UTF8.self)
    }
}
