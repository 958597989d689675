import NoexWire

/// The YAML loader's defaults and reference shorthand, applied to a JSON rule object.
enum RuleFileNormalizer {
    static func rule(_ input: JSONObject) -> JSONObject {
        var rule = input
        if rule["name"] == nil, let id = rule["id"] { rule["name"] = id }
        if rule["priority"] == nil { rule["priority"] = 0 }
        if rule["enabled"] == nil { rule["enabled"] = true }
        if rule["tags"] == nil { rule["tags"] = [] }
        if rule["conditions"] == nil { rule["conditions"] = [] }
        if let conditions = rule["conditions"]?.arrayValue { rule["conditions"] = .array(conditions.map(condition)) }
        if let actions = rule["actions"]?.arrayValue { rule["actions"] = .array(actions.map(action)) }
        if let lookups = rule["lookups"]?.arrayValue {
            rule["lookups"] = .array(
                lookups.map { item in
                    guard var o = item.objectValue else { return item }
                    if let args = o["args"]?.arrayValue { o["args"] = .array(args.map(shorthand)) }
                    return .object(o)
                })
        }
        return rule
    }

    /// `"${path}"` (the whole string) becomes `{ref: path}`.
    static func shorthand(_ value: JSONValue) -> JSONValue {
        guard case .string(let s) = value, s.hasPrefix("${"), s.hasSuffix("}"), s.count > 3 else { return value }
        let inner = s.dropFirst(2).dropLast()
        guard !References.hasTemplate(inner), !inner.utf8.contains(UInt8(ascii: "}")) else { return value }
        return .object(["ref": .string(String(inner.trimmingSpaces))])
    }

    static func condition(_ value: JSONValue) -> JSONValue {
        guard var c = value.objectValue else { return value }
        if let op = c["operator"]?.stringValue, op == "exists" || op == "not_exists", c["value"] == nil {
            c["value"] = true
        }
        if let v = c["value"] { c["value"] = shorthand(v) }
        return .object(c)
    }

    static func action(_ value: JSONValue) -> JSONValue {
        guard var a = value.objectValue else { return value }
        func list(_ key: String) {
            if let items = a[key]?.arrayValue { a[key] = .array(items.map(action)) }
        }
        switch a["type"]?.stringValue {
        case "set_fact":
            if let v = a["value"] { a["value"] = shorthand(v) }
        case "emit_event":
            a["data"] = .object(shorthandMembers(a["data"]?.objectValue ?? [:]))
        case "set_timer":
            if var timer = a["timer"]?.objectValue {
                if var onExpire = timer["onExpire"]?.objectValue {
                    onExpire["data"] = .object(shorthandMembers(onExpire["data"]?.objectValue ?? [:]))
                    timer["onExpire"] = .object(onExpire)
                }
                a["timer"] = .object(timer)
            }
        case "call_service":
            a["args"] = .array((a["args"]?.arrayValue ?? []).map(shorthand))
        case "conditional":
            if a["conditions"] == nil, let single = a["condition"] {
                a["conditions"] = [single]
                a["condition"] = nil
            }
            if let conditions = a["conditions"]?.arrayValue { a["conditions"] = .array(conditions.map(condition)) }
            list("then")
            list("else")
        case "for_each":
            if let c = a["collection"] { a["collection"] = shorthand(c) }
            list("actions")
        case "try_catch":
            list("try")
            list("finally")
            if var handler = a["catch"]?.objectValue, let items = handler["actions"]?.arrayValue {
                handler["actions"] = .array(items.map(action))
                a["catch"] = .object(handler)
            }
        default: break
        }
        return .object(a)
    }

    static func shorthandMembers(_ object: JSONObject) -> JSONObject {
        var result = JSONObject(minimumCapacity: object.count)
        for member in object.members { result.appendUnchecked(key: member.key, value: shorthand(member.value)) }
        return result
    }
}
