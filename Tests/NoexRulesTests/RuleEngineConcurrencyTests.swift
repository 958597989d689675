import NoexRules
import NoexWire
import Testing

@Suite struct RuleEngineConcurrencyTests {
    @Test func concurrentTriggersAndManagementKeepConsistentCounts() async throws {
        let engine = RuleEngine(configuration: RuleEngineConfiguration(logger: { _, _ in }))
        let delivered = Recorder<Int>()
        _ = engine.subscribe("load.*") { _, _ in delivered.append(1) }
        try engine.registerRule(
            rule("count", trigger: ["type": "event", "topic": "load.*"], actions: [setFactAction("seen:${event.worker}:${event.i}", true)]))
        let workers = 4
        let perWorker = 100
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask {
                    for i in 0..<perWorker {
                        _ = try? engine.emit(topic: "load.w\(w)", data: ["worker": .number(Double(w)), "i": .number(Double(i))])
                    }
                }
            }
            // Management calls race with the triggers.
            group.addTask {
                for i in 0..<50 {
                    _ = try? engine.registerRule(rule("tmp\(i)", trigger: ["type": "event", "topic": "load.w0"], actions: []))
                    _ = engine.disableRule("count")
                    _ = engine.enableRule("count")
                    _ = engine.unregisterRule("tmp\(i)")
                }
            }
        }
        #expect(delivered.values.count == workers * perWorker)
        #expect(engine.stats()["eventsProcessed"] == .number(Double(workers * perWorker)))
        #expect(engine.rules().map(\.id) == ["count"])
        // Every fact the rule wrote is distinct; a disabled window may have skipped some.
        #expect(try engine.queryFacts("seen:*:*").count <= workers * perWorker)
        #expect(try engine.queryFacts("seen:*:*").count > 0)
        engine.stop()
    }
}
