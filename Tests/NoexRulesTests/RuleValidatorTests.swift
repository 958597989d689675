import NoexRules
import NoexWire
import Testing

@Suite struct RuleValidatorTests {
    let engine = RuleEngine(configuration: RuleEngineConfiguration(logger: { _, _ in }))

    private func errors(_ input: JSONObject) -> [String] {
        engine.validateRule(input).errors.map { "\($0.path): \($0.message)" }
    }

    private func withBase(_ changes: JSONObject) -> JSONObject {
        var object: JSONObject = ["id": "r", "name": "R", "trigger": ["type": "event", "topic": "t"], "actions": []]
        for member in changes.members { object[member.key] = member.value }
        return object
    }

    @Test func aValidRuleHasNoErrors() {
        let result = engine.validateRule(withBase(["actions": [emitAction("x")]]))
        #expect(result.valid)
        #expect(result.json == ["valid": true, "errors": [], "warnings": []])
    }

    @Test func nonObjectAndRequiredFields() {
        #expect(engine.validateRule(json: []).errors.map(\.message) == ["Rule must be an object"])
        #expect(engine.validateRule(json: []).errors.first?.path == "(root)")
        #expect(
            errors([:]) == [
                "id: Required field \"id\" is missing", "name: Required field \"name\" is missing",
                "trigger: Required field \"trigger\" is missing",
            ])
        #expect(
            errors(["id": 1, "name": "  ", "trigger": ["type": "event", "topic": "t"]]) == [
                "id: Field \"id\" must be a string", "name: Field \"name\" cannot be empty",
            ])
    }

    @Test func optionalFieldTypes() {
        let result = engine.validateRule(
            withBase(["description": 1, "priority": "high", "enabled": "yes", "tags": ["a", 2], "group": ""]))
        #expect(
            result.errors.map { "\($0.path): \($0.message)" } == [
                "description: Field \"description\" must be a string", "priority: Field \"priority\" must be a number",
                "enabled: Field \"enabled\" must be a boolean", "tags[1]: Tag must be a string",
                "group: Field \"group\" cannot be empty",
            ])
        let fractional = engine.validateRule(withBase(["priority": 1.5]))
        #expect(fractional.valid)
        #expect(fractional.warnings.map(\.message).contains("Field \"priority\" should be an integer"))
        #expect(fractional.warnings.map(\.message).contains("Rule has no actions"))
    }

    @Test func triggers() {
        #expect(errors(withBase(["trigger": "x"])) == ["trigger: Trigger must be an object"])
        #expect(errors(withBase(["trigger": [:]])) == ["trigger.type: Trigger must have a \"type\" field"])
        #expect(
            errors(withBase(["trigger": ["type": "cron"]])) == [
                "trigger.type: Invalid trigger type: cron. Valid types: event, fact, timer, temporal"
            ])
        #expect(errors(withBase(["trigger": ["type": "event"]])) == ["trigger.topic: Event trigger must have a \"topic\" field"])
        #expect(errors(withBase(["trigger": ["type": "event", "topic": 3]])) == ["trigger.topic: Event trigger topic must be a string"])
        #expect(errors(withBase(["trigger": ["type": "fact", "pattern": " "]])) == ["trigger.pattern: Fact trigger pattern cannot be empty"])
        #expect(errors(withBase(["trigger": ["type": "timer"]])) == ["trigger.name: Timer trigger must have a \"name\" field"])
    }

    @Test func temporalPatterns() {
        let sequence: JSONValue = ["type": "sequence", "events": [["topic": "a"], ["topic": "b", "as": "second"]], "within": "5m"]
        #expect(errors(withBase(["trigger": ["type": "temporal", "pattern": sequence]])) == [])
        #expect(
            errors(withBase(["trigger": ["type": "temporal"]])) == ["trigger.pattern: Temporal trigger must have a \"pattern\" field"])
        #expect(
            errors(withBase(["trigger": ["type": "temporal", "pattern": ["type": "sequence", "events": [["topic": "a"]], "within": "5 min"]]]))
                == [
                    "trigger.pattern.events: Sequence pattern must have at least 2 events",
                    "trigger.pattern.within: Invalid duration format: 5 min. Use formats like \"5m\", \"1h\", \"7d\"",
                ])
        #expect(
            errors(withBase(["trigger": ["type": "temporal", "pattern": ["type": "absence", "after": ["topic": 1], "within": 0]]]))
                == [
                    "trigger.pattern.after.topic: Event matcher topic must be a string",
                    "trigger.pattern.expected: Absence pattern must have an \"expected\" field",
                    "trigger.pattern.within: Duration must be positive",
                ])
        #expect(
            errors(withBase(["trigger": ["type": "temporal", "pattern": ["type": "count", "event": ["topic": "x"], "threshold": 0, "comparison": "gt"]]]))
                == [
                    "trigger.pattern.threshold: Count pattern threshold must be a positive number",
                    "trigger.pattern.comparison: Invalid comparison: gt. Valid values: gte, lte, eq",
                    "trigger.pattern.window: Field \"window\" is required",
                ])
        #expect(
            errors(withBase(["trigger": ["type": "temporal", "pattern": ["type": "aggregate", "event": ["topic": "x"], "field": "v", "function": "median", "threshold": 1, "window": "1h"]]]))
                == ["trigger.pattern.function: Invalid aggregate function: median. Valid values: sum, avg, min, max, count"])
        #expect(
            errors(withBase(["trigger": ["type": "temporal", "pattern": ["type": "pattern"]]]))
                == ["trigger.pattern.type: Invalid temporal pattern type: pattern. Valid types: sequence, absence, count, aggregate"])
    }

    @Test func conditions() {
        #expect(errors(withBase(["conditions": "x"])) == ["conditions: Conditions must be an array"])
        #expect(
            errors(withBase(["conditions": [["operator": "eq", "value": 1]]])) == [
                "conditions[0].source: Condition must have a \"source\" field"
            ])
        #expect(
            errors(withBase(["conditions": [["source": ["type": "event", "field": "a"], "operator": "like", "value": 1]]])) == [
                "conditions[0].operator: Invalid operator: like. Valid operators: eq, neq, gt, gte, lt, lte, in, not_in, contains, not_contains, matches, exists, not_exists"
            ])
        #expect(
            errors(withBase(["conditions": [["source": ["type": "event", "field": "a"], "operator": "eq"]]])) == [
                "conditions[0].value: Condition must have a \"value\" field"
            ])
        #expect(errors(withBase(["conditions": [["source": ["type": "event", "field": "a"], "operator": "exists"]]])) == [])
        #expect(
            errors(withBase(["conditions": [["source": ["type": "fact"], "operator": "exists"]]])) == [
                "conditions[0].source.pattern: Fact source must have a \"pattern\" field"
            ])
        #expect(
            errors(withBase(["conditions": [["source": ["type": "weather"], "operator": "exists"]]])) == [
                "conditions[0].source.type: Invalid source type: weather. Valid types: event, fact, context, lookup, baseline"
            ])
        #expect(
            errors(withBase(["conditions": [["source": ["type": "baseline", "metric": "m"], "operator": "exists"]]])).first?
                .contains("Baseline conditions are not supported") == true)
    }

    @Test func actions() {
        #expect(errors(withBase(["actions": [:]])) == ["actions: Actions must be an array"])
        #expect(
            errors(withBase(["actions": [["type": "explode"]]])) == [
                "actions[0].type: Invalid action type: explode. Valid types: set_fact, delete_fact, emit_event, set_timer, cancel_timer, call_service, log, conditional, for_each, try_catch"
            ])
        #expect(
            errors(withBase(["actions": [["type": "set_fact"]]])) == [
                "actions[0].key: set_fact action must have a \"key\" field",
                "actions[0].value: set_fact action must have a \"value\" field",
            ])
        #expect(errors(withBase(["actions": [["type": "delete_fact", "key": 1]]])) == ["actions[0].key: delete_fact action key must be a string"])
        #expect(
            errors(withBase(["actions": [["type": "emit_event", "topic": "t", "data": []]]])) == [
                "actions[0].data: emit_event action data must be an object"
            ])
        #expect(
            errors(withBase(["actions": [["type": "set_timer", "timer": ["name": "t", "duration": "5 minutes", "onExpire": ["topic": "x"]]]]]))
                == [
                    "actions[0].timer.duration: Invalid duration format: 5 minutes",
                    "actions[0].timer.onExpire.data: Timer onExpire must have a \"data\" field",
                ])
        #expect(
            errors(withBase(["actions": [["type": "set_timer", "timer": ["name": "t", "duration": -5, "onExpire": ["topic": "x", "data": [:]]]]]]))
                == ["actions[0].timer.duration: Timer duration must be positive"])
        #expect(
            errors(withBase(["actions": [["type": "set_timer", "timer": ["name": "t", "duration": "1000", "onExpire": ["topic": "x", "data": [:]]]]]]))
                == [])
        #expect(errors(withBase(["actions": [["type": "cancel_timer"]]])) == ["actions[0].name: cancel_timer action must have a \"name\" field"])
        #expect(
            errors(withBase(["actions": [["type": "call_service", "service": "s", "method": "m", "args": "x"]]])) == [
                "actions[0].args: call_service action args must be an array"
            ])
        #expect(
            errors(withBase(["actions": [["type": "log", "level": "trace", "message": "m"]]])) == [
                "actions[0].level: Invalid log level: trace. Valid levels: debug, info, warn, error"
            ])
        #expect(
            errors(withBase(["actions": [["type": "conditional", "conditions": [], "then": [emitAction("x")]]]])) == [
                "actions[0].conditions: conditional action conditions must not be empty"
            ])
        let conditional = engine.validateRule(
            withBase(["actions": [["type": "conditional", "conditions": [eventCondition("a", "exists")], "then": [emitAction("x")], "else": []]]]))
        #expect(conditional.valid)
        #expect(conditional.warnings.map(\.path) == ["actions[0].else"])
        #expect(
            errors(withBase(["actions": [["type": "try_catch", "try": [emitAction("x")]]]])) == [
                "actions[0]: try_catch action must have a \"catch\" or \"finally\" field"
            ])
        #expect(
            errors(withBase(["actions": [["type": "try_catch", "try": [], "catch": ["actions": []]]]])) == [
                "actions[0].try: try_catch action try must not be empty",
                "actions[0].catch.actions: try_catch catch action actions must not be empty",
            ])
        #expect(
            errors(withBase(["actions": [["type": "for_each", "collection": 5, "actions": [emitAction("x")]]]])) == [
                "actions[0].collection: for_each action collection must be an array or a reference",
                "actions[0].as: for_each action must have an \"as\" field",
            ])
        // Nested actions carry their full path.
        #expect(
            errors(withBase(["actions": [["type": "conditional", "conditions": [eventCondition("a", "exists")], "then": [["type": "log"]]]]]))
                == [
                    "actions[0].then[0].level: log action must have a \"level\" field",
                    "actions[0].then[0].message: log action must have a \"message\" field",
                ])
    }

    @Test func hostileInputIsRejectedNotCrashing() throws {
        // Deep nesting is cut off with an error instead of exhausting the stack.
        var action: JSONValue = emitAction("x")
        for _ in 0..<200 { action = ["type": "conditional", "conditions": [eventCondition("a", "exists")], "then": [action]] }
        let issues = engine.validateRule(withBase(["actions": [action]])).errors
        #expect(issues.count == 1)
        #expect(issues.first?.message == "Actions are nested too deeply (more than 32 levels)")
        // Durations beyond 100 years are invalid (no overflow in deadline arithmetic).
        let timer: JSONValue = ["type": "set_timer", "timer": ["name": "t", "duration": "99999999999999y", "onExpire": ["topic": "x", "data": [:]]]]
        #expect(errors(withBase(["actions": [timer]])) == ["actions[0].timer.duration: Invalid duration format: 99999999999999y"])
        let numeric: JSONValue = ["type": "set_timer", "timer": ["name": "t", "duration": 1e300, "onExpire": ["topic": "x", "data": [:]]]]
        #expect(errors(withBase(["actions": [numeric]])) == ["actions[0].timer.duration: Timer duration must not exceed 100 years"])
        // A zero window is accepted by the grammar and treated as 1 ms.
        let h = Harness()
        try h.engine.registerRule(
            withBase(["trigger": ["type": "temporal", "pattern": ["type": "count", "event": ["topic": "t"], "threshold": 1, "window": "0s"]], "actions": [setFactAction("n", ["ref": "trigger.count"])]]))
        try h.engine.emit(topic: "t")
        #expect(h.engine.getFact("n") == 1)
    }

    @Test func lookups() {
        #expect(
            errors(withBase(["lookups": [["name": "a", "service": "s", "method": "m"], ["name": "a", "service": "", "method": "m", "onError": "retry"]]]))
                == [
                    "lookups[1].name: Duplicate lookup name: a", "lookups[1].service: Lookup service cannot be empty",
                    "lookups[1].onError: Invalid onError strategy: retry. Valid strategies: skip, fail",
                ])
    }

    @Test func registerThrowsValidationWithIssuesAsDetails() {
        do {
            try engine.registerRule(["id": "x", "name": "X"])
            Issue.record("expected a validation error")
        } catch {
            #expect(error.message == "Rule validation failed")
            #expect(error.details == [["path": "trigger", "message": "Required field \"trigger\" is missing", "severity": "error"]])
            #expect(error.protocolError.code.rawValue == "VALIDATION_ERROR")
        }
    }
}
