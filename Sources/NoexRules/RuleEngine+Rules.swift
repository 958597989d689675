public import NoexWire
import Synchronization

extension RuleEngine {
    /// Validates and registers a rule.
    ///
    /// Order of checks: running; duplicate id (`Rule "<id>" already exists`, before
    /// validation, as the server does); validation (`Rule validation failed` with the error
    /// issues); group existence (`Rule references non-existent group: "<g>"`). Missing
    /// `priority`, `enabled`, `tags`, `conditions` and `actions` get the YAML defaults
    /// (0, true, [], [], []). The version comes from one engine-wide counter. Beyond
    /// ``RuleEngineLimits/maxRules`` rules it throws ``RulesError/invalidArgument(_:)``.
    /// - Returns: the registered rule.
    @discardableResult
    public func registerRule(_ input: JSONObject) throws(RulesError) -> Rule {
        try requireRunning()
        if let id = input["id"]?.stringValue, state.withLock({ $0.rules[id] != nil }) {
            throw .alreadyExists("Rule \"\(id)\" already exists")
        }
        let definition = try validatedDefinition(input)
        let now = configuration.clock.now()
        return try state.withLock { s throws(RulesError) -> Rule in
            guard s.running else { throw notRunningError }
            let id = definition["id"]?.stringValue ?? ""
            guard s.rules[id] == nil else { throw .alreadyExists("Rule \"\(id)\" already exists") }
            try checkRuleCount(adding: 1, s)
            try Self.checkGroup(definition, s)
            return Self.insert(definition, createdAt: now, into: &s)
        }
    }

    /// Merges `updates` over the rule's definition (shallow; `id` cannot change), validates
    /// the result and re-registers it: new engine-wide version, `createdAt` and `updatedAt`
    /// set to now (as the reference does), and the rule moves to the end of ``rules()``.
    /// - Throws: ``RulesError/notFound(_:)`` `Rule "<id>" not found` (F3), or validation errors.
    @discardableResult
    public func updateRule(_ id: String, _ updates: JSONObject) throws(RulesError) -> Rule {
        try requireRunning()
        guard var merged = state.withLock({ $0.rules[id]?.rule.definition }) else {
            throw .notFound("Rule \"\(id)\" not found")
        }
        for member in updates.members { merged[member.key] = member.value }
        merged["id"] = .string(id)
        let definition = try validatedDefinition(merged)
        let now = configuration.clock.now()
        let (rule, stale) = try state.withLock { s throws(RulesError) -> (Rule, [any RuleScheduledTask]) in
            guard s.running else { throw notRunningError }
            guard let old = s.rules[id] else { throw .notFound("Rule \"\(id)\" not found") }
            try Self.checkGroup(definition, s)
            let stale = Self.remove(old.rule, from: &s)
            return (Self.insert(definition, createdAt: now, into: &s), stale)
        }
        for handle in stale { handle.cancel() }
        return rule
    }

    /// Removes a rule. - Returns: false for an unknown id.
    @discardableResult
    public func unregisterRule(_ id: String) -> Bool {
        let stale = state.withLock { s -> [any RuleScheduledTask]? in
            guard let stored = s.rules[id] else { return nil }
            return Self.remove(stored.rule, from: &s)
        }
        guard let stale else { return false }
        for handle in stale { handle.cancel() }
        return true
    }

    /// Enables a rule in place (`updatedAt` = now, version unchanged). - Returns: false if unknown.
    @discardableResult
    public func enableRule(_ id: String) -> Bool { setEnabled(id, true) }

    /// Disables a rule in place (`updatedAt` = now, version unchanged). - Returns: false if unknown.
    @discardableResult
    public func disableRule(_ id: String) -> Bool { setEnabled(id, false) }

    /// The rule with this id, or `nil`.
    public func getRule(_ id: String) -> Rule? { state.withLock { $0.rules[id]?.rule } }

    /// Every rule, enabled or not, in registration order.
    public func rules() -> [Rule] {
        state.withLock { s in s.rules.values.sorted { $0.order < $1.order }.map(\.rule) }
    }

    /// A dry-run validation; never throws and never registers.
    public func validateRule(_ input: JSONObject) -> RuleValidationResult {
        RuleValidator.validate(.object(input), limits: configuration.limits)
    }

    /// A dry-run validation of any JSON value (a non-object gives `Rule must be an object`).
    public func validateRule(json input: JSONValue) -> RuleValidationResult {
        RuleValidator.validate(input, limits: configuration.limits)
    }

    // MARK: Internal

