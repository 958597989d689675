import NoexRules
import NoexWire
import Testing

@Suite struct ActionsTests {
    @Test func setFactAndDeleteFactWithTemplatesAndRefs() throws {
        let h = Harness()
        try h.engine.setFact("old:1", true)
        try h.engine.registerRule(
            rule(
                "f",
                actions: [
                    setFactAction("order:${event.orderId}:status", "pending"),
                    setFactAction("order:${event.orderId}:total", ["ref": "event.total"]),
                    setFactAction("order:${event.orderId}:missing", ["ref": "event.nothing"]),
                    ["type": "delete_fact", "key": "old:${event.orderId}"],
                ]))
        try h.engine.emit(topic: "test.go", data: ["orderId": 1, "total": 99.5])
        #expect(h.engine.getFact("order:1:status") == "pending")
        #expect(h.engine.getFact("order:1:total") == 99.5)
        #expect(h.engine.getFact("order:1:missing") == .null)
        #expect(h.engine.getFactFull("order:1:status")?.source == "rule")
        #expect(h.engine.getFact("old:1") == nil)
    }

    @Test func emitEventCarriesCorrelationButNoCausation() throws {
        let h = Harness()
        let out = h.events("out.*")
        try h.engine.registerRule(
            rule(
                "e",
                actions: [emitAction("out.${event.kind}", ["id": ["ref": "event.id"], "literal": "x", "nested": ["inner": ["ref": "event.id"]]])]
            ))
        try h.engine.emit(topic: "test.go", data: ["id": 5, "kind": "a"], correlationId: "corr", causationId: "cause")
        let event = try #require(out.values.first)
        #expect(event.topic == "out.a")
        #expect(event.source == "rule")
        #expect(event.correlationId == "corr")
        #expect(event.causationId == nil)
        // Only top-level {ref} members are resolved.
        #expect(event.data["id"] == 5)
        #expect(event.data["nested"] == ["inner": ["ref": "event.id"]])
        #expect(event.data["literal"] == "x")
    }

