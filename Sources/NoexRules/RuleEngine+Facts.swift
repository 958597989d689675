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
    ///   for an empty key.
    @discardableResult
    public func setFact(_ key: String, _ value: JSONValue, source: String = "api") throws(RulesError) -> Fact {
        guard !key.isEmpty else { throw .invalidArgument("Fact key must be a non-empty string") }
        guard let fact = storeFact(key, value, source: source) else { throw notRunningError }
        processFactChange(fact, depth: 0)
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
    public func queryFacts(_ pattern: String) -> [Fact] {
        state.withLock { s in
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

    // MARK: Internal

    /// Writes a fact; `nil` when the engine is stopped.
    func storeFact(_ key: String, _ value: JSONValue, source: String) -> Fact? {
        let now = configuration.clock.now()
        return state.withLock { s -> Fact? in
            guard s.running else { return nil }
            if var stored = s.facts[key] {
                stored.fact = Fact(key: key, value: value, timestamp: now, source: source, version: stored.fact.version + 1)
                s.facts[key] = stored
                return stored.fact
            }
            let fact = Fact(key: key, value: value, timestamp: now, source: source, version: 1)
            s.nextFactOrder += 1
            s.facts[key] = EngineState.StoredFact(fact: fact, order: s.nextFactOrder)
            return fact
        }
    }

    /// The value of the first fact (store order) matching `pattern`.
    func firstFactValue(matching pattern: String) -> JSONValue? {
        if !PatternMatching.isWildcard(pattern) { return getFact(pattern) }
        return state.withLock { s in
            s.facts.values.filter { PatternMatching.factKey(pattern, matches: $0.fact.key) }
                .min { $0.order < $1.order }?.fact.value
        }
    }

    /// Runs the fact-triggered rules for a changed fact at `depth` (F10: action writes too).
    func processFactChange(_ fact: Fact, depth: Int) {
        guard depth < configuration.maxChainDepth else {
            chainLimitReached(kind: "fact", name: fact.key, depth: depth)
            return
        }
        let rules = candidates(.fact, fact.key)
        guard !rules.isEmpty else { return }
        let context = ExecutionContext(
            triggerData: ["fact": .object(fact.json)], matchedData: [], correlationId: nil, depth: depth)
        runRules(rules, context)
    }
}
