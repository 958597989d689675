import NoexWire

/// A temporal pattern that matched: what its rule sees as trigger data.
struct TemporalMatch: Sendable {
    var ruleId: String
    var events: [RuleEvent]
    var aliases: [(String, RuleEvent)]
    var groupKey: String?
    var count: Int?
    var aggregateValue: Double?

    /// `{events, groupKey?, count?, aggregateValue?, <alias>: data…}`; `matched.<i>` refers to
    /// the matched events in order. For count and aggregate matches `events` holds the most
    /// recent ``TemporalRuleState/matchedEventsLimit`` events of the window.
    var triggerData: JSONObject {
        var data: JSONObject = ["events": .array(events.map { .object($0.json) })]
        if let groupKey { data["groupKey"] = .string(groupKey) }
        if let count { data["count"] = .number(Double(count)) }
        if let aggregateValue { data["aggregateValue"] = .number(aggregateValue) }
        for (alias, event) in aliases { data[alias] = .object(event.data) }
        return data
    }
}

/// The per-rule state of temporal matching; pure transitions, no I/O. The engine holds one
/// per temporal rule under its lock and performs the returned deadline work outside it.
struct TemporalRuleState: Sendable {
    /// An in-progress sequence or a pending absence, per group key.
    struct Instance: Sendable {
        var id: Int
        var events: [RuleEvent]
        var deadline: Int64
        var handle: (any RuleScheduledTask)?
    }

    /// A remembered event of a count or aggregate window.
    struct WindowEntry: Sendable {
        var timestamp: Int64
        var event: RuleEvent
    }

    /// The events of one group's count or aggregate window, oldest first. Expired entries are
    /// dropped by advancing `start` (amortised O(1)); the array is compacted now and then.
    struct Window: Sendable {
        var entries: [WindowEntry] = []
        var start = 0

        var live: ArraySlice<WindowEntry> { entries[start...] }
        var count: Int { entries.count - start }

        mutating func append(_ entry: WindowEntry, keepingAfter cutoff: Int64, capacity: Int) {
            entries.append(entry)
            while start < entries.count, entries[start].timestamp <= cutoff { start += 1 }
            if count > capacity { start = entries.count - capacity }
            if start > 64 && start * 2 > entries.count {
                entries.removeFirst(start)
                start = 0
            }
        }
    }

    /// At most this many events are remembered per group and window (the reference bounds
    /// its event store at 10,000 events the same way); older ones are dropped first.
    static let windowCapacity = 10_000

    var instances: [String: Instance] = [:]
    var windows: [String: Window] = [:]
    /// Events recorded since the last sweep of idle groups.
    private var recordsSinceSweep = 0

    /// Deadline work produced by a transition.
    struct Effects {
        var matches: [TemporalMatch] = []
        /// Deadlines to schedule: (group key, instance id, delay ms).
        var schedule: [(group: String, instance: Int, delay: Int64)] = []
        var cancel: [any RuleScheduledTask] = []
    }

    static func groupKey(_ spec: TemporalSpec, _ event: RuleEvent) -> String? {
        guard let path = spec.groupBy else { return nil }
        return References.jsString(References.path(segments: path, in: .object(event.data)))
    }

