import NoexServer
import NoexStore
import NoexTesting
import NoexWebSocket
import NoexWire
import Synchronization
import Testing

@Suite struct LifecycleTests {
    @Test func liveSocketServesRequestsAndClosesBinaryWith1003() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.liveClient()
        #expect(try await client.result("store.insert", ["bucket": "users", "data": ["name": "Live"]])["name"] == "Live")
        let connections = try await client.result("server.connections").arrayValue ?? []
        #expect(connections.first?["remoteAddress"] == "127.0.0.1")

        let socket = try await WebSocketClient.connect(host: "127.0.0.1", port: harness.server.port)
        _ = try await socket.receive()  // welcome
        try await socket.send(binary: [1, 2, 3])
        while try await socket.receive() != nil {}
        #expect(socket.closeCode == 1003)
    }

    @Test func allowedOriginsAreCheckedAtTheHandshake() async throws {
        let harness = try await Harness.start { $0.allowedOrigins = ["https://good.example"] }
        defer { Task { await harness.stop() } }
        _ = try await harness.liveClient(origin: "https://good.example")
        _ = try await harness.liveClient()
        await #expect(throws: (any Error).self) { _ = try await harness.liveClient(origin: "https://evil.example") }
    }

    @Test func connectionsPerIpAreLimited() async throws {
        let harness = try await Harness.start { $0.maxConnectionsPerIp = 2 }
        defer { Task { await harness.stop() } }
        let first = try await harness.client(remoteAddress: "10.0.0.1")
        _ = try await harness.client(remoteAddress: "10.0.0.1")
        let third = try await TestClient.inProcess(harness.server, remoteAddress: "10.0.0.1", awaitWelcome: false)
        #expect(try await third.closed() == 4003)
        #expect(await third.closeReason == "too_many_connections")
        _ = try await harness.client(remoteAddress: "10.0.0.2")
        await first.close()
        try await waitUntil { harness.server.connectionCount == 2 }
        _ = try await harness.client(remoteAddress: "10.0.0.1")
    }

    @Test func errorDetailsCanBeHidden() async throws {
        for expose in [true, false] {
            let harness = try await Harness.start { $0.exposeErrorDetails = expose }
            try harness.defineUsers()
            let client = try await harness.client()
            let invalid = try await client.request("store.insert", ["bucket": "users", "data": ["age": 1]])
            #expect(invalid.code == "VALIDATION_ERROR")
            #expect(invalid.message?.isEmpty == false)
            #expect((invalid["details"] != nil) == expose)
            await harness.stop()
        }
    }

    @Test func rateLimitPerIpThenPerUser() async throws {
        let harness = try await Harness.start {
            $0.rateLimit = RateLimitConfiguration(maxRequests: 3, windowMs: 6_000)
            $0.auth = TokenAuthConfiguration(required: false, validate: testTokenValidator)
        }
        defer { Task { await harness.stop() } }
        let first = try await harness.client()
        let second = try await harness.client()
        for _ in 0..<2 { #expect(try await first.request("store.buckets")["type"] == "result") }
        #expect(try await second.request("store.buckets")["type"] == "result")
        let limited = try await second.request("store.buckets")
        #expect(limited.code == "RATE_LIMITED")
        #expect(limited.message?.hasPrefix("Rate limit exceeded. Retry after ") == true)
        #expect((limited["details"]?["retryAfterMs"]?.numberValue ?? 0) > 0)
        // A window long enough that a loaded CI machine cannot let it roll over between the
        // requests it counts.
        try await Task.sleep(for: .milliseconds(6_100))
        _ = try await first.result("auth.login", ["token": "user:u1:writer"])
        for _ in 0..<3 { #expect(try await first.request("store.buckets")["type"] == "result") }
        #expect(try await first.request("store.buckets").code == "RATE_LIMITED")
        #expect(harness.server.getStats()["rateLimitEnabled"] == true)
    }

    @Test func heartbeatPingsAndClosesSilentClients() async throws {
        // A generous pong deadline: the polite client must never be late, even on a loaded machine.
        let harness = try await Harness.start { $0.heartbeat = HeartbeatConfiguration(intervalMs: 100, timeoutMs: 1_000) }
        defer { Task { await harness.stop() } }
        let silent = try await harness.client()
        let polite = try await harness.client()
        let ping = try await polite.next { $0["type"] == "ping" }
        #expect(ping["timestamp"]?.numberValue != nil)
        try await polite.sendRaw(#"{"type":"pong","timestamp":\#(ping["timestamp"]?.numberValue ?? 0)}"#)
        #expect(try await silent.closed(timeout: .seconds(10)) == 4001)
        #expect(await silent.closeReason == "heartbeat_timeout")
        for _ in 0..<2 {
            let next = try await polite.next { $0["type"] == "ping" }
            try await polite.sendRaw(#"{"type":"pong","timestamp":\#(next["timestamp"]?.numberValue ?? 0)}"#)
        }
        #expect(try await polite.request("store.buckets")["type"] == "result")
    }

    @Test func heartbeatDeadlineShorterThanTheInterval() async throws {
        let harness = try await Harness.start { $0.heartbeat = HeartbeatConfiguration(intervalMs: 200, timeoutMs: 50) }
        defer { Task { await harness.stop() } }
        let silent = try await harness.client()
        _ = try await silent.next { $0["type"] == "ping" }
        #expect(try await silent.closed(timeout: .seconds(10)) == 4001)
    }

    @Test func statsAndRegistry() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        try harness.store.defineQuery("all-users", json: ["bucket": "users"])
        let client = try await harness.client()
        _ = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "S"]])
        _ = try await client.result("store.subscribe", ["query": "all-users"])
        _ = try await client.result("rules.subscribe", ["pattern": "*"])

        let stats = try await client.result("server.stats")
        #expect(stats["name"] == "test-server")
        #expect(stats["connectionCount"] == 2)
        #expect(stats["authEnabled"] == false)
        #expect(stats["rulesEnabled"] == true)
        #expect(stats["connections"] == ["active": 2, "authenticated": 0, "totalStoreSubscriptions": 1, "totalRulesSubscriptions": 1])
        #expect(stats["store"]?["records"]?["total"] == 1)
        #expect(stats["rules"]?["rulesCount"] == 0)
        #expect(stats["port"] == nil)

        let full = harness.server.getStats()
        #expect(full["port"] == .number(Double(harness.server.port)))
        #expect(full["host"] == "127.0.0.1")
        #expect(full["uptimeMs"]?.numberValue != nil)

        let entries = harness.server.getConnections()
        #expect(entries.count == 2)
        #expect(entries[0].connectionId != entries[1].connectionId)
        #expect(entries[0].storeSubscriptionCount == 1)
        #expect(entries[0].rulesSubscriptionCount == 1)
        #expect(entries[0].json["userId"] == JSONValue.null)
    }

    @Test func warnsWhenRateLimitingIsOffOnAllInterfaces() async throws {
        let warnings = Mutex<[String]>([])
        let harness = try await Harness.start {
            $0.host = "0.0.0.0"
            $0.logWarning = { message in warnings.withLock { $0.append(message) } }
        }
        await harness.stop()
        #expect(warnings.withLock { $0 } == ["[noex-server] Warning: rate limiting is disabled. Consider enabling it for production use."])
    }
}
