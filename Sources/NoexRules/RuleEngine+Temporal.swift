import NoexWire
import Synchronization

extension RuleEngine {
    /// Feeds an event to every enabled temporal rule (after the event's own rules, at the same
    /// depth) and runs the rules whose pattern matched, in priority order.
    func processTemporal(_ event: RuleEvent, depth: Int, budget: ChainBudget) {
        let now = configuration.clock.now()
        let outcome = state.withLock { s -> (matches: [(CompiledRule, TemporalMatch)], schedule: [(String, String, Int, Int64)], cancel: [any RuleScheduledTask])? in
            guard !s.temporalRules.isEmpty else { return nil }
            var matches: [(CompiledRule, TemporalMatch)] = []
            var schedule: [(String, String, Int, Int64)] = []
            var cancel: [any RuleScheduledTask] = []
            for entry in s.temporalRules {
                let stored = entry.payload
                guard stored.enabled else { continue }
                if let group = stored.group, s.groups[group]?.enabled == false { continue }
                guard case .temporal(let spec) = stored.rule.compiled.trigger, spec.concerns(event) else { continue }
                // Mutated in place: a copy out of the dictionary would copy-on-write every
                // group's instances and window on each event.
                let effects = s.temporalStates[entry.id, default: TemporalRuleState()].process(
                    event, spec: spec, ruleId: entry.id, now: now, nextID: &s.nextTemporalInstance)
                matches += effects.matches.map { (stored.rule.compiled, $0) }
                schedule += effects.schedule.map { (entry.id, $0.group, $0.instance, $0.delay) }
                cancel += effects.cancel
            }
            return (matches, schedule, cancel)
        }
        guard let outcome else { return }
        for handle in outcome.cancel { handle.cancel() }
        for (ruleId, group, instance, delay) in outcome.schedule {
            scheduleTemporalDeadline(ruleId: ruleId, group: group, instance: instance, delay: delay)
        }
        for (rule, match) in outcome.matches { runTemporalRule(rule, match, depth: depth, budget: budget) }
    }

    private func runTemporalRule(_ rule: CompiledRule, _ match: TemporalMatch, depth: Int, budget: ChainBudget) {
        trace("temporal_match", ruleId: rule.id, ["events": .number(Double(match.events.count))])
        let context = ExecutionContext(
            triggerData: match.triggerData, matchedData: match.events.map(\.data),
            correlationId: match.events.last?.correlationId, depth: depth, budget: budget)
        runRules([rule], context)
    }

    private func scheduleTemporalDeadline(ruleId: String, group: String, instance: Int, delay: Int64) {
        let handle = configuration.clock.schedule(afterMilliseconds: delay) { [weak self] in
            self?.temporalDeadline(ruleId: ruleId, group: group, instance: instance)
        }
        let stale = state.withLock { s -> Bool in
            guard s.temporalStates[ruleId]?.instances[group]?.id == instance else { return true }
            s.temporalStates[ruleId]?.instances[group]?.handle = handle
            return false
        }
        if stale { handle.cancel() }
    }

    /// A sequence window or absence period ended; an absence fires its rule as a top-level trigger.
    private func temporalDeadline(ruleId: String, group: String, instance: Int) {
        let fired = state.withLock { s -> (CompiledRule, TemporalMatch)? in
            guard s.running, let stored = s.rules[ruleId], case .temporal(let spec) = stored.rule.compiled.trigger,
                s.temporalStates[ruleId] != nil
            else { return nil }
            let match = s.temporalStates[ruleId]?.deadline(group: group, instance: instance, spec: spec, ruleId: ruleId)
            guard let match, stored.enabled else { return nil }
            if let g = stored.group, s.groups[g]?.enabled == false { return nil }
            s.inFlight += 1
            return (stored.rule.compiled, match)
        }
        guard let (rule, match) = fired else { return }
        defer { state.withLock { $0.inFlight -= 1 } }
        runTemporalRule(rule, match, depth: 0, budget: ChainBudget(configuration.limits.maxActionsPerEvent))
    }
}