    /// Feeds one event. `nextID` numbers new instances (engine-wide, so stale deadlines are
    /// recognised).
    mutating func process(
        _ event: RuleEvent, spec: TemporalSpec, ruleId: String, now: Int64, nextID: inout Int
    ) -> Effects {
        var effects = Effects()
        let key = Self.groupKey(spec, event)
        let group = key ?? ""
        switch spec {
        case .sequence(let matchers, let within, _, let strict):
            if var instance = instances[group] {
                if instance.deadline <= now {
                    // Expired but its deadline callback has not run yet.
                    if let handle = instance.handle { effects.cancel.append(handle) }
                    instances[group] = nil
                } else if matchers[instance.events.count].matches(event) {
                    instance.events.append(event)
                    if instance.events.count == matchers.count {
                        if let handle = instance.handle { effects.cancel.append(handle) }
                        instances[group] = nil
                        effects.matches.append(
                            TemporalMatch(
                                ruleId: ruleId, events: instance.events, aliases: Self.aliases(matchers, instance.events),
                                groupKey: key))
                        // The completing event does not also start the next attempt.
                        return effects
                    }
                    instances[group] = instance
                    return effects
                } else if strict {
                    if let handle = instance.handle { effects.cancel.append(handle) }
                    instances[group] = nil
                } else {
                    return effects
                }
            }
            if matchers[0].matches(event) {
                nextID += 1
                instances[group] = Instance(id: nextID, events: [event], deadline: now + within, handle: nil)
                effects.schedule.append((group, nextID, within))
            }

        case .absence(let after, let expected, let within, _):
            if let instance = instances[group], expected.matches(event) {
                if let handle = instance.handle { effects.cancel.append(handle) }
                instances[group] = nil
            } else if instances[group] == nil, after.matches(event) {
                nextID += 1
                instances[group] = Instance(id: nextID, events: [event], deadline: now + within, handle: nil)
                effects.schedule.append((group, nextID, within))
            }

        case .count(let matcher, let threshold, let comparison, let window, _, let sliding):
            guard matcher.matches(event) else { return effects }
            let count = record(event, group: group, now: now, window: window, sliding: sliding)
            if comparison.holds(Double(count), threshold) {
                effects.matches.append(
                    TemporalMatch(
                        ruleId: ruleId, events: Self.recent(windows[group]?.live ?? []),
                        aliases: Self.aliases([matcher], [event]), groupKey: key, count: count))
            }

        case .aggregate(let matcher, let field, let function, let threshold, let comparison, let window, _):
            guard matcher.matches(event) else { return effects }
            let count = record(event, group: group, now: now, window: window, sliding: true)
            let entries = windows[group]?.live ?? []
            let value: Double
            if function == .count {
                value = Double(count)
            } else {
                let numbers = entries.compactMap { References.path(segments: field, in: .object($0.event.data))?.numberValue }
                guard !numbers.isEmpty else { return effects }
                switch function {
                case .sum: value = numbers.reduce(0, +)
                case .avg: value = numbers.reduce(0, +) / Double(numbers.count)
                case .min: value = numbers.min() ?? 0
                case .max: value = numbers.max() ?? 0
                case .count: value = Double(numbers.count)
                }
            }
            if comparison.holds(value, threshold) {
                effects.matches.append(
                    TemporalMatch(
                        ruleId: ruleId, events: Self.recent(entries), aliases: Self.aliases([matcher], [event]),
                        groupKey: key, count: count, aggregateValue: value))
            }
        }
        return effects
    }

    /// A deadline passed: an absence fires, a sequence attempt is dropped.
    mutating func deadline(group: String, instance id: Int, spec: TemporalSpec, ruleId: String) -> TemporalMatch? {
        guard let instance = instances[group], instance.id == id else { return nil }
        instances[group] = nil
        guard case .absence(let after, _, _, _) = spec else { return nil }
        return TemporalMatch(
            ruleId: ruleId, events: instance.events, aliases: Self.aliases([after], instance.events),
            groupKey: spec.groupBy == nil ? nil : group)
    }

    /// Every pending deadline handle (to cancel when the rule goes away).
    var handles: [any RuleScheduledTask] { instances.values.compactMap(\.handle) }

    /// Adds the event to its group's window, drops entries outside the window, returns the
    /// number of events inside.
    ///
    /// Sliding: the last `window` ms. Tumbling (default for count): fixed buckets of `window`
    /// ms aligned to the epoch, so the count restarts at each bucket boundary.
    private mutating func record(_ event: RuleEvent, group: String, now: Int64, window: Int64, sliding: Bool) -> Int {
        let window = max(1, window)
        let cutoff = sliding ? now - window : now - now % window - 1
        windows[group, default: Window()].append(
            WindowEntry(timestamp: now, event: event), keepingAfter: cutoff, capacity: Self.windowCapacity)
        let count = windows[group]?.count ?? 0
        // Groups that stopped receiving events would otherwise keep their windows forever.
        recordsSinceSweep += 1
        if recordsSinceSweep >= 1024 {
            recordsSinceSweep = 0
            windows = windows.filter { $0.value.entries.last.map { $0.timestamp > cutoff } ?? false }
        }
        return count
    }

    /// How many of a window's events a count or aggregate match hands to its rule (the most
    /// recent ones, oldest first); `count` and `aggregateValue` still cover the whole window.
    static let matchedEventsLimit = 100

    private static func recent(_ entries: ArraySlice<WindowEntry>) -> [RuleEvent] {
        entries.suffix(matchedEventsLimit).map(\.event)
    }

    private static func aliases(_ matchers: [EventMatcherSpec], _ events: [RuleEvent]) -> [(String, RuleEvent)] {
        zip(matchers, events).compactMap { matcher, event in matcher.alias.map { ($0, event) } }
    }
}
