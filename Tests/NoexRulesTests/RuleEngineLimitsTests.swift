import NoexRules
import NoexWire
import Testing

/// Every ``RuleEngineLimits`` bound at its value and one past it (issue 14, items 2 and 6).
@Suite struct RuleEngineLimitsTests {
    private func invalidArgument(_ body: () throws(RulesError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            guard case .invalidArgument(let message) = error else { return "unexpected \(error)" }
            return message
        }
    }

    private func validationIssues(_ body: () throws(RulesError) -> Void) -> [String] {
        do {
            try body()
            return []
        } catch {
            guard case .validation(_, let issues) = error else { return ["unexpected \(error)"] }
            return issues.map(\.message)
        }
    }

    // MARK: Patterns

    @Test func queryPatternLengthAndWildcards() throws {
        let h = Harness(limits: RuleEngineLimits(maxPatternLength: 16, maxPatternWildcards: 3))
        try h.engine.setFact("a:b:c", 1)
        #expect(try h.engine.queryFacts("*:*:*").count == 1)  // 3 wildcards: at the bound
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.queryFacts("*:*:*:*") }
            == "pattern has too many wildcards: 4 (maxPatternWildcards 3)")
        let atBound = "a:" + String(repeating: "x", count: 13) + "*"  // 16 bytes
        #expect(try h.engine.queryFacts(atBound).isEmpty)
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.queryFacts(atBound + "y") }
            == "pattern is too long: 17 bytes (maxPatternLength 16)")
        // An exact key is a lookup, not a pattern: not bounded by the pattern length.
        #expect(try h.engine.queryFacts(String(repeating: "k", count: 40)).isEmpty)
    }

    @Test func ruleTriggerAndConditionPatternsAreBoundedAtValidation() throws {
        let h = Harness(limits: RuleEngineLimits(maxPatternLength: 16, maxPatternWildcards: 2))
        try h.engine.registerRule(rule("ok", trigger: ["type": "fact", "pattern": "*:*"], actions: []))
        #expect(validationIssues { () throws(RulesError) in
            try h.engine.registerRule(rule("wild", trigger: ["type": "fact", "pattern": "*:*:*"], actions: []))
        } == ["Pattern has too many wildcards: 3 (maxPatternWildcards 2)"])
        #expect(validationIssues { () throws(RulesError) in
            try h.engine.registerRule(rule("long", trigger: ["type": "event", "topic": "abcdefghijklmnop.*"], actions: []))
        } == ["Pattern is too long: 18 bytes (maxPatternLength 16)"])
        let factSource: JSONValue = [
            "source": ["type": "fact", "pattern": "a:*:*:*"], "operator": "exists", "value": true,
        ]
        #expect(validationIssues { () throws(RulesError) in
            try h.engine.registerRule(rule("cond", conditions: [factSource], actions: []))
        } == ["Pattern has too many wildcards: 3 (maxPatternWildcards 2)"])
        #expect(h.engine.rules().map(\.id) == ["ok"])
    }

    // MARK: Keys and counts

    @Test func factKeysAndTopicsAreBoundedInLength() throws {
        let h = Harness(limits: RuleEngineLimits(maxKeyLength: 8))
        try h.engine.setFact("12345678", 1)
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.setFact("123456789", 1) }
            == "Fact key is too long: 9 bytes (maxKeyLength 8)")
        #expect(h.engine.getFact("123456789") == nil)
        try h.engine.emit(topic: "abcd.efg")
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.emit(topic: "abcd.efgh") }
            == "Event topic is too long: 9 bytes (maxKeyLength 8)")
    }

    @Test func theFactCountIsBoundedAndNothingIsStoredPastIt() throws {
        let h = Harness(limits: RuleEngineLimits(maxFacts: 3))
        for i in 0..<3 { try h.engine.setFact("f:\(i)", .number(Double(i))) }
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.setFact("f:3", 3) }
            == "Fact limit reached: the engine holds 3 facts (maxFacts 3)")
        #expect(h.engine.getFact("f:3") == nil)
        // Updating an existing fact is not a new fact.
        #expect(try h.engine.setFact("f:0", 10).version == 2)
        // A rule's set_fact past the limit fails as an action: logged, nothing stored.
        try h.engine.registerRule(rule("writer", actions: [setFactAction("f:new", true)]))
        try h.engine.emit(topic: "test.go")
        #expect(h.engine.getFact("f:new") == nil)
        #expect(h.logs.values.contains { $0.contains("Fact limit reached") })
        h.engine.deleteFact("f:1")
        try h.engine.setFact("f:3", 3)
    }

    @Test func theRuleCountIsBounded() throws {
        let h = Harness(limits: RuleEngineLimits(maxRules: 2))
        try h.engine.registerRule(rule("r1", actions: []))
        // loadRules is all or nothing: two more do not fit, none is registered.
        #expect(invalidArgument { () throws(RulesError) in
            _ = try h.engine.loadRules(json: [.object(rule("r2", actions: [])), .object(rule("r3", actions: []))])
        } == "Rule limit reached: the engine holds 1 rules (maxRules 2)")
        #expect(h.engine.rules().count == 1)
        try h.engine.registerRule(rule("r2", actions: []))
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.registerRule(rule("r3", actions: [])) }
            == "Rule limit reached: the engine holds 2 rules (maxRules 2)")
        // Updating keeps the count.
        try h.engine.updateRule("r2", ["priority": 3])
        #expect(h.engine.rules().count == 2)
    }

    @Test func factValuesAreBoundedInNodesAndDepth() throws {
        let h = Harness(limits: RuleEngineLimits(maxFactValueNodes: 4))
        try h.engine.setFact("v", [1, 2, 3])  // 4 nodes
        #expect(invalidArgument { () throws(RulesError) in _ = try h.engine.setFact("v", [1, 2, 3, 4]) }
            == "Fact value is too large: more than 4 nodes (maxFactValueNodes)")
        #expect(h.engine.getFact("v") == [1, 2, 3])

        let deep = Harness()
        var value: JSONValue = 1
        for _ in 0..<JSONParser.maximumDepth { value = [value] }
        try deep.engine.setFact("d", value)  // 512 levels, as the parser accepts
        #expect(invalidArgument { () throws(RulesError) in _ = try deep.engine.setFact("d", [value]) }
            == "Fact value is nested too deeply: more than 512 levels")
    }

    @Test func aRuleThatWrapsAFactInItselfStopsAtTheValueBound() throws {
        let h = Harness(limits: RuleEngineLimits(maxFactValueNodes: 50))
        // Each firing stores the previous fact object: 5 more nodes (and one more level) each time.
        try h.engine.registerRule(
            rule("wrap", trigger: ["type": "fact", "pattern": "x"], actions: [setFactAction("x", ["ref": "trigger.fact"])]))
        try h.engine.setFact("x", 1)
        // 1 + 5·9 = 46 nodes fit (version 10); 51 do not: the tenth wrap fails and is logged.
        #expect(h.engine.getFactFull("x")?.version == 10)
        #expect(h.logs.values.contains { $0.contains("Fact value is too large: more than 50 nodes (maxFactValueNodes)") })
    }

    // MARK: Actions per trigger

    /// A rule that answers `fan.out` with `width` `fan.out` events: width^depth without a budget.
    private func registerFanOut(_ engine: RuleEngine, width: Int) throws {
        try engine.registerRule(
            rule("fan", trigger: ["type": "event", "topic": "fan.out"], actions: Array(repeating: emitAction("fan.out"), count: width)))
    }

    @Test func aFourWayFanOutStopsAtTheActionBudget() throws {
        let h = Harness(tracing: true)
        let events = h.events("fan.out")
        try registerFanOut(h.engine, width: 4)
        let done = finishes {
            _ = try? h.engine.emit(topic: "fan.out")
        }
        #expect(done, "the fan-out did not finish within 30 s")
        guard done else { return }
        let limit = RuleEngineLimits().maxActionsPerEvent
        // The emit itself plus exactly one event per action run.
        #expect(events.values.count == 1 + limit)
        #expect(h.logs.values.filter { $0.hasPrefix("warn: Action limit reached (\(limit) actions") }.count == 1)
        #expect(h.engine.traceEntries().contains { $0.type == "action_limit" })
        // Each top-level trigger has its own budget.
        try h.engine.emit(topic: "fan.out")
        #expect(events.values.count == 2 * (1 + limit))
    }

    @Test func theActionBudgetAtAndPastItsValue() throws {
        // A two-way fan-out three levels deep (depth limit 3) runs 2 + 4 + 8 = 14 actions.
        let atBound = Harness(maxChainDepth: 3, limits: RuleEngineLimits(maxActionsPerEvent: 14))
        let atEvents = atBound.events("fan.out")
        try registerFanOut(atBound.engine, width: 2)
        try atBound.engine.emit(topic: "fan.out")
        #expect(atEvents.values.count == 15)
        #expect(!atBound.logs.values.contains { $0.contains("Action limit reached") })

        let past = Harness(maxChainDepth: 3, limits: RuleEngineLimits(maxActionsPerEvent: 13))
        let pastEvents = past.events("fan.out")
        try registerFanOut(past.engine, width: 2)
        try past.engine.emit(topic: "fan.out")
        #expect(pastEvents.values.count == 14)
        #expect(past.logs.values.contains {
            $0 == "warn: Action limit reached (13 actions for one trigger, maxActionsPerEvent): the chain stopped in rule \"fan\""
        })
    }

    @Test func factChainsShareTheBudget() throws {
        let h = Harness(limits: RuleEngineLimits(maxActionsPerEvent: 5))
        try h.engine.registerRule(
            rule("grow", trigger: ["type": "fact", "pattern": "n"], actions: [
                setFactAction("n", ["ref": "trigger.fact.version"]),
            ]))
        try h.engine.setFact("n", 0)
        // Five set_fact actions ran: versions 2...6.
        #expect(h.engine.getFactFull("n")?.version == 6)
        #expect(h.logs.values.contains { $0.hasPrefix("warn: Action limit reached (5 actions") })
    }

    // MARK: Regular expressions

    @Test func regexLengthIsBoundedAtValidationAndAtRunTime() throws {
        let h = Harness(limits: RuleEngineLimits(maxRegexLength: 8))
        let atBound = eventCondition("name", "matches", "^[a-z]+$")  // 8 bytes
        try h.engine.registerRule(rule("ok", conditions: [atBound], actions: [setFactAction("ok", true)]))
        #expect(validationIssues { () throws(RulesError) in
            try h.engine.registerRule(rule("long", conditions: [eventCondition("name", "matches", "^[a-z]+$$")], actions: []))
        } == ["Regular expression is too long: 9 bytes (maxRegexLength 8)"])
        try h.engine.emit(topic: "test.go", data: ["name": "abc"])
        #expect(h.engine.getFact("ok") == true)

        // A pattern from a reference is bounded when it is used: too long counts as no match.
        try h.engine.registerRule(
            rule("ref", trigger: ["type": "event", "topic": "ref.go"],
                 conditions: [eventCondition("name", "matches", ["ref": "event.pattern"])],
                 actions: [setFactAction("ref", ["ref": "event.pattern"])]))
        try h.engine.emit(topic: "ref.go", data: ["name": "abc", "pattern": "^[a-z]+$"])
        #expect(h.engine.getFact("ref") == "^[a-z]+$")
        try h.engine.emit(topic: "ref.go", data: ["name": "abc", "pattern": "^[a-z]+$|x"])
        #expect(h.engine.getFact("ref") == "^[a-z]+$")
        #expect(h.logs.values.contains { $0.contains("Regular expression is too long: 10 bytes (maxRegexLength 8)") })
    }

    @Test func aCatastrophicRegexIsAbandonedAtTheTimeLimit() throws {
        let h = Harness(limits: RuleEngineLimits(regexTimeLimitMs: 20))
        try h.engine.registerRule(
            rule("redos", conditions: [eventCondition("text", "matches", "^(a+)+$")], actions: [setFactAction("hit", true)]))
        // A harmless text matches normally.
        try h.engine.emit(topic: "test.go", data: ["text": "aaaa"])
        #expect(h.engine.getFact("hit") == true)
        h.engine.deleteFact("hit")
        // 2^40 backtracking steps without the limit.
        let done = finishes {
            _ = try? h.engine.emit(topic: "test.go", data: ["text": .string(String(repeating: "a", count: 40) + "b")])
        }
        #expect(done, "the regular expression was not abandoned within 30 s")
        #expect(h.engine.getFact("hit") == nil)
        #expect(h.logs.values.contains { $0.contains("Regular expression abandoned after 20 ms (regexTimeLimitMs)") })
    }
}
