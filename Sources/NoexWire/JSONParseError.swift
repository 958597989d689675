/// Why a byte sequence is not a JSON text, and where the parser noticed.
///
/// The wire answers every parse failure with the same `PARSE_ERROR "Invalid JSON"`, so
/// `reason` and `offset` are for logs, config-file diagnostics and tests.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of defect the parser found.
    public enum Reason: Sendable, Hashable {
        /// The input ended before the JSON text was complete (including empty input).
        case unexpectedEndOfInput
        /// A byte that cannot start or continue the current construct.
        case unexpectedByte(UInt8)
        /// A malformed number: leading zero, missing digits, a lone `-`, and so on.
        case invalidNumber
        /// A backslash followed by something other than `" \ / b f n r t u`.
        case invalidEscape
        /// A `\u` escape without four hexadecimal digits.
        case invalidUnicodeEscape
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        case controlCharacterInString
        /// A string containing bytes that are not well-formed UTF-8 (reported at the first
        /// bad sequence, or at the string's first content byte when it also has escapes).
        case invalidUTF8
        /// Arrays and objects nested deeper than ``JSONParser/maximumDepth``.
        case nestingTooDeep
        /// Non-whitespace after a complete JSON value.
        case trailingCharacters
    }

    /// The byte offset in the input at which the defect was detected.
    public var offset: Int
    /// The kind of defect.
    public var reason: Reason

    /// Creates a parse error.
    /// - Parameters:
    ///   - offset: the byte offset of the defect.
    ///   - reason: the kind of defect.
    @inlinable public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// A one-line English description, e.g. `Unexpected character '}' at position 7`.
    public var description: String {
        switch reason {
        case .unexpectedEndOfInput: return "Unexpected end of JSON input"
        case .unexpectedByte(let byte):
            if byte >= 0x21 && byte < 0x7F {
                return "Unexpected character '\(Character(Unicode.Scalar(byte)))' at position \(offset)"
            }
            let hex = String(byte, radix: 16, uppercase: true)
            return "Unexpected byte 0x\(byte < 0x10 ? "0" : "")\(hex) at position \(offset)"
        case .invalidNumber: return "Invalid number at position \(offset)"
        case .invalidEscape: return "Invalid escape sequence at position \(offset)"
        case .invalidUnicodeEscape: return "Invalid Unicode escape sequence at position \(offset)"
        case .controlCharacterInString: return "Bad control character in string literal at position \(offset)"
        case .invalidUTF8: return "Invalid UTF-8 in string literal at position \(offset)"
        case .nestingTooDeep: return "JSON nested too deeply at position \(offset)"
        case .trailingCharacters: return "Unexpected non-whitespace character after JSON at position \(offset)"
        }
    }
}
