import NoexWire
import Synchronization

extension RuleEngine {
    /// Runs `rules` in the given (priority) order against one trigger.
    ///
    /// Sequential on purpose: a higher-priority rule's writes are visible to the conditions of
    /// the next (the reference behaves this way and its tests rely on it).
    func runRules(_ rules: [CompiledRule], _ base: ExecutionContext) {
        var executed = 0
        var totalMs = 0.0
        defer {
            if executed > 0 {
                state.withLock { s in
                    s.rulesExecuted += executed
                    s.totalProcessingMs += totalMs
                }
            }
        }
        // One clock read per executed rule: each executed rule is charged the time since the
        // previous one finished, which includes the condition checks of rules skipped between.
        var mark = ContinuousClock.now
        for rule in rules {
            // The chain's action budget is spent: nothing more runs.
            if base.budget.isExhausted {
                actionLimitReached(base.budget, ruleId: rule.id)
                break
            }
            var context: ExecutionContext
            if rule.lookups.isEmpty {
                // Most rules fail their conditions; check them before copying the context.
                guard conditionsHold(rule.conditions, base) else {
                    trace("rule_skipped", ruleId: rule.id, ["reason": "conditions not met"])
                    continue
                }
                context = base
                context.ruleId = rule.id
            } else {
                context = base
                context.ruleId = rule.id
                do {
                    guard try resolveLookups(rule.lookups, &context) else {
                        trace("rule_skipped", ruleId: rule.id, ["reason": "lookup failed"])
                        continue
                    }
                } catch {
                    log(.error, "Rule \"\(rule.id)\" failed: \(error.message)")
                    trace("rule_failed", ruleId: rule.id, ["error": .string(error.message)])
                    continue
                }
                guard conditionsHold(rule.conditions, context) else {
                    trace("rule_skipped", ruleId: rule.id, ["reason": "conditions not met"])
                    continue
                }
            }
            _ = executeActions(rule.actions, &context, stopAtFirstFailure: false)
            let now = ContinuousClock.now
            let elapsed = now - mark
            mark = now
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            // Counted when conditions held and actions ran (reference semantics).
            executed += 1
            totalMs += ms
            trace("rule_executed", ruleId: rule.id, ["durationMs": .number(ms), "depth": .number(Double(base.depth))])
        }
    }

    /// Calls every lookup's service. - Returns: false when a lookup with `onError: skip`
    /// failed (the rule is skipped). - Throws: the failure of an `onError: fail` lookup.
    private func resolveLookups(_ lookups: [LookupSpec], _ context: inout ExecutionContext) throws(ActionFailure) -> Bool {
        for lookup in lookups {
            do {
                var arguments: [JSONValue] = []
                for arg in lookup.args { arguments.append(try References.value(arg, context, facts: getFact)) }
                guard let ttl = lookup.cacheTTL else {
                    context.lookups[lookup.name] = try callService(lookup.service, lookup.method, arguments)
                    continue
                }
                let key = LookupCacheKey(service: lookup.service, method: lookup.method, arguments: arguments)
                let now = configuration.clock.now()
                if let hit = state.withLock({ $0.lookupCache[key] }), hit.expiresAt > now {
                    context.lookups[lookup.name] = hit.value
                    continue
                }
                let result = try callService(lookup.service, lookup.method, arguments)
                state.withLock { s in
                    if s.lookupCache.count >= EngineState.lookupCacheCapacity {
                        s.lookupCache = s.lookupCache.filter { $0.value.expiresAt > now }
                        if s.lookupCache.count >= EngineState.lookupCacheCapacity { s.lookupCache.removeAll() }
                    }
                    s.lookupCache[key] = (now + ttl, result)
                }
                context.lookups[lookup.name] = result
            } catch {
                if lookup.skipOnError { return false }
                throw ActionFailure(message: "Lookup \"\(lookup.name)\" failed: \(error.message)")
            }
        }
        return true
    }

    /// Evaluates conditions in order, stopping at the first false; an empty list holds.
    func conditionsHold(_ conditions: [ConditionSpec], _ context: ExecutionContext) -> Bool {
        // Indexed access borrows each condition instead of copying it (retains) per iteration.
        for i in conditions.indices where !conditionHolds(conditions[i], context) { return false }
        return true
    }

    private func conditionHolds(_ condition: ConditionSpec, _ context: ExecutionContext) -> Bool {
        let actual: JSONValue?
        switch condition.source {
        case .event(let path):
            actual = References.path(segments: path, in: .object(context.triggerData))
        case .fact(let pattern):
            if let key = try? References.interpolate(pattern, context, facts: getFact) {
                actual = firstFactValue(matching: key)
            } else {
                actual = nil
            }
        case .context(let key):
            actual = References.path(key[...], in: .object(context.variables))
        case .lookup(let name, let field):
            let result = context.lookups[name]
            if let field, let result {
                actual = References.path(field[...], in: result)
            } else {
                actual = result
            }
        }
        var expected = condition.value
        if let value = condition.value, let ref = References.referenceString(value) {
            do {
                expected = try References.resolve(ref, context, facts: getFact)
            } catch {
                // An unknown reference source leaves the {ref} object itself as the compare value.
                expected = value
            }
        }
        return ConditionEvaluator.evaluate(condition.op, actual, expected, limits: configuration.limits) { problem in
            log(.warn, context.ruleId.isEmpty ? "Rule condition: \(problem)" : "Rule \"\(context.ruleId)\" condition: \(problem)")
        }
    }

    /// Calls a registered service method (no lock held during the call).
    func callService(_ name: String, _ method: String, _ arguments: [JSONValue]) throws(ActionFailure) -> JSONValue {
        guard let service = state.withLock({ $0.services[name] }) else {
            throw ActionFailure(message: "Service not found: \(name)")
        }
        guard service.hasMethod(method) else { throw ActionFailure(message: "Method not found: \(name).\(method)") }
        do {
            return try service.call(method, arguments: arguments)
        } catch {
            throw ActionFailure(message: "\(error)")
        }
    }
}
