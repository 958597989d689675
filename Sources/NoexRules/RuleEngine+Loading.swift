public import NoexWire
import Synchronization

extension RuleEngine {
    /// Loads rule definitions the way the YAML rule files of spec-store-rules D are loaded,
    /// from an already-parsed JSON value (the YAML parser lives elsewhere), and registers them.
    ///
    /// Accepted shapes: a single rule object, an array of rules, or `{rules: [...]}`.
    /// Applied like the YAML loader: `name` defaults to `id`; `priority` 0, `enabled` true,
    /// `tags` [], `conditions` []; a string that is entirely `${path}` in a value position
    /// (`set_fact.value`, `emit_event.data.*`, `onExpire.data.*`, `call_service.args[*]`,
    /// `lookups[*].args[*]`, a condition `value`, `for_each.collection`) becomes `{ref: path}`;
    /// `exists`/`not_exists` get `value: true`; `emit_event.data`, `onExpire.data` default to `{}`
    /// and `call_service.args` to []; `conditional` accepts a single `condition`.
    ///
    /// All rules are checked first; nothing is registered unless every rule is valid.
    /// - Returns: the registered rules, in input order.
    /// - Throws: ``RulesError/invalidArgument(_:)`` for a bad shape (`<path>: <problem>`),
    ///   ``RulesError/alreadyExists(_:)`` for a duplicate id (in the input or the engine),
    ///   ``RulesError/validation(message:issues:)`` with the issues of the first invalid rule
    ///   (paths prefixed with `rules[<i>].`).
    @discardableResult
    public func loadRules(json: JSONValue) throws(RulesError) -> [Rule] {
        try requireRunning()
        let items: [JSONValue]
        switch json {
        case .array(let array): items = array
        case .object(let object) where object["rules"] != nil:
            guard let array = object["rules"]?.arrayValue else {
                throw .invalidArgument("rules: must be an array")
            }
            items = array
        case .object: items = [json]
        default: throw .invalidArgument("(root): expected a rule, a list of rules or {rules: [...]}")
        }
        guard !items.isEmpty else { throw .invalidArgument("rules: must contain at least one rule") }

        var definitions: [JSONObject] = []
        var seen = Set<String>()
        for (i, item) in items.enumerated() {
            guard let object = item.objectValue else { throw .invalidArgument("rules[\(i)]: must be an object") }
            let normalized = RuleFileNormalizer.rule(object)
            if let id = normalized["id"]?.stringValue {
                if !seen.insert(id).inserted || getRule(id) != nil {
                    throw .alreadyExists("Rule \"\(id)\" already exists")
                }
            }
            do {
                definitions.append(try validatedDefinition(normalized))
            } catch {
                guard case .validation(let message, let issues) = error else { throw error }
                throw .validation(
                    message: message,
                    issues: issues.map {
                        RuleIssue(path: "rules[\(i)].\($0.path)", message: $0.message, severity: $0.severity)
                    })
            }
        }
        // All or nothing for the count too (registerRule checks each one again).
        try state.withLock { s throws(RulesError) in try checkRuleCount(adding: definitions.count, s) }
        var registered: [Rule] = []
        for definition in definitions { registered.append(try registerRule(definition)) }
        return registered
    }
}
