import NoexServer
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Atomic<Int64>(1_000_000)
    func advance(by ms: Int64) { now.add(ms, ordering: .relaxed) }
    var clock: ServerClock { ServerClock { [self] in now.load(ordering: .relaxed) } }
}

@Suite struct RateLimiterTests {
    @Test func allowsUpToTheLimitThenReportsWhenToRetry() {
        let time = ManualClock()
        let limiter = RateLimiter(configuration: .init(maxRequests: 3, windowMs: 1000), clock: time.clock)
        #expect(limiter.consume(key: "ip") == .allowed)
        time.advance(by: 100)
        #expect(limiter.consume(key: "ip") == .allowed)
        #expect(limiter.consume(key: "ip") == .allowed)
        #expect(limiter.consume(key: "ip") == .limited(retryAfterMs: 900))
        #expect(limiter.consume(key: "other") == .allowed)
    }

    @Test func rejectionsDoNotExtendTheWindow() {
        let time = ManualClock()
        let limiter = RateLimiter(configuration: .init(maxRequests: 1, windowMs: 200), clock: time.clock)
        #expect(limiter.consume(key: "k") == .allowed)
        time.advance(by: 150)
        #expect(limiter.consume(key: "k") == .limited(retryAfterMs: 50))
        time.advance(by: 51)
        #expect(limiter.consume(key: "k") == .allowed)
    }

    @Test func manyDistinctKeysAreForgottenOnceIdle() {
        let time = ManualClock()
        let limiter = RateLimiter(configuration: .init(maxRequests: 1, windowMs: 10), clock: time.clock)
        for index in 0..<10_000 {
            #expect(limiter.consume(key: "key-\(index)") == .allowed)
            if index % 1000 == 0 { time.advance(by: 20) }
        }
    }
}
