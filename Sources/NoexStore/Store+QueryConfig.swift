public import NoexWire
internal import Synchronization

extension Store {
    /// The declarative config of a defined query: `nil` when the query is unknown, `.some(nil)`
    /// for a programmatic (Swift closure) query. One dictionary lookup, unlike
    /// ``listQueries()``, so the per-request authorization of `store.subscribe` (which bucket
    /// does this query read?) costs nothing however many queries and subscriptions exist.
    public func queryConfig(_ name: String) -> JSONObject?? {
        state.withLock { s in
            guard let entry = s.reactive.queries[name] else { return nil }
            return .some(entry.config)
        }
    }
}
