import NoexWire

/// `{ref}` values and `${…}` templates (spec-store-rules C.6).
enum References {
    /// Reads a dot path (`a.b.0.c`) below `root`; numeric segments index arrays.
    static func path(_ path: Substring, in root: JSONValue) -> JSONValue? {
        if path.isEmpty { return root }
        if !path.utf8.contains(UInt8(ascii: ".")) { return self.path(segments: CollectionOfOne(path), in: root) }
        return self.path(segments: path.split(separator: ".", omittingEmptySubsequences: false), in: root)
    }

    /// Reads a path already split into segments.
    static func path<Segments: Collection<Substring>>(segments: Segments, in root: JSONValue) -> JSONValue? {
        var current: JSONValue = root
        for segment in segments {
            switch current {
            case .object(let o):
                guard let next = o[String(segment)] else { return nil }
                current = next
            case .array(let a):
                if segment == "length" { current = .number(Double(a.count)); continue }
                guard let i = Int(segment), a.indices.contains(i) else { return nil }
                current = a[i]
            case .string(let s) where segment == "length":
                current = .number(Double(s.utf16.count))
            default: return nil
            }
        }
        return current
    }

    /// Resolves `src.path` in `context`; `nil` means undefined.
    /// - Throws: ``ActionFailure`` `Unknown reference source: <s>`.
    static func resolve(_ reference: String, _ context: ExecutionContext, facts: (String) -> JSONValue?) throws(ActionFailure)
        -> JSONValue?
    {
        let source: Substring
        let rest: Substring
        if let dot = reference.firstIndex(of: ".") {
            source = reference[..<dot]
            rest = reference[reference.index(after: dot)...]
        } else {
            source = reference[...]
            rest = ""
        }
        switch source {
        case "event", "trigger":
            return path(rest, in: .object(context.triggerData))
        case "fact":
            // The whole remainder is the key (keys contain `:`, rarely `.`), templates first.
            let key = hasTemplate(rest) ? try interpolate(String(rest), context, facts: facts) : String(rest)
            return facts(key)
        case "var":
            return path(rest, in: .object(context.variables))
        case "lookup":
            return path(rest, in: .object(context.lookups))
        case "matched":
            guard let dot = rest.firstIndex(of: "."), let i = Int(rest[..<dot]) else {
                guard let i = Int(rest), context.matchedData.indices.contains(i) else { return nil }
                return .object(context.matchedData[i])
            }
            guard context.matchedData.indices.contains(i) else { return nil }
            return path(rest[rest.index(after: dot)...], in: .object(context.matchedData[i]))
        default:
            throw ActionFailure(message: "Unknown reference source: \(source)")
        }
    }

    /// The reference string of a `{ref: "…"}` object, or `nil` for any other value.
    static func referenceString(_ value: JSONValue) -> String? {
        if case .object(let o) = value, let ref = o["ref"]?.stringValue { return ref }
        return nil
    }

    /// A value as an action sees it: a top-level `{ref}` is resolved (undefined becomes
    /// `null`), anything else is returned as written.
    static func value(_ value: JSONValue, _ context: ExecutionContext, facts: (String) -> JSONValue?) throws(ActionFailure)
        -> JSONValue
    {
        guard let ref = referenceString(value) else { return value }
        return try resolve(ref, context, facts: facts) ?? .null
    }

    /// An object whose top-level `{ref}` members are resolved.
    static func object(_ object: JSONObject, _ context: ExecutionContext, facts: (String) -> JSONValue?) throws(ActionFailure)
        -> JSONObject
    {
        var result = JSONObject(minimumCapacity: object.count)
        for member in object.members {
            result.appendUnchecked(key: member.key, value: try value(member.value, context, facts: facts))
        }
        return result
    }

    /// Replaces every `${path}` in `template` with the JavaScript string form of its value
    /// (undefined and null become the empty string).
    static func interpolate(_ template: String, _ context: ExecutionContext, facts: (String) -> JSONValue?) throws(ActionFailure)
        -> String
    {
        guard hasTemplate(template) else { return template }
        var output = ""
        var rest = template.utf8[...]
        let dollar = UInt8(ascii: "$"), open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        while let start = rest.indices.first(where: { rest[$0] == dollar && rest.index(after: $0) < rest.endIndex && rest[rest.index(after: $0)] == open }) {
            output += String(Substring(rest[..<start]))
            let afterOpen = rest[rest.index(start, offsetBy: 2)...]
            guard let end = afterOpen.firstIndex(of: close) else {
                output += String(Substring(rest[start...]))
                return output
            }
            let expression = Substring(afterOpen[..<end]).trimmingSpaces
            output += jsString(try resolve(String(expression), context, facts: facts))
            rest = afterOpen[afterOpen.index(after: end)...]
        }
        output += String(Substring(rest))
        return output
    }

    /// Whether the text contains `${` (a byte scan; Foundation's `contains` is much slower).
    static func hasTemplate<S: StringProtocol>(_ text: S) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") && previous == UInt8(ascii: "$") { return true }
            previous = byte
        }
        return false
    }

    /// JavaScript `String(value ?? '')`.
    static func jsString(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case .number(let n)?: return jsNumber(n)
        case .object?: return "[object Object]"
        case .array(let items)?:
            // Array.prototype.join: null and undefined elements become empty strings.
            return items.map { jsString($0) }.joined(separator: ",")
        }
    }

    /// A number as JavaScript prints it for the common cases (integers without `.0`).
    static func jsNumber(_ n: Double) -> String {
        if n.isNaN { return "NaN" }
        if n.isInfinite { return n > 0 ? "Infinity" : "-Infinity" }
        if n == n.rounded(.towardZero), abs(n) < 1e18 { return String(Int64(n)) }
        return n.description
    }
}
