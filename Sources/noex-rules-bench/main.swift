// noex-rules-bench: throughput of the rules engine on one thread.
//
// Workloads (each reports operations per second, best of `--rounds` runs):
//   1. emit through 100 rules on distinct topics (each event matches one rule);
//   2. emit through 100 rules that all match the topic (conditions let 10 of them act);
//   3. setFact through 100 fact rules on `sensor:*:value`-style patterns;
//   4. fan-out: one emit delivered to 100 subscribers;
//   5. emit through 40 temporal rules (sliding counts and absences, grouped).
// Usage: swift run -c release noex-rules-bench [--events N] [--rounds R] [--only K]
import NoexRules
import NoexWire
import Synchronization

struct Options {
    var events = 20_000
    var rounds = 3
    /// Run only this workload (1-based), or all when nil.
    var only: Int?

    init(arguments: [String]) {
        var i = 1
        while i < arguments.count {
            let value = i + 1 < arguments.count ? Int(arguments[i + 1]) : nil
            switch arguments[i] {
            case "--events": if let value { events = max(1, value) }
            case "--rounds": if let value { rounds = max(1, value) }
            case "--only": only = value
            default: break
            }
            i += 2
        }
    }
}

let options = Options(arguments: CommandLine.arguments)

func quietEngine() -> RuleEngine {
    RuleEngine(configuration: RuleEngineConfiguration(name: "bench", logger: { _, _ in }))
}

/// Runs `body` `rounds` times; returns the best rate in operations per second.
nonisolated(unsafe) var workloadNumber = 0  // single-threaded main code only

func measure(_ label: String, operations: Int, setUp: () throws -> RuleEngine, _ body: (RuleEngine) throws -> Void) rethrows {
    workloadNumber += 1
    if let only = options.only, only != workloadNumber { return }
    var best = 0.0
    for _ in 0..<options.rounds {
        let engine = try setUp()
        let clock = ContinuousClock()
        let start = clock.now
        try body(engine)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = max(best, Double(operations) / seconds)
        engine.stop()
    }
    let rate = Int(best.rounded())
    print("| \(label) | \(operations) | \(rate) |")
}

func rule(_ id: String, trigger: JSONValue, conditions: [JSONValue], actions: [JSONValue], priority: Int) -> JSONObject {
    [
        "id": .string(id), "name": .string(id), "priority": .number(Double(priority)), "enabled": true, "tags": [],
        "trigger": trigger, "conditions": .array(conditions), "actions": .array(actions),
    ]
}

let n = options.events
print("| workload | operations | ops/s (best of \(options.rounds)) |")
print("|---|---|---|")

// 1. Distinct topics: the exact-topic index finds one rule per event.
try measure("emit, 100 rules on distinct topics (1 match/event)", operations: n, setUp: {
    let engine = quietEngine()
    for i in 0..<100 {
        try engine.registerRule(
            rule(
                "r\(i)", trigger: ["type": "event", "topic": .string("bench.t\(i)")],
                conditions: [["source": ["type": "event", "field": "amount"], "operator": "gte", "value": 0]],
                actions: [["type": "set_fact", "key": .string("last:\(i)"), "value": ["ref": "event.amount"]]], priority: i % 7))
    }
    return engine
}) { engine in
    for i in 0..<n { try engine.emit(topic: "bench.t\(i % 100)", data: ["amount": .number(Double(i))]) }
}

// 2. Shared topic: every event evaluates 100 rules (50 exact, 50 wildcard), 10 pass.
try measure("emit, 100 rules matching every event (10 act)", operations: n, setUp: {
    let engine = quietEngine()
    for i in 0..<100 {
        let topic = i % 2 == 0 ? "order.created" : "order.*"
        try engine.registerRule(
            rule(
                "r\(i)", trigger: ["type": "event", "topic": .string(topic)],
                conditions: [["source": ["type": "event", "field": "bucket"], "operator": "eq", "value": .number(Double(i % 10))]],
                actions: [["type": "set_fact", "key": .string("hit:\(i)"), "value": ["ref": "event.n"]]], priority: i % 5))
    }
    return engine
}) { engine in
    for i in 0..<n { try engine.emit(topic: "order.created", data: ["bucket": .number(Double(i % 10)), "n": .number(Double(i))]) }
}

// 3. Fact rules: setFact matched against 100 fact patterns (wildcards), one acts.
try measure("setFact, 100 fact rules (wildcard patterns)", operations: n, setUp: {
    let engine = quietEngine()
    for i in 0..<100 {
        try engine.registerRule(
            rule(
                "f\(i)", trigger: ["type": "fact", "pattern": .string("sensor:*:v\(i)")],
                conditions: [["source": ["type": "event", "field": "fact.value"], "operator": "gt", "value": 100]],
                actions: [["type": "emit_event", "topic": "alert.high", "data": ["v": ["ref": "trigger.fact.value"]]]],
                priority: 0))
    }
    return engine
}) { engine in
    for i in 0..<n { try engine.setFact("sensor:\(i % 50):v\(i % 100)", .number(Double(i % 200))) }
}

// 4. Fan-out: each emit is delivered to 100 subscribers (mixed patterns, all matching).
let deliveries = Atomic<Int>(0)
try measure("emit fan-out to 100 subscribers (deliveries/s = ops/s × 100)", operations: n, setUp: {
    let engine = quietEngine()
    let patterns = ["*", "chat.*", "chat.room.*", "chat.*.message"]
    for i in 0..<100 {
        _ = engine.subscribe(patterns[i % patterns.count]) { _, _ in deliveries.add(1, ordering: .relaxed) }
    }
    return engine
}) { engine in
    for i in 0..<n { try engine.emit(topic: "chat.room.message", data: ["i": .number(Double(i))]) }
}
// 5. Temporal: 20 count rules (sliding 1 m window per user) and 20 absence rules per order.
try measure("emit through 40 temporal rules (count + absence, grouped)", operations: n, setUp: {
    let engine = quietEngine()
    for i in 0..<20 {
        try engine.registerRule(
            rule(
                "count\(i)",
                trigger: [
                    "type": "temporal",
                    "pattern": [
                        "type": "count", "event": ["topic": .string("login.failed.\(i)")], "threshold": 5, "window": "1m",
                        "sliding": true, "groupBy": "user",
                    ],
                ], conditions: [], actions: [["type": "emit_event", "topic": "alert", "data": ["u": ["ref": "trigger.groupKey"]]]],
                priority: 0))
        try engine.registerRule(
            rule(
                "absence\(i)",
                trigger: [
                    "type": "temporal",
                    "pattern": [
                        "type": "absence", "after": ["topic": .string("order.created.\(i)")],
                        "expected": ["topic": .string("order.paid.\(i)")], "within": "1h", "groupBy": "order",
                    ],
                ], conditions: [], actions: [["type": "emit_event", "topic": "unpaid", "data": [:]]], priority: 0))
    }
    return engine
}) { engine in
    for i in 0..<n {
        switch i % 3 {
        case 0: try engine.emit(topic: "login.failed.\(i % 20)", data: ["user": .string("u\(i % 97)")])
        case 1: try engine.emit(topic: "order.created.\(i % 20)", data: ["order": .string("o\(i)")])
        default: try engine.emit(topic: "order.paid.\(i % 20)", data: ["order": .string("o\(i - 1)")])
        }
    }
}

let perRound = deliveries.load(ordering: .relaxed) / options.rounds
print("")
print("fan-out deliveries per round: \(perRound) (expected \(n * 100))")
