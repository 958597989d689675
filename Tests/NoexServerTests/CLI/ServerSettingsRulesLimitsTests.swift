import NoexRules
import NoexServer
import NoexWire
import Testing

/// The config-file object `rulesLimits` (the rule engine's cost bounds).
@Suite struct ServerSettingsRulesLimitsTests {
    private func settings(file: JSONObject?) throws -> ServerSettings {
        try ServerSettings.resolve(options: CommandLineOptions.parse([]), file: file).get()
    }

    @Test func defaultsWithoutTheKey() throws {
        let resolved = try settings(file: nil)
        #expect(resolved.rulesLimits == RuleEngineLimits())
        #expect(resolved.ruleEngineConfiguration.limits == RuleEngineLimits())
    }

    @Test func everyKeyIsRead() throws {
        let resolved = try settings(file: [
            "rulesLimits": [
                "maxPatternLength": 100, "maxPatternWildcards": 5, "maxKeyLength": 200, "maxFacts": 1_000,
                "maxRules": 50, "maxFactValueNodes": 70, "maxActionsPerEvent": 300, "maxRegexLength": 64, "regexTimeLimitMs": 25,
            ],
        ])
        #expect(
            resolved.ruleEngineConfiguration.limits
                == RuleEngineLimits(
                    maxPatternLength: 100, maxPatternWildcards: 5, maxKeyLength: 200, maxFacts: 1_000, maxRules: 50,
                    maxFactValueNodes: 70, maxActionsPerEvent: 300, maxRegexLength: 64, regexTimeLimitMs: 25))
    }

    @Test func unusableValuesKeepTheDefault() throws {
        let resolved = try settings(file: ["rulesLimits": ["maxFacts": 0, "maxRules": -3, "maxKeyLength": "big", "regexTimeLimitMs": 1.5]])
        #expect(resolved.rulesLimits == RuleEngineLimits())
    }
}
