import NoexAuth
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// F17 (issue 14 item 5): login attempts are counted before the password is verified, per
/// account as well as per address, and a success forgives only that account's own failures.
@Suite struct LoginRateLimitAttackTests {
    @Test func concurrentGuessesCannotExceedTheLimit() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 5, windowMs: 600_000))
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.createUser("victim", password: "correct-horse", as: root)
        let healthy = try await harness.liveClient()
        // 300 guesses at once: 30 connections, 10 pipelined guesses each.
        var guessers: [TestClient] = []
        for _ in 0..<30 { guessers.append(try await harness.liveClient()) }
        let codes = try await withThrowingTaskGroup(of: [String].self) { group in
            for (n, guesser) in guessers.enumerated() {
                group.addTask {
                    for k in 0..<10 {
                        try await guesser.sendRaw(
                            #"{"id":\#(k + 1),"type":"identity.login","username":"victim","password":"guess-\#(n)-\#(k)"}"#)
                    }
                    var codes: [String] = []
                    for k in 0..<10 { codes.append(try await guesser.response(id: k + 1)["code"]?.stringValue ?? "result") }
                    return codes
                }
            }
            var all: [String] = []
            for try await codes in group { all += codes }
            return all
        }
        #expect(codes.count == 300)
        // Only the reserved attempts were verified; every other guess was refused unverified.
        #expect(codes.filter { $0 == "UNAUTHORIZED" }.count <= 5)
        #expect(codes.filter { $0 == "RATE_LIMITED" }.count >= 295)
        #expect(!codes.contains("result"))
        // The right password is refused too while the account is locked, and others still get answers.
        #expect(try await healthy.request("identity.login", ["username": "victim", "password": "correct-horse"]).code == "RATE_LIMITED")
        #expect(try await root.request("identity.listUsers").isResult)
    }

    @Test func anAccountHoldersOwnLoginsDoNotReopenPasswordSpraying() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 3, windowMs: 600_000))
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin(remoteAddress: "10.9.9.9")
        try await harness.createUser("sprayer", password: "own-password", as: root)
        for n in 0..<6 { try await harness.createUser("target\(n)", password: "unguessable-\(n)", as: root) }
        let client = try await harness.client(remoteAddress: "10.0.0.7")
        let own: JSONObject = ["username": "sprayer", "password": "own-password"]
        var codes: [String] = []
        for n in 0..<6 {
            // A successful login of the attacker's own account between every guess at another.
            #expect(try await client.request("identity.login", own).isResult || n >= 3)
            codes.append(
                try await client.request("identity.login", ["username": .string("target\(n)"), "password": "Spring2026!"]).code ?? "")
        }
        #expect(codes.prefix(3).allSatisfy { $0 == "UNAUTHORIZED" })
        #expect(codes.suffix(3).allSatisfy { $0 == "RATE_LIMITED" })
        // Someone else's address is not affected.
        let other = try await harness.client(remoteAddress: "10.0.0.8")
        #expect(try await other.request("identity.login", ["username": "target5", "password": "unguessable-5"]).isResult)
    }

    @Test func aSuccessForgivesTheAccountsOwnFailures() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 3, windowMs: 600_000))
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin(remoteAddress: "10.9.9.9")
        try await harness.createUser("alice", password: "alice-password", as: root)
        let client = try await harness.client(remoteAddress: "10.0.0.7")
        for _ in 0..<3 {
            for _ in 0..<2 {
                #expect(try await client.request("identity.login", ["username": "alice", "password": "typo-typo"]).code == "UNAUTHORIZED")
            }
            #expect(try await client.request("identity.login", ["username": "alice", "password": "alice-password"]).isResult)
        }
    }
}
