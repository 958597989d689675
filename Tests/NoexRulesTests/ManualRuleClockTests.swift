import NoexRules
import Testing

@Suite struct ManualRuleClockTests {
    @Test func runsDueCallbacksInOrderAndHonoursCancel() {
        let clock = ManualRuleClock(start: 1000)
        let order = Recorder<String>()
        _ = clock.schedule(afterMilliseconds: 30) { order.append("c@\(clock.now())") }
        _ = clock.schedule(afterMilliseconds: 10) { order.append("a@\(clock.now())") }
        let cancelled = clock.schedule(afterMilliseconds: 20) { order.append("cancelled") }
        _ = clock.schedule(afterMilliseconds: 10) {
            order.append("b@\(clock.now())")
            _ = clock.schedule(afterMilliseconds: 5) { order.append("nested@\(clock.now())") }
        }
        cancelled.cancel()
        clock.advance(byMilliseconds: 25)
        #expect(order.values == ["a@1010", "b@1010", "nested@1015"])
        #expect(clock.now() == 1025)
        #expect(clock.pendingCount == 1)
        clock.advance(byMilliseconds: 5)
        #expect(order.values.last == "c@1030")
        #expect(clock.pendingCount == 0)
    }
}
