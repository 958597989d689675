internal import Foundation
internal import NoexWire

/// A small JSON writer and reader used by the persistence adapters and for canonical keys.
///
/// NoexWire has no codec yet; this one is internal to the store and only has to round-trip
/// what the store itself writes (plus survive a torn last line of a log).
enum JSONText {
    /// Serialises `value`; with `sortedKeys` object members are written in key order, which
    /// makes the text a canonical form of the value (used for SQLite key columns).
    static func serialize(_ value: JSONValue, sortedKeys: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, sortedKeys: sortedKeys)
        return String(decoding: out, as: UTF8.self)
    }

    /// Serialises an object (see `serialize(_:sortedKeys:)`).
    static func serialize(_ object: JSONObject, sortedKeys: Bool = false) -> String {
        serialize(.object(object), sortedKeys: sortedKeys)
    }

    /// Appends the UTF-8 JSON text of `value` to `out`.
    static func write(_ value: JSONValue, into out: inout [UInt8], sortedKeys: Bool) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n):
            if n == n.rounded(.towardZero), abs(n) <= 9_007_199_254_740_992 {
                writeInteger(Int64(n), into: &out)
            } else {
                out.append(contentsOf: formatNumber(n).utf8)
            }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let members = sortedKeys ? object.members.sorted { $0.key < $1.key } : object.members
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        // Up to 16 digits: a small string, no heap allocation.
        out.append(contentsOf: String(value).utf8)
    }

    /// Formats a number as JavaScript's `String(n)` does for the values the store meets:
    /// integers without a fraction, others in Swift's shortest round-tripping form.
    static func formatNumber(_ n: Double) -> String {
        if n.isNaN { return "NaN" }
        if n.isInfinite { return n > 0 ? "Infinity" : "-Infinity" }
        if n == n.rounded(.towardZero), abs(n) < 1e21 {
            if n == 0 { return "0" }
            if abs(n) <= 9_007_199_254_740_992 { return String(Int64(n)) }
            return String(format: "%.0f", n)
        }
        var s = "\(n)"
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// Appends a quoted, escaped string. Most strings need no escaping and are copied whole.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var copy = s
        copy.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                switch b {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case 0x0A: out.append(contentsOf: "\\n".utf8)
                case 0x0D: out.append(contentsOf: "\\r".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0xF)])
                }
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A parse failure with the byte offset where it happened.
    struct ParseError: Error { let offset: Int }

    /// Parses one JSON text.
    static func parse(_ text: String) throws(ParseError) -> JSONValue {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer throws(ParseError) in
            var parser = Parser(bytes: UnsafeBufferPointer(buffer))
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw ParseError(offset: parser.index) }
            return value
        }
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ literal: String) throws(ParseError) {
            for b in literal.utf8 {
                guard index < bytes.count, bytes[index] == b else { throw ParseError(offset: index) }
                index += 1
            }
        }

        mutating func parseValue(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 512 else { throw ParseError(offset: index) }
            skipWhitespace()
            guard index < bytes.count else { throw ParseError(offset: index) }
            switch bytes[index] {
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONValue] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    items.append(try parseValue(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw ParseError(offset: index) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                    throw ParseError(offset: index)
                }
            case UInt8(ascii: "{"):
                index += 1
                var object = JSONObject()
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw ParseError(offset: index) }
                    let key = try parseString()
                    skipWhitespace()
                    try expect(":")
                    object[key] = try parseValue(depth: depth + 1)
                    skipWhitespace()
                    guard index < bytes.count else { throw ParseError(offset: index) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
                    throw ParseError(offset: index)
                }
            default:
                return .number(try parseNumber())
            }
        }

        mutating func parseNumber() throws(ParseError) -> Double {
            let start = index
            while index < bytes.count {
                let b = bytes[index]
                if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                {
                    index += 1
                } else {
                    break
                }
            }
            guard index > start,
                let n = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            else { throw ParseError(offset: start) }
            return n
        }

        mutating func parseHex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw ParseError(offset: index) }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let d: UInt32
                switch b {
                case 0x30...0x39: d = UInt32(b - 0x30)
                case 0x41...0x46: d = UInt32(b - 0x41 + 10)
                case 0x61...0x66: d = UInt32(b - 0x61 + 10)
                default: throw ParseError(offset: index)
                }
                v = v * 16 + d
                index += 1
            }
            return v
        }

        mutating func parseString() throws(ParseError) -> String {
            index += 1  // opening quote
            var raw: [UInt8] = []
            while true {
                guard index < bytes.count else { throw ParseError(offset: index) }
                let b = bytes[index]
                index += 1
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") {
                    guard index < bytes.count else { throw ParseError(offset: index) }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""): raw.append(0x22)
                    case UInt8(ascii: "\\"): raw.append(0x5C)
                    case UInt8(ascii: "/"): raw.append(0x2F)
                    case UInt8(ascii: "b"): raw.append(0x08)
                    case UInt8(ascii: "f"): raw.append(0x0C)
                    case UInt8(ascii: "n"): raw.append(0x0A)
                    case UInt8(ascii: "r"): raw.append(0x0D)
                    case UInt8(ascii: "t"): raw.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if code >= 0xD800, code < 0xDC00, index + 6 <= bytes.count, bytes[index] == 0x5C,
                            bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            let low = try parseHex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low &- 0xDC00)
                        }
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        raw.append(contentsOf: Array(String(scalar).utf8))
                    default: throw ParseError(offset: index)
                    }
                } else {
                    raw.append(b)
                }
            }
            return String(decoding: raw, as: UTF8.self)
        }
    }
}
