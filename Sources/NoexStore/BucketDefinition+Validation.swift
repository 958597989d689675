internal import Foundation
internal import NoexWire

extension BucketDefinition {
    /// Validates `record` against the schema, in schema order, accumulating issues (spec A.5).
    func validate(_ record: JSONObject) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (name, field) in fields {
            let value = record[name]
            guard let value, !value.isNull else {
                if field.required { issues.append(ValidationIssue(field: name, message: "Field is required", code: "required")) }
                continue
            }
            guard Self.typeMatches(field.type, value) else {
                issues.append(ValidationIssue(
                    field: name, message: "Expected type \"\(field.type.rawValue)\", got \(value.kindName)", code: "type"))
                continue
            }
            if let allowed = field.enumValues, !allowed.contains(where: { Self.strictEquals($0, value) }) {
                issues.append(ValidationIssue(
                    field: name, message: "Value must be one of: \(allowed.map(\.jsString).joined(separator: ", "))",
                    code: "enum"))
            }
            if case .string(let s) = value {
                let length = s.utf16.count
                if let minLength = field.minLength, length < minLength {
                    issues.append(ValidationIssue(field: name, message: "Minimum length is \(minLength)", code: "minLength"))
                }
                if let maxLength = field.maxLength, length > maxLength {
                    issues.append(ValidationIssue(field: name, message: "Maximum length is \(maxLength)", code: "maxLength"))
                }
                if let pattern = field.compiledPattern, !pattern.matches(s) {
                    issues.append(ValidationIssue(
                        field: name, message: "Value must match pattern \"\(pattern.source)\"", code: "pattern"))
                }
                if let format = field.format, !FormatCheck.matches(format, s) {
                    issues.append(ValidationIssue(field: name, message: "Invalid \(format.rawValue) format", code: "format"))
                }
            }
            if case .number(let n) = value {
                if let min = field.min, n < min {
                    issues.append(ValidationIssue(field: name, message: "Minimum value is \(JSONText.formatNumber(min))", code: "min"))
                }
                if let max = field.max, n > max {
                    issues.append(ValidationIssue(field: name, message: "Maximum value is \(JSONText.formatNumber(max))", code: "max"))
                }
            }
        }
        return issues
    }

    /// Whether a non-null value has the declared type; `date` accepts any number or string
    /// (JSON has no Date objects).
    static func typeMatches(_ type: FieldType, _ value: JSONValue) -> Bool {
        switch (type, value) {
        case (.string, .string), (.number, .number), (.boolean, .bool), (.object, .object), (.array, .array):
            return true
        case (.date, .number), (.date, .string): return true
        default: return false
        }
    }

    /// JavaScript `===`: primitives by value, objects and arrays never equal (they would have
    /// to be the same reference, which values from JSON never are).
    static func strictEquals(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        default: return false
        }
    }
}

/// The `format` checks of spec A.5.
enum FormatCheck {
    static func matches(_ format: FieldFormat, _ s: String) -> Bool {
        switch format {
        case .email: return email(s)
        case .url: return url(s)
        case .isoDate: return isoDate(s)
        }
    }

    /// `local@domain.tld`: no whitespace, exactly one `@`, a dot in the domain part with
    /// non-empty text on both sides.
    static func email(_ s: String) -> Bool {
        guard !s.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex,
            domain.index(after: dot) != domain.endIndex
        else { return false }
        return true
    }

    private static let specialSchemes: Set<String> = ["http", "https", "ws", "wss", "ftp"]

    /// An approximation of "the WHATWG URL parser accepts it": a scheme, no whitespace or
    /// control characters, and a non-empty host for the special schemes.
    static func url(_ s: String) -> Bool {
        let trimmed = s.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":") else { return false }
        let scheme = trimmed[..<colon]
        guard let first = scheme.unicodeScalars.first, first.properties.isASCIIHexDigit || first.properties.isAlphabetic,
            first.isASCII, !(first >= "0" && first <= "9"),
            scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return false }
        let rest = trimmed[trimmed.index(after: colon)...]
        guard !rest.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else { return false }
        let lowerScheme = scheme.lowercased()
        if specialSchemes.contains(lowerScheme) {
            let afterSlashes = rest.drop(while: { $0 == "/" || $0 == "\\" })
            let authority = afterSlashes.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" && $0 != "\\" })
            let hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
            let host: Substring
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else { return false }
                host = hostPort[...close]
                let after = hostPort[hostPort.index(after: close)...]
                if !after.isEmpty {
                    guard after.hasPrefix(":"), after.dropFirst().allSatisfy(\.isNumber) else { return false }
                }
            } else {
                let pieces = hostPort.split(separator: ":", omittingEmptySubsequences: false)
                guard pieces.count <= 2 else { return false }
                host = pieces[0]
                if pieces.count == 2 {
                    guard pieces[1].allSatisfy(\.isNumber), (Int(pieces[1]) ?? 0) <= 65535 else { return false }
                }
            }
            guard !host.isEmpty, !host.contains(where: { "<>^|%\"".contains($0) }) else { return false }
        } else if lowerScheme == "file" {
            return true
        }
        return URL(string: trimmed) != nil || !rest.isEmpty
    }

    /// `YYYY-MM-DD[THH:MM:SS[.fff][Z|±HH:MM]]` whose date part equals the UTC calendar date
    /// of the instant. A time without a zone is read as UTC (the reference uses the host's
    /// zone; servers run in UTC).
    static func isoDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var v = 0
            for i in start..<(start + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 10, let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2),
            b[7] == UInt8(ascii: "-"), let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return false }
        var ms = 0
        var offsetMinutes = 0
        if b.count > 10 {
            guard b[10] == UInt8(ascii: "T"), b.count >= 19, let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
                let minute = digits(14, 2), b[16] == UInt8(ascii: ":"), let second = digits(17, 2),
                hour <= 23, minute <= 59, second <= 59
            else { return false }
            ms = ((hour * 60 + minute) * 60 + second) * 1000
            var i = 19
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                guard i > start else { return false }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"),
                        let om = digits(i + 4, 2), oh <= 23, om <= 59
                    else { return false }
                    offsetMinutes = (oh * 60 + om) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
                    i += 6
                } else {
                    return false
                }
            }
            guard i == b.count else { return false }
        }
        // Days since the epoch for the civil date (rolls Feb 30 over to March, like Date).
        let days = daysFromCivil(year, month, day)
        let instant = days * 86_400_000 + ms - offsetMinutes * 60_000
        let utcDays = Int((Double(instant) / 86_400_000).rounded(.down))
        let (y, m, d) = civilFromDays(utcDays)
        return y == year && m == month && d == day
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
