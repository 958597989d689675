public import NoexWire
import Synchronization

/// The rules engine: facts, events, subscriptions, rules, timers and forward chaining
/// (spec-store-rules part C, with wire-decisions F3, F10, F11).
///
/// ## Processing model
/// Rule processing is **synchronous**: ``emit(topic:data:correlationId:causationId:source:)``
/// and ``setFact(_:_:source:)`` return after the trigger, and every trigger chained from it,
/// has been processed on the calling thread. Order inside one `emit`:
/// 1. the event is counted, and every subscriber whose pattern matches is called, in
///    subscription order, before any rule runs (so a server pushes a client's own event before
///    answering its `rules.emit`);
/// 2. the matching rules run one after another, highest `priority` first (ties: exact trigger
///    matches before wildcard ones, then registration order); each evaluates its conditions in
///    order and, if all hold, runs its actions in order;
/// 3. an event emitted or a fact set by an action is processed inline, depth-first, one level
///    deeper; at ``RuleEngineConfiguration/maxChainDepth`` its rules no longer run (the fact
///    is still stored, the event still reaches subscribers) and the cut is logged.
///
/// Timers fire on the clock's thread (a Dispatch queue by default) and are processed the same
/// way, as top-level triggers. Top-level triggers from different threads are not serialised
/// against each other; each state change is atomic. (The reference queues them; a global
/// processing lock here could deadlock: a subscriber handler that takes connection B's lock
/// while B's thread, holding it, waits to emit.)
///
/// ## Locking
/// All state sits behind one `Mutex`. The engine never holds it while calling out: subscriber
/// handlers, services and the logger run unlocked, so they may call back into the engine.
public final class RuleEngine: Sendable {
    /// The settings the engine was created with.
    public let configuration: RuleEngineConfiguration
    let state: Mutex<EngineState>

    /// Creates a running engine.
    public init(configuration: RuleEngineConfiguration = .init()) {
        self.configuration = configuration
        self.state = Mutex(EngineState())
    }

    /// The engine name.
    public var name: String { configuration.name }

    /// Whether the engine accepts operations (true until ``stop()``).
    public var isRunning: Bool { state.withLock { $0.running } }

    /// Stops the engine: cancels every timer; afterwards `emit`, `setFact`, `registerRule`,
    /// `updateRule` and `loadRules` throw ``RulesError/notRunning(_:)``
    /// (`RuleEngine "<name>" is not running`, mapped to `RULES_NOT_AVAILABLE`). Idempotent.
    public func stop() {
        let handles = state.withLock { s -> [any RuleScheduledTask] in
            s.running = false
            var handles = s.timers.values.compactMap(\.handle)
            s.timers.removeAll()
            for temporal in s.temporalStates.values { handles += temporal.handles }
            s.temporalStates.removeAll()
            return handles
        }
        for handle in handles { handle.cancel() }
    }

