/// A strict JSON parser with the semantics of JavaScript's `JSON.parse` (RFC 8259).
///
/// - Whitespace is exactly space, tab, line feed and carriage return; no comments, no
///   trailing commas, no leading zeros, no `NaN`/`Infinity`, no byte-order mark.
/// - Numbers become correctly rounded `Double`s (`1e400` becomes infinity, as in JS).
/// - Duplicate object keys: the last value wins and the member keeps the position of the
///   first occurrence, as in JS. Keys are compared by their UTF-8 bytes (JS compares code
///   units), not by Swift's canonical equivalence.
/// - `\u` escapes, including surrogate pairs, are decoded. A lone surrogate escape (which JS
///   keeps in its UTF-16 string) cannot be held by a Swift `String`, so it becomes U+FFFD.
/// - Input must be well-formed UTF-8; arrays and objects nest at most ``maximumDepth`` deep.
///
/// Every malformed input gives a ``JSONParseError``; no input crashes or hangs the parser.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted; deeper input is rejected with
    /// ``JSONParseError/Reason/nestingTooDeep`` instead of exhausting the stack.
    public static let maximumDepth = 512

    /// The longest number literal ``parse(_:numbersOutOfRange:)`` converts, in bytes; a longer
    /// one counts as out of range. 1,100 bytes hold any `Double` written out exactly as a plain
    /// decimal (the longest, -2^-1074, takes 1,077 characters: 2^-n has n decimal places).
    public static let maximumNumberLength = 1_100

    /// Parses one JSON text from raw bytes.
    /// - Parameter bytes: the UTF-8 encoded JSON text.
    /// - Returns: the parsed value.
    /// - Throws: ``JSONParseError`` when `bytes` is not exactly one JSON value surrounded by
    ///   optional whitespace.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes)
        return try reader.parseDocument()
    }

    /// Parses one JSON text from raw bytes and reports numbers a `Double` cannot hold.
    ///
    /// ``parse(_:)`` follows JavaScript: `1e400` becomes infinity, which
    /// JSON cannot write back (it would be sent and stored as `null`). A server that must refuse
    /// such input parses with this variant and rejects the message when `numbersOutOfRange` is set:
    /// a literal whose value is ±infinity, or one longer than ``maximumNumberLength`` bytes
    /// (which is then not converted, so a 100,000-digit number costs only its scan). The value
    /// returned holds ±infinity in its place.
    /// - Parameters:
    ///   - bytes: the UTF-8 encoded JSON text.
    ///   - numbersOutOfRange: set to true when at least one number literal was out of range.
    /// - Returns: the parsed value.
    /// - Throws: ``JSONParseError`` as ``parse(_:)`` does.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, numbersOutOfRange: inout Bool
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes, checksNumberRange: true)
        let value = try reader.parseDocument()
        numbersOutOfRange = reader.numberOutOfRange
        return value
    }

    /// Parses one JSON text from a byte array.
    /// - Parameter bytes: the UTF-8 encoded JSON text.
    /// - Returns: the parsed value.
    /// - Throws: ``JSONParseError`` when `bytes` is not a JSON text.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try parse(raw) }
        }
        return try result.get()
    }

    /// Parses one JSON text from a string.
    /// - Parameter text: the JSON text.
    /// - Returns: the parsed value.
    /// - Throws: ``JSONParseError`` when `text` is not a JSON text.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) -> JSONValue in try parse(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }
}
