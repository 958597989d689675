import NoexWire

/// Everything the engine's mutex guards.
struct EngineState {
    struct StoredFact {
        var fact: Fact
        /// Position in store order: creation order; an update keeps it, delete + set moves to the end.
        var order: Int
    }

    /// A registered rule. A class so the trigger indexes can hold it directly: a lookup then
    /// reads `enabled` and `group` without hashing the id. Only touched under the engine lock.
    final class StoredRule {
        var rule: Rule
        /// Registration order; an update re-registers and moves the rule to the end.
        var order: Int
        /// Copies of `rule.enabled` and `rule.group`, read on every trigger without JSON lookups.
        var enabled: Bool
        var group: String?

        init(rule: Rule, order: Int, enabled: Bool, group: String?) {
            self.rule = rule
            self.order = order
            self.enabled = enabled
            self.group = group
        }
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
    var eventIndex = TriggerIndex<StoredRule>()
    var factIndex = TriggerIndex<StoredRule>()
    var timerIndex = TriggerIndex<StoredRule>()
    /// Temporal rules, highest priority first (registration order on ties).
    var temporalRules: [TriggerIndex<StoredRule>.Entry] = []
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
