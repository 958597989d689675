/// The three wildcard matchers of the rules engine (spec-store-rules C.2, C.4).
///
/// They differ on purpose and must not be unified:
/// - ``factKey(_:matches:)``: fact keys, timer names and fact triggers, segments separated by `:`;
/// - ``triggerTopic(_:matches:)``: event topics of rule triggers, segments separated by `.`;
/// - ``subscriptionTopic(_:matches:)``: event topics of subscriptions (kept as the reference has it).
///
/// Pattern characters other than `*` are compared literally (the reference builds an unescaped
/// regular expression; we do not reproduce that metacharacter leak).
public enum PatternMatching {
    /// Whether `key` matches the fact pattern `pattern`.
    ///
    /// No `*`: exact equality. Otherwise each `*` matches one non-empty run of characters
    /// without `:`; so `*` alone matches only keys without `:`. A pattern whose only `*` is a
    /// trailing `prefix:*` also accepts an empty final segment (the reference's fast path).
    public static func factKey(_ pattern: String, matches key: String) -> Bool {
        guard isWildcard(pattern) else { return pattern == key }
        return factKey(Array(pattern.utf8), Array(key.utf8))
    }

    /// ``factKey(_:matches:)`` on UTF-8 bytes of a wildcard pattern (prepared once by indexes).
    static func factKey(_ p: [UInt8], _ k: [UInt8]) -> Bool {
        if p.count >= 2, p[p.count - 1] == star, p[p.count - 2] == colon,
            !p[..<(p.count - 1)].contains(star)
        {
            let prefix = p[..<(p.count - 1)]
            guard k.count >= prefix.count, k[..<prefix.count].elementsEqual(prefix) else { return false }
            return !k[prefix.count...].contains(colon)
        }
        return glob(p[...], k[...], separator: colon)
    }

    /// Whether `topic` matches the rule-trigger topic pattern `pattern`.
    ///
    /// No `*`: exact equality. `x.*` (a trailing `.*` and no other `*`): the topic starts with
    /// `x.`, i.e. one or more further segments. Any other `*` matches exactly one non-empty
    /// dot-free run, so `*` alone matches only single-segment topics.
    public static func triggerTopic(_ pattern: String, matches topic: String) -> Bool {
        guard isWildcard(pattern) else { return pattern == topic }
        return triggerTopic(Array(pattern.utf8), Array(topic.utf8))
    }

    /// ``triggerTopic(_:matches:)`` on UTF-8 bytes of a wildcard pattern.
    static func triggerTopic(_ p: [UInt8], _ t: [UInt8]) -> Bool {
        if p.count >= 2, p[p.count - 1] == star, p[p.count - 2] == dot, !p[..<(p.count - 1)].contains(star) {
            let prefix = p[..<(p.count - 1)]  // keeps the dot
            return t.count > prefix.count && t[..<prefix.count].elementsEqual(prefix)
        }
        return glob(p[...], t[...], separator: dot)
    }

    /// Whether `topic` matches the subscription pattern `pattern` (wire-decisions: kept as is).
    ///
    /// `*` alone matches every topic; no `*` means exact equality. Otherwise both are split on
    /// `.`: a `*` segment matches any one segment, except that a trailing `*` matches the rest,
    /// including nothing, so `order.*` matches `order`, `order.created` and `order.a.b`.
    public static func subscriptionTopic(_ pattern: String, matches topic: String) -> Bool {
        Subscription(pattern).matches(topic) { topic.split(separator: ".", omittingEmptySubsequences: false) }
    }

    /// A subscription pattern prepared once, matched against many topics.
    struct Subscription: Sendable {
        private enum Kind: Sendable {
            case all
            case exact(String)
            case segments([Substring])
        }

        private let kind: Kind

        init(_ pattern: String) {
            if !pattern.utf8.contains(star) {
                kind = .exact(pattern)
            } else if pattern == "*" {
                kind = .all
            } else {
                kind = .segments(pattern.split(separator: ".", omittingEmptySubsequences: false))
            }
        }

        /// The matcher behind ``PatternMatching/subscriptionTopic(_:matches:)``; `segments` is the
        /// topic split on `.`, computed at most once per event by the caller.
        func matches(_ topic: String, segments: () -> [Substring]) -> Bool {
            switch kind {
            case .all: return true
            case .exact(let pattern): return pattern == topic
            case .segments(let p):
                let t = segments()
                for i in p.indices {
                    if p[i] == "*" {
                        if i == p.count - 1 { return true }
                        if i >= t.count { return false }
                        continue
                    }
                    if i >= t.count || p[i] != t[i] { return false }
                }
                return p.count == t.count
            }
        }
    }

    /// Whether a pattern contains a wildcard.
    static func isWildcard(_ pattern: String) -> Bool { pattern.utf8.contains(star) }

    private static let star = UInt8(ascii: "*")
    private static let colon = UInt8(ascii: ":")
    private static let dot = UInt8(ascii: ".")

    /// Anchored glob in which `*` matches one or more bytes other than `separator`.
    private static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, separator: UInt8) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in globBytes(p, 0, t, 0, separator) }
        }
    }

    private static func globBytes(
        _ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ t: UnsafeBufferPointer<UInt8>, _ ti: Int, _ separator: UInt8
    ) -> Bool {
        var pi = pi
        var ti = ti
        while pi < p.count {
            if p[pi] == star {
                // Try every non-empty run of non-separator bytes; patterns are short, so the
                // backtracking stays small.
                var end = ti
                while end < t.count, t[end] != separator {
                    end += 1
                    if globBytes(p, pi + 1, t, end, separator) { return true }
                }
                return false
            }
            guard ti < t.count, t[ti] == p[pi] else { return false }
            pi += 1
            ti += 1
        }
        return ti == t.count
    }
}
