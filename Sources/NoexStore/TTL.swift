internal import Foundation
public import NoexWire

/// A record lifetime: milliseconds, or a `"30m"`-style string (`s`, `m`, `h`, `d`).
public struct TTL: Sendable, Hashable {
    /// The lifetime in milliseconds (> 0, finite).
    public let milliseconds: Double

    /// A lifetime of `milliseconds`.
    /// - Throws: `StoreError.invalidDefinition` with `TTL must be a positive finite number, got <v>`.
    public init(milliseconds: Double) throws(StoreError) {
        guard milliseconds > 0, milliseconds.isFinite else {
            throw .invalidDefinition("TTL must be a positive finite number, got \(JSONText.formatNumber(milliseconds))")
        }
        self.milliseconds = milliseconds
    }

    /// Parses `<digits>[.<digits>]` + optional spaces + unit `s`/`m`/`h`/`d` (e.g. `"1.5h"`).
    /// - Throws: `StoreError.invalidDefinition` with the spec's format or zero-value message.
    public init(_ text: String) throws(StoreError) {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var digits = ""
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while i < scalars.count, isDigit(scalars[i]) { digits.unicodeScalars.append(scalars[i]); i += 1 }
        var valid = !digits.isEmpty
        if valid, i < scalars.count, scalars[i] == "." {
            digits += "."
            i += 1
            let before = i
            while i < scalars.count, isDigit(scalars[i]) { digits.unicodeScalars.append(scalars[i]); i += 1 }
            valid = i > before
        }
        while i < scalars.count, scalars[i].properties.isWhitespace { i += 1 }
        var unit: Double = 0
        if valid, i == scalars.count - 1 {
            switch scalars[i] {
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            default: valid = false
            }
        } else {
            valid = false
        }
        guard valid, let value = Double(digits) else {
            throw .invalidDefinition(
                "Invalid TTL format \"\(text)\". Expected a number (ms) or string like \"30s\", \"5m\", \"1h\", \"7d\".")
        }
        guard value > 0 else { throw .invalidDefinition("TTL value must be positive, got \"\(text)\"") }
        // A string of hundreds of digits parses to infinity: refuse it rather than store it.
        guard (value * unit).isFinite else {
            throw .invalidDefinition("TTL must be a positive finite number, got \"\(text)\"")
        }
        milliseconds = value * unit
    }

    /// Parses the wire form: a number of milliseconds or a duration string.
    public init(json: JSONValue) throws(StoreError) {
        switch json {
        case .number(let n): try self.init(milliseconds: n)
        case .string(let s): try self.init(s)
        default:
            throw .invalidDefinition("TTL must be a positive finite number, got \(json.jsString)")
        }
    }
}
