public import NoexWire

/// A defined query as `listQueries` reports it.
public struct QueryInfo: Sendable, Hashable {
    /// Whether the query came from JSON or from a Swift closure.
    public enum Kind: String, Sendable, Hashable {
        case declarative, programmatic
    }

    /// The query name.
    public var name: String
    /// Declarative or programmatic.
    public var type: Kind
    /// Live subscriptions on the query.
    public var activeSubscriptions: Int
    /// The declarative config as given (nil for programmatic queries).
    public var config: JSONObject?

    /// The wire form `{name, type, activeSubscriptions, config?}`.
    public var json: JSONObject {
        var o: JSONObject = [
            "name": .string(name), "type": .string(type.rawValue),
            "activeSubscriptions": .number(Double(activeSubscriptions)),
        ]
        if let config { o["config"] = .object(config) }
        return o
    }
}

/// A live subscription; `cancel()` stops its callbacks.
public struct StoreSubscription: Sendable, Hashable {
    let store: Store
    /// The store-local subscription id.
    public let id: Int

    /// Stops the subscription (idempotent).
    public func cancel() { store.unsubscribe(id) }

    /// Two handles are equal when they name the same subscription of the same store.
    public static func == (a: StoreSubscription, b: StoreSubscription) -> Bool { a.store === b.store && a.id == b.id }
    /// Hashes the subscription id.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
