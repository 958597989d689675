import NoexRules
import NoexWire
import Testing

@Suite struct TimersTests {
    private func timerAction(_ name: String, _ duration: JSONValue, topic: String, repeatSpec: JSONValue? = nil) -> JSONValue {
        var timer: JSONObject = [
            "name": .string(name), "duration": duration,
            "onExpire": ["topic": .string(topic), "data": ["orderId": ["ref": "event.orderId"], "kind": "reminder"]],
        ]
        if let repeatSpec { timer["repeat"] = repeatSpec }
        return ["type": "set_timer", "timer": .object(timer)]
    }

    @Test func setTimerFiresTimerRulesThenTheExpiryEvent() throws {
        let h = Harness()
        let order = Recorder<String>()
        h.engine.registerService("t", ClosureRuleService(["hit": { args in order.append("rule \(args[0].stringValue ?? "")"); return .null }]))
        _ = h.engine.subscribe("order.expired") { topic, _ in order.append("event \(topic)") }
        let expired = h.events("order.expired")
        try h.engine.registerRule(
            rule("start", trigger: ["type": "event", "topic": "order.created"],
                 actions: [timerAction("pay:${event.orderId}", "15m", topic: "order.expired")]))
        try h.engine.registerRule(
            rule("on-timer", trigger: ["type": "timer", "name": "pay:*"],
                 actions: [
                    ["type": "call_service", "service": "t", "method": "hit", "args": [["ref": "trigger.timerName"]]],
                    setFactAction("timer-data", ["ref": "trigger.orderId"]),
                 ]))
        try h.engine.emit(topic: "order.created", data: ["orderId": 7], correlationId: "c-7")
        #expect(h.engine.timers().map(\.name) == ["pay:7"])
        #expect(h.engine.stats()["timersCount"] == 1)

        h.clock.advance(byMilliseconds: 15 * 60_000 - 1)
        #expect(expired.values.isEmpty)
        h.clock.advance(byMilliseconds: 1)
        let event = try #require(expired.values.first)
        #expect(order.values == ["rule pay:7", "event order.expired"])
        #expect(event.source == "timer")
        #expect(event.correlationId == "c-7")
        #expect(event.causationId?.hasPrefix("timer-") == true)
        #expect(event.data == ["orderId": 7, "kind": "reminder"])
        #expect(h.engine.getFact("timer-data") == 7)
        #expect(h.engine.timers().isEmpty)
    }

    @Test func settingTheSameNameReplacesAndCancelTimerCancels() throws {
        let h = Harness()
        let expired = h.events("done")
        try h.engine.registerRule(rule("set", trigger: ["type": "event", "topic": "set"], actions: [timerAction("t1", 1000, topic: "done")]))
        try h.engine.registerRule(rule("cancel", trigger: ["type": "event", "topic": "cancel"], actions: [["type": "cancel_timer", "name": "t${event.n}"]]))
        try h.engine.emit(topic: "set")
        h.clock.advance(byMilliseconds: 600)
        try h.engine.emit(topic: "set")  // replaces: restarts the 1 s countdown
        h.clock.advance(byMilliseconds: 600)
        #expect(expired.values.isEmpty)
        h.clock.advance(byMilliseconds: 400)
        #expect(expired.values.count == 1)

        try h.engine.emit(topic: "set")
        try h.engine.emit(topic: "cancel", data: ["n": 1])
        h.clock.advance(byMilliseconds: 5000)
        #expect(expired.values.count == 1)
        #expect(h.clock.pendingCount == 0)
    }

    @Test func repeatingTimerHonoursMaxCount() throws {
        let h = Harness()
        let ticks = h.events("tick")
        try h.engine.registerRule(
            rule("rep", actions: [timerAction("heartbeat", "1s", topic: "tick", repeatSpec: ["interval": "1s", "maxCount": 3])]))
        try h.engine.emit(topic: "test.go")
        h.clock.advance(byMilliseconds: 10_000)
        #expect(ticks.values.count == 3)
        #expect(h.engine.timers().isEmpty)
    }

    @Test func stopCancelsTimers() throws {
        let h = Harness()
        let fired = h.events("x")
        try h.engine.setTimer(name: "a", durationMilliseconds: 100, topic: "x")
        h.engine.stop()
        h.clock.advance(byMilliseconds: 1000)
        #expect(fired.values.isEmpty)
        #expect(h.engine.timers().isEmpty)
        #expect(throws: RulesError.self) { try h.engine.emit(topic: "x") }
    }

    @Test func systemClockRunsRealTimers() async throws {
        let engine = RuleEngine(configuration: RuleEngineConfiguration(logger: { _, _ in }))
        let fired = Recorder<String>()
        _ = engine.subscribe("real.*") { topic, _ in fired.append(topic) }
        try engine.setTimer(name: "real", durationMilliseconds: 5, topic: "real.done")
        // Bounded wait; no timing is asserted, only that the timer eventually fires.
        for _ in 0..<500 where fired.values.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        await engine.settle()
        #expect(fired.values == ["real.done"])
        engine.stop()
    }

    @Test func systemClockCancelPreventsTheCallback() async throws {
        let fired = Recorder<Int>()
        let task = SystemRuleClock().schedule(afterMilliseconds: 300) { fired.append(1) }
        task.cancel()
        task.cancel()  // idempotent
        try await Task.sleep(for: .milliseconds(600))
        #expect(fired.values.isEmpty)
    }
}
