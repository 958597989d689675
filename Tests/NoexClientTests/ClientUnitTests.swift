@testable import NoexClient
import NoexWire
import Testing

@Suite("NoexClient pieces without a server")
struct ClientUnitTests {
    @Test("backoff grows exponentially, is capped, and jitter only shortens it")
    func backoff() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.5)
        #expect(policy.delay(attempt: 1, random: 0) == .milliseconds(100))
        #expect(policy.delay(attempt: 2, random: 0) == .milliseconds(200))
        #expect(policy.delay(attempt: 4, random: 0) == .milliseconds(800))
        #expect(policy.delay(attempt: 5, random: 0) == .seconds(1))
        #expect(policy.delay(attempt: 50, random: 0) == .seconds(1))
        #expect(policy.delay(attempt: 2, random: 1) == .milliseconds(100))
        #expect(policy.delay(attempt: 2, random: 0.5) == .milliseconds(150))
    }

    @Test("ws URLs parse into host, port and path")
    func urls() throws {
        let plain = try ServerURL("ws://example.org")
        #expect(plain == ServerURL(host: "example.org", port: 80, path: "/"))
        #expect(try ServerURL("ws://127.0.0.1:8080/noex?x=1") == ServerURL(host: "127.0.0.1", port: 8080, path: "/noex?x=1"))
        #expect(try ServerURL("WS://[::1]:9000") == ServerURL(host: "::1", port: 9000, path: "/"))
        for bad in ["http://x", "wss://x", "ws://", "ws://x:0", "ws://x:abc", "ws://[::1"] {
            #expect(throws: NoexClientError.self) { try ServerURL(bad) }
        }
    }

    @Test("typed results read declared members and report mismatches as INVALID_RESPONSE")
    func resultDecoding() throws {
        let result = try NoexClient.Store.DeleteResult(json: ["deleted": true, "extra": 1])
        #expect(result.deleted)
        #expect(result.json["extra"] == 1)
        #expect(throws: NoexClientError.self) { try NoexClient.Store.DeleteResult(json: ["deleted": "yes"]) }
        #expect(throws: NoexClientError.self) { try NoexClient.Store.DeleteResult(json: [1]) }
        let whoami = try NoexClient.Auth.WhoamiResult(json: ["authenticated": false])
        #expect(whoami.userId == nil && whoami.roles == nil)
        #expect(try ResultDecoding.nullable(.null, as: Double.self, in: "store.min") == nil)
        #expect(try ResultDecoding.value(3, as: Int.self, in: "store.count") == 3)
        do {
            _ = try ResultDecoding.value(2.5, as: Int.self, in: "store.count")
            Issue.record("a fraction must not read as an integer")
        } catch {
            #expect(error.code == .invalidResponse)
            #expect(error.message == "Expected an integer at store.count, got number")
        }
    }
}
