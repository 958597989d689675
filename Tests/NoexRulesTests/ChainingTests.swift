import NoexRules
import NoexWire
import Testing

@Suite struct ChainingTests {
    /// Rules step-i on `chain.i`: set `step:i`, emit `chain.<i+1>`.
    private func registerChain(_ engine: RuleEngine, steps: Int) throws {
        for i in 0..<steps {
            try engine.registerRule(
                rule(
                    "step-\(i)", trigger: ["type": "event", "topic": .string("chain.\(i)")],
                    actions: [setFactAction("step:\(i)", true), emitAction("chain.\(i + 1)")]))
        }
    }

    @Test func eventChainStopsAtTheDefaultDepthOf16() throws {
        let h = Harness()
        let events = h.events("chain.*")
        try registerChain(h.engine, steps: 20)
        try h.engine.emit(topic: "chain.0")
        let set = (0..<20).filter { h.engine.getFact("step:\($0)") != nil }
        #expect(set == Array(0..<16))
        // The event that is cut off still reaches subscribers.
        #expect(events.values.map(\.topic) == (0...16).map { "chain.\($0)" })
        #expect(h.logs.values.contains { $0.hasPrefix("warn: Forward chaining limit reached (depth 16, max 16)") })
    }

    @Test func aConfiguredDepthOf10MatchesTheReference() throws {
        let h = Harness(maxChainDepth: 10, tracing: true)
        try registerChain(h.engine, steps: 15)
        try h.engine.emit(topic: "chain.0")
        #expect((0..<15).filter { h.engine.getFact("step:\($0)") != nil } == Array(0..<10))
        #expect(h.engine.traceEntries().contains { $0.type == "forward_chaining_limit" })
    }

    @Test func factsSetByActionsTriggerFactRules() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule("a-to-b", trigger: ["type": "fact", "pattern": "a:*"], actions: [setFactAction("b:1", ["ref": "trigger.fact.value"])]))
        try h.engine.registerRule(
            rule(
                "b-to-c", trigger: ["type": "fact", "pattern": "b:*"],
                conditions: [eventCondition("fact.value", "gt", 1)],
                actions: [setFactAction("c:${trigger.fact.key}", ["ref": "event.fact.version"])]))
        try h.engine.setFact("a:x", 5)
        #expect(h.engine.getFact("b:1") == 5)
        #expect(h.engine.getFact("c:b:1") == 1)
    }

    @Test func aSelfTriggeringFactRuleIsBounded() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule("loop", trigger: ["type": "fact", "pattern": "counter"], actions: [setFactAction("counter", ["ref": "trigger.fact.version"])]))
        try h.engine.setFact("counter", 0)
        // API set (depth 0) + one rule write per depth 0..15.
        #expect(h.engine.getFactFull("counter")?.version == 17)
        #expect(h.engine.stats()["rulesExecuted"] == 16)
    }

    @Test func aSelfEmittingRuleIsBoundedAndFactRulesChainIntoEvents() throws {
        let h = Harness(maxChainDepth: 4)
        let loop = h.events("loop")
        try h.engine.registerRule(rule("loop", trigger: ["type": "event", "topic": "loop"], actions: [emitAction("loop")]))
        try h.engine.emit(topic: "loop")
        #expect(loop.values.count == 5)

        let alerts = h.events("alert")
        try h.engine.registerRule(
            rule("f", trigger: ["type": "fact", "pattern": "temp"], conditions: [eventCondition("fact.value", "gt", 30)],
                 actions: [emitAction("alert", ["t": ["ref": "trigger.fact.value"]])]))
        try h.engine.setFact("temp", 35)
        try h.engine.setFact("temp", 20)
        #expect(alerts.values.map { $0.data["t"] } == [35])
    }

    @Test func deleteFactTriggersNothing() throws {
        let h = Harness()
        try h.engine.setFact("k", 1)
        try h.engine.registerRule(rule("r", trigger: ["type": "fact", "pattern": "k"], actions: [setFactAction("ran", true)]))
        _ = h.engine.deleteFact("k")
        #expect(h.engine.getFact("ran") == nil)
    }
}
