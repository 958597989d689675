import NoexWire

/// Checks a rule input and collects every problem as `{path, message, severity}`
/// (spec-store-rules C.9; messages follow the reference validator).
///
/// Differences from the reference, all stricter, none silent:
/// - `temporal` triggers are validated and then really evaluated (wire-decisions F11);
/// - `baseline` condition sources are rejected with an error naming them (no anomaly module);
/// - `for_each`, `set_timer.repeat` and `lookups` are checked like the other actions.
struct RuleValidator {
    static let triggerTypes = ["event", "fact", "timer", "temporal"]
    static let sourceTypes = ["event", "fact", "context", "lookup", "baseline"]
    static let actionTypes = [
        "set_fact", "delete_fact", "emit_event", "set_timer", "cancel_timer", "call_service", "log",
        "conditional", "for_each", "try_catch",
    ]
    static let temporalPatternTypes = ["sequence", "absence", "count", "aggregate"]

    /// How deeply actions may nest (conditional, for_each, try_catch); deeper definitions are
    /// rejected so that validation, compilation and execution cannot exhaust the stack.
    static let maxActionNesting = 32

    /// The pattern and regular-expression bounds applied (``RuleEngineLimits``).
    let limits: RuleEngineLimits
    private(set) var errors: [RuleIssue] = []
    private var nesting = 0
    private(set) var warnings: [RuleIssue] = []

    init(limits: RuleEngineLimits) { self.limits = limits }

    /// Validates one rule input.
    /// - Parameter limits: the engine's bounds on patterns and regular expressions.
    static func validate(_ input: JSONValue, limits: RuleEngineLimits = RuleEngineLimits()) -> RuleValidationResult {
        var validator = RuleValidator(limits: limits)
        if let object = input.objectValue {
            validator.rule(object)
        } else {
            validator.error("", "Rule must be an object")
        }
        return RuleValidationResult(errors: validator.errors, warnings: validator.warnings)
    }

    private mutating func error(_ path: String, _ message: String) {
        errors.append(RuleIssue(path: path, message: message, severity: .error))
    }

    private mutating func warning(_ path: String, _ message: String) {
        warnings.append(RuleIssue(path: path, message: message, severity: .warning))
    }

    private mutating func rule(_ rule: JSONObject) {
        for field in ["id", "name"] {
            switch rule[field] {
            case nil: error(field, "Required field \"\(field)\" is missing")
            case .string(let s)? where s.trimmingSpaces.isEmpty: error(field, "Field \"\(field)\" cannot be empty")
            case .string?: break
            case _?: error(field, "Field \"\(field)\" must be a string")
            }
        }
        if rule["trigger"] == nil { error("trigger", "Required field \"trigger\" is missing") }

        if let description = rule["description"], description.stringValue == nil {
            error("description", "Field \"description\" must be a string")
        }
        if let priority = rule["priority"] {
            if let n = priority.numberValue {
                if n.rounded(.towardZero) != n || !n.isFinite {
                    warning("priority", "Field \"priority\" should be an integer")
                }
            } else {
                error("priority", "Field \"priority\" must be a number")
            }
        }
        if let enabled = rule["enabled"], enabled.boolValue == nil {
            error("enabled", "Field \"enabled\" must be a boolean")
        }
        if let tags = rule["tags"] {
            if let array = tags.arrayValue {
                for (i, tag) in array.enumerated() where tag.stringValue == nil {
                    error("tags[\(i)]", "Tag must be a string")
                }
            } else {
                error("tags", "Field \"tags\" must be an array")
            }
        }
        if let group = rule["group"] {
            if let s = group.stringValue {
                if s.trimmingSpaces.isEmpty { error("group", "Field \"group\" cannot be empty") }
            } else {
                error("group", "Field \"group\" must be a string")
            }
        }
        if let trigger = rule["trigger"] { self.trigger(trigger, "trigger") }
        if let conditions = rule["conditions"] { self.conditions(conditions, "conditions") }
        if let actions = rule["actions"] {
            self.actions(actions, "actions")
        } else {
            warning("actions", "Rule has no actions")
        }
        if let lookups = rule["lookups"] { self.lookups(lookups, "lookups") }
    }

