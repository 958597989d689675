public import NoexWire
import Synchronization

/// The rules engine: facts, events, subscriptions, rules, timers, temporal patterns and
/// forward chaining (spec-store-rules part C, with wire-decisions F3, F10, F11). Design notes
/// and deviations from the reference: `docs/rules-engine.md`.
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
/// 3. the event is fed to the temporal rules (sequence, absence, count, aggregate), whose
///    matches run their rule the same way (absences fire later, from their deadline);
/// 4. an event emitted or a fact set by an action is processed inline, depth-first, one level
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

    /// How many rules and facts the engine holds (one lock, two counts): lets a server decide
    /// whether an operation may be costly before running it.
    public var size: (rules: Int, facts: Int) {
        state.withLock { ($0.rules.count, $0.facts.count) }
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
