public import NoexWire

/// An event that went through the engine: from the API, a rule action or a timer.
public struct RuleEvent: Sendable, Hashable {
    /// `<base-36 ms timestamp>-<9 random base-36 characters>`.
    public var id: String
    /// The dot-separated topic, e.g. `order.created`.
    public var topic: String
    /// The payload object.
    public var data: JSONObject
    /// Creation time in milliseconds since the epoch (engine clock).
    public var timestamp: Int64
    /// `api`, `rule` or `timer` (or whatever the emitting host passed).
    public var source: String
    /// Correlation id, carried from the triggering event or timer to events emitted by rules.
    public var correlationId: String?
    /// Causation id: set by the caller, or the timer id for a timer's expiry event.
    public var causationId: String?

    /// Creates an event.
    public init(
        id: String, topic: String, data: JSONObject, timestamp: Int64, source: String,
        correlationId: String? = nil, causationId: String? = nil
    ) {
        self.id = id
        self.topic = topic
        self.data = data
        self.timestamp = timestamp
        self.source = source
        self.correlationId = correlationId
        self.causationId = causationId
    }

    /// The wire rendering `{id, topic, data, timestamp, source, correlationId?, causationId?}`.
    public var json: JSONObject {
        var object: JSONObject = [
            "id": .string(id), "topic": .string(topic), "data": .object(data),
            "timestamp": .number(Double(timestamp)), "source": .string(source),
        ]
        if let correlationId { object["correlationId"] = .string(correlationId) }
        if let causationId { object["causationId"] = .string(causationId) }
        return object
    }

    /// A fresh event id: base-36 of `timestamp`, a dash, 9 random base-36 characters.
    static func makeID(timestamp: Int64) -> String {
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        var suffix = ""
        suffix.reserveCapacity(9)
        for _ in 0..<9 { suffix.append(digits[Int(generator.next(upperBound: UInt8(36)))]) }
        return String(max(timestamp, 0), radix: 36) + "-" + suffix
    }
}
