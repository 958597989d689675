@testable import NoexRules
import NoexWire
import Testing

@Suite struct TemporalTests {
    private func temporalRule(_ id: String, _ pattern: JSONValue, actions: [JSONValue]) -> JSONObject {
        rule(id, trigger: ["type": "temporal", "pattern": pattern], actions: actions)
    }

    @Test func sequenceWithinWindowPerGroup() throws {
        let h = Harness()
        let done = h.events("checkout.completed")
        try h.engine.registerRule(
            temporalRule(
                "seq",
                [
                    "type": "sequence", "groupBy": "orderId", "within": "5m",
                    "events": [["topic": "cart.created", "as": "cart"], ["topic": "payment.*", "filter": ["status": "ok"], "as": "pay"]],
                ],
                actions: [emitAction("checkout.completed", ["order": ["ref": "trigger.groupKey"], "paid": ["ref": "trigger.pay.amount"], "first": ["ref": "matched.0.orderId"]])]))
        try h.engine.emit(topic: "cart.created", data: ["orderId": "A"])
        try h.engine.emit(topic: "cart.created", data: ["orderId": "B"])
        try h.engine.emit(topic: "payment.card", data: ["orderId": "A", "status": "failed", "amount": 1])  // filtered out
        h.clock.advance(byMilliseconds: 60_000)
        try h.engine.emit(topic: "payment.card", data: ["orderId": "A", "status": "ok", "amount": 10])
        #expect(done.values.map(\.data) == [["order": "A", "paid": 10, "first": "A"]])
        // B's window closes before its payment arrives.
        h.clock.advance(byMilliseconds: 5 * 60_000)
        try h.engine.emit(topic: "payment.card", data: ["orderId": "B", "status": "ok", "amount": 5])
        #expect(done.values.count == 1)
    }

    @Test func strictSequenceIsBrokenByAnotherEvent() throws {
        let h = Harness()
        try h.engine.registerRule(
            temporalRule(
                "strict", ["type": "sequence", "strict": true, "within": 1000, "events": [["topic": "a"], ["topic": "b"]]],
                actions: [setFactAction("fired", true)]))
        try h.engine.emit(topic: "a")
        try h.engine.emit(topic: "noise")
        try h.engine.emit(topic: "b")
        #expect(h.engine.getFact("fired") == nil)
        try h.engine.emit(topic: "a")
        try h.engine.emit(topic: "b")
        #expect(h.engine.getFact("fired") == true)
    }

    @Test func absenceFiresAtTheDeadlineUnlessTheExpectedEventArrives() throws {
        let h = Harness()
        let reminders = h.events("payment.missing")
        try h.engine.registerRule(
            temporalRule(
                "abs",
                [
                    "type": "absence", "groupBy": "orderId", "within": "1m",
                    "after": ["topic": "order.created", "as": "order"], "expected": ["topic": "payment.received"],
                ],
                actions: [emitAction("payment.missing", ["orderId": ["ref": "trigger.order.orderId"]])]))
        try h.engine.emit(topic: "order.created", data: ["orderId": 1], correlationId: "c1")
        try h.engine.emit(topic: "order.created", data: ["orderId": 2])
        h.clock.advance(byMilliseconds: 30_000)
        try h.engine.emit(topic: "payment.received", data: ["orderId": 2])
        h.clock.advance(byMilliseconds: 29_999)
        #expect(reminders.values.isEmpty)
        h.clock.advance(byMilliseconds: 1)
        #expect(reminders.values.map(\.data) == [["orderId": 1]])
        #expect(reminders.values.first?.correlationId == "c1")
        h.clock.advance(byMilliseconds: 600_000)
        #expect(reminders.values.count == 1)
        #expect(h.clock.pendingCount == 0)
    }

    @Test func unregisteringCancelsPendingDeadlines() throws {
        let h = Harness()
        try h.engine.registerRule(
            temporalRule(
                "abs", ["type": "absence", "within": "1m", "after": ["topic": "a"], "expected": ["topic": "b"]],
                actions: [setFactAction("fired", true)]))
        try h.engine.emit(topic: "a")
        #expect(h.clock.pendingCount == 1)
        #expect(h.engine.unregisterRule("abs"))
        #expect(h.clock.pendingCount == 0)
        h.clock.advance(byMilliseconds: 120_000)
        #expect(h.engine.getFact("fired") == nil)
    }