    @Test func logActionInterpolatesTemplates() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule(
                "l",
                actions: [
                    ["type": "log", "level": "info", "message": "n=${event.n} o=${event.o} a=${event.a} m=${event.missing} f=${fact.k}"]
                ]))
        try h.engine.setFact("k", 2.5)
        try h.engine.emit(topic: "test.go", data: ["n": 3, "o": ["x": 1], "a": [1, nil, "z"]])
        #expect(h.logs.values.contains("info: n=3 o=[object Object] a=1,,z m= f=2.5"))
    }

    @Test func conditionalRunsThenOrElse() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule(
                "c",
                actions: [
                    [
                        "type": "conditional", "conditions": [eventCondition("n", "gt", 10)],
                        "then": [setFactAction("size:${event.n}", "big")],
                        "else": [setFactAction("size:${event.n}", "small")],
                    ]
                ]))
        try h.engine.emit(topic: "test.go", data: ["n": 20])
        try h.engine.emit(topic: "test.go", data: ["n": 2])
        #expect(h.engine.getFact("size:20") == "big")
        #expect(h.engine.getFact("size:2") == "small")
    }

    @Test func forEachSetsItemAndIndexAndHonoursMaxIterations() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule(
                "fe",
                actions: [
                    [
                        "type": "for_each", "collection": ["ref": "event.items"], "as": "it", "maxIterations": 2,
                        "actions": [setFactAction("item:${var.it_index}", ["ref": "var.it.v"])],
                    ],
                    ["type": "for_each", "collection": ["a", "b"], "as": "x", "actions": [setFactAction("lit:${var.x}", true)]],
                ]))
        try h.engine.emit(topic: "test.go", data: ["items": [["v": "a"], ["v": "b"], ["v": "c"]]])
        #expect(h.engine.getFact("item:0") == "a")
        #expect(h.engine.getFact("item:1") == "b")
        #expect(h.engine.getFact("item:2") == nil)
        #expect(h.engine.getFact("lit:a") == true)
        #expect(h.engine.getFact("lit:b") == true)
    }

    @Test func tryCatchStopsAtFirstFailureAndExposesTheMessage() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule(
                "tc",
                actions: [
                    [
                        "type": "try_catch",
                        "try": [
                            setFactAction("before", true),
                            ["type": "call_service", "service": "nope", "method": "m"],
                            setFactAction("after", true),
                        ],
                        "catch": ["as": "err", "actions": [setFactAction("caught", ["ref": "var.err.message"])]],
                        "finally": [setFactAction("finally", true)],
                    ]
                ]))
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("before") == true)
        #expect(h.engine.getFact("after") == nil)
        #expect(h.engine.getFact("caught") == "Service not found: nope")
        #expect(h.engine.getFact("finally") == true)
        #expect(!h.logs.values.contains { $0.contains("Service not found") })  // handled, not logged
    }

    @Test func aFailedActionIsLoggedAndTheRestStillRun() throws {
        let h = Harness(tracing: true)
        try h.engine.registerRule(
            rule(
                "cont",
                actions: [
                    setFactAction("${nope.x}", 1),
                    ["type": "call_service", "service": "svc", "method": "missing"],
                    setFactAction("still", true),
                ]))
        h.engine.registerService("svc", ClosureRuleService(["m": { _ in .null }]))
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("still") == true)
        #expect(h.logs.values.contains { $0.contains("Unknown reference source: nope") })
        #expect(h.logs.values.contains { $0.contains("Method not found: svc.missing") })
        #expect(h.engine.traceEntries().filter { $0.type == "action_failed" }.count == 2)
    }

    @Test func callServicePassesResolvedArguments() throws {
        let h = Harness()
        let calls = Recorder<[JSONValue]>()
        h.engine.registerService("mail", ClosureRuleService(["send": { args in calls.append(args); return true }]))
        try h.engine.registerRule(
            rule(
                "cs",
                actions: [["type": "call_service", "service": "mail", "method": "send", "args": [["ref": "event.to"], "welcome", 3]]]
            ))
        try h.engine.emit(topic: "test.go", data: ["to": "a@b.c"])
        #expect(calls.values == [["a@b.c", "welcome", 3]])
    }

    @Test func priorityOrderAndVisibilityOfEarlierWrites() throws {
        let h = Harness()
        let order = Recorder<String>()
        h.engine.registerService("trace", ClosureRuleService(["hit": { args in order.append(args.first?.stringValue ?? ""); return .null }]))
        func hit(_ name: String) -> JSONValue { ["type": "call_service", "service": "trace", "method": "hit", "args": [.string(name)]] }
        try h.engine.registerRule(rule("low", priority: 1, actions: [hit("low")]))
        try h.engine.registerRule(rule("wild", trigger: ["type": "event", "topic": "test.*"], priority: 5, actions: [hit("wild")]))
        try h.engine.registerRule(rule("high", priority: 10, actions: [hit("high"), setFactAction("gate", true)]))
        try h.engine.registerRule(rule("mid", priority: 5, actions: [hit("mid")]))
        try h.engine.registerRule(
            rule(
                "gated", priority: 0,
                conditions: [["source": ["type": "fact", "pattern": "gate"], "operator": "eq", "value": true]],
                actions: [hit("gated")]))
        try h.engine.emit(topic: "test.go")
        // Highest first; equal priority: exact before wildcard, then registration order.
        #expect(order.values == ["high", "mid", "wild", "low", "gated"])
        #expect(h.engine.stats()["rulesExecuted"] == 5)
    }

    @Test func disabledRulesAndDisabledGroupsDoNotFire() throws {
        let h = Harness()
        try h.engine.createGroup(RuleGroup(id: "g", name: "Group"))
        var grouped = rule("grouped", actions: [setFactAction("grouped", true)])
        grouped["group"] = "g"
        try h.engine.registerRule(grouped)
        try h.engine.registerRule(rule("off", actions: [setFactAction("off", true)]))
        #expect(h.engine.disableRule("off"))
        #expect(h.engine.disableGroup("g"))
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("grouped") == nil)
        #expect(h.engine.getFact("off") == nil)
        #expect(h.engine.enableGroup("g"))
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("grouped") == true)
    }
}
