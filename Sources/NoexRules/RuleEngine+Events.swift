public import NoexWire
import Synchronization

extension RuleEngine {
    /// Emits an event: counts it, notifies matching subscribers, then runs matching rules
    /// (and everything they chain) before returning.
    /// - Parameters:
    ///   - topic: a non-empty dot-separated topic.
    ///   - data: the payload object.
    ///   - correlationId: optional correlation id, inherited by events rules emit in response.
    ///   - causationId: optional causation id (kept only on this event).
    ///   - source: recorded on the event (`api` by default).
    /// - Returns: the event as stored and delivered.
    /// - Throws: ``RulesError/notRunning(_:)`` once stopped; ``RulesError/invalidArgument(_:)``
    ///   for an empty topic or one longer than ``RuleEngineLimits/maxKeyLength``.
    @discardableResult
    public func emit(
        topic: String, data: JSONObject = [:], correlationId: String? = nil, causationId: String? = nil,
        source: String = "api"
    ) throws(RulesError) -> RuleEvent {
        guard !topic.isEmpty else { throw .invalidArgument("Event topic must be a non-empty string") }
        if let problem = configuration.limits.keyProblem(topic, what: "Event topic") { throw .invalidArgument(problem) }
        let event = makeEvent(topic: topic, data: data, source: source, correlationId: correlationId, causationId: causationId)
        guard processEvent(event, depth: 0, budget: ChainBudget(configuration.limits.maxActionsPerEvent)) else {
            throw notRunningError
        }
        return event
    }

    /// Calls `handler(topic, event)` for every event whose topic matches `pattern`, with the
    /// subscription matcher (``PatternMatching/subscriptionTopic(_:matches:)``): `*` matches
    /// every topic, a trailing `*` segment matches the rest and the bare prefix.
    ///
    /// Handlers run synchronously on the emitting thread, before the event's rules, with no
    /// engine lock held. Keep them short (a server enqueues a push). Delivery works on a
    /// snapshot of the subscriptions, so an event already being delivered on another thread
    /// may still reach a handler just after its ``RulesSubscription/cancel()`` returned.
    public func subscribe(_ pattern: String, _ handler: @escaping @Sendable (_ topic: String, _ event: RuleEvent) -> Void)
        -> RulesSubscription
    {
        let id = state.withLock { s in
            s.nextSubscriptionID += 1
            s.subscriptions.append(
                .init(id: s.nextSubscriptionID, pattern: pattern, matcher: .init(pattern), handler: handler))
            return s.nextSubscriptionID
        }
        return RulesSubscription(id: id, engine: self)
    }

    /// The number of active subscriptions.
    public var subscriptionCount: Int { state.withLock { $0.subscriptions.count } }

    // MARK: Internal

    func makeEvent(topic: String, data: JSONObject, source: String, correlationId: String?, causationId: String?)
        -> RuleEvent
    {
        let now = configuration.clock.now()
        return RuleEvent(
            id: RuleEvent.makeID(timestamp: now), topic: topic, data: data, timestamp: now, source: source,
            correlationId: correlationId, causationId: causationId)
    }

    /// Counts the event, notifies subscribers, runs the event's rules at `depth`, charging
    /// their actions to `budget`, the chain's.
    /// - Returns: false (and does nothing) when the engine is stopped.
    @discardableResult
    func processEvent(_ event: RuleEvent, depth: Int, budget: ChainBudget) -> Bool {
        // Take the subscription list (a copy-on-write reference) and match outside the lock,
        // so concurrent emitters do not wait on each other's pattern matching.
        let subscriptions = state.withLock { s -> [EngineState.Subscription]? in
            guard s.running else { return nil }
            s.eventsProcessed += 1
            return s.subscriptions
        }
        guard let subscriptions else { return false }
        if !subscriptions.isEmpty {
            var topicSegments: [Substring]?
            let segments = {
                if let topicSegments { return topicSegments }
                let split = event.topic.split(separator: ".", omittingEmptySubsequences: false)
                topicSegments = split
                return split
            }
            for subscription in subscriptions where subscription.matcher.matches(event.topic, segments: segments) {
                subscription.handler(event.topic, event)
            }
        }
        guard depth < configuration.maxChainDepth else {
            chainLimitReached(kind: "event", name: event.topic, depth: depth)
            return true
        }
        let rules = candidates(.event, event.topic)
        if !rules.isEmpty {
            let context = ExecutionContext(
                triggerData: event.data, matchedData: [event.data], correlationId: event.correlationId, depth: depth,
                budget: budget)
            runRules(rules, context)
        }
        processTemporal(event, depth: depth, budget: budget)
        return true
    }

    func chainLimitReached(kind: String, name: String, depth: Int) {
        log(
            .warn,
            "Forward chaining limit reached (depth \(depth), max \(configuration.maxChainDepth)): rules for \(kind) \"\(name)\" skipped"
        )
        trace("forward_chaining_limit", ["kind": .string(kind), "name": .string(name), "depth": .number(Double(depth))])
    }

    /// Reports, once per chain, that ``RuleEngineLimits/maxActionsPerEvent`` stopped it.
    func actionLimitReached(_ budget: ChainBudget, ruleId: String) {
        guard !budget.reported else { return }
        budget.reported = true
        log(
            .warn,
            "Action limit reached (\(budget.limit) actions for one trigger, maxActionsPerEvent): the chain stopped in rule \"\(ruleId)\""
        )
        trace("action_limit", ruleId: ruleId, ["limit": .number(Double(budget.limit))])
    }
}
