// Fuzz target `rules`: rule validation, registration and one event through the engine.
import NoexRules
import NoexWire

/// Input: a JSON rule definition. Checks: `validateRule` never crashes and agrees with
/// `registerRule` (an invalid rule never registers, a valid one is never refused as
/// invalid); a registered rule survives an event on its trigger topic and a fact change.
let rulesTarget = FuzzTarget(
    name: "rules", summary: "RuleValidator + RuleEngine.registerRule + emit/setFact"
) { input in
    guard let value = input.json else { return }
    let engine = RuleEngine()
    defer { engine.stop() }
    let verdict = engine.validateRule(json: value)
    guard case .object(let object) = value else {
        fuzzCheck(!verdict.valid, "a non-object rule is valid")
        return
    }
    do throws(RulesError) {
        try engine.registerRule(object)
        fuzzCheck(verdict.valid, "registerRule accepted a rule validateRule refuses")
    } catch {
        if case .validation = error { fuzzCheck(!verdict.valid, "registerRule refused a rule validateRule accepts") }
        return
    }
    let topic = object["trigger"]?["topic"]?.stringValue ?? object["trigger"]?["pattern"]?.stringValue ?? "fuzz.event"
    _ = try? engine.emit(topic: topic, data: ["value": 1, "name": "x"])
    let fact = object["trigger"]?["fact"]?.stringValue ?? object["trigger"]?["pattern"]?.stringValue ?? "fuzz:fact"
    _ = try? engine.setFact(fact, 1)
}
