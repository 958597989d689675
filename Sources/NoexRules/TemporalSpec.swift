import NoexWire

/// One event of a temporal pattern: a trigger-topic pattern, an optional data filter and an
/// optional alias under which the matched event's data is visible to conditions and actions.
struct EventMatcherSpec: Sendable {
    let topic: String
    let topicBytes: [UInt8]
    /// Every member must equal the value at that dot path of the event data.
    let filter: [(path: [Substring], value: JSONValue)]
    let alias: String?

    init(_ object: JSONObject) {
        topic = object["topic"]?.stringValue ?? ""
        topicBytes = Array(topic.utf8)
        filter = (object["filter"]?.objectValue ?? [:]).members.map {
            ($0.key.split(separator: ".", omittingEmptySubsequences: false), $0.value)
        }
        alias = object["as"]?.stringValue
    }

    func matches(_ event: RuleEvent) -> Bool {
        let topicMatches =
            PatternMatching.isWildcard(topic)
            ? PatternMatching.triggerTopic(topicBytes, Array(event.topic.utf8)) : topic == event.topic
        guard topicMatches else { return false }
        for (path, value) in filter where References.path(segments: path, in: .object(event.data)) != value {
            return false
        }
        return true
    }
}

/// `gte` (default), `lte` or `eq`.
enum ThresholdComparison: String, Sendable {
    case gte, lte, eq

    func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .gte: value >= threshold
        case .lte: value <= threshold
        case .eq: value == threshold
        }
    }
}

/// The aggregate functions.
enum AggregateFunction: String, Sendable, CaseIterable {
    case sum, avg, min, max, count
}

/// A parsed temporal pattern (spec-store-rules C.5; types of the reference's temporal module).
enum TemporalSpec: Sendable {
    /// `events` in order, all within `within` ms of the first; `strict`: any other event of the
    /// same group in between abandons the attempt.
    case sequence(events: [EventMatcherSpec], within: Int64, groupBy: [Substring]?, strict: Bool)
    /// `after` seen and `expected` not seen within `within` ms: fires at the deadline.
    case absence(after: EventMatcherSpec, expected: EventMatcherSpec, within: Int64, groupBy: [Substring]?)
    /// The number of matching events in the window compared with `threshold`.
    case count(
        event: EventMatcherSpec, threshold: Double, comparison: ThresholdComparison, window: Int64,
        groupBy: [Substring]?, sliding: Bool)
    /// A function of a numeric field over the window compared with `threshold`.
    case aggregate(
        event: EventMatcherSpec, field: [Substring], function: AggregateFunction, threshold: Double,
        comparison: ThresholdComparison, window: Int64, groupBy: [Substring]?)

    /// Parses a validated pattern; `nil` if the shape is unusable.
    init?(_ pattern: JSONObject) {
        func matcher(_ key: String) -> EventMatcherSpec? { pattern[key]?.objectValue.map(EventMatcherSpec.init) }
        func duration(_ key: String) -> Int64? { pattern[key].flatMap(RuleDuration.milliseconds) }
        let groupBy = pattern["groupBy"]?.stringValue.map { $0.split(separator: ".", omittingEmptySubsequences: false) }
        let comparison = pattern["comparison"]?.stringValue.flatMap(ThresholdComparison.init(rawValue:)) ?? .gte
        switch pattern["type"]?.stringValue {
        case "sequence":
            guard let events = pattern["events"]?.arrayValue?.compactMap({ $0.objectValue.map(EventMatcherSpec.init) }),
                events.count >= 2, let within = duration("within")
            else { return nil }
            self = .sequence(events: events, within: within, groupBy: groupBy, strict: pattern["strict"]?.boolValue ?? false)
        case "absence":
            guard let after = matcher("after"), let expected = matcher("expected"), let within = duration("within")
            else { return nil }
            self = .absence(after: after, expected: expected, within: within, groupBy: groupBy)
        case "count":
            guard let event = matcher("event"), let threshold = pattern["threshold"]?.numberValue,
                let window = duration("window")
            else { return nil }
            self = .count(
                event: event, threshold: threshold, comparison: comparison, window: window, groupBy: groupBy,
                sliding: pattern["sliding"]?.boolValue ?? false)
        case "aggregate":
            guard let event = matcher("event"), let field = pattern["field"]?.stringValue,
                let function = pattern["function"]?.stringValue.flatMap(AggregateFunction.init(rawValue:)),
                let threshold = pattern["threshold"]?.numberValue, let window = duration("window")
            else { return nil }
            self = .aggregate(
                event: event, field: field.split(separator: ".", omittingEmptySubsequences: false), function: function,
                threshold: threshold, comparison: comparison, window: window, groupBy: groupBy)
        default: return nil
        }
    }

    /// Whether the event can change this pattern's state: it matches one of its event
    /// matchers, or the pattern is a strict sequence (which any event of the group breaks).
    func concerns(_ event: RuleEvent) -> Bool {
        switch self {
        case .sequence(let matchers, _, _, let strict): strict || matchers.contains { $0.matches(event) }
        case .absence(let after, let expected, _, _): after.matches(event) || expected.matches(event)
        case .count(let matcher, _, _, _, _, _), .aggregate(let matcher, _, _, _, _, _, _): matcher.matches(event)
        }
    }

    var groupBy: [Substring]? {
        switch self {
        case .sequence(_, _, let g, _), .absence(_, _, _, let g), .count(_, _, _, _, let g, _), .aggregate(_, _, _, _, _, _, let g): g
        }
    }
}
