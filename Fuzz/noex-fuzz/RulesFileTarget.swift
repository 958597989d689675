// Fuzz target `rules-file`: a `--rules` file (YAML or JSON) loaded into a rules engine.
import NoexRules
import NoexWire
import NoexYAML

/// Input: a rules file. Checks: the YAML loader, the rule-file normaliser and the validator
/// never crash; a load either throws `RulesError` or registers exactly the rules it returns.
let rulesFileTarget = FuzzTarget(
    name: "rules-file", summary: "YAMLParser + RuleEngine.loadRules (RuleFileNormalizer, RuleValidator)"
) { input in
    let document: JSONValue
    if let yaml = try? YAMLParser.parse(String(decoding: input, as: UTF8.self)).jsonValue() {
        document = yaml
    } else if let json = input.json {
        document = json
    } else {
        return
    }
    let engine = RuleEngine()
    defer { engine.stop() }
    guard let loaded = try? engine.loadRules(json: document) else {
        fuzzCheck(engine.rules().isEmpty, "a failed load registered rules")
        return
    }
    fuzzCheck(engine.rules().map(\.id) == loaded.map(\.id), "registered rules differ from the returned ones")
}
