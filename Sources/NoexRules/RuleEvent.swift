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
        // One 64-bit draw gives all nine digits (36^9 < 2^47), so one random call per event.
        var generator = SystemRandomNumberGenerator()
        var bits = generator.next(upperBound: UInt64(101_559_956_668_416))  // 36^9
        var suffix = [UInt8](repeating: 48, count: 9)
        for i in (0..<9).reversed() {
            let digit = UInt8(bits % 36)
            suffix[i] = digit < 10 ? 48 + digit : 87 + digit
            bits /= 36
        }
        return String(max(timestamp, 0), radix: 36) + "-" + String(decoding: suffix, as: UTF8.self)
    }
}
