public import NoexWire

/// One recorded step of rule processing (kept only when tracing is enabled).
public struct RuleTraceEntry: Sendable, Hashable {
    /// What happened: `rule_executed`, `rule_skipped`, `rule_failed`, `action_failed`,
    /// `forward_chaining_limit`, `timer_expired`.
    public var type: String
    /// When, in engine-clock milliseconds.
    public var timestamp: Int64
    /// The rule concerned, if any.
    public var ruleId: String?
    /// Extra facts about the step (topic, fact key, depth, error message, …).
    public var details: JSONObject

    /// Creates an entry.
    public init(type: String, timestamp: Int64, ruleId: String? = nil, details: JSONObject = [:]) {
        self.type = type
        self.timestamp = timestamp
        self.ruleId = ruleId
        self.details = details
    }

    /// A JSON rendering `{type, timestamp, ruleId?, details}`.
    public var json: JSONObject {
        var object: JSONObject = ["type": .string(type), "timestamp": .number(Double(timestamp))]
        if let ruleId { object["ruleId"] = .string(ruleId) }
        object["details"] = .object(details)
        return object
    }
}
