import NoexRules
import NoexWire
import Testing

@Suite struct RuleManagementTests {
    @Test func registerAppliesDefaultsAndKeepsExtraKeys() throws {
        let h = Harness()
        let registered = try h.engine.registerRule(
            ["id": "r1", "name": "One", "trigger": ["type": "event", "topic": "a"], "custom": ["x": 1]])
        #expect(registered.version == 1)
        #expect(registered.createdAt == h.clock.now())
        let json = registered.json
        #expect(json["priority"] == 0)
        #expect(json["enabled"] == true)
        #expect(json["tags"] == [])
        #expect(json["conditions"] == [])
        #expect(json["actions"] == [])
        #expect(json["custom"] == ["x": 1])
        #expect(json["version"] == 1)
        #expect(registered.summaryJSON == ["id": "r1", "name": "One", "enabled": true, "priority": 0, "version": 1, "tags": []])
    }

    @Test func duplicateIdIsCheckedBeforeValidation() throws {
        let h = Harness()
        try h.engine.registerRule(rule("dup", actions: []))
        #expect(throws: RulesError.alreadyExists("Rule \"dup\" already exists")) {
            try h.engine.registerRule(["id": "dup"])  // invalid, but the duplicate wins
        }
        #expect(RulesError.alreadyExists("x").protocolError.code.rawValue == "ALREADY_EXISTS")
    }

    @Test func versionsComeFromOneEngineWideCounter() throws {
        let h = Harness()
        let a = try h.engine.registerRule(rule("a", actions: []))
        let b = try h.engine.registerRule(rule("b", actions: []))
        h.clock.advance(byMilliseconds: 10)
        let a2 = try h.engine.updateRule("a", ["priority": 999])
        #expect([a.version, b.version, a2.version] == [1, 2, 3])
        #expect(a2.priority == 999)
        #expect(a2.createdAt == a.createdAt + 10)  // reset on update, as the reference does
        #expect(a2.updatedAt == a2.createdAt)
        #expect(h.engine.rules().map(\.id) == ["b", "a"])  // an update moves the rule to the end
    }

    @Test func updateChangesBehaviourAndValidatesTheMerge() throws {
        let h = Harness()
        let outputs = h.events("*")
        try h.engine.registerRule(rule("u", actions: [emitAction("output.u")]))
        try h.engine.updateRule("u", ["actions": [emitAction("new-output.u")], "id": "ignored"])
        #expect(h.engine.getRule("ignored") == nil)
        try h.engine.emit(topic: "test.go")
        #expect(outputs.values.map(\.topic) == ["test.go", "new-output.u"])
        #expect(throws: RulesError.self) { try h.engine.updateRule("u", ["trigger": ["type": "nope"]]) }
        #expect(h.engine.getRule("u")?.trigger == ["type": "event", "topic": "test.go"])
    }

    @Test func updateOfAnUnknownRuleIsNotFound() {
        let h = Harness()
        #expect(throws: RulesError.notFound("Rule \"ghost\" not found")) { try h.engine.updateRule("ghost", [:]) }
        #expect(RulesError.notFound("x").protocolError.code.rawValue == "NOT_FOUND")
    }

    @Test func enableDisableKeepTheVersionAndUnregisterRemoves() throws {
        let h = Harness()
        try h.engine.registerRule(rule("e", actions: [setFactAction("ran", true)]))
        h.clock.advance(byMilliseconds: 3)
        #expect(h.engine.disableRule("e"))
        let disabled = try #require(h.engine.getRule("e"))
        #expect(!disabled.enabled)
        #expect(disabled.version == 1)
        #expect(disabled.updatedAt == disabled.createdAt + 3)
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("ran") == nil)
        #expect(h.engine.enableRule("e"))
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("ran") == true)
        #expect(!h.engine.enableRule("nope"))
        #expect(!h.engine.disableRule("nope"))
        #expect(h.engine.unregisterRule("e"))
        #expect(!h.engine.unregisterRule("e"))
        #expect(h.engine.rules().isEmpty)
        _ = h.engine.deleteFact("ran")
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("ran") == nil)
    }

    @Test func groupsMustExist() throws {
        let h = Harness()
        var grouped = rule("g1", actions: [])
        grouped["group"] = "billing"
        do {
            try h.engine.registerRule(grouped)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Rule references non-existent group: \"billing\"")
            #expect(error.details == [["path": "group", "message": "Group \"billing\" does not exist", "severity": "error"]])
        }
        try h.engine.createGroup(RuleGroup(id: "billing", name: "Billing"))
        #expect(throws: RulesError.alreadyExists("Group \"billing\" already exists")) {
            try h.engine.createGroup(RuleGroup(id: "billing", name: "Again"))
        }
        #expect(try h.engine.registerRule(grouped).summaryJSON["group"] == "billing")
        #expect(h.engine.deleteGroup("billing"))
        #expect(h.engine.getRule("g1")?.group == nil)
        #expect(h.engine.groups().isEmpty)
    }

    @Test func statsCountRulesAndAverageTime() throws {
        let h = Harness(tracing: true)
        try h.engine.registerRule(rule("s", actions: [setFactAction("x", 1)]))
        try h.engine.registerRule(rule("off", actions: []))
        _ = h.engine.disableRule("off")
        try h.engine.emit(topic: "test.go")
        let stats = h.engine.stats()
        #expect(stats["rulesCount"] == 2)
        #expect(stats["rulesExecuted"] == 1)
        #expect((stats["avgProcessingTimeMs"]?.numberValue ?? -1) >= 0)
        #expect(stats["tracing"]?["enabled"] == true)
        #expect((stats["tracing"]?["entriesCount"]?.numberValue ?? 0) >= 1)
    }

    @Test func stoppedEngineRefusesRegistration() {
        let h = Harness()
        h.engine.stop()
        #expect(throws: RulesError.notRunning("RuleEngine \"test-engine\" is not running")) {
            try h.engine.registerRule(rule("x", actions: []))
        }
    }
}

