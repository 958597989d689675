public import NoexWire

/// A change to one record, published on `bucket.<name>.<type>` after the change commits.
public struct StoreEvent: Sendable, Hashable {
    /// The kind of change.
    public enum Kind: String, Sendable, Hashable {
        case inserted, updated, deleted
    }

    /// The kind of change.
    public var type: Kind
    /// The bucket.
    public var bucket: String
    /// The record's primary key.
    public var key: JSONValue
    /// The inserted or deleted record.
    public var record: JSONObject?
    /// For updates, the record before the change.
    public var oldRecord: JSONObject?
    /// For updates, the record after the change.
    public var newRecord: JSONObject?

    /// The topic: `bucket.<name>.<type>`.
    public var topic: String { "bucket.\(bucket).\(type.rawValue)" }

    /// The payload `{type, bucket, key, record}` or `{type, bucket, key, oldRecord, newRecord}`.
    public var json: JSONObject {
        var o: JSONObject = ["type": .string(type.rawValue), "bucket": .string(bucket), "key": key]
        if let record { o["record"] = .object(record) }
        if let oldRecord { o["oldRecord"] = .object(oldRecord) }
        if let newRecord { o["newRecord"] = .object(newRecord) }
        return o
    }

    static func inserted(_ bucket: String, _ key: JSONValue, _ record: JSONObject) -> StoreEvent {
        StoreEvent(type: .inserted, bucket: bucket, key: key, record: record)
    }

    static func updated(_ bucket: String, _ key: JSONValue, _ old: JSONObject, _ new: JSONObject) -> StoreEvent {
        StoreEvent(type: .updated, bucket: bucket, key: key, oldRecord: old, newRecord: new)
    }

    static func deleted(_ bucket: String, _ key: JSONValue, _ record: JSONObject) -> StoreEvent {
        StoreEvent(type: .deleted, bucket: bucket, key: key, record: record)
    }
}

/// Topic matching of the noex EventBus (spec A.17).
public enum TopicPattern {
    /// Whether `pattern` matches `topic`: `*` matches everything; equal segment counts match
    /// segment by segment with `*` for one segment; otherwise a trailing `*` matches the rest
    /// when the segments before it are literally equal.
    public static func matches(_ pattern: String, _ topic: String) -> Bool {
        if pattern == "*" || pattern == topic { return true }
        let p = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let t = topic.split(separator: ".", omittingEmptySubsequences: false)
        if p.count == t.count {
            return zip(p, t).allSatisfy { $0 == "*" || $0 == $1 }
        }
        guard p.last == "*", p.count <= t.count else { return false }
        return zip(p.dropLast(), t).allSatisfy { $0 == $1 }
    }
}

/// A handle that stops an `onEvent` handler.
public struct EventSubscription: Sendable {
    let store: Store
    let id: Int

    /// Stops delivering events to the handler (idempotent).
    public func cancel() { store.removeEventHandler(id) }
}
