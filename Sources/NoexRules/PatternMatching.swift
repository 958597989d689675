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
    ///
    /// Linear-time, O(|pattern| + |text|), without backtracking (issue 14: the old recursive matcher took hours on
    /// `**************b` against a 40-byte key). Neither `*` nor a literal byte other than the
    /// separator matches a separator, so the separators of pattern and text pair up one to one:
    /// the pattern matches when it has as many segments as the text and each pattern segment
    /// matches its text segment. Inside a segment, see ``segmentMatches(_:_:_:_:_:_:)``.
    static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, separator: UInt8) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            text.withUnsafeBufferPointer { t in
                var ps = 0
                var ts = 0
                while true {
                    var pe = ps
                    while pe < p.count, p[pe] != separator { pe += 1 }
                    var te = ts
                    while te < t.count, t[te] != separator { te += 1 }
                    guard segmentMatches(p, ps, pe, t, ts, te) else { return false }
                    if pe == p.count || te == t.count { return pe == p.count && te == t.count }
                    ps = pe + 1
                    ts = te + 1
                }
            }
        }
    }

    /// Whether `p[ps..<pe]` matches all of `t[ts..<te]`, neither containing the separator.
    ///
    /// The segment pattern is `L0 *…* C1 *…* C2 … *…* Cn` (literal chunks between maximal runs
    /// of stars). A run of `k` stars covers at least `k` bytes. `L0` must start the text and
    /// `Cn` must end it; each middle chunk goes at its leftmost occurrence at or after the
    /// position its star run allows. Leftmost placement is always safe: any match with a chunk
    /// further right stays a match when the chunk moves left (the star after it absorbs the
    /// difference), so no alternative is ever revisited. Each chunk search starts where the
    /// previous chunk ended and reads the text once (``firstOccurrence(_:_:_:in:from:to:)``):
    /// O(|p| + |t|) per segment.
    private static func segmentMatches(
        _ p: UnsafeBufferPointer<UInt8>, _ ps: Int, _ pe: Int, _ t: UnsafeBufferPointer<UInt8>, _ ts: Int, _ te: Int
    ) -> Bool {
        var i = ps
        var pos = ts
        while i < pe, p[i] != star {
            guard pos < te, t[pos] == p[i] else { return false }
            i += 1
            pos += 1
        }
        if i == pe { return pos == te }
        while true {
            while i < pe, p[i] == star {
                i += 1
                pos += 1  // each star covers at least one byte
            }
            guard pos <= te else { return false }
            let chunk = i
            while i < pe, p[i] != star { i += 1 }
            let length = i - chunk
            if i == pe {
                // The last chunk ends the segment; the stars before it take everything between.
                let at = te - length
                return at >= pos && bytesEqual(p, chunk, t, at, length)
            }
            guard let found = firstOccurrence(p, chunk, length, in: t, from: pos, to: te) else { return false }
            pos = found + length
        }
    }

    /// The first index `i` in `from...to - length` where `t[i..<i + length]` equals the chunk
    /// `p[chunk..<chunk + length]`.
    ///
    /// Short chunks are compared in place (at most four bytes per text position); longer ones
    /// use Knuth-Morris-Pratt, so the text is read once whatever the chunk: with every chunk
    /// search starting where the previous match ended, a whole glob costs O(|p| + |t|).
    private static func firstOccurrence(
        _ p: UnsafeBufferPointer<UInt8>, _ chunk: Int, _ length: Int, in t: UnsafeBufferPointer<UInt8>, from: Int,
        to: Int
    ) -> Int? {
        if length <= 4 {
            var i = from
            while i + length <= to {
                if bytesEqual(p, chunk, t, i, length) { return i }
                i += 1
            }
            return nil
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: length) { border -> Int? in
            // border[q]: length of the longest proper prefix of chunk[0...q] that is also its suffix.
            border[0] = 0
            var k = 0
            for q in 1..<length {
                while k > 0, p[chunk + q] != p[chunk + k] { k = border[k - 1] }
                if p[chunk + q] == p[chunk + k] { k += 1 }
                border[q] = k
            }
            var matched = 0
            var i = from
            while i < to {
                while matched > 0, t[i] != p[chunk + matched] { matched = border[matched - 1] }
                if t[i] == p[chunk + matched] { matched += 1 }
                if matched == length { return i - length + 1 }
                i += 1
            }
            return nil
        }
    }

    @inline(__always)
    private static func bytesEqual(
        _ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ t: UnsafeBufferPointer<UInt8>, _ ti: Int, _ length: Int
    ) -> Bool {
        for k in 0..<length where p[pi + k] != t[ti + k] { return false }
        return true
    }
}
