/// The parser's cursor over one input buffer: a byte index, the nesting depth and two
/// scratch stacks reused across the whole document so that parsing allocates only for the
/// values it returns.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    let count: Int
    var index = 0
    var depth = 0
    /// Decoded bytes of the current string when it contains escapes.
    var scratch: [UInt8] = []
    /// Fingerprints of the keys of the objects being parsed, innermost object last; used to
    /// find duplicate keys without comparing strings.
    var keyPrints: [UInt64] = []
    /// Whether short strings can be built in place (``SmallString/isLayoutVerified``), read
    /// once per document rather than once per string.
    let smallStrings = SmallString.isLayoutVerified
    /// Whether number literals are range-checked (``JSONParser/parse(_:numbersOutOfRange:)``):
    /// a literal that becomes ±infinity, or is longer than ``JSONParser/maximumNumberLength``
    /// (then not converted at all), sets ``numberOutOfRange``.
    let checksNumberRange: Bool
    /// Set when a range-checked literal was out of range.
    var numberOutOfRange = false

    /// Objects with more members than this switch from a linear duplicate-key scan to a
    /// hash table, so that a huge object cannot make parsing quadratic.
    static let linearKeyLimit = 32

    init(_ bytes: UnsafeRawBufferPointer, checksNumberRange: Bool = false) {
        self.bytes = bytes
        self.count = bytes.count
        self.checksNumberRange = checksNumberRange
    }

    /// Parses the whole buffer as exactly one value surrounded by optional whitespace.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == count else {
            throw JSONParseError(offset: index, reason: .trailingCharacters)
        }
        return value
    }

    // MARK: Structure

    @inline(__always)
    mutating func skipWhitespace() {
        while index < count {
            let byte = bytes[index]
            // Every structural byte and value start is above 0x20: one compare in the common case.
            if byte > 0x20 { return }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    @inline(__always)
    func endOfInput() -> JSONParseError {
        JSONParseError(offset: count, reason: .unexpectedEndOfInput)
    }

    @inline(__always)
    func unexpected(at offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, reason: .unexpectedByte(bytes[offset]))
    }

    /// Parses the value starting at `index` (whitespace already skipped).
    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < count else { throw endOfInput() }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            index += 1
            let scanned = try scanString()
            return .string(try makeString(scanned))
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw unexpected(at: index)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        for k in 0..<length {
            let i = index + k
            guard i < count else { throw endOfInput() }
            guard bytes[i] == expected[k] else { throw unexpected(at: i) }
        }
        index += length
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw JSONParseError(offset: index, reason: .nestingTooDeep)
        }
        index += 1
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        skipWhitespace()
        guard index < count else { throw endOfInput() }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        var elements: [JSONValue] = []
        elements.reserveCapacity(4)
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard index < count else { throw endOfInput() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") {
                skipWhitespace()
                continue
            }
            if byte == UInt8(ascii: "]") { break }
            throw unexpected(at: index - 1)
        }
        depth -= 1
        return .array(elements)
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        skipWhitespace()
        guard index < count else { throw endOfInput() }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject())
        }
        var members: [JSONObject.Member] = []
        members.reserveCapacity(8)
        // Key fingerprints: the first ones in the frame (no allocation for typical objects),
        // the next ones on the reader's shared stack, and past `linearKeyLimit` a hash table.
        var inlinePrints = InlineArray<16, UInt64>(repeating: 0)
        let printBase = keyPrints.count
        var table: [ByteKey: Int]? = nil
        while true {
            guard index < count else { throw endOfInput() }
            guard bytes[index] == UInt8(ascii: "\"") else { throw unexpected(at: index) }
            index += 1
            let scanned = try scanString()
            let (key, print) = try makeKey(scanned)
            skipWhitespace()
            guard index < count else { throw endOfInput() }
            guard bytes[index] == UInt8(ascii: ":") else { throw unexpected(at: index) }
            index += 1
            skipWhitespace()
            let value = try parseValue()

            // Duplicate keys: the last value wins, in the first key's position (JS semantics).
            if table == nil {
                var duplicate = -1
                let memberCount = members.count
                for m in 0..<memberCount {
                    let existing = m < inlinePrints.count ? inlinePrints[m] : keyPrints[printBase + m - inlinePrints.count]
                    if existing == print, members[m].key.utf8.elementsEqual(key.utf8) {
                        duplicate = m
                        break
                    }
                }
                if duplicate >= 0 {
                    members[duplicate].value = value
                } else {
                    if memberCount < inlinePrints.count {
                        inlinePrints[memberCount] = print
                    } else {
                        keyPrints.append(print)
                    }
                    members.append(JSONObject.Member(key: key, value: value))
                    if members.count > Self.linearKeyLimit {
                        var built: [ByteKey: Int] = [:]
                        built.reserveCapacity(members.count * 2)
                        for (i, member) in members.enumerated() { built[ByteKey(member.key)] = i }
                        table = built
                    }
                }
            } else {
                let byteKey = ByteKey(key)
                if let existing = table?[byteKey] {
                    members[existing].value = value
                } else {
                    table?[byteKey] = members.count
                    members.append(JSONObject.Member(key: key, value: value))
                }
            }

            skipWhitespace()
            guard index < count else { throw endOfInput() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ",") {
                skipWhitespace()
                continue
            }
            if byte == UInt8(ascii: "}") { break }
            throw unexpected(at: index - 1)
        }
        if keyPrints.count > printBase { keyPrints.removeSubrange(printBase...) }
        depth -= 1
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// A string key compared and hashed by its UTF-8 bytes, as JavaScript compares keys by code
/// units; Swift's `String ==` would merge canonically equivalent but different keys.
struct ByteKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            hasher.combine(bytes: UnsafeRawBufferPointer(utf8))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
        hasher.combine(string.utf8.count)
    }
}
