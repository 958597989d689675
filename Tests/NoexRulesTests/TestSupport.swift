import Foundation
import NoexRules
import NoexWire
import Synchronization

/// Collects values from `@Sendable` callbacks.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// An engine on a manual clock whose log lines are recorded.
struct Harness {
    let engine: RuleEngine
    let clock: ManualRuleClock
    let logs: Recorder<String>

    init(maxChainDepth: Int = 16, tracing: Bool = false, limits: RuleEngineLimits = RuleEngineLimits()) {
        let clock = ManualRuleClock()
        let logs = Recorder<String>()
        self.clock = clock
        self.logs = logs
        engine = RuleEngine(
            configuration: RuleEngineConfiguration(
                name: "test-engine", maxChainDepth: maxChainDepth, clock: clock,
                logger: { level, message in logs.append("\(level.rawValue): \(message)") },
                tracingEnabled: tracing, limits: limits))
    }

    /// Records every event whose topic matches `pattern`.
    func events(_ pattern: String = "*") -> Recorder<RuleEvent> {
        let recorder = Recorder<RuleEvent>()
        _ = engine.subscribe(pattern) { _, event in recorder.append(event) }
        return recorder
    }
}

/// A minimal valid rule object with the given trigger, conditions and actions.
func rule(
    _ id: String, trigger: JSONValue = ["type": "event", "topic": "test.go"], priority: Int? = nil,
    conditions: [JSONValue] = [], actions: [JSONValue]
) -> JSONObject {
    var object: JSONObject = [
        "id": .string(id), "name": .string("Rule \(id)"), "trigger": trigger,
        "conditions": .array(conditions), "actions": .array(actions), "tags": [],
    ]
    if let priority { object["priority"] = .number(Double(priority)) }
    return object
}

/// An `emit_event` action.
func emitAction(_ topic: String, _ data: JSONObject = [:]) -> JSONValue {
    ["type": "emit_event", "topic": .string(topic), "data": .object(data)]
}

/// A `set_fact` action.
func setFactAction(_ key: String, _ value: JSONValue) -> JSONValue {
    ["type": "set_fact", "key": .string(key), "value": value]
}

/// A condition on the trigger data.
func eventCondition(_ field: String, _ op: String, _ value: JSONValue? = nil) -> JSONValue {
    var object: JSONObject = ["source": ["type": "event", "field": .string(field)], "operator": .string(op)]
    if let value { object["value"] = value }
    return .object(object)
}

/// Runs `body` on its own thread and waits for it at most `seconds`: a test of a cost bound
/// fails instead of hanging when the bound is missing (the thread is then left running).
func finishes(within seconds: Double = 30, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.stackSize = 1 << 22
    thread.start()
    return done.wait(timeout: .now() + seconds) == .success
}
