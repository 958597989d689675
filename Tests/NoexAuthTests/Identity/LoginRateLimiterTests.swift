import NoexAuth
import NoexWire
import Synchronization
import Testing

@Suite struct LoginRateLimiterTests {
    private final class Clock: Sendable {
        let now = Mutex<Int64>(1_000)
        func advance(_ ms: Int64) { now.withLock { $0 += ms } }
    }

    @Test func locksAfterMaxAttemptsAndReportsRetryAfter() throws {
        let clock = Clock()
        let limiter = LoginRateLimiter(configuration: .init(maxAttempts: 3, windowMs: 1_000)) { clock.now.withLock { $0 } }
        for _ in 0..<3 {
            try limiter.check("user:a")
            limiter.recordFailure("user:a")
        }
        clock.advance(400)
        do {
            try limiter.check("user:a")
            Issue.record("expected RATE_LIMITED")
        } catch {
            #expect(error.code.rawValue == "RATE_LIMITED")
            #expect(error.details == ["retryAfterMs": 600])
        }
        try limiter.check("user:b")
        clock.advance(601)
        try limiter.check("user:a")
    }

    @Test func resetForgetsFailures() throws {
        let limiter = LoginRateLimiter(configuration: .init(maxAttempts: 1, windowMs: 60_000)) { 0 }
        limiter.recordFailure("ip:x")
        #expect(throws: ProtocolError.self) { try limiter.check("ip:x") }
        limiter.reset("ip:x")
        try limiter.check("ip:x")
    }
}
