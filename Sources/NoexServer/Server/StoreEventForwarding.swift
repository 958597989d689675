import NoexRules
import NoexStore
import NoexWire

/// Opt-in bridge from the store to the rules engine: every store change whose topic matches
/// `pattern` is emitted to the engine as an event on the same topic
/// (`bucket.<name>.inserted|updated|deleted`), with the store event as data and source `store`.
/// Rules can then react to data changes, and `rules.subscribe` clients see them.
public struct StoreEventForwarding: Sendable, Hashable {
    /// Store topics to forward; `*` forwards every change.
    public var pattern: String

    /// Creates a forwarding setting.
    /// - Parameter pattern: store event topics to forward, e.g. `bucket.orders.*`.
    public init(pattern: String = "*") {
        self.pattern = pattern
    }

    /// Starts forwarding; the returned subscription stops it.
    func start(store: Store, rules: RuleEngine) -> EventSubscription {
        store.onEvent(pattern) { event in
            // `_` system buckets hold password hashes and session digests: never forwarded, so
            // no rule or `rules.subscribe` client can see them (F13, whatever the pattern).
            guard !event.bucket.hasPrefix("_") else { return }
            // A stopped engine refuses events; the store change itself has already succeeded.
            _ = try? rules.emit(topic: event.topic, data: event.json, source: "store")
        }
    }
}
