public import NoexWire

/// Cost bounds of a ``RuleEngine`` (issue 14): what one request, rule or chain may cost.
///
/// Each bound is checked in one place and answers `VALIDATION_ERROR` (``RulesError/invalidArgument(_:)``
/// or a rule validation issue) with a message naming the setting, except the chain budget and
/// the regular-expression time limit, which stop work inside a chain and log it (like the depth
/// limit). Defaults are generous for real use; `docs/configuration.md` lists them all.
public struct RuleEngineLimits: Sendable, Hashable {
    /// Longest key pattern (`rules.queryFacts`, fact triggers, fact condition sources) or topic
    /// pattern (`rules.subscribe`, event triggers, temporal events), in UTF-8 bytes.
    public var maxPatternLength: Int
    /// Most `*` in one pattern.
    public var maxPatternWildcards: Int
    /// Longest fact key or event topic, in UTF-8 bytes (a bound on every pattern match's cost).
    public var maxKeyLength: Int
    /// Most facts the engine holds; setting a new key beyond it fails and stores nothing.
    public var maxFacts: Int
    /// Most rules the engine holds; registering beyond it fails and registers nothing.
    public var maxRules: Int
    /// Most JSON nodes (values, array elements and object members, nested ones included) in
    /// one fact value. A message already bounds what a client sends, but a rule builds values
    /// from references and can wrap a fact in itself on every firing; nesting is also capped at
    /// the wire parser's ``JSONParser/maximumDepth``, so every stored fact can be sent back.
    public var maxFactValueNodes: Int
    /// Most actions (nested ones included) that run for one top-level trigger (an `emit`, a
    /// `setFact`, a timer or temporal deadline) and everything it chains; beyond it the chain
    /// stops and the cut is logged. The depth limit alone lets a rule with four `emit_event`
    /// actions run 4^16 times.
    public var maxActionsPerEvent: Int
    /// Longest regular expression of a `matches` condition, in UTF-8 bytes (checked when the
    /// rule is validated, and again for a pattern that comes from a reference at run time).
    public var maxRegexLength: Int
    /// Longest time one `matches` evaluation may take, in milliseconds; a match that runs out
    /// of time is abandoned, counts as no match and is logged.
    public var regexTimeLimitMs: Int

    /// Creates limits; values below 1 are raised to 1.
    /// - Parameters:
    ///   - maxPatternLength: default 512.
    ///   - maxPatternWildcards: default 32.
    ///   - maxKeyLength: default 1,024.
    ///   - maxFacts: default 1,000,000.
    ///   - maxRules: default 10,000.
    ///   - maxFactValueNodes: default 1,000,000.
    ///   - maxActionsPerEvent: default 10,000.
    ///   - maxRegexLength: default 512.
    ///   - regexTimeLimitMs: default 10.
    public init(
        maxPatternLength: Int = 512, maxPatternWildcards: Int = 32, maxKeyLength: Int = 1_024,
        maxFacts: Int = 1_000_000, maxRules: Int = 10_000, maxFactValueNodes: Int = 1_000_000,
        maxActionsPerEvent: Int = 10_000,
        maxRegexLength: Int = 512, regexTimeLimitMs: Int = 10
    ) {
        self.maxPatternLength = max(1, maxPatternLength)
        self.maxPatternWildcards = max(1, maxPatternWildcards)
        self.maxKeyLength = max(1, maxKeyLength)
        self.maxFacts = max(1, maxFacts)
        self.maxRules = max(1, maxRules)
        self.maxFactValueNodes = max(1, maxFactValueNodes)
        self.maxActionsPerEvent = max(1, maxActionsPerEvent)
        self.maxRegexLength = max(1, maxRegexLength)
        self.regexTimeLimitMs = max(1, regexTimeLimitMs)
    }

    /// Why `pattern` exceeds the pattern bounds, or `nil` when it is within them.
    /// - Parameter field: the name used in the message (`pattern`, `trigger.topic`, …).
    public func patternProblem(_ pattern: String, field: String) -> String? {
        let length = pattern.utf8.count
        if length > maxPatternLength {
            return "\(field) is too long: \(length) bytes (maxPatternLength \(maxPatternLength))"
        }
        var wildcards = 0
        for byte in pattern.utf8 where byte == UInt8(ascii: "*") { wildcards += 1 }
        if wildcards > maxPatternWildcards {
            return "\(field) has too many wildcards: \(wildcards) (maxPatternWildcards \(maxPatternWildcards))"
        }
        return nil
    }

    /// Why a fact key or event topic is too long, or `nil`.
    /// - Parameter what: `Fact key` or `Event topic`.
    public func keyProblem(_ key: String, what: String) -> String? {
        let length = key.utf8.count
        guard length > maxKeyLength else { return nil }
        return "\(what) is too long: \(length) bytes (maxKeyLength \(maxKeyLength))"
    }

    /// Why `value` cannot be stored as a fact (too many nodes, or nested deeper than
    /// ``JSONParser/maximumDepth``), or `nil`. Visits at most ``maxFactValueNodes`` nodes, so a
    /// value that shares subtrees (a rule's `[x, x]`) costs no more than the bound.
    public func factValueProblem(_ value: JSONValue) -> String? {
        var budget = maxFactValueNodes
        switch Self.walk(value, depth: 0, budget: &budget) {
        case .fits: return nil
        case .tooManyNodes: return "Fact value is too large: more than \(maxFactValueNodes) nodes (maxFactValueNodes)"
        case .tooDeep: return "Fact value is nested too deeply: more than \(JSONParser.maximumDepth) levels"
        }
    }

    private enum WalkResult { case fits, tooManyNodes, tooDeep }

    /// Depth-first count of `value`'s nodes against `budget`; the recursion stops at the depth
    /// bound, so it cannot exhaust the stack itself.
    private static func walk(_ value: JSONValue, depth: Int, budget: inout Int) -> WalkResult {
        guard budget > 0 else { return .tooManyNodes }
        budget -= 1
        switch value {
        case .null, .bool, .number, .string: return .fits
        case .array(let items):
            guard depth < JSONParser.maximumDepth else { return .tooDeep }
            for item in items {
                let result = walk(item, depth: depth + 1, budget: &budget)
                if result != .fits { return result }
            }
        case .object(let object):
            guard depth < JSONParser.maximumDepth else { return .tooDeep }
            for member in object.members {
                let result = walk(member.value, depth: depth + 1, budget: &budget)
                if result != .fits { return result }
            }
        }
        return .fits
    }

    /// Why a regular expression is too long, or `nil`.
    public func regexProblem(_ pattern: String, field: String) -> String? {
        let length = pattern.utf8.count
        guard length > maxRegexLength else { return nil }
        return "\(field) is too long: \(length) bytes (maxRegexLength \(maxRegexLength))"
    }
}
