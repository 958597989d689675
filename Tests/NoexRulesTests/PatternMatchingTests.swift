@testable import NoexRules
import Testing

@Suite struct PatternMatchingTests {
    @Test(arguments: [
        ("customer:123:age", "customer:123:age", true),
        ("customer:123:age", "customer:123", false),
        ("customer:*:age", "customer:123:age", true),
        ("customer:*:age", "customer:1:2:age", false),
        ("customer:*:age", "customer::age", false),
        ("*", "plain", true),
        ("*", "a:b", false),
        ("user:*", "user:1", true),
        ("user:*", "user:", true),  // the reference's fast path accepts an empty final segment
        ("user:*", "user:1:name", false),
        ("user:*", "user", false),
        ("*:*:name", "user:1:name", true),
        ("user:*:name", "user:1:email", false),
        ("order.*", "order.x", true),  // no regex: dots are literal
        ("a.b:*", "aXb:1", false),
        ("ord*:1", "order:1", true),  // a star inside a segment matches one or more characters
        ("ord*:1", "ord:1", false),
    ])
    func factKeys(pattern: String, key: String, expected: Bool) {
        #expect(PatternMatching.factKey(pattern, matches: key) == expected)
    }

    @Test(arguments: [
        ("order.created", "order.created", true),
        ("order.created", "order.updated", false),
        ("order.*", "order.created", true),
        ("order.*", "order.a.b", true),  // trailing .* = one or more segments
        ("order.*", "order", false),  // but not the bare prefix
        ("order.*", "orders.created", false),
        ("*.created", "order.created", true),
        ("*.created", "a.b.created", false),
        ("a.*.c", "a.b.c", true),
        ("a.*.c", "a.b.x.c", false),
        ("*", "single", true),
        ("*", "two.segments", false),  // ⚠ reference: * alone is one segment
        ("*.*", "a.b", true),
        ("*.*", "a.b.c", false),
    ])
    func triggerTopics(pattern: String, topic: String, expected: Bool) {
        #expect(PatternMatching.triggerTopic(pattern, matches: topic) == expected)
    }

    @Test(arguments: [
        ("*", "anything.at.all", true),
        ("*", "x", true),
        ("order.created", "order.created", true),
        ("order.created", "order", false),
        ("order.*", "order", true),  // kept: trailing * also matches the bare prefix
        ("order.*", "order.created", true),
        ("order.*", "order.a.b", true),
        ("order.*", "payment.received", false),
        ("a.*.c", "a.b.c", true),
        ("a.*.c", "a.b.c.d", false),
        ("a.*.c", "a.c", false),
        ("*.created", "order.created", true),
        ("*.created", "order.created.late", false),
        ("a.*.*", "a.b", true),
    ])
    func subscriptionTopics(pattern: String, topic: String, expected: Bool) {
        #expect(PatternMatching.subscriptionTopic(pattern, matches: topic) == expected)
        // The precompiled form the engine uses agrees.
        let compiled = PatternMatching.Subscription(pattern)
        #expect(compiled.matches(topic, segments: { topic.split(separator: ".", omittingEmptySubsequences: false) }) == expected)
    }
}

/// The linear-time glob against the old backtracking definition, and the inputs that made the
/// old matcher run for hours (issue 14, item 2).
@Suite struct PatternMatchingCostTests {
    /// The previous recursive matcher, kept as the definition: `*` is one or more bytes other
    /// than `separator`. Exponential, so only for tiny inputs.
    private static func reference(_ p: [UInt8], _ pi: Int, _ t: [UInt8], _ ti: Int, _ separator: UInt8) -> Bool {
        var pi = pi
        var ti = ti
        while pi < p.count {
            if p[pi] == UInt8(ascii: "*") {
                var end = ti
                while end < t.count, t[end] != separator {
                    end += 1
                    if reference(p, pi + 1, t, end, separator) { return true }
                }
                return false
            }
            guard ti < t.count, t[ti] == p[pi] else { return false }
            pi += 1
            ti += 1
        }
        return ti == t.count
    }

    @Test func agreesWithTheBacktrackingDefinitionOnRandomInputs() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab:*".utf8)
        let textAlphabet = Array("ab:".utf8)
        for _ in 0..<20_000 {
            let p = (0..<Int.random(in: 0...7, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let t = (0..<Int.random(in: 0...9, using: &generator)).map { _ in textAlphabet.randomElement(using: &generator)! }
            let expected = Self.reference(p, 0, t, 0, UInt8(ascii: ":"))
            let actual = PatternMatching.glob(p[...], t[...], separator: UInt8(ascii: ":"))
            #expect(actual == expected, "\(String(decoding: p, as: UTF8.self)) vs \(String(decoding: t, as: UTF8.self))")
            if actual != expected { return }
        }
        // Longer literal chunks (the Knuth-Morris-Pratt search) over a two-letter alphabet.
        for _ in 0..<20_000 {
            let p = (0..<Int.random(in: 0...14, using: &generator)).map { _ in
                Int.random(in: 0..<8, using: &generator) == 0 ? UInt8(ascii: "*") : Array("ab".utf8).randomElement(using: &generator)!
            }
            let t = (0..<Int.random(in: 0...18, using: &generator)).map { _ in Array("ab".utf8).randomElement(using: &generator)! }
            let expected = Self.reference(p, 0, t, 0, UInt8(ascii: ":"))
            let actual = PatternMatching.glob(p[...], t[...], separator: UInt8(ascii: ":"))
            #expect(actual == expected, "\(String(decoding: p, as: UTF8.self)) vs \(String(decoding: t, as: UTF8.self))")
            if actual != expected { return }
        }
    }

    @Test(arguments: [
        ("*abcab*", "xxabcabcabyy", true),
        ("*aabaa*x", "aabaabaaabaax", true),
        ("*aabaab*", "aabaaabaa", false),
        ("a*ababab*b", "aabababababb", true),
        ("*abababa", "abababababa", true),
        ("**abcde**", "xabcdex", false),
        ("**abcde**", "xxabcdexx", true),
    ])
    func longChunks(pattern: String, key: String, expected: Bool) {
        #expect(PatternMatching.factKey(pattern, matches: key) == expected)
    }

    @Test func theAttackPatternsFinish() {
        let done = finishes {
            let key40 = String(repeating: "a", count: 40)
            #expect(!PatternMatching.factKey("**************b", matches: key40))
            #expect(PatternMatching.factKey("**************a", matches: key40))
            let key3000 = String(repeating: "a", count: 3_000)
            #expect(!PatternMatching.factKey("****b", matches: key3000))
            #expect(!PatternMatching.factKey(String(repeating: "*a", count: 200) + "b", matches: key3000))
            #expect(!PatternMatching.triggerTopic("*********************b", matches: String(repeating: "x", count: 3_000)))
        }
        #expect(done, "glob matching did not finish within 30 s")
    }
}
