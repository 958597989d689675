@testable import NoexRules
import Testing

@Suite struct TriggerIndexTests {
    @Test func lookupOrdersByPriorityThenExactThenRegistration() {
        var index = TriggerIndex<String>()
        index.insert("a.*", "w5-first", priority: 5, payload: "w5-first")  // registered before the exact ones
        index.insert("a.b", "e5", priority: 5, payload: "e5")
        index.insert("a.b", "e1", priority: 1, payload: "e1")
        index.insert("*.b", "w9", priority: 9, payload: "w9")
        index.insert("a.b", "e5-second", priority: 5, payload: "e5-second")
        index.insert("a.*", "w1", priority: 1, payload: "w1")
        index.insert("x.*", "other", priority: 100, payload: "other")
        index.insert("a.b", "e-neg", priority: -3, payload: "e-neg")
        #expect(
            index.lookup("a.b", PatternMatching.triggerTopic)
                == ["w9", "e5", "e5-second", "w5-first", "e1", "w1", "e-neg"])
        index.remove("a.b", "e5")
        index.remove("*.b", "w9")
        #expect(index.lookup("a.b", PatternMatching.triggerTopic) == ["e5-second", "w5-first", "e1", "w1", "e-neg"])
        #expect(index.lookup("zzz", PatternMatching.triggerTopic).isEmpty)
    }
}
