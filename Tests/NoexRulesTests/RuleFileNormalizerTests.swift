@testable import NoexRules
import NoexWire
import Testing

@Suite struct RuleFileNormalizerTests {
    @Test func shorthandAndDefaultsInEveryValuePosition() {
        let rule = RuleFileNormalizer.rule([
            "id": "r", "trigger": ["type": "event", "topic": "t"],
            "conditions": [["source": ["type": "event", "field": "a"], "operator": "exists"], ["source": ["type": "event", "field": "b"], "operator": "eq", "value": "${event.c}"]],
            "actions": [
                ["type": "set_fact", "key": "${event.k}", "value": "${event.v}"],
                ["type": "emit_event", "topic": "x"],
                ["type": "call_service", "service": "s", "method": "m"],
                ["type": "set_timer", "timer": ["name": "t", "duration": "1m", "onExpire": ["topic": "e", "data": ["a": "${event.a}", "b": "x ${event.b}"]]]],
                ["type": "conditional", "condition": ["source": ["type": "event", "field": "a"], "operator": "not_exists"], "then": [["type": "set_fact", "key": "k", "value": "${var.z}"]]],
                ["type": "for_each", "collection": "${event.items}", "as": "i", "actions": [["type": "log", "level": "info", "message": "${var.i}"]]],
                ["type": "try_catch", "try": [["type": "call_service", "service": "s", "method": "m", "args": ["${event.a}"]]], "catch": ["actions": [["type": "emit_event", "topic": "err", "data": ["m": "${var.e}"]]]]],
            ],
        ])
        #expect(rule["name"] == "r")
        #expect(rule["priority"] == 0)
        #expect(rule["enabled"] == true)
        #expect(rule["tags"] == [])
        let conditions = rule["conditions"]?.arrayValue ?? []
        #expect(conditions[0]["value"] == true)
        #expect(conditions[1]["value"] == ["ref": "event.c"])
        let actions = rule["actions"]?.arrayValue ?? []
        #expect(actions[0]["key"] == "${event.k}")  // key positions stay templates
        #expect(actions[0]["value"] == ["ref": "event.v"])
        #expect(actions[1]["data"] == [:])
        #expect(actions[2]["args"] == [])
        #expect(actions[3]["timer"]?["onExpire"]?["data"] == ["a": ["ref": "event.a"], "b": "x ${event.b}"])
        #expect(actions[4]["conditions"]?.arrayValue?.count == 1)
        #expect(actions[4]["conditions"]?.arrayValue?.first?["value"] == true)
        #expect(actions[4]["condition"] == nil)
        #expect(actions[4]["then"]?.arrayValue?.first?["value"] == ["ref": "var.z"])
        #expect(actions[5]["collection"] == ["ref": "event.items"])
        #expect(actions[5]["actions"]?.arrayValue?.first?["message"] == "${var.i}")
        #expect(actions[6]["try"]?.arrayValue?.first?["args"] == [["ref": "event.a"]])
        #expect(actions[6]["catch"]?["actions"]?.arrayValue?.first?["data"] == ["m": ["ref": "var.e"]])
    }
}
