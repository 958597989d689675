import NoexWire

/// The rules duration grammar: a number of milliseconds, or `<int>(ms|s|m|h|d|w|y)`.
enum RuleDuration {
    /// The longest accepted duration: 100 years. Longer values are rejected as invalid, which
    /// keeps every deadline computation (`now + duration`, nanosecond conversion) in range.
    static let maximum: Int64 = 3_153_600_000_000
    /// Whether a duration string passes validation: `^\d+(ms|s|m|h|d|w|y)$` or digits only.
    static func isValid(_ text: String) -> Bool { parse(text) != nil }

    /// Milliseconds for a duration string; digits alone mean milliseconds (the reference's
    /// validator accepts them and its runtime then fails; we accept them at runtime too).
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var i = 0
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        guard i > 0 else { return nil }
        let unit = String(decoding: bytes[i...], as: UTF8.self)
        let factor: Int64
        switch unit {
        case "", "ms": factor = 1
        case "s": factor = 1000
        case "m": factor = 60_000
        case "h": factor = 3_600_000
        case "d": factor = 86_400_000
        case "w": factor = 604_800_000
        case "y": factor = 31_536_000_000
        default: return nil
        }
        let (ms, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow || ms > maximum ? nil : ms
    }

    /// Milliseconds for a JSON duration (positive number or valid string), at least 1, or `nil`.
    static func milliseconds(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let n):
            guard n.isFinite, n > 0, n <= Double(maximum) else { return nil }
            return max(1, Int64(n.rounded(.up)))
        case .string(let s): return parse(s).map { max(1, $0) }
        default: return nil
        }
    }
}
