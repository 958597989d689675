import NoexWire

/// What `{{ }}` references and `if` refs read during one call (spec-identity §6.3): the call
/// input and the results stored so far under each step's `as`.
struct ProcedureScope: Sendable {
    /// The validated input, defaults applied.
    var input: JSONObject
    /// Step results by `as` name, in the order the names were first set.
    var results: JSONObject = [:]

    /// Resolves a bare dotted path: `input.a.b` reads the input, `name` or `name.path` a step
    /// result. A missing or null link anywhere gives undefined (`nil`); arrays answer `length`
    /// and indexes.
    func resolve(ref path: String) -> JSONValue? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var current: JSONValue?
        if parts[0] == "input" {
            current = .object(input)
        } else {
            current = results[parts[0]]
            if parts.count == 1 { return current }
        }
        for part in parts.dropFirst() {
            current = JSSemantics.member(of: current, named: part)
            if current == nil { return nil }
        }
        return current
    }

    /// Resolves every template in a value, recursively through objects and arrays.
    ///
    /// A string that is exactly one template becomes the referenced value itself (so a number
    /// stays a number); templates inside a longer string are interpolated as text. Object
    /// members that resolve to undefined are left out; array items that do become null, as
    /// `JSON.stringify` would write them.
    /// - Returns: the resolved value, `nil` for undefined.
    func resolve(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .string(let text): return resolve(text: text)
        case .array(let items): return .array(items.map { resolve($0) ?? .null })
        case .object(let object): return .object(resolve(object))
        default: return value
        }
    }

    /// Resolves every member of an object, dropping those that resolve to undefined.
    func resolve(_ object: JSONObject) -> JSONObject {
        var resolved = JSONObject(minimumCapacity: object.count)
        for (key, member) in object {
            if let value = resolve(member) { resolved.appendUnchecked(key: key, value: value) }
        }
        return resolved
    }

    private func resolve(text: String) -> JSONValue? {
        guard text.utf8.contains(UInt8(ascii: "{")) else { return .string(text) }
        let matches = TemplateMatch.all(in: text)
        guard let first = matches.first else { return .string(text) }
        let bytes = Array(text.utf8)
        if matches.count == 1, first.start == 0, first.end == bytes.count {
            return resolve(ref: first.exactPath)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        for match in matches {
            output.append(contentsOf: bytes[position..<match.start])
            output.append(contentsOf: JSSemantics.interpolation(resolve(ref: match.trimmedPath)).utf8)
            position = match.end
        }
        output.append(contentsOf: bytes[position...])
        return .string(String(decoding: output, as: UTF8.self))
    }
}

/// One `{{ path }}` occurrence: the text between `{{` and the first `}`, which must be
/// followed by a second `}` (the pattern `\{\{\s*([^}]+?)\s*\}\}`).
struct TemplateMatch: Sendable, Hashable {
    /// UTF-8 offset of the opening `{{`.
    var start: Int
    /// UTF-8 offset just past the closing `}}`.
    var end: Int
    /// The text between the braces.
    var content: String

    /// The path of a whole-string template: surrounding whitespace removed, but never empty
    /// (all-blank content keeps its last character, as the pattern's lazy group does).
    var exactPath: String {
        let trimmed = JSSemantics.trim(content)
        if trimmed.isEmpty, let last = content.last { return String(last) }
        return trimmed
    }

    /// The path of a template inside a longer string: the content, trimmed.
    var trimmedPath: String { JSSemantics.trim(content) }

    /// Every non-overlapping occurrence, left to right.
    static func all(in text: String) -> [TemplateMatch] {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var matches: [TemplateMatch] = []
        var bytes: [UInt8] = []
        var index = 0
        for byte in text.utf8 { bytes.append(byte) }
        while index + 1 < bytes.count {
            guard bytes[index] == open, bytes[index + 1] == open,
                let closing = bytes[(index + 2)...].firstIndex(of: close),
                closing > index + 2, closing + 1 < bytes.count, bytes[closing + 1] == close
            else {
                index += 1
                continue
            }
            let content = String(decoding: bytes[(index + 2)..<closing], as: UTF8.self)
            matches.append(TemplateMatch(start: index, end: closing + 2, content: content))
            index = closing + 2
        }
        return matches
    }
}
