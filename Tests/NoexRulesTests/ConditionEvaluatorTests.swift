import NoexRules
import NoexWire
import Testing

/// Whether a rule with the single `condition` fires on an event carrying `data`.
private func fires(_ condition: JSONValue, data: JSONObject, facts: [(String, JSONValue)] = []) throws -> Bool {
    let h = Harness()
    for (key, value) in facts { try h.engine.setFact(key, value) }
    try h.engine.registerRule(rule("c", conditions: [condition], actions: [setFactAction("hit", true)]))
    try h.engine.emit(topic: "test.go", data: data)
    return h.engine.getFact("hit") == true
}

@Suite struct ConditionEvaluatorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var op: String
        var actual: JSONValue?
        var value: JSONValue?
        var expected: Bool
        var testDescription: String {
            "\(actual.map { "\($0)" } ?? "undefined") \(op) \(value.map { "\($0)" } ?? "-") → \(expected)"
        }
    }

    static let cases: [Case] = [
        .init(op: "eq", actual: 5, value: 5, expected: true),
        .init(op: "eq", actual: 5, value: "5", expected: false),  // strict
        .init(op: "eq", actual: "a", value: "a", expected: true),
        .init(op: "eq", actual: nil, value: .null, expected: false),  // undefined !== null
        .init(op: "eq", actual: .null, value: .null, expected: true),
        .init(op: "eq", actual: [1, 2], value: [1, 2], expected: true),  // structural (documented)
        .init(op: "neq", actual: 5, value: 6, expected: true),
        .init(op: "neq", actual: 5, value: 5, expected: false),
        .init(op: "neq", actual: true, value: "true", expected: true),
        .init(op: "gt", actual: 10, value: 5, expected: true),
        .init(op: "gt", actual: 5, value: 5, expected: false),
        .init(op: "gt", actual: "10", value: 5, expected: false),  // numbers only
        .init(op: "gte", actual: 5, value: 5, expected: true),
        .init(op: "gte", actual: 4.5, value: 5, expected: false),
        .init(op: "lt", actual: 1, value: 2, expected: true),
        .init(op: "lt", actual: nil, value: 2, expected: false),
        .init(op: "lte", actual: 2, value: 2, expected: true),
        .init(op: "lte", actual: 3, value: 2, expected: false),
        .init(op: "in", actual: "b", value: ["a", "b"], expected: true),
        .init(op: "in", actual: "c", value: ["a", "b"], expected: false),
        .init(op: "in", actual: "a", value: "abc", expected: false),  // needs an array
        .init(op: "not_in", actual: "c", value: ["a", "b"], expected: true),
        .init(op: "not_in", actual: "a", value: ["a", "b"], expected: false),
        .init(op: "not_in", actual: "a", value: "xyz", expected: false),  // needs an array too
        .init(op: "contains", actual: "hello world", value: "world", expected: true),
        .init(op: "contains", actual: "hello", value: "World", expected: false),  // case-sensitive
        .init(op: "contains", actual: [1, 2, 3], value: 2, expected: true),
        .init(op: "contains", actual: [1, 2, 3], value: 4, expected: false),
        .init(op: "contains", actual: 123, value: 2, expected: false),
        .init(op: "not_contains", actual: "hello", value: "xyz", expected: true),
        .init(op: "not_contains", actual: [1, 2], value: 1, expected: false),
        .init(op: "not_contains", actual: 123, value: 1, expected: true),  // other types: true
        .init(op: "matches", actual: "order-123", value: "^order-\\d+$", expected: true),
        .init(op: "matches", actual: "xorder-1", value: "order", expected: true),  // unanchored
        .init(op: "matches", actual: "ORDER", value: "order", expected: false),  // no flags
        .init(op: "matches", actual: "a", value: "(", expected: false),  // invalid regex
        .init(op: "matches", actual: 5, value: "5", expected: false),
        .init(op: "exists", actual: 0, value: nil, expected: true),
        .init(op: "exists", actual: .null, value: nil, expected: false),
        .init(op: "exists", actual: nil, value: nil, expected: false),
        .init(op: "not_exists", actual: nil, value: nil, expected: true),
        .init(op: "not_exists", actual: .null, value: nil, expected: true),
        .init(op: "not_exists", actual: "", value: nil, expected: false),
    ]

    @Test(arguments: cases)
    func everyOperator(_ c: Case) throws {
        var data: JSONObject = [:]
        if let actual = c.actual { data["x"] = actual }
        #expect(try fires(eventCondition("x", c.op, c.value), data: data) == c.expected)
    }

    @Test func allThirteenOperatorsAreCovered() {
        #expect(Set(Self.cases.map(\.op)).count == 13)
    }

    @Test func refValuesAreResolvedAgainstTheTriggerAndFacts() throws {
        #expect(try fires(eventCondition("a", "eq", ["ref": "event.b"]), data: ["a": 3, "b": 3]))
        #expect(try !fires(eventCondition("a", "eq", ["ref": "event.b"]), data: ["a": 3, "b": 4]))
        #expect(try fires(eventCondition("amount", "gte", ["ref": "fact.limit"]), data: ["amount": 100], facts: [("limit", 50)]))
        // An unknown source leaves the {ref} object as the compare value.
        #expect(try fires(eventCondition("a", "eq", ["ref": "nope.x"]), data: ["a": ["ref": "nope.x"]]))
    }

    @Test func nestedFieldPaths() throws {
        #expect(try fires(eventCondition("order.items.1.sku", "eq", "B"), data: ["order": ["items": [["sku": "A"], ["sku": "B"]]]]))
    }

    @Test func factSourceUsesTheFirstMatchingFactAfterInterpolation() throws {
        let condition: JSONValue = [
            "source": ["type": "fact", "pattern": "customer:${event.id}:tier"], "operator": "eq", "value": "gold",
        ]
        #expect(try fires(condition, data: ["id": 7], facts: [("customer:7:tier", "gold")]))
        #expect(try !fires(condition, data: ["id": 8], facts: [("customer:7:tier", "gold")]))
        let wildcard: JSONValue = ["source": ["type": "fact", "pattern": "flag:*"], "operator": "eq", "value": 1]
        #expect(try fires(wildcard, data: [:], facts: [("flag:a", 1), ("flag:b", 2)]))
    }

    @Test func conditionsAreAndedAndAnEmptyListHolds() throws {
        let h = Harness()
        try h.engine.registerRule(
            rule(
                "both", conditions: [eventCondition("a", "eq", 1), eventCondition("b", "eq", 2)],
                actions: [setFactAction("both", true)]))
        try h.engine.registerRule(rule("none", actions: [setFactAction("none", true)]))
        try h.engine.emit(topic: "test.go", data: ["a": 1, "b": 3])
        #expect(h.engine.getFact("both") == nil)
        #expect(h.engine.getFact("none") == true)
        try h.engine.emit(topic: "test.go", data: ["a": 1, "b": 2])
        #expect(h.engine.getFact("both") == true)
    }

    @Test func lookupAndContextSources() throws {
        let h = Harness()
        h.engine.registerService(
            "crm",
            ClosureRuleService([
                "tier": { args in args.first == "42" ? ["level": "gold"] : ["level": "basic"] },
                "broken": { _ in throw RuleServiceError.failed("down") },
            ]))
        var definition = rule(
            "lk",
            conditions: [["source": ["type": "lookup", "name": "customer", "field": "level"], "operator": "eq", "value": "gold"]],
            actions: [setFactAction("gold:${event.id}", ["ref": "lookup.customer.level"])])
        definition["lookups"] = [["name": "customer", "service": "crm", "method": "tier", "args": [["ref": "event.id"]]]]
        try h.engine.registerRule(definition)
        try h.engine.emit(topic: "test.go", data: ["id": "42"])
        try h.engine.emit(topic: "test.go", data: ["id": "7"])
        #expect(h.engine.getFact("gold:42") == "gold")
        #expect(h.engine.getFact("gold:7") == nil)

        var skipping = rule("skip", trigger: ["type": "event", "topic": "lk.skip"], actions: [setFactAction("ran", true)])
        skipping["lookups"] = [["name": "x", "service": "crm", "method": "broken", "onError": "skip"]]
        try h.engine.registerRule(skipping)
        try h.engine.emit(topic: "lk.skip")
        #expect(h.engine.getFact("ran") == nil)

        // A context condition inside for_each sees the loop variable.
        try h.engine.registerRule(
            rule(
                "ctx", trigger: ["type": "event", "topic": "ctx"],
                actions: [
                    [
                        "type": "for_each", "collection": ["ref": "event.items"], "as": "item",
                        "actions": [
                            [
                                "type": "conditional",
                                "conditions": [["source": ["type": "context", "key": "item.ok"], "operator": "eq", "value": true]],
                                "then": [setFactAction("ok:${var.item.name}", true)],
                            ]
                        ],
                    ]
                ]))
        try h.engine.emit(topic: "ctx", data: ["items": [["name": "a", "ok": true], ["name": "b", "ok": false]]])
        #expect(h.engine.getFact("ok:a") == true)
        #expect(h.engine.getFact("ok:b") == nil)
    }

    @Test func cachedLookupsCallTheServiceOncePerTTL() throws {
        let h = Harness()
        let calls = Recorder<JSONValue>()
        h.engine.registerService("rates", ClosureRuleService(["get": { args in calls.append(args[0]); return 1.5 }]))
        var definition = rule(
            "cached", conditions: [["source": ["type": "lookup", "name": "rate"], "operator": "gt", "value": 1]],
            actions: [setFactAction("rate:${event.cur}", ["ref": "lookup.rate"])])
        definition["lookups"] = [["name": "rate", "service": "rates", "method": "get", "args": [["ref": "event.cur"]], "cache": ["ttl": "1m"]]]
        try h.engine.registerRule(definition)
        try h.engine.emit(topic: "test.go", data: ["cur": "EUR"])
        try h.engine.emit(topic: "test.go", data: ["cur": "EUR"])
        try h.engine.emit(topic: "test.go", data: ["cur": "USD"])  // other arguments: another call
        #expect(calls.values == ["EUR", "USD"])
        h.clock.advance(byMilliseconds: 60_001)
        try h.engine.emit(topic: "test.go", data: ["cur": "EUR"])
        #expect(calls.values == ["EUR", "USD", "EUR"])
        #expect(h.engine.getFact("rate:EUR") == 1.5)
        let invalid = h.engine.validateRule(
            rule("v", actions: []).merging(["lookups": [["name": "x", "service": "s", "method": "m", "cache": ["ttl": "soon"]]]]))
        #expect(invalid.errors.map(\.message) == ["Invalid cache ttl duration: soon. Use a duration like \"5m\", \"1h\", \"30s\" or milliseconds"])
    }
}

private extension JSONObject {
    func merging(_ other: JSONObject) -> JSONObject {
        var result = self
        for member in other.members { result[member.key] = member.value }
        return result
    }
}
