public import NoexWire

/// A query function: reads through the context (which records dependencies) and returns a
/// result, or `nil` for "undefined" (e.g. `min` over no data).
public typealias QueryFunction = @Sendable (QueryContext, JSONValue?) throws -> JSONValue?

/// A callback receiving a subscription's new result.
public typealias QueryCallback = @Sendable (JSONValue?) -> Void

/// What one evaluation of a query read: whole buckets (scans) and single records (`get`).
struct Dependencies: Sendable, Equatable {
    var buckets: Set<String> = []
    var records: [String: Set<JSONValue>] = [:]

    var bucketNames: Set<String> { buckets.union(records.keys) }
}

/// A defined query.
struct QueryEntry: Sendable {
    let name: String
    let function: QueryFunction
    /// The declarative config, or nil for a Swift closure query.
    let config: JSONObject?
}

/// Subscriptions sharing one (query, params) pair share one evaluation and one last result.
struct InstanceKey: Hashable, Sendable {
    let query: String
    let params: JSONValue?
}

struct QueryInstance: Sendable {
    let id: Int
    let key: InstanceKey
    var lastResult: JSONValue?
    var deps = Dependencies()
    var subscribers: [Int: QueryCallback] = [:]
    var dirty = false
}

/// Query definitions, live instances and the dependency maps that route changes to them.
struct ReactiveState: Sendable {
    var queries: [String: QueryEntry] = [:]
    var queryOrder: [String] = []
    var instances: [Int: QueryInstance] = [:]
    var instanceIds: [InstanceKey: Int] = [:]
    var bucketDeps: [String: Set<Int>] = [:]
    var recordDeps: [String: [JSONValue: Set<Int>]] = [:]
    /// Instances waiting for re-evaluation, in the order they became dirty.
    var dirtyQueue: [Int] = []
    /// Subscription id → instance id.
    var subscriptions: [Int: Int] = [:]
    var nextId = 1

    mutating func makeId() -> Int {
        defer { nextId += 1 }
        return nextId
    }

    mutating func markDirty(_ id: Int) {
        guard instances[id]?.dirty == false else { return }
        instances[id]?.dirty = true
        dirtyQueue.append(id)
    }

    /// Marks the instances a record change affects: bucket-level dependents and the
    /// record-level dependents of exactly that key.
    mutating func noteChange(bucket: String, key: JSONValue) {
        if let ids = bucketDeps[bucket] { for id in ids { markDirty(id) } }
        if let ids = recordDeps[bucket]?[key] { for id in ids { markDirty(id) } }
    }

    /// Marks every instance depending on anything in `bucket` (clear, F6).
    mutating func noteBucketChange(_ bucket: String) {
        if let ids = bucketDeps[bucket] { for id in ids { markDirty(id) } }
        if let byKey = recordDeps[bucket] { for ids in byKey.values { for id in ids { markDirty(id) } } }
    }

    mutating func setDeps(_ id: Int, _ deps: Dependencies) {
        guard let old = instances[id]?.deps else { return }
        if old == deps { return }
        unlink(id, old)
        for b in deps.buckets { bucketDeps[b, default: []].insert(id) }
        for (b, keys) in deps.records { for k in keys { recordDeps[b, default: [:]][k, default: []].insert(id) } }
        instances[id]?.deps = deps
    }

    private mutating func unlink(_ id: Int, _ deps: Dependencies) {
        for b in deps.buckets {
            bucketDeps[b]?.remove(id)
            if bucketDeps[b]?.isEmpty == true { bucketDeps[b] = nil }
        }
        for (b, keys) in deps.records {
            for k in keys {
                recordDeps[b]?[k]?.remove(id)
                if recordDeps[b]?[k]?.isEmpty == true { recordDeps[b]?[k] = nil }
            }
            if recordDeps[b]?.isEmpty == true { recordDeps[b] = nil }
        }
    }

    /// Removes an instance; returns it so the caller can free its last result (possibly large)
    /// after releasing the store lock.
    @discardableResult
    mutating func removeInstance(_ id: Int) -> QueryInstance? {
        guard let instance = instances.removeValue(forKey: id) else { return nil }
        unlink(id, instance.deps)
        instanceIds[instance.key] = nil
        for sub in instance.subscribers.keys { subscriptions[sub] = nil }
        return instance
    }

    /// Removes a subscription; drops its instance when it was the last subscriber, and returns
    /// the dropped instance (see ``removeInstance(_:)``).
    @discardableResult
    mutating func removeSubscription(_ sub: Int) -> QueryInstance? {
        guard let id = subscriptions.removeValue(forKey: sub) else { return nil }
        instances[id]?.subscribers[sub] = nil
        if instances[id]?.subscribers.isEmpty == true { return removeInstance(id) }
        return nil
    }

    /// Silently removes every instance that depends on `bucket` (dropBucket).
    mutating func removeInstances(dependingOn bucket: String) {
        let ids = instances.values.filter { $0.deps.bucketNames.contains(bucket) }.map(\.id)
        for id in ids { removeInstance(id) }
    }

    func activeSubscriptions(_ query: String) -> Int {
        instances.values.reduce(0) { $0 + ($1.key.query == query ? $1.subscribers.count : 0) }
    }

    var totalSubscriptions: Int { subscriptions.count }
}
