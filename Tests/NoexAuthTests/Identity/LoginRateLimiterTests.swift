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

@Suite struct LoginRateLimiterReservationTests {
    @Test func attemptsInFlightCountAgainstTheLimit() throws {
        let limiter = LoginRateLimiter(configuration: .init(maxAttempts: 3, windowMs: 60_000)) { 0 }
        var attempts: [LoginRateLimiter.Attempt] = []
        for _ in 0..<3 { attempts.append(try limiter.begin(["user:a", "ip:x"])) }
        #expect(throws: ProtocolError.self) { try limiter.begin(["user:a", "ip:y"]) }
        // A refused reservation reserves nothing on the keys that had room.
        _ = try limiter.begin(["user:b", "ip:y"])
        for attempt in attempts { limiter.abandon(attempt) }
        _ = try limiter.begin(["user:a", "ip:x"])
    }

    @Test func successForgivesOnlyTheAccountsOwnFailures() throws {
        let limiter = LoginRateLimiter(configuration: .init(maxAttempts: 4, windowMs: 60_000)) { 0 }
        let ip = "ip:x"
        limiter.fail(try limiter.begin(["user:other", ip, "ip:x|user:other"]))
        limiter.fail(try limiter.begin(["user:me", ip, "ip:x|user:me"]))
        limiter.fail(try limiter.begin(["user:me", ip, "ip:x|user:me"]))
        let success = try limiter.begin(["user:me", ip, "ip:x|user:me"])
        limiter.succeed(success, forgiving: (account: "user:me", address: ip, pair: "ip:x|user:me"))
        // The failure against `other` is still counted on the address: three more reach the limit.
        limiter.fail(try limiter.begin(["user:o2", ip, "ip:x|user:o2"]))
        limiter.fail(try limiter.begin(["user:o3", ip, "ip:x|user:o3"]))
        limiter.fail(try limiter.begin(["user:o4", ip, "ip:x|user:o4"]))
        #expect(throws: ProtocolError.self) { try limiter.begin(["user:me", ip, "ip:x|user:me"]) }
    }
}
