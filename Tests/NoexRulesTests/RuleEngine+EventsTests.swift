import NoexRules
import NoexWire
import Testing

@Suite struct EventsTests {
    @Test func emitBuildsTheSpecShape() throws {
        let h = Harness()
        let plain = try h.engine.emit(topic: "order.created", data: ["id": 1])
        #expect(plain.source == "api")
        #expect(plain.timestamp == h.clock.now())
        #expect(plain.json.keys.sorted() == ["data", "id", "source", "timestamp", "topic"])
        let parts = plain.id.split(separator: "-")
        #expect(parts.count == 2)
        #expect(Int64(parts[0], radix: 36) == plain.timestamp)
        #expect(parts[1].count == 9)

        let correlated = try h.engine.emit(topic: "x", correlationId: "c1", causationId: "e0")
        #expect(correlated.json["correlationId"] == "c1")
        #expect(correlated.json["causationId"] == "e0")
        let onlyCorrelation = try h.engine.emit(topic: "x", correlationId: "c1")
        #expect(onlyCorrelation.json["causationId"] == nil)
    }

    @Test func emptyTopicIsRejected() {
        let h = Harness()
        #expect(throws: RulesError.self) { try h.engine.emit(topic: "") }
    }

    @Test func subscribersUseTheSubscriptionMatcher() throws {
        let h = Harness()
        let orders = h.events("order.*")
        let all = h.events("*")
        let exact = h.events("payment.received")
        try h.engine.emit(topic: "order")
        try h.engine.emit(topic: "order.created")
        try h.engine.emit(topic: "order.a.b")
        try h.engine.emit(topic: "payment.received")
        #expect(orders.values.map(\.topic) == ["order", "order.created", "order.a.b"])
        #expect(all.values.count == 4)
        #expect(exact.values.map(\.topic) == ["payment.received"])
    }

    @Test func cancelStopsDeliveryAndIdenticalPatternsStayIndependent() throws {
        let h = Harness()
        let a = Recorder<String>()
        let b = Recorder<String>()
        let subA = h.engine.subscribe("t.*") { topic, _ in a.append(topic) }
        _ = h.engine.subscribe("t.*") { topic, _ in b.append(topic) }
        try h.engine.emit(topic: "t.1")
        #expect(subA.cancel())
        #expect(!subA.cancel())
        try h.engine.emit(topic: "t.2")
        #expect(a.values == ["t.1"])
        #expect(b.values == ["t.1", "t.2"])
        #expect(h.engine.subscriptionCount == 1)
    }

    @Test func subscribersAreNotifiedBeforeRulesRunAndBeforeEmitReturns() throws {
        let h = Harness()
        let order = Recorder<String>()
        try h.engine.registerRule(rule("r", trigger: ["type": "event", "topic": "in"], actions: [emitAction("out")]))
        _ = h.engine.subscribe("*") { topic, _ in order.append("push \(topic)") }
        try h.engine.emit(topic: "in")
        order.append("returned")
        #expect(order.values == ["push in", "push out", "returned"])
    }

    @Test func handlersMayCallBackIntoTheEngine() throws {
        let h = Harness()
        let engine = h.engine
        _ = engine.subscribe("ping") { _, _ in _ = try? engine.setFact("pinged", true) }
        try engine.emit(topic: "ping")
        #expect(engine.getFact("pinged") == true)
    }

    @Test func statsCountEvents() throws {
        let h = Harness()
        try h.engine.emit(topic: "a")
        try h.engine.emit(topic: "b")
        try h.engine.setFact("f", 1)
        let stats = h.engine.stats()
        #expect(stats["eventsProcessed"] == 2)
        #expect(stats["factsCount"] == 1)
        #expect(stats["rulesCount"] == 0)
        #expect(stats["timersCount"] == 0)
        #expect(stats["rulesExecuted"] == 0)
        #expect(stats["avgProcessingTimeMs"] == 0)
        #expect(stats["tracing"] == ["enabled": false, "entriesCount": 0, "maxEntries": 10000])
    }
}
