public import NoexWire

extension RuleEngine {
    /// The definition a rule given in a rule file would be registered with: the file forms
    /// normalized as `loadRules` does, validated, and the defaults filled in. Lets a caller
    /// compare a declared rule with a registered one (`Rule.definition`) without registering it.
    /// - Throws: ``RulesError`` when the rule is invalid.
    public func normalizedRuleDefinition(_ input: JSONObject) throws(RulesError) -> JSONObject {
        try validatedDefinition(RuleFileNormalizer.rule(input))
    }
}
