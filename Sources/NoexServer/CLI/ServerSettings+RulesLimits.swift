public import NoexRules
public import NoexWire

extension ServerSettings {
    /// Reads the config-file object `rulesLimits` (`maxPatternLength`, `maxPatternWildcards`,
    /// `maxKeyLength`, `maxFacts`, `maxRules`, `maxFactValueNodes`, `maxActionsPerEvent`, `maxRegexLength`,
    /// `regexTimeLimitMs`); a missing, non-integer or non-positive value keeps the default.
    public static func rulesLimits(_ object: JSONObject) -> RuleEngineLimits {
        var limits = RuleEngineLimits()
        func read(_ key: String, _ field: WritableKeyPath<RuleEngineLimits, Int>) {
            if let value = object[key]?.integerValue, value > 0 { limits[keyPath: field] = value }
        }
        read("maxPatternLength", \.maxPatternLength)
        read("maxPatternWildcards", \.maxPatternWildcards)
        read("maxKeyLength", \.maxKeyLength)
        read("maxFacts", \.maxFacts)
        read("maxRules", \.maxRules)
        read("maxFactValueNodes", \.maxFactValueNodes)
        read("maxActionsPerEvent", \.maxActionsPerEvent)
        read("maxRegexLength", \.maxRegexLength)
        read("regexTimeLimitMs", \.regexTimeLimitMs)
        return limits
    }

    /// The rule engine configuration the settings describe.
    public var ruleEngineConfiguration: RuleEngineConfiguration {
        RuleEngineConfiguration(limits: rulesLimits)
    }
}