    /// Validates and applies defaults.
    func validatedDefinition(_ input: JSONObject) throws(RulesError) -> JSONObject {
        let result = RuleValidator.validate(.object(input), limits: configuration.limits)
        guard result.valid else { throw .validation(issues: result.errors) }
        var definition = input
        if definition["priority"] == nil { definition["priority"] = 0 }
        if definition["enabled"] == nil { definition["enabled"] = true }
        if definition["tags"] == nil { definition["tags"] = [] }
        if definition["conditions"] == nil { definition["conditions"] = [] }
        if definition["actions"] == nil { definition["actions"] = [] }
        return definition
    }

    /// The one check of ``RuleEngineLimits/maxRules``: whether `count` more rules fit.
    func checkRuleCount(adding count: Int, _ s: borrowing EngineState) throws(RulesError) {
        let limit = configuration.limits.maxRules
        guard s.rules.count + count > limit else { return }
        throw .invalidArgument("Rule limit reached: the engine holds \(s.rules.count) rules (maxRules \(limit))")
    }

    static func checkGroup(_ definition: JSONObject, _ s: borrowing EngineState) throws(RulesError) {
        guard let group = definition["group"]?.stringValue, s.groups[group] == nil else { return }
        throw .validation(
            message: "Rule references non-existent group: \"\(group)\"",
            issues: [RuleIssue(path: "group", message: "Group \"\(group)\" does not exist", severity: .error)])
    }

    static func insert(_ definition: JSONObject, createdAt now: Int64, into s: inout EngineState) -> Rule {
        let compiled = RuleCompiler.compile(definition)
        s.versionCounter += 1
        s.nextRuleOrder += 1
        let rule = Rule(definition: definition, version: s.versionCounter, createdAt: now, updatedAt: now, compiled: compiled)
        let slot = EngineState.StoredRule(rule: rule, order: s.nextRuleOrder, enabled: rule.enabled, group: rule.group)
        s.rules[compiled.id] = slot
        switch compiled.trigger {
        case .event(let topic): s.eventIndex.insert(topic, compiled.id, priority: compiled.priority, payload: slot)
        case .fact(let pattern): s.factIndex.insert(pattern, compiled.id, priority: compiled.priority, payload: slot)
        case .timer(let name): s.timerIndex.insert(name, compiled.id, priority: compiled.priority, payload: slot)
        case .temporal:
            let at = s.temporalRules.firstIndex { $0.priority < compiled.priority } ?? s.temporalRules.endIndex
            s.temporalRules.insert(.init(id: compiled.id, priority: compiled.priority, payload: slot), at: at)
        }
        return rule
    }

    /// Removes a rule and its indexes. - Returns: deadline handles of its temporal state,
    /// for the caller to cancel once the lock is released.
    @discardableResult
    static func remove(_ rule: Rule, from s: inout EngineState) -> [any RuleScheduledTask] {
        s.rules[rule.id] = nil
        switch rule.compiled.trigger {
        case .event(let topic): s.eventIndex.remove(topic, rule.id)
        case .fact(let pattern): s.factIndex.remove(pattern, rule.id)
        case .timer(let name): s.timerIndex.remove(name, rule.id)
        case .temporal:
            s.temporalRules.removeAll { $0.id == rule.id }
            return s.temporalStates.removeValue(forKey: rule.id)?.handles ?? []
        }
        return []
    }

    private func setEnabled(_ id: String, _ enabled: Bool) -> Bool {
        let now = configuration.clock.now()
        return state.withLock { s in
            guard let stored = s.rules[id] else { return false }
            stored.rule.definition["enabled"] = .bool(enabled)
            stored.rule.updatedAt = now
            stored.enabled = enabled
            return true
        }
    }

    /// Which trigger index to consult.
    enum TriggerKind {
        case event, fact, timer
    }

    /// Enabled rules (in enabled or ungrouped groups) whose trigger matches `key`, highest
    /// priority first; ties keep exact-before-wildcard and registration order (the index
    /// keeps that order, see ``TriggerIndex``).
    func candidates(_ kind: TriggerKind, _ key: String) -> [CompiledRule] {
        state.withLock { s in
            let slots: [EngineState.StoredRule]
            switch kind {
            case .event: slots = s.eventIndex.lookup(key, PatternMatching.triggerTopic)
            case .fact: slots = s.factIndex.lookup(key, PatternMatching.factKey)
            case .timer: slots = s.timerIndex.lookup(key, PatternMatching.factKey)
            }
            var found: [CompiledRule] = []
            found.reserveCapacity(slots.count)
            for stored in slots {
                guard stored.enabled else { continue }
                if let group = stored.group, s.groups[group]?.enabled == false { continue }
                found.append(stored.rule.compiled)
            }
            return found
        }
    }
}
