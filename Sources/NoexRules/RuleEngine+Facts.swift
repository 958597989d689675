public import NoexWire
import Synchronization

extension RuleEngine {
    /// Stores a fact, then runs the fact-triggered rules whose pattern matches its key.
    /// - Parameters:
    ///   - key: a non-empty key, by convention `:`-segmented (`customer:123:age`).
    ///   - value: any JSON value, `null` included.
    ///   - source: recorded in the fact's metadata (`api` by default).
    /// - Returns: the stored fact (version 1 for a new key, +1 per set).
    /// - Throws: ``RulesError/notRunning(_:)`` once stopped; ``RulesError/invalidArgument(_:)``
    ///   for an empty key, a key longer than ``RuleEngineLimits/maxKeyLength``, a value beyond
    ///   ``RuleEngineLimits/maxFactValueNodes`` or the nesting bound, or a new key
    ///   when the engine already holds ``RuleEngineLimits/maxFacts`` facts (nothing is stored).
    @discardableResult
    public func setFact(_ key: String, _ value: JSONValue, source: String = "api") throws(RulesError) -> Fact {
        guard !key.isEmpty else { throw .invalidArgument("Fact key must be a non-empty string") }
        let fact = try storeFact(key, value, source: source)
        processFactChange(fact, depth: 0, budget: ChainBudget(configuration.limits.maxActionsPerEvent))
        return fact
    }

    /// The value of a fact, or `nil` when there is none (a stored `null` is `.null`).
    public func getFact(_ key: String) -> JSONValue? {
        state.withLock { $0.facts[key]?.fact.value }
    }

    /// The whole fact with its metadata, or `nil`.
    public func getFactFull(_ key: String) -> Fact? {
        state.withLock { $0.facts[key]?.fact }
    }

    /// Deletes a fact. Like the reference, this triggers no rules and emits no event.
    /// - Returns: whether the fact existed.
    @discardableResult
    public func deleteFact(_ key: String) -> Bool {
        state.withLock { $0.facts.removeValue(forKey: key) != nil }
    }

    /// The facts whose key matches `pattern`, in store order.
    ///
    /// Without `*` this is an exact lookup (0 or 1 fact). Otherwise segments are separated by
    /// `:` and each `*` matches one non-empty segment (see ``PatternMatching/factKey(_:matches:)``).
    /// - Throws: ``RulesError/invalidArgument(_:)`` for a wildcard pattern beyond the pattern
    ///   bounds (``RuleEngineLimits/maxPatternLength``, ``RuleEngineLimits/maxPatternWildcards``).
    public func queryFacts(_ pattern: String) throws(RulesError) -> [Fact] {
        try validatePattern(pattern, field: "pattern")
        return state.withLock { s in
            if !PatternMatching.isWildcard(pattern) {
                return s.facts[pattern].map { [$0.fact] } ?? []
            }
            return s.facts.values.filter { PatternMatching.factKey(pattern, matches: $0.fact.key) }
                .sorted { $0.order < $1.order }.map(\.fact)
        }
    }

    /// Every fact in store order (creation order; an update keeps the position, a delete
    /// followed by a new set moves the key to the end).
    public func allFacts() -> [Fact] {
        state.withLock { s in s.facts.values.sorted { $0.order < $1.order }.map(\.fact) }
    }

    /// Checks a client-supplied wildcard pattern (`rules.queryFacts`, `rules.subscribe`)
    /// against the pattern bounds; a pattern without `*` is an exact key and is not checked.
    /// - Parameter field: the name used in the message.
    /// - Throws: ``RulesError/invalidArgument(_:)`` naming the exceeded setting.
    public func validatePattern(_ pattern: String, field: String) throws(RulesError) {
        guard PatternMatching.isWildcard(pattern) else { return }
        if let problem = configuration.limits.patternProblem(pattern, field: field) { throw .invalidArgument(problem) }
    }

    // MARK: Internal

    /// Writes a fact: the one place the key length, the value size and the fact count are checked.
    /// - Throws: ``RulesError/notRunning(_:)`` when the engine is stopped,
    ///   ``RulesError/invalidArgument(_:)`` for a key or count beyond the limits.
    func storeFact(_ key: String, _ value: JSONValue, source: String) throws(RulesError) -> Fact {
        let limits = configuration.limits
        if let problem = limits.keyProblem(key, what: "Fact key") { throw .invalidArgument(problem) }
        if let problem = limits.factValueProblem(value) { throw .invalidArgument(problem) }
        let now = configuration.clock.now()
        return try state.withLock { s throws(RulesError) -> Fact in
            guard s.running else { throw notRunningError }
            if var stored = s.facts[key] {
                stored.fact = Fact(key: key, value: value, timestamp: now, source: source, version: stored.fact.version + 1)
                s.facts[key] = stored
                return stored.fact
            }
            guard s.facts.count < limits.maxFacts else {
                throw .invalidArgument("Fact limit reached: the engine holds \(s.facts.count) facts (maxFacts \(limits.maxFacts))")
            }
            let fact = Fact(key: key, value: value, timestamp: now, source: source, version: 1)
            s.nextFactOrder += 1
            s.facts[key] = EngineState.StoredFact(fact: fact, order: s.nextFactOrder)
            return fact
        }
    }

    /// The value of the first fact (store order) matching `pattern`; `nil` also for a pattern
    /// (built at run time from a template) beyond the pattern bounds.
    func firstFactValue(matching pattern: String) -> JSONValue? {
        if !PatternMatching.isWildcard(pattern) { return getFact(pattern) }
        if let problem = configuration.limits.patternProblem(pattern, field: "Fact condition pattern") {
            log(.warn, problem)
            return nil
        }
        return state.withLock { s in
            s.facts.values.filter { PatternMatching.factKey(pattern, matches: $0.fact.key) }
                .min { $0.order < $1.order }?.fact.value
        }
    }

    /// Runs the fact-triggered rules for a changed fact at `depth` (F10: action writes too),
    /// charging their actions to `budget`, the chain's.
    func processFactChange(_ fact: Fact, depth: Int, budget: ChainBudget) {
        guard depth < configuration.maxChainDepth else {
            chainLimitReached(kind: "fact", name: fact.key, depth: depth)
            return
        }
        let rules = candidates(.fact, fact.key)
        guard !rules.isEmpty else { return }
        let context = ExecutionContext(
            triggerData: ["fact": .object(fact.json)], matchedData: [], correlationId: nil, depth: depth, budget: budget)
        runRules(rules, context)
    }
}
