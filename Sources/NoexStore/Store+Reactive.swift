internal import Dispatch
public import NoexWire
internal import Synchronization

extension Store {
    /// Defines a Swift closure query. Reads through the context are tracked as dependencies.
    /// - Throws: `queryAlreadyDefined`.
    public func defineQuery(_ name: String, _ function: @escaping QueryFunction) throws(StoreError) {
        try addQuery(QueryEntry(name: name, function: function, config: nil))
    }

    /// Defines a declarative query from its JSON config (spec-server §2.3).
    /// - Throws: `invalidDefinition` for a malformed config, `bucketNotDefined` when
    ///   `config.bucket` is unknown, `queryAlreadyDefined`.
    public func defineQuery(_ name: String, json config: JSONObject) throws(StoreError) {
        let query = try DeclarativeQuery(name: name, config: config)
        guard hasBucket(query.bucket) else { throw .notDefined(query.bucket) }
        try addQuery(QueryEntry(name: name, function: { ctx, params in try query.evaluate(ctx, params) }, config: config))
    }

    private func addQuery(_ entry: QueryEntry) throws(StoreError) {
        try state.withLock { s throws(StoreError) in
            guard !s.closed else { throw StoreError.closed }
            guard s.reactive.queries[entry.name] == nil else { throw StoreError.queryAlreadyDefined(entry.name) }
            s.reactive.queries[entry.name] = entry
            s.reactive.queryOrder.append(entry.name)
        }
    }

    /// Removes a query and silently drops its subscriptions.
    /// - Throws: `queryNotDefined`.
    public func undefineQuery(_ name: String) throws(StoreError) {
        try state.withLock { s throws(StoreError) in
            guard s.reactive.queries.removeValue(forKey: name) != nil else { throw StoreError.queryNotDefined(name) }
            s.reactive.queryOrder.removeAll { $0 == name }
            for id in s.reactive.instances.values.filter({ $0.key.query == name }).map(\.id) {
                s.reactive.removeInstance(id)
            }
        }
    }

    /// Defined queries in definition order, with their live subscription counts.
    public func listQueries() -> [QueryInfo] {
        state.withLock { s in
            s.reactive.queryOrder.compactMap { name in
                guard let entry = s.reactive.queries[name] else { return nil }
                return QueryInfo(
                    name: name, type: entry.config == nil ? .programmatic : .declarative,
                    activeSubscriptions: s.reactive.activeSubscriptions(name), config: entry.config)
            }
        }
    }

    /// Runs a query once without subscribing.
    /// - Throws: `queryNotDefined`, or the query's own error (`queryFailed` for non-store errors).
    public func runQuery(_ name: String, params: JSONValue? = nil) throws(StoreError) -> JSONValue? {
        let function = try state.withLock { s throws(StoreError) in
            guard let entry = s.reactive.queries[name] else { throw StoreError.queryNotDefined(name) }
            return entry.function
        }
        return try evaluate(name, function, params).result
    }

    func evaluate(_ name: String, _ function: QueryFunction, _ params: JSONValue?) throws(StoreError)
        -> (result: JSONValue?, deps: Dependencies)
    {
        let context = QueryContext(store: self)
        do {
            let result = try function(context, params)
            return (result, context.dependencies)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .queryFailed(query: name, message: String(describing: error))
        }
    }

    /// Subscribes to a query with `params`. Subscribers with equal (query, params) share one
    /// evaluation. `onChange` is not called with the initial result; afterwards it is called
    /// (off the store lock, on the notification queue) whenever a change the query depends on
    /// yields a result that differs from the previous one.
    /// - Returns: the initial result and the subscription.
    /// - Throws: `queryNotDefined`, or the first evaluation's error.
    public func subscribe(query name: String, params: JSONValue? = nil, onChange: @escaping QueryCallback)
        throws(StoreError) -> (initial: JSONValue?, subscription: StoreSubscription)
    {
        let key = InstanceKey(query: name, params: params)
        enum Plan { case joined(Int, JSONValue?), evaluate(QueryFunction, UInt64) }
        let plan = try state.withLock { s throws(StoreError) -> Plan in
            guard !s.closed else { throw StoreError.closed }
            guard let entry = s.reactive.queries[name] else { throw StoreError.queryNotDefined(name) }
            if let id = s.reactive.instanceIds[key], let instance = s.reactive.instances[id], !instance.dirty {
                let sub = s.reactive.makeId()
                s.reactive.instances[id]?.subscribers[sub] = onChange
                s.reactive.subscriptions[sub] = id
                return .joined(sub, instance.lastResult)
            }
            return .evaluate(entry.function, s.mutationSeq)
        }
        switch plan {
        case .joined(let sub, let result):
            return (result, StoreSubscription(store: self, id: sub))
        case .evaluate(let function, let seq):
            let (result, deps) = try evaluate(name, function, params)
            let sub = try state.withLock { s throws(StoreError) -> Int in
                guard s.reactive.queries[name] != nil else { throw StoreError.queryNotDefined(name) }
                let id: Int
                if let existing = s.reactive.instanceIds[key], s.reactive.instances[existing] != nil {
                    id = existing
                } else {
                    id = s.reactive.makeId()
                    s.reactive.instances[id] = QueryInstance(id: id, key: key, lastResult: result)
                    s.reactive.instanceIds[key] = id
                    s.reactive.setDeps(id, deps)
                    recheck(&s, id: id, deps: deps, since: seq)
                }
                let sub = s.reactive.makeId()
                s.reactive.instances[id]?.subscribers[sub] = onChange
                s.reactive.subscriptions[sub] = id
                return sub
            }
            return (result, StoreSubscription(store: self, id: sub))
        }
    }

