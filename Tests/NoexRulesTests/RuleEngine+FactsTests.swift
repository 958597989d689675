import NoexRules
import NoexWire
import Testing

@Suite struct FactsTests {
    @Test func setGetDeleteWithMetadata() throws {
        let h = Harness()
        let first = try h.engine.setFact("customer:1:age", 30)
        #expect(first.version == 1)
        #expect(first.source == "api")
        #expect(first.timestamp == h.clock.now())
        h.clock.advance(byMilliseconds: 5)
        let second = try h.engine.setFact("customer:1:age", 31, source: "import")
        #expect(second.version == 2)
        #expect(second.source == "import")
        #expect(second.timestamp == first.timestamp + 5)
        #expect(h.engine.getFact("customer:1:age") == 31)
        #expect(second.json == [
            "key": "customer:1:age", "value": 31, "timestamp": .number(Double(second.timestamp)),
            "source": "import", "version": 2,
        ])
        #expect(h.engine.deleteFact("customer:1:age"))
        #expect(!h.engine.deleteFact("customer:1:age"))
        #expect(h.engine.getFact("customer:1:age") == nil)
        // A new fact after delete starts again at version 1.
        #expect(try h.engine.setFact("customer:1:age", 1).version == 1)
    }

    @Test func nullIsAValidValue() throws {
        let h = Harness()
        try h.engine.setFact("k", nil)
        #expect(h.engine.getFact("k") == .null)
        #expect(h.engine.getFact("missing") == nil)
    }

    @Test func emptyKeyIsRejected() {
        let h = Harness()
        #expect(throws: RulesError.invalidArgument("Fact key must be a non-empty string")) {
            try h.engine.setFact("", 1)
        }
    }

    @Test func queryUsesTheColonMatcherInStoreOrder() throws {
        let h = Harness()
        try h.engine.setFact("user:2:name", "b")
        try h.engine.setFact("user:1:name", "a")
        try h.engine.setFact("user:1:email", "a@x")
        try h.engine.setFact("plain", 1)
        try h.engine.setFact("user:2:name", "b2")  // update keeps the position
        #expect(try h.engine.queryFacts("user:*:name").map(\.key) == ["user:2:name", "user:1:name"])
        #expect(try h.engine.queryFacts("user:1:email").map(\.key) == ["user:1:email"])
        #expect(try h.engine.queryFacts("user:9:email").isEmpty)
        #expect(try h.engine.queryFacts("*").map(\.key) == ["plain"])
        #expect(try h.engine.queryFacts("nothing:*").isEmpty)
        _ = h.engine.deleteFact("user:2:name")
        try h.engine.setFact("user:2:name", "again")  // delete + set moves it to the end
        #expect(h.engine.allFacts().map(\.key) == ["user:1:name", "user:1:email", "plain", "user:2:name"])
    }

    @Test func stoppedEngineRefusesWrites() {
        let h = Harness()
        h.engine.stop()
        #expect(throws: RulesError.notRunning("RuleEngine \"test-engine\" is not running")) {
            try h.engine.setFact("k", 1)
        }
        #expect(RulesError.notRunning("RuleEngine \"x\" is not running").protocolError.code.rawValue == "RULES_NOT_AVAILABLE")
    }
}