    /// Waits until no timer callback is being processed. Rule processing triggered through the
    /// API is synchronous, so after it returns there is nothing else to wait for.
    public func settle() async {
        while state.withLock({ $0.inFlight > 0 }) {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Registers (or replaces) the service `call_service` actions and lookups reach as `name`.
    public func registerService(_ name: String, _ service: any RuleService) {
        state.withLock { $0.services[name] = service }
    }

    /// Removes a service. - Returns: whether it was registered.
    @discardableResult
    public func unregisterService(_ name: String) -> Bool {
        state.withLock { $0.services.removeValue(forKey: name) != nil }
    }

    /// Engine statistics in the `rules.stats` shape: `{rulesCount, factsCount, timersCount,
    /// eventsProcessed, rulesExecuted, avgProcessingTimeMs, tracing:{enabled, entriesCount,
    /// maxEntries}}`.
    public func stats() -> JSONObject {
        state.withLock { s in
            let average = s.rulesExecuted == 0 ? 0 : s.totalProcessingMs / Double(s.rulesExecuted)
            return [
                "rulesCount": .number(Double(s.rules.count)),
                "factsCount": .number(Double(s.facts.count)),
                "timersCount": .number(Double(s.timers.count)),
                "eventsProcessed": .number(Double(s.eventsProcessed)),
                "rulesExecuted": .number(Double(s.rulesExecuted)),
                "avgProcessingTimeMs": .number(average),
                "tracing": .object([
                    "enabled": .bool(configuration.tracingEnabled),
                    "entriesCount": .number(Double(s.trace.count)),
                    "maxEntries": .number(Double(configuration.tracingMaxEntries)),
                ]),
            ]
        }
    }

    /// The recorded trace entries, oldest first (empty unless tracing is enabled).
    public func traceEntries() -> [RuleTraceEntry] { state.withLock { $0.trace.elements } }

    // MARK: Internal helpers

    /// The error thrown by mutating calls once stopped.
    var notRunningError: RulesError { .notRunning("RuleEngine \"\(configuration.name)\" is not running") }

    /// Throws unless running.
    func requireRunning() throws(RulesError) {
        guard state.withLock({ $0.running }) else { throw notRunningError }
    }

    /// Sends a line to the configured logger (never under the lock).
    func log(_ level: RuleLogLevel, _ message: String) { configuration.logger(level, message) }

    /// Records a trace entry when tracing is on.
    func trace(_ type: String, ruleId: String? = nil, _ details: @autoclosure () -> JSONObject = [:]) {
        guard configuration.tracingEnabled, configuration.tracingMaxEntries > 0 else { return }
        let entry = RuleTraceEntry(type: type, timestamp: configuration.clock.now(), ruleId: ruleId, details: details())
        let capacity = configuration.tracingMaxEntries
        state.withLock { $0.trace.append(entry, capacity: capacity) }
    }
}

/// Everything the engine's mutex guards.
struct EngineState {
    struct StoredFact {
        var fact: Fact
        /// Position in store order: creation order; an update keeps it, delete + set moves to the end.
        var order: Int
    }

    struct StoredRule {
        var rule: Rule
        /// Registration order; an update re-registers and moves the rule to the end.
        var order: Int
        /// Copies of `rule.enabled` and `rule.group`, read on every trigger without JSON lookups.
        var enabled: Bool
        var group: String?
    }

    struct Subscription {
        var id: Int
        var pattern: String
        var matcher: PatternMatching.Subscription
        var handler: @Sendable (String, RuleEvent) -> Void
    }

    struct TimerRecord {
        var id: String
        var name: String
        var expiresAt: Int64
        var topic: String
        var data: JSONObject
        var correlationId: String?
        var repeatInterval: Int64?
        var maxCount: Int?
        var fired: Int
        var handle: (any RuleScheduledTask)?
    }

    var running = true
    var facts: [String: StoredFact] = [:]
    var nextFactOrder = 0
    var rules: [String: StoredRule] = [:]
    var nextRuleOrder = 0
    var versionCounter = 0
    var eventIndex = TriggerIndex()
    var factIndex = TriggerIndex()
    var timerIndex = TriggerIndex()
    /// Temporal rules, highest priority first (registration order on ties).
    var temporalRules: [TriggerIndex.Entry] = []
    var temporalStates: [String: TemporalRuleState] = [:]
    var nextTemporalInstance = 0
    var groups: [String: RuleGroup] = [:]
    var groupOrder: [String] = []
    var subscriptions: [Subscription] = []
    var nextSubscriptionID = 0
    var timers: [String: TimerRecord] = [:]
    var nextTimerID = 0
    var services: [String: any RuleService] = [:]
    var eventsProcessed = 0
    var rulesExecuted = 0
    var totalProcessingMs = 0.0
    var trace = TraceBuffer()
    var inFlight = 0
    /// Cached lookup results (`lookups[].cache.ttl`), bounded by ``lookupCacheCapacity``.
    var lookupCache: [LookupCacheKey: (expiresAt: Int64, value: JSONValue)] = [:]
    static let lookupCacheCapacity = 10_000
}

/// A lookup call identified by service, method and resolved arguments.
struct LookupCacheKey: Hashable {
    var service: String
    var method: String
    var arguments: [JSONValue]
}

/// Rule ids by trigger key: exact keys in a dictionary, wildcard patterns in a list.
///
/// Every list is kept sorted by priority (highest first), equal priorities in registration
/// order, so a lookup merges two sorted lists instead of sorting. Wildcard patterns keep their
/// UTF-8 bytes so matching allocates once per trigger, not once per pattern.
struct TriggerIndex {
    struct Entry {
        var id: String
        var priority: Double
    }

    struct WildcardEntry {
        var pattern: String
        var bytes: [UInt8]
        var entry: Entry
    }

    var exact: [String: [Entry]] = [:]
    var wildcard: [WildcardEntry] = []

    mutating func insert(_ pattern: String, _ id: String, priority: Double) {
        let entry = Entry(id: id, priority: priority)
        if PatternMatching.isWildcard(pattern) {
            let at = wildcard.firstIndex { $0.entry.priority < priority } ?? wildcard.endIndex
            wildcard.insert(WildcardEntry(pattern: pattern, bytes: Array(pattern.utf8), entry: entry), at: at)
        } else {
            var list = exact[pattern, default: []]
            let at = list.firstIndex { $0.priority < priority } ?? list.endIndex
            list.insert(entry, at: at)
            exact[pattern] = list
        }
    }

    mutating func remove(_ pattern: String, _ id: String) {
        if PatternMatching.isWildcard(pattern) {
            wildcard.removeAll { $0.entry.id == id }
        } else {
            exact[pattern]?.removeAll { $0.id == id }
            if exact[pattern]?.isEmpty == true { exact[pattern] = nil }
        }
    }

    /// Matching rule ids, highest priority first; for equal priority exact matches come
    /// before wildcard matches, each in registration order (the reference's stable sort).
    func lookup(_ key: String, _ matches: ([UInt8], [UInt8]) -> Bool) -> [String] {
        let exactEntries = exact[key] ?? []
        guard !wildcard.isEmpty else { return exactEntries.map(\.id) }
        let keyBytes = Array(key.utf8)
        var result: [String] = []
        result.reserveCapacity(exactEntries.count + 4)
        var e = 0
        for candidate in wildcard where matches(candidate.bytes, keyBytes) {
            while e < exactEntries.count, exactEntries[e].priority >= candidate.entry.priority {
                result.append(exactEntries[e].id)
                e += 1
            }
            result.append(candidate.entry.id)
        }
        while e < exactEntries.count {
            result.append(exactEntries[e].id)
            e += 1
        }
        return result
    }
}

/// A bounded FIFO of trace entries.
struct TraceBuffer {
    private var storage: [RuleTraceEntry] = []
    private var head = 0

    var count: Int { storage.count }

    mutating func append(_ entry: RuleTraceEntry, capacity: Int) {
        if storage.count < capacity {
            storage.append(entry)
        } else {
            storage[head] = entry
            head = (head + 1) % capacity
        }
    }

    var elements: [RuleTraceEntry] { Array(storage[head...] + storage[..<head]) }
}
