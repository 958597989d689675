/// Writes compact JSON straight into a byte buffer, for hot responses that should not build
/// a `JSONValue` tree first.
///
/// The writer inserts commas itself: after a value, the next value or key is preceded by
/// `,`; after `key(_:)`, the value is not. It does not check that calls form a well-formed
/// document (a key outside an object, a missing `endObject()`): callers are server code
/// with fixed shapes, and checking would cost on every call. Output matches
/// ``JSONSerializer`` byte for byte.
///
/// ```swift
/// var writer = JSONWriter(bytes: outbound)        // append to an existing buffer
/// writer.beginObject()
/// writer.key("id"); writer.number(17)
/// writer.key("type"); writer.string("result")
/// writer.key("data"); writer.value(record)
/// writer.endObject()
/// outbound = writer.bytes                        // {"id":17,"type":"result","data":{...}}
/// ```
public struct JSONWriter: Sendable {
    /// The bytes written so far (including any the writer was created with).
    public var bytes: [UInt8]

    /// Whether the next key or value must be preceded by a comma.
    @usableFromInline internal var needsComma = false

    /// ``SmallString/isLayoutVerified``, read once per writer rather than once per string.
    @usableFromInline internal let smallStrings = SmallString.isLayoutVerified

    /// Creates a writer with an empty buffer.
    /// - Parameter capacity: bytes to reserve up front.
    @inlinable public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Creates a writer that appends to existing bytes (e.g. a frame header already written).
    /// - Parameter bytes: the buffer to append to; pass it with `consume` to avoid a copy.
    @inlinable public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Empties the buffer (keeping its capacity) so the writer can start the next document.
    /// Reusing one writer per connection avoids an allocation per message.
    @inlinable public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    @inlinable @inline(__always)
    mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// The byte that must precede the next key or value: a comma, or 0 for none.
    @inlinable @inline(__always)
    var separator: UInt8 { needsComma ? UInt8(ascii: ",") : 0 }

    /// Opens an object (`{`).
    @inlinable public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Closes the innermost object (`}`).
    @inlinable public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Opens an array (`[`).
    @inlinable public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Closes the innermost array (`]`).
    @inlinable public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an object key and its colon; the next call writes the member's value.
    /// - Parameter key: the key, escaped as needed.
    @inlinable public mutating func key(_ key: String) {
        JSONSerializer.appendString(
            key, to: &bytes, leading: separator, trailing: UInt8(ascii: ":"), smallStrings: smallStrings)
        needsComma = false
    }

    /// Writes a string value.
    /// - Parameter string: the string, escaped as needed.
    @inlinable public mutating func string(_ string: String) {
        JSONSerializer.appendString(string, to: &bytes, leading: separator, smallStrings: smallStrings)
        needsComma = true
    }

    /// Writes a number value with JavaScript formatting (`null` for NaN and infinities).
    /// - Parameter number: the number.
    @inlinable public mutating func number(_ number: Double) {
        JSONSerializer.appendNumber(number, to: &bytes, leading: separator)
        needsComma = true
    }

    /// Writes an integer value. Integers beyond ±2^53 are written as the `Double` a
    /// JavaScript peer would see (e.g. `9007199254740993` becomes `9007199254740992`).
    /// - Parameter number: the integer.
    @inlinable public mutating func number(_ number: Int) {
        if number.magnitude <= 9_007_199_254_740_992 {
            JSONSerializer.appendInteger(Int64(number), to: &bytes, leading: separator)
        } else {
            JSONSerializer.appendNumber(Double(number), to: &bytes, leading: separator)
        }
        needsComma = true
    }

    /// Writes `true` or `false`.
    /// - Parameter flag: the boolean.
    @inlinable public mutating func bool(_ flag: Bool) {
        separate()
        JSONSerializer.appendASCII(flag ? "true" : "false", to: &bytes)
        needsComma = true
    }

    /// Writes `null`.
    @inlinable public mutating func null() {
        separate()
        JSONSerializer.appendASCII("null", to: &bytes)
        needsComma = true
    }

    /// Writes a whole value tree.
    /// - Parameter value: the value, rendered as ``JSONSerializer`` renders it.
    @inlinable public mutating func value(_ value: JSONValue) {
        separate()
        JSONSerializer.serialize(value, into: &bytes, smallStrings: smallStrings)
        needsComma = true
    }

    /// Writes bytes that already are one complete JSON value (e.g. a cached serialization).
    /// The bytes are not checked.
    /// - Parameter preSerialized: the JSON text of one value.
    @inlinable public mutating func raw(_ preSerialized: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: preSerialized)
        needsComma = true
    }

    /// Writes a member `"key":"string"`.
    @inlinable public mutating func member(_ key: String, _ string: String) {
        self.key(key)
        self.string(string)
    }

    /// Writes a member `"key":number`.
    @inlinable public mutating func member(_ key: String, _ number: Double) {
        self.key(key)
        self.number(number)
    }

    /// Writes a member `"key":integer`.
    @inlinable public mutating func member(_ key: String, _ number: Int) {
        self.key(key)
        self.number(number)
    }

    /// Writes a member `"key":value`.
    @inlinable public mutating func member(_ key: String, _ value: JSONValue) {
        self.key(key)
        self.value(value)
    }
}
