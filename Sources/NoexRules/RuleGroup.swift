public import NoexWire

/// A group of rules that can be switched on and off together.
public struct RuleGroup: Sendable, Hashable {
    /// The group id rules refer to in their `group` field.
    public var id: String
    /// The display name.
    public var name: String
    /// An optional description.
    public var description: String?
    /// When false, no rule of the group fires.
    public var enabled: Bool

    /// Creates a group.
    public init(id: String, name: String, description: String? = nil, enabled: Bool = true) {
        self.id = id
        self.name = name
        self.description = description
        self.enabled = enabled
    }

    /// `{id, name, description?, enabled}`.
    public var json: JSONObject {
        var object: JSONObject = ["id": .string(id), "name": .string(name), "enabled": .bool(enabled)]
        if let description { object["description"] = .string(description) }
        return object
    }
}
