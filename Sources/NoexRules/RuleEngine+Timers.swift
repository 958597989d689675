public import NoexWire
import Synchronization

extension RuleEngine {
    /// Starts (or replaces) a timer from Swift, as a `set_timer` action would.
    /// - Parameters:
    ///   - name: the timer name.
    ///   - durationMilliseconds: delay before the first expiry (at least 1).
    ///   - topic: the event emitted on expiry (source `timer`, causationId = timer id).
    ///   - data: that event's payload.
    ///   - repeatEveryMilliseconds: if set, the timer re-arms with this interval after firing.
    ///   - maxCount: with a repeat, the total number of expiries.
    ///   - correlationId: carried to the expiry event.
    /// - Returns: the pending timer.
    @discardableResult
    public func setTimer(
        name: String, durationMilliseconds: Int64, topic: String, data: JSONObject = [:],
        repeatEveryMilliseconds: Int64? = nil, maxCount: Int? = nil, correlationId: String? = nil
    ) throws(RulesError) -> RuleTimer {
        guard !name.isEmpty else { throw .invalidArgument("Timer name must be a non-empty string") }
        guard !topic.isEmpty else { throw .invalidArgument("Timer topic must be a non-empty string") }
        guard
            let timer = armTimer(
                name: name, delay: max(1, durationMilliseconds), topic: topic, data: data,
                repeatInterval: repeatEveryMilliseconds.map { max(1, $0) }, maxCount: maxCount,
                correlationId: correlationId)
        else { throw notRunningError }
        return timer
    }

    /// Cancels a pending timer. - Returns: whether one was pending under that name.
    @discardableResult
    public func cancelTimer(_ name: String) -> Bool {
        // Outer optional: was there a timer; inner: had its callback been scheduled yet.
        let handle = state.withLock { s -> (any RuleScheduledTask)?? in
            guard let record = s.timers.removeValue(forKey: name) else { return nil }
            return .some(record.handle)
        }
        guard let handle else { return false }
        handle?.cancel()
        return true
    }

    /// The pending timers, soonest first.
    public func timers() -> [RuleTimer] {
        state.withLock { s in
            s.timers.values.map { RuleTimer(id: $0.id, name: $0.name, expiresAt: $0.expiresAt, topic: $0.topic) }
                .sorted { ($0.expiresAt, $0.id) < ($1.expiresAt, $1.id) }
        }
    }

    // MARK: Internal

    /// The `set_timer` action: templates and references resolved now, at set time.
    func startTimer(_ spec: TimerSpec, _ context: ExecutionContext) throws(ActionFailure) {
        let name = try References.interpolate(spec.name, context, facts: getFact)
        guard !name.isEmpty else { throw ActionFailure(message: "set_timer name resolved to an empty string") }
        guard let delay = RuleDuration.milliseconds(spec.duration) else {
            throw ActionFailure(message: "Invalid duration: \(References.jsString(spec.duration))")
        }
        let topic = try References.interpolate(spec.onExpireTopic, context, facts: getFact)
        let data = try References.object(spec.onExpireData, context, facts: getFact)
        var interval: Int64?
        if let repeatValue = spec.repeatInterval {
            guard let ms = RuleDuration.milliseconds(repeatValue) else {
                throw ActionFailure(message: "Invalid repeat interval: \(References.jsString(repeatValue))")
            }
            interval = ms
        }
        _ = armTimer(
            name: name, delay: delay, topic: topic, data: data, repeatInterval: interval,
            maxCount: spec.repeatMaxCount, correlationId: context.correlationId)
    }

    /// Records the timer, then schedules it; a replaced timer is cancelled.
    /// - Returns: `nil` when the engine is stopped.
    private func armTimer(
        name: String, delay: Int64, topic: String, data: JSONObject, repeatInterval: Int64?, maxCount: Int?,
        correlationId: String?
    ) -> RuleTimer? {
        let clock = configuration.clock
        let expiresAt = clock.now() + delay
        // Insert first, schedule after: a callback that runs before its handle is stored
        // still finds its record, and one for a replaced timer finds a different id.
        let inserted = state.withLock { s -> (id: String, old: (any RuleScheduledTask)?)? in
            guard s.running else { return nil }
            s.nextTimerID += 1
            let id = "timer-\(s.nextTimerID)"
            let old = s.timers[name]?.handle
            s.timers[name] = .init(
                id: id, name: name, expiresAt: expiresAt, topic: topic, data: data, correlationId: correlationId,
                repeatInterval: repeatInterval, maxCount: maxCount, fired: 0, handle: nil)
            return (id, old)
        }
        guard let inserted else { return nil }
        inserted.old?.cancel()
        schedule(name: name, id: inserted.id, delay: delay)
        return RuleTimer(id: inserted.id, name: name, expiresAt: expiresAt, topic: topic)
    }

    private func schedule(name: String, id: String, delay: Int64) {
        let handle = configuration.clock.schedule(afterMilliseconds: delay) { [weak self] in
            self?.timerFired(name: name, id: id)
        }
        let stale = state.withLock { s -> Bool in
            guard s.timers[name]?.id == id else { return true }
            s.timers[name]?.handle = handle
            return false
        }
        if stale { handle.cancel() }
    }

    /// Expiry: timer-triggered rules run first, then the `onExpire` event is emitted
    /// (source `timer`, causationId = timer id, correlationId carried). Both are top-level.
    private func timerFired(name: String, id: String) {
        let fired = state.withLock { s -> (EngineState.TimerRecord, rearm: Bool)? in
            guard s.running, var record = s.timers[name], record.id == id else { return nil }
            record.fired += 1
            let rearm = record.repeatInterval != nil && (record.maxCount.map { record.fired < $0 } ?? true)
            if rearm, let interval = record.repeatInterval {
                let fired = record
                record.expiresAt += interval
                record.handle = nil
                s.timers[name] = record
                s.inFlight += 1
                return (fired, true)
            }
            s.timers[name] = nil
            s.inFlight += 1
            return (record, false)
        }
        guard let (record, rearm) = fired else { return }
        defer { state.withLock { $0.inFlight -= 1 } }
        if rearm, let interval = record.repeatInterval { schedule(name: name, id: id, delay: interval) }

        trace("timer_expired", ["name": .string(name), "timerId": .string(id)])
        var triggerData: JSONObject = [
            "timerId": .string(record.id), "timerName": .string(name), "expiresAt": .number(Double(record.expiresAt)),
        ]
        if let correlationId = record.correlationId { triggerData["correlationId"] = .string(correlationId) }
        for member in record.data.members { triggerData[member.key] = member.value }
        // One budget for the expiry: the timer's rules and the onExpire event it emits.
        let budget = ChainBudget(configuration.limits.maxActionsPerEvent)
        let rules = candidates(.timer, name)
        if !rules.isEmpty {
            runRules(
                rules,
                ExecutionContext(
                    triggerData: triggerData, matchedData: [], correlationId: record.correlationId, depth: 0,
                    budget: budget))
        }
        let event = makeEvent(
            topic: record.topic, data: record.data, source: "timer", correlationId: record.correlationId, causationId: record.id)
        processEvent(event, depth: 0, budget: budget)
    }
}
