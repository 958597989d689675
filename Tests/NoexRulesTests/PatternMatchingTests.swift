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
