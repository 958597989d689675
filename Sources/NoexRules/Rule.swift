public import NoexWire

/// A registered rule: the normalized input plus the engine's metadata.
///
/// `definition` is the rule input as given (unknown extra keys included) with the defaults
/// applied (`priority` 0, `enabled` true, `tags` [], `conditions` [], `actions` []).
public struct Rule: Sendable {
    /// The normalized rule input (no `version`, `createdAt`, `updatedAt`).
    public internal(set) var definition: JSONObject
    /// The engine-wide version number given at the last register or update.
    public internal(set) var version: Int
    /// When the rule was (re-)registered, in engine-clock milliseconds (an update resets it).
    public internal(set) var createdAt: Int64
    /// When the rule was last registered, updated, enabled or disabled.
    public internal(set) var updatedAt: Int64

    /// The parsed form the engine evaluates; shared, immutable.
    let compiled: CompiledRule

    /// The rule id.
    public var id: String { compiled.id }
    /// The display name.
    public var name: String { definition["name"]?.stringValue ?? compiled.id }
    /// The optional description.
    public var description: String? { definition["description"]?.stringValue }
    /// Higher runs first.
    public var priority: Double { compiled.priority }
    /// Disabled rules never fire.
    public var enabled: Bool { definition["enabled"]?.boolValue ?? true }
    /// Free-form tags.
    public var tags: [String] { definition["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// The group the rule belongs to, if any.
    public var group: String? { definition["group"]?.stringValue }
    /// The trigger object as given.
    public var trigger: JSONValue { definition["trigger"] ?? .null }

    /// The full rule: the definition plus `version`, `createdAt` and `updatedAt` (getRule shape).
    public var json: JSONObject {
        var object = definition
        object["version"] = .number(Double(version))
        object["createdAt"] = .number(Double(createdAt))
        object["updatedAt"] = .number(Double(updatedAt))
        return object
    }

    /// The `getRules` summary `{id, name, enabled, priority, version, tags, group}`; `group`
    /// is omitted when the rule has none (the reference's `undefined` disappears from JSON).
    public var summaryJSON: JSONObject {
        var object: JSONObject = [
            "id": .string(id), "name": .string(name), "enabled": .bool(enabled),
            "priority": .number(priority), "version": .number(Double(version)),
            "tags": .array(tags.map { .string($0) }),
        ]
        if let group { object["group"] = .string(group) }
        return object
    }
}

extension Rule: Equatable {
    /// Rules are equal when their full JSON renderings are.
    public static func == (lhs: Rule, rhs: Rule) -> Bool { lhs.json == rhs.json }
}
