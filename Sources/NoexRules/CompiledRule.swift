import NoexWire

/// The evaluable form of a validated rule. Built once at registration; immutable.
final class CompiledRule: Sendable {
    let id: String
    /// Higher runs first; fixed for the life of a registration.
    let priority: Double
    let trigger: TriggerSpec
    let conditions: [ConditionSpec]
    let actions: [ActionSpec]
    let lookups: [LookupSpec]

    init(
        id: String, priority: Double, trigger: TriggerSpec, conditions: [ConditionSpec], actions: [ActionSpec],
        lookups: [LookupSpec]
    ) {
        self.id = id
        self.priority = priority
        self.trigger = trigger
        self.conditions = conditions
        self.actions = actions
        self.lookups = lookups
    }
}

/// What starts a rule.
enum TriggerSpec: Sendable {
    case event(topic: String)
    case fact(pattern: String)
    case timer(name: String)
    case temporal(TemporalSpec)
}

/// The 13 condition operators.
enum ConditionOperator: String, Sendable, CaseIterable {
    case eq, neq, gt, gte, lt, lte
    case `in`, not_in, contains, not_contains
    case matches, exists, not_exists

    var isUnary: Bool { self == .exists || self == .not_exists }
}

/// Where a condition's left-hand value comes from.
enum ConditionSource: Sendable {
    /// A dot path, split once at registration.
    case event(path: [Substring])
    case fact(pattern: String)
    case context(key: String)
    case lookup(name: String, field: String?)
}

/// One condition: `source operator value`.
struct ConditionSpec: Sendable {
    let source: ConditionSource
    let op: ConditionOperator
    /// The compare value as written (a literal or `{ref}`); `nil` when absent.
    let value: JSONValue?
}

/// Timer settings of a `set_timer` action (templates unresolved).
struct TimerSpec: Sendable {
    let name: String
    let duration: JSONValue
    let onExpireTopic: String
    let onExpireData: JSONObject
    let repeatInterval: JSONValue?
    let repeatMaxCount: Int?
}

/// One action.
indirect enum ActionSpec: Sendable {
    case setFact(key: String, value: JSONValue)
    case deleteFact(key: String)
    case emitEvent(topic: String, data: JSONObject)
    case setTimer(TimerSpec)
    case cancelTimer(name: String)
    case callService(service: String, method: String, args: [JSONValue])
    case log(level: RuleLogLevel, message: String)
    case conditional(conditions: [ConditionSpec], then: [ActionSpec], otherwise: [ActionSpec])
    case forEach(collection: JSONValue, variable: String, actions: [ActionSpec], maxIterations: Int)
    case tryCatch(body: [ActionSpec], catchAs: String?, handler: [ActionSpec]?, finally: [ActionSpec])

    var typeName: String {
        switch self {
        case .setFact: "set_fact"
        case .deleteFact: "delete_fact"
        case .emitEvent: "emit_event"
        case .setTimer: "set_timer"
        case .cancelTimer: "cancel_timer"
        case .callService: "call_service"
        case .log: "log"
        case .conditional: "conditional"
        case .forEach: "for_each"
        case .tryCatch: "try_catch"
        }
    }
}

/// A lookup: a service call made before the conditions, its result named for refs.
struct LookupSpec: Sendable {
    let name: String
    let service: String
    let method: String
    let args: [JSONValue]
    let skipOnError: Bool
    /// With `cache: {ttl}`, results are reused for this many milliseconds per argument list.
    let cacheTTL: Int64?
}