    // MARK: Trigger

    private mutating func trigger(_ value: JSONValue, _ path: String) {
        guard let trigger = value.objectValue else { return error(path, "Trigger must be an object") }
        guard let typeValue = trigger["type"] else { return error("\(path).type", "Trigger must have a \"type\" field") }
        guard let type = typeValue.stringValue else { return error("\(path).type", "Trigger type must be a string") }
        guard Self.triggerTypes.contains(type) else {
            return error(
                "\(path).type", "Invalid trigger type: \(type). Valid types: \(Self.triggerTypes.joined(separator: ", "))")
        }
        switch type {
        case "event":
            requiredText(trigger, "topic", path, owner: "Event trigger")
            patternBounds(trigger, "topic", path)
        case "fact":
            requiredText(trigger, "pattern", path, owner: "Fact trigger")
            patternBounds(trigger, "pattern", path)
        case "timer":
            requiredText(trigger, "name", path, owner: "Timer trigger")
            patternBounds(trigger, "name", path)
        default:
            guard let pattern = trigger["pattern"] else {
                return error("\(path).pattern", "Temporal trigger must have a \"pattern\" field")
            }
            temporalPattern(pattern, "\(path).pattern")
        }
    }

    // MARK: Temporal patterns

    private mutating func temporalPattern(_ value: JSONValue, _ path: String) {
        guard let pattern = value.objectValue else { return error(path, "Temporal pattern must be an object") }
        guard let typeValue = pattern["type"] else {
            return error("\(path).type", "Temporal pattern must have a \"type\" field")
        }
        guard let type = typeValue.stringValue else { return error("\(path).type", "Temporal pattern type must be a string") }
        switch type {
        case "sequence":
            switch pattern["events"] {
            case nil: error("\(path).events", "Sequence pattern must have an \"events\" field")
            case .array(let events)?:
                if events.count < 2 { error("\(path).events", "Sequence pattern must have at least 2 events") }
                for (i, event) in events.enumerated() { eventMatcher(event, "\(path).events[\(i)]") }
            case _?: error("\(path).events", "Sequence pattern events must be an array")
            }
            timeWindow(pattern, "within", path)
            if let strict = pattern["strict"], strict.boolValue == nil {
                error("\(path).strict", "Sequence pattern strict must be a boolean")
            }
        case "absence":
            for field in ["after", "expected"] {
                if let matcher = pattern[field] {
                    eventMatcher(matcher, "\(path).\(field)")
                } else {
                    error("\(path).\(field)", "Absence pattern must have an \"\(field)\" field")
                }
            }
            timeWindow(pattern, "within", path)
        case "count":
            if let event = pattern["event"] {
                eventMatcher(event, "\(path).event")
            } else {
                error("\(path).event", "Count pattern must have an \"event\" field")
            }
            switch pattern["threshold"] {
            case nil: error("\(path).threshold", "Count pattern must have a \"threshold\" field")
            case .number(let n)? where n >= 1: break
            case _?: error("\(path).threshold", "Count pattern threshold must be a positive number")
            }
            comparison(pattern, path)
            timeWindow(pattern, "window", path)
            if let sliding = pattern["sliding"], sliding.boolValue == nil {
                error("\(path).sliding", "Count pattern sliding must be a boolean")
            }
        case "aggregate":
            if let event = pattern["event"] {
                eventMatcher(event, "\(path).event")
            } else {
                error("\(path).event", "Aggregate pattern must have an \"event\" field")
            }
            typedField(pattern, "field", path, owner: "Aggregate pattern")
            if let function = pattern["function"] {
                if function.stringValue.flatMap(AggregateFunction.init(rawValue:)) == nil {
                    error(
                        "\(path).function",
                        "Invalid aggregate function: \(References.jsString(function)). Valid values: \(AggregateFunction.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            } else {
                error("\(path).function", "Aggregate pattern must have a \"function\" field")
            }
            switch pattern["threshold"] {
            case nil: error("\(path).threshold", "Aggregate pattern must have a \"threshold\" field")
            case .number?: break
            case _?: error("\(path).threshold", "Aggregate pattern threshold must be a number")
            }
            comparison(pattern, path)
            timeWindow(pattern, "window", path)
        default:
            error(
                "\(path).type",
                "Invalid temporal pattern type: \(type). Valid types: \(Self.temporalPatternTypes.joined(separator: ", "))")
        }
        if let groupBy = pattern["groupBy"], groupBy.stringValue?.isEmpty != false {
            error("\(path).groupBy", "Temporal pattern groupBy must be a non-empty string")
        }
    }

    private mutating func eventMatcher(_ value: JSONValue, _ path: String) {
        guard let matcher = value.objectValue else { return error(path, "Event matcher must be an object") }
        switch matcher["topic"] {
        case nil: error("\(path).topic", "Event matcher must have a \"topic\" field")
        case .string?: patternBounds(matcher, "topic", path)
        case _?: error("\(path).topic", "Event matcher topic must be a string")
        }
        if let alias = matcher["as"], alias.stringValue == nil {
            error("\(path).as", "Event matcher alias must be a string")
        }
        if let filter = matcher["filter"], filter.objectValue == nil {
            error("\(path).filter", "Event matcher filter must be an object")
        }
    }

    private mutating func comparison(_ pattern: JSONObject, _ path: String) {
        guard let value = pattern["comparison"] else { return }
        if value.stringValue.flatMap(ThresholdComparison.init(rawValue:)) == nil {
            error("\(path).comparison", "Invalid comparison: \(References.jsString(value)). Valid values: gte, lte, eq")
        }
    }

    private mutating func timeWindow(_ object: JSONObject, _ field: String, _ path: String) {
        switch object[field] {
        case nil: error("\(path).\(field)", "Field \"\(field)\" is required")
        case .string(let s)?:
            if !RuleDuration.isValid(s) {
                error("\(path).\(field)", "Invalid duration format: \(s). Use formats like \"5m\", \"1h\", \"7d\"")
            }
        case .number(let n)?:
            if !(n > 0) {
                error("\(path).\(field)", "Duration must be positive")
            } else if n > Double(RuleDuration.maximum) {
                error("\(path).\(field)", "Duration must not exceed 100 years")
            }
        case _?: error("\(path).\(field)", "Field \"\(field)\" must be a string (e.g., \"5m\") or number (milliseconds)")
        }
    }

    /// A wildcard pattern (trigger topic, fact pattern, timer name) within the pattern bounds
    /// (``RuleEngineLimits/maxPatternLength``, ``RuleEngineLimits/maxPatternWildcards``).
    private mutating func patternBounds(_ object: JSONObject, _ field: String, _ path: String) {
        guard case .string(let pattern)? = object[field], PatternMatching.isWildcard(pattern) else { return }
        if let problem = limits.patternProblem(pattern, field: "Pattern") { error("\(path).\(field)", problem) }
    }

    private mutating func requiredText(_ object: JSONObject, _ field: String, _ path: String, owner: String) {
        switch object[field] {
        case nil: error("\(path).\(field)", "\(owner) must have a \"\(field)\" field")
        case .string(let s)? where s.trimmingSpaces.isEmpty: error("\(path).\(field)", "\(owner) \(field) cannot be empty")
        case .string?: break
        case _?: error("\(path).\(field)", "\(owner) \(field) must be a string")
        }
    }

    // MARK: Conditions

    private mutating func conditions(_ value: JSONValue, _ path: String) {
        guard let array = value.arrayValue else { return error(path, "Conditions must be an array") }
        for (i, item) in array.enumerated() { condition(item, "\(path)[\(i)]") }
    }

    private mutating func condition(_ value: JSONValue, _ path: String) {
        guard let condition = value.objectValue else { return error(path, "Condition must be an object") }
        if let source = condition["source"] {
            self.source(source, "\(path).source")
        } else {
            error("\(path).source", "Condition must have a \"source\" field")
        }
        let op = condition["operator"]
        switch op {
        case nil: error("\(path).operator", "Condition must have an \"operator\" field")
        case .string(let s)? where ConditionOperator(rawValue: s) == nil:
            error(
                "\(path).operator",
                "Invalid operator: \(s). Valid operators: \(ConditionOperator.allCases.map(\.rawValue).joined(separator: ", "))")
        case .string?: break
        case _?: error("\(path).operator", "Condition operator must be a string")
        }
        if let s = op?.stringValue, ConditionOperator(rawValue: s)?.isUnary != true, condition["value"] == nil {
            error("\(path).value", "Condition must have a \"value\" field")
        }
        // A literal regular expression is bounded here; one from a reference when it is used.
        if op?.stringValue == ConditionOperator.matches.rawValue, case .string(let regex)? = condition["value"],
            let problem = limits.regexProblem(regex, field: "Regular expression")
        {
            error("\(path).value", problem)
        }
    }

    private mutating func source(_ value: JSONValue, _ path: String) {
        guard let source = value.objectValue else { return error(path, "Condition source must be an object") }
        guard let typeValue = source["type"] else {
            return error("\(path).type", "Condition source must have a \"type\" field")
        }
        guard let type = typeValue.stringValue else { return error("\(path).type", "Condition source type must be a string") }
        switch type {
        case "fact":
            typedField(source, "pattern", path, owner: "Fact source")
            patternBounds(source, "pattern", path)
        case "event": typedField(source, "field", path, owner: "Event source")
        case "context": typedField(source, "key", path, owner: "Context source")
        case "lookup":
            typedField(source, "name", path, owner: "Lookup source")
            if let field = source["field"], field.stringValue == nil {
                error("\(path).field", "Lookup source field must be a string")
            }
        case "baseline":
            error("\(path).type", "Baseline conditions are not supported: this engine has no baseline module")
        default:
            error("\(path).type", "Invalid source type: \(type). Valid types: \(Self.sourceTypes.joined(separator: ", "))")
        }
    }

    private mutating func typedField(_ object: JSONObject, _ field: String, _ path: String, owner: String) {
        switch object[field] {
        case nil: error("\(path).\(field)", "\(owner) must have a \"\(field)\" field")
        case .string?: break
        case _?: error("\(path).\(field)", "\(owner) \(field) must be a string")
        }
    }

    // MARK: Actions

    private mutating func actions(_ value: JSONValue, _ path: String) {
        guard let array = value.arrayValue else { return error(path, "Actions must be an array") }
        if array.isEmpty { warning(path, "Rule has no actions") }
        for (i, item) in array.enumerated() { action(item, "\(path)[\(i)]") }
    }

    /// A nested action list (then, else, try, …): must be a non-empty array unless `allowEmpty`.
    private mutating func actionList(_ value: JSONValue?, _ path: String, owner: String, field: String) {
        guard let value else { return error(path, "\(owner) action must have a \"\(field)\" field") }
        guard let array = value.arrayValue else { return error(path, "\(owner) action \(field) must be an array") }
        if array.isEmpty { return error(path, "\(owner) action \(field) must not be empty") }
        for (i, item) in array.enumerated() { action(item, "\(path)[\(i)]") }
    }

    private mutating func action(_ value: JSONValue, _ path: String) {
        guard nesting < Self.maxActionNesting else {
            return error(path, "Actions are nested too deeply (more than \(Self.maxActionNesting) levels)")
        }
        nesting += 1
        defer { nesting -= 1 }
        guard let action = value.objectValue else { return error(path, "Action must be an object") }
        guard let typeValue = action["type"] else { return error("\(path).type", "Action must have a \"type\" field") }
        guard let type = typeValue.stringValue else { return error("\(path).type", "Action type must be a string") }
        guard Self.actionTypes.contains(type) else {
            return error(
                "\(path).type", "Invalid action type: \(type). Valid types: \(Self.actionTypes.joined(separator: ", "))")
        }
        switch type {
        case "set_fact":
            typedField(action, "key", path, owner: "set_fact action")
            if action["value"] == nil { error("\(path).value", "set_fact action must have a \"value\" field") }
        case "delete_fact":
            typedField(action, "key", path, owner: "delete_fact action")
        case "emit_event":
            typedField(action, "topic", path, owner: "emit_event action")
            switch action["data"] {
            case nil: error("\(path).data", "emit_event action must have a \"data\" field")
            case .object?: break
            case _?: error("\(path).data", "emit_event action data must be an object")
            }
        case "set_timer": timer(action, path)
        case "cancel_timer": typedField(action, "name", path, owner: "cancel_timer action")
        case "call_service":
            typedField(action, "service", path, owner: "call_service action")
            typedField(action, "method", path, owner: "call_service action")
            if let args = action["args"], args.arrayValue == nil {
                error("\(path).args", "call_service action args must be an array")
            }
        case "log":
            if let level = action["level"] {
                if level.stringValue.flatMap(RuleLogLevel.init(rawValue:)) == nil {
                    let shown = level.stringValue ?? level.kindName
                    error(
                        "\(path).level",
                        "Invalid log level: \(shown). Valid levels: \(RuleLogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            } else {
                error("\(path).level", "log action must have a \"level\" field")
            }
            typedField(action, "message", path, owner: "log action")
        case "conditional":
            switch action["conditions"] {
            case nil: error("\(path).conditions", "conditional action must have a \"conditions\" field")
            case .array(let items)? where items.isEmpty:
                error("\(path).conditions", "conditional action conditions must not be empty")
            case .array?: conditions(action["conditions"] ?? .null, "\(path).conditions")
            case _?: error("\(path).conditions", "conditional action conditions must be an array")
            }
            actionList(action["then"], "\(path).then", owner: "conditional", field: "then")
            if let otherwise = action["else"] {
                if let array = otherwise.arrayValue {
                    if array.isEmpty { warning("\(path).else", "conditional action else is empty") }
                    for (i, item) in array.enumerated() { self.action(item, "\(path).else[\(i)]") }
                } else {
                    error("\(path).else", "conditional action else must be an array")
                }
            }
        case "for_each":
            switch action["collection"] {
            case nil: error("\(path).collection", "for_each action must have a \"collection\" field")
            case .array?: break
            case .object(let o)? where o["ref"]?.stringValue != nil: break
            case _?: error("\(path).collection", "for_each action collection must be an array or a reference")
            }
            switch action["as"] {
            case nil: error("\(path).as", "for_each action must have an \"as\" field")
            case .string(let s)? where !s.trimmingSpaces.isEmpty: break
            case _?: error("\(path).as", "for_each action as must be a non-empty string")
            }
            actionList(action["actions"], "\(path).actions", owner: "for_each", field: "actions")
            if let max = action["maxIterations"], (max.integerValue ?? 0) <= 0 {
                error("\(path).maxIterations", "for_each action maxIterations must be a positive integer")
            }
        default:  // try_catch
            actionList(action["try"], "\(path).try", owner: "try_catch", field: "try")
            if action["catch"] == nil && action["finally"] == nil {
                error(path, "try_catch action must have a \"catch\" or \"finally\" field")
            }
            if let handler = action["catch"] {
                if let object = handler.objectValue {
                    actionList(object["actions"], "\(path).catch.actions", owner: "try_catch catch", field: "actions")
                    if let name = object["as"], name.stringValue == nil {
                        error("\(path).catch.as", "try_catch action catch.as must be a string")
                    }
                } else {
                    error("\(path).catch", "try_catch action catch must be an object")
                }
            }
            if let finally = action["finally"] {
                if let array = finally.arrayValue {
                    if array.isEmpty { warning("\(path).finally", "try_catch action finally is empty") }
                    for (i, item) in array.enumerated() { self.action(item, "\(path).finally[\(i)]") }
                } else {
                    error("\(path).finally", "try_catch action finally must be an array")
                }
            }
        }
    }

    private mutating func timer(_ action: JSONObject, _ path: String) {
        guard let value = action["timer"] else { return error("\(path).timer", "set_timer action must have a \"timer\" field") }
        guard let timer = value.objectValue else { return error("\(path).timer", "set_timer action timer must be an object") }
        let p = "\(path).timer"
        switch timer["name"] {
        case nil: error("\(p).name", "Timer must have a \"name\" field")
        case .string?: break
        case _?: error("\(p).name", "Timer name must be a string")
        }
        switch timer["duration"] {
        case nil: error("\(p).duration", "Timer must have a \"duration\" field")
        case .string(let s)?: if !RuleDuration.isValid(s) { error("\(p).duration", "Invalid duration format: \(s)") }
        case .number(let n)?:
            if !(n > 0) {
                error("\(p).duration", "Timer duration must be positive")
            } else if n > Double(RuleDuration.maximum) {
                error("\(p).duration", "Timer duration must not exceed 100 years")
            }
        case _?: error("\(p).duration", "Timer duration must be a string or number")
        }
        switch timer["onExpire"] {
        case nil: error("\(p).onExpire", "Timer must have an \"onExpire\" field")
        case .object(let onExpire)?:
            switch onExpire["topic"] {
            case nil: error("\(p).onExpire.topic", "Timer onExpire must have a \"topic\" field")
            case .string?: break
            case _?: error("\(p).onExpire.topic", "Timer onExpire topic must be a string")
            }
            switch onExpire["data"] {
            case nil: error("\(p).onExpire.data", "Timer onExpire must have a \"data\" field")
            case .object?: break
            case _?: error("\(p).onExpire.data", "Timer onExpire data must be an object")
            }
        case _?: error("\(p).onExpire", "Timer onExpire must be an object")
        }
        if let repeatValue = timer["repeat"] {
            guard let repeatSpec = repeatValue.objectValue else {
                return error("\(p).repeat", "Timer repeat must be an object")
            }
            if let interval = repeatSpec["interval"] {
                if RuleDuration.milliseconds(interval) == nil {
                    error("\(p).repeat.interval", "Invalid repeat interval: must be a positive duration")
                }
            } else {
                error("\(p).repeat.interval", "Timer repeat must have an \"interval\" field")
            }
            if let maxCount = repeatSpec["maxCount"], (maxCount.integerValue ?? 0) <= 0 {
                error("\(p).repeat.maxCount", "Timer repeat maxCount must be a positive integer")
            }
        }
    }

    // MARK: Lookups

    private mutating func lookups(_ value: JSONValue, _ path: String) {
        guard let array = value.arrayValue else { return error(path, "Lookups must be an array") }
        var names = Set<String>()
        for (i, item) in array.enumerated() {
            let p = "\(path)[\(i)]"
            guard let lookup = item.objectValue else {
                error(p, "Lookup must be an object")
                continue
            }
            for field in ["name", "service", "method"] {
                switch lookup[field] {
                case nil: error("\(p).\(field)", "Lookup must have a \"\(field)\" field")
                case .string(let s)? where s.trimmingSpaces.isEmpty: error("\(p).\(field)", "Lookup \(field) cannot be empty")
                case .string(let s)?:
                    if field == "name" {
                        if names.contains(s) { error("\(p).name", "Duplicate lookup name: \(s)") }
                        names.insert(s)
                    }
                case _?: error("\(p).\(field)", "Lookup \(field) must be a string")
                }
            }
            if let args = lookup["args"], args.arrayValue == nil { error("\(p).args", "Lookup args must be an array") }
            if let cache = lookup["cache"] {
                if let object = cache.objectValue {
                    switch object["ttl"] {
                    case nil: error("\(p).cache.ttl", "Lookup cache must have a \"ttl\" field")
                    case .number(let n)?:
                        if !(n > 0) || n > Double(RuleDuration.maximum) {
                            error("\(p).cache.ttl", "Lookup cache ttl must be a positive number")
                        }
                    case .string(let s)?:
                        if !RuleDuration.isValid(s) {
                            error(
                                "\(p).cache.ttl",
                                "Invalid cache ttl duration: \(s). Use a duration like \"5m\", \"1h\", \"30s\" or milliseconds")
                        }
                    case _?: error("\(p).cache.ttl", "Lookup cache ttl must be a string or number")
                    }
                } else {
                    error("\(p).cache", "Lookup cache must be an object")
                }
            }
            if let onError = lookup["onError"] {
                if let s = onError.stringValue {
                    if s != "skip" && s != "fail" {
                        error("\(p).onError", "Invalid onError strategy: \(s). Valid strategies: skip, fail")
                    }
                } else {
                    error("\(p).onError", "Lookup onError must be a string")
                }
            }
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing whitespace (JavaScript `trim()` for ASCII and
    /// the common Unicode spaces).
    var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return self[first...last]
    }
}