    @Test func slidingCountPerGroup() throws {
        let h = Harness()
        let alerts = h.events("security.alert")
        try h.engine.registerRule(
            temporalRule(
                "brute",
                [
                    "type": "count", "groupBy": "user", "threshold": 3, "window": "1m", "sliding": true,
                    "event": ["topic": "login.failed"],
                ],
                actions: [emitAction("security.alert", ["user": ["ref": "trigger.groupKey"], "n": ["ref": "trigger.count"]])]))
        for _ in 0..<2 {
            try h.engine.emit(topic: "login.failed", data: ["user": "eve"])
            h.clock.advance(byMilliseconds: 20_000)
        }
        try h.engine.emit(topic: "login.failed", data: ["user": "bob"])
        #expect(alerts.values.isEmpty)
        try h.engine.emit(topic: "login.failed", data: ["user": "eve"])  // third within 40 s
        #expect(alerts.values.map(\.data) == [["user": "eve", "n": 3]])
        h.clock.advance(byMilliseconds: 50_000)  // the first two fall out of the window
        try h.engine.emit(topic: "login.failed", data: ["user": "eve"])
        #expect(alerts.values.count == 1)
    }

    @Test func tumblingCountRestartsEachWindow() throws {
        let h = Harness()
        // Align to a window boundary so the test does not depend on the clock's start value.
        h.clock.advance(byMilliseconds: 60_000 - h.clock.now() % 60_000)
        try h.engine.registerRule(
            temporalRule(
                "tumble", ["type": "count", "threshold": 2, "comparison": "eq", "window": 60_000, "event": ["topic": "tick"]],
                actions: [setFactAction("hits", ["ref": "trigger.count"])]))
        try h.engine.emit(topic: "tick")
        h.clock.advance(byMilliseconds: 59_000)
        try h.engine.emit(topic: "tick")
        #expect(h.engine.getFactFull("hits")?.version == 1)
        h.clock.advance(byMilliseconds: 2_000)  // next window
        try h.engine.emit(topic: "tick")
        #expect(h.engine.getFactFull("hits")?.version == 1)
        try h.engine.emit(topic: "tick")
        #expect(h.engine.getFactFull("hits")?.version == 2)
    }

    @Test func aggregateFunctions() throws {
        let h = Harness()
        for (name, function, threshold) in [("sum", "sum", 100.0), ("avg", "avg", 40.0), ("max", "max", 70.0), ("min", "min", 5.0), ("count", "count", 3.0)] {
            try h.engine.registerRule(
                temporalRule(
                    name,
                    [
                        "type": "aggregate", "event": ["topic": "order.paid"], "field": "payment.amount",
                        "function": .string(function), "threshold": .number(threshold),
                        "comparison": function == "min" ? "lte" : "gte", "window": "1h",
                    ],
                    actions: [setFactAction("agg:\(name)", ["ref": "trigger.aggregateValue"])]))
        }
        for amount in [30.0, 70.0] { try h.engine.emit(topic: "order.paid", data: ["payment": ["amount": .number(amount)]]) }
        #expect(h.engine.getFact("agg:sum") == 100)
        #expect(h.engine.getFact("agg:avg") == 50)
        #expect(h.engine.getFact("agg:max") == 70)
        #expect(h.engine.getFact("agg:min") == nil)
        #expect(h.engine.getFact("agg:count") == nil)
        try h.engine.emit(topic: "order.paid", data: ["payment": ["amount": 5]])
        #expect(h.engine.getFact("agg:min") == 5)
        #expect(h.engine.getFact("agg:count") == 3)
        // Events without a numeric field are ignored by sum/avg/min/max.
        try h.engine.emit(topic: "order.paid", data: ["payment": [:]])
        #expect(h.engine.getFact("agg:count") == 4)
        #expect(h.engine.getFact("agg:sum") == 105)
    }
}

@Suite struct TemporalStateTests {
    private func event(_ topic: String, _ data: JSONObject, at time: Int64) -> RuleEvent {
        RuleEvent(id: "e", topic: topic, data: data, timestamp: time, source: "api")
    }

    @Test func windowsAreBoundedAndIdleGroupsAreSwept() throws {
        let spec = try #require(
            TemporalSpec(["type": "count", "event": ["topic": "t"], "threshold": 1, "window": "1h", "sliding": true, "groupBy": "g"]))
        var state = TemporalRuleState()
        var id = 0
        var last = 0
        for i in 0..<(TemporalRuleState.windowCapacity + 50) {
            let effects = state.process(event("t", ["g": "a"], at: 0), spec: spec, ruleId: "r", now: Int64(i / 1000), nextID: &id)
            last = effects.matches.last?.count ?? last
        }
        #expect(last == TemporalRuleState.windowCapacity)
        #expect(state.windows["a"]?.count == TemporalRuleState.windowCapacity)
        // Two hours later, a burst of other groups triggers a sweep that drops group "a".
        for i in 0..<1100 {
            _ = state.process(event("t", ["g": .string("k\(i)")], at: 0), spec: spec, ruleId: "r", now: 7_200_000, nextID: &id)
        }
        #expect(state.windows["a"] == nil)
    }
}