@Suite struct LoadRulesTests {
    @Test func loadsTheThreeShapesWithYamlDefaultsAndShorthand() throws {
        let h = Harness()
        let loaded = try h.engine.loadRules(
            json: [
                "rules": [
                    [
                        "id": "order-notify", "priority": 100, "tags": ["orders"],
                        "trigger": ["type": "event", "topic": "order.created"],
                        "conditions": [["source": ["type": "event", "field": "total"], "operator": "gte", "value": 100]],
                        "actions": [
                            ["type": "emit_event", "topic": "notification.send", "data": ["orderId": "${event.orderId}"]],
                            ["type": "set_fact", "key": "order:${event.orderId}:status", "value": "pending"],
                        ],
                    ]
                ]
            ])
        #expect(loaded.map(\.id) == ["order-notify"])
        #expect(loaded[0].name == "order-notify")
        #expect(loaded[0].json["enabled"] == true)
        let sent = h.events("notification.*")
        try h.engine.emit(topic: "order.created", data: ["orderId": 9, "total": 150])
        #expect(sent.values.first?.data == ["orderId": 9])
        #expect(h.engine.getFact("order:9:status") == "pending")

        try h.engine.loadRules(json: ["id": "single", "trigger": ["type": "event", "topic": "s"], "actions": [emitAction("x")]])
        try h.engine.loadRules(json: [["id": "listed", "trigger": ["type": "event", "topic": "l"], "actions": [emitAction("x")]]])
        #expect(h.engine.rules().map(\.id) == ["order-notify", "single", "listed"])
    }

    @Test func nothingIsRegisteredWhenOneRuleIsInvalid() {
        let h = Harness()
        do {
            try h.engine.loadRules(json: [
                ["id": "ok", "trigger": ["type": "event", "topic": "a"], "actions": []],
                ["id": "bad", "actions": []],
            ])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Rule validation failed")
            #expect(error.details == [["path": "rules[1].trigger", "message": "Required field \"trigger\" is missing", "severity": "error"]])
        }
        #expect(h.engine.rules().isEmpty)
        #expect(throws: RulesError.invalidArgument("rules: must contain at least one rule")) { try h.engine.loadRules(json: []) }
        #expect(throws: RulesError.alreadyExists("Rule \"d\" already exists")) {
            try h.engine.loadRules(json: [
                ["id": "d", "trigger": ["type": "event", "topic": "a"]], ["id": "d", "trigger": ["type": "event", "topic": "b"]],
            ])
        }
    }
}