    /// Marks an instance dirty when a bucket it read changed while it was being evaluated
    /// (the change could not have reached it through dependencies it had not recorded yet).
    private func recheck(_ s: inout StoreState, id: Int, deps: Dependencies, since seq: UInt64) {
        for b in deps.bucketNames where (s.buckets[b]?.state.changeSeq ?? 0) > seq {
            s.reactive.markDirty(id)
            scheduleDrainIfNeeded(&s)
            return
        }
    }

    func unsubscribe(_ sub: Int) {
        // The dropped instance (and its last result) is freed here, after the lock.
        let dropped = state.withLock { s in s.reactive.removeSubscription(sub) }
        _ = consume dropped
    }

    /// Subscribes `handler` to events whose topic matches `pattern` (`*`, `bucket.users.*`,
    /// `bucket.*.inserted`, …). Handlers run after the change committed, in commit order.
    public func onEvent(_ pattern: String, _ handler: @escaping @Sendable (StoreEvent) -> Void) -> EventSubscription {
        let id = state.withLock { s in
            defer { s.nextHandlerId += 1 }
            s.eventHandlers[s.nextHandlerId] = (pattern, handler)
            return s.nextHandlerId
        }
        return EventSubscription(store: self, id: id)
    }

    func removeEventHandler(_ id: Int) {
        state.withLock { s in _ = s.eventHandlers.removeValue(forKey: id) }
    }

    /// Delivers pending events and re-evaluates dirty query instances (on the notify queue).
    func drain() {
        struct Job {
            let id: Int
            let query: String
            let function: QueryFunction
            let params: JSONValue?
        }
        let (events, handlers, jobs, seq) = state.withLock { s in
            s.drainScheduled = false
            let events = s.pendingEvents
            s.pendingEvents.removeAll()
            let handlers = s.eventHandlers.sorted { $0.key < $1.key }.map(\.value)
            var jobs: [Job] = []
            for id in s.reactive.dirtyQueue {
                guard let instance = s.reactive.instances[id], instance.dirty else { continue }
                s.reactive.instances[id]?.dirty = false
                guard let entry = s.reactive.queries[instance.key.query] else { continue }
                jobs.append(Job(id: id, query: entry.name, function: entry.function, params: instance.key.params))
            }
            s.reactive.dirtyQueue.removeAll()
            return (events, handlers, jobs, s.mutationSeq)
        }
        for event in events {
            let topic = event.topic
            for (pattern, handler) in handlers where TopicPattern.matches(pattern, topic) { handler(event) }
        }
        for job in jobs {
            // An evaluation error is swallowed: the subscription stays and no push is sent.
            guard let (result, deps) = try? evaluate(job.query, job.function, job.params) else { continue }
            let callbacks = state.withLock { s -> [QueryCallback] in
                guard let instance = s.reactive.instances[job.id] else { return [] }
                s.reactive.setDeps(job.id, deps)
                recheck(&s, id: job.id, deps: deps, since: seq)
                guard instance.lastResult != result else { return [] }
                s.reactive.instances[job.id]?.lastResult = result
                return instance.subscribers.sorted { $0.key < $1.key }.map(\.value)
            }
            for callback in callbacks { callback(result) }
        }
    }

    /// Waits until every change committed so far has been delivered to event handlers and
    /// every affected query has been re-evaluated and its callbacks have returned.
    public func settle() async {
        while true {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in notifyQueue.async { c.resume() } }
            let idle = state.withLock { s in
                !s.drainScheduled && s.reactive.dirtyQueue.isEmpty && s.pendingEvents.isEmpty
            }
            if idle { return }
        }
    }

    /// The blocking form of `settle()`, for non-async callers (never call it from a callback).
    public func settleBlocking() {
        while true {
            notifyQueue.sync {}
            let idle = state.withLock { s in
                !s.drainScheduled && s.reactive.dirtyQueue.isEmpty && s.pendingEvents.isEmpty
            }
            if idle { return }
        }
    }
}
