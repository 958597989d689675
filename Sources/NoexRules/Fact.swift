public import NoexWire

/// A stored fact: a value under a `:`-segmented key, with its metadata.
public struct Fact: Sendable, Hashable {
    /// The key, e.g. `customer:123:age`.
    public var key: String
    /// The value (`null` is a valid value).
    public var value: JSONValue
    /// When it was last set, in milliseconds since the epoch (engine clock).
    public var timestamp: Int64
    /// Who set it: `api` through ``RuleEngine/setFact(_:_:source:)``, `rule` from an action.
    public var source: String
    /// 1 for a new key, increased on every set of the same key.
    public var version: Int

    /// Creates a fact.
    public init(key: String, value: JSONValue, timestamp: Int64, source: String, version: Int) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.source = source
        self.version = version
    }

    /// The wire rendering `{key, value, timestamp, source, version}`.
    public var json: JSONObject {
        [
            "key": .string(key), "value": value, "timestamp": .number(Double(timestamp)),
            "source": .string(source), "version": .number(Double(version)),
        ]
    }
}
