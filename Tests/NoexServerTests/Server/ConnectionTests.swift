import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct ConnectionTests {
    @Test func welcomeDescribesTheServer() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let before = Double(ServerClock.system.nowMs())
        let client = try await TestClient.inProcess(harness.server, awaitWelcome: false)
        let welcome = try await client.welcome()
        let after = Double(ServerClock.system.nowMs())
        #expect(welcome["version"] == "1.0.0")
        #expect(welcome["requiresAuth"] == false)
        let serverTime = try #require(welcome["serverTime"]?.numberValue)
        #expect(serverTime >= before && serverTime <= after)
    }

    @Test func envelopeErrorsUseIdZeroAndExactMessages() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let cases: [(String, String, String)] = [
            ("{not json", "PARSE_ERROR", "Invalid JSON"),
            ("", "PARSE_ERROR", "Invalid JSON"),
            ("[1,2]", "PARSE_ERROR", "Message must be a JSON object"),
            ("null", "PARSE_ERROR", "Message must be a JSON object"),
            (#"{"id":1}"#, "INVALID_REQUEST", #"Message must include non-empty string "type""#),
            (#"{"id":1,"type":""}"#, "INVALID_REQUEST", #"Message must include non-empty string "type""#),
            (#"{"type":"store.all","bucket":"x"}"#, "INVALID_REQUEST", #"Request must include finite numeric "id""#),
            (#"{"id":"1","type":"store.all"}"#, "INVALID_REQUEST", #"Request must include finite numeric "id""#),
            (#"{"type":"pong"}"#, "INVALID_REQUEST", #"Pong must include finite numeric "timestamp""#),
        ]
        for (text, code, message) in cases {
            try await client.sendRaw(text)
            let error = try await client.next { $0["type"] == "error" }
            #expect(error["id"] == 0, "\(text)")
            #expect(error.code == code, "\(text)")
            #expect(error.message == message, "\(text)")
        }
        try await client.sendRaw(#"{"type":"pong","timestamp":5}"#)
        let after = try await client.request("store.buckets")
        #expect(after["type"] == "result")
    }

    @Test func unknownOperationsNameTheNamespace() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let unknown = try await client.request("totally.unknown")
        #expect(unknown.code == "UNKNOWN_OPERATION")
        #expect(unknown.message == #"Unknown operation "totally.unknown""#)
        let ping = try await client.request("ping")
        #expect(ping.message == #"Unknown operation "ping""#)
        #expect(try await client.request("store.nonexistent").message == #"Unknown store operation "store.nonexistent""#)
        #expect(try await client.request("rules.nonexistent").message == #"Unknown rules operation "rules.nonexistent""#)
        #expect(try await client.request("server.unknown").message == #"Unknown server operation "server.unknown""#)
        #expect(try await client.request("auth.login", ["token": "t"]).message == "Authentication is not configured")
        #expect(try await client.request("identity.whoami").message == "Identity management is not configured")
        #expect(try await client.request("audit.query").message == "Audit log is not configured")
    }

    @Test func responsesComeBackInRequestOrder() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        for index in 1...20 {
            try await client.sendRaw(
                #"{"id":\#(index),"type":"store.insert","bucket":"users","data":{"name":"u\#(index)"}}"#)
        }
        for index in 1...20 {
            let message = try await client.next { $0["type"] == "result" || $0["type"] == "error" }
            #expect(message["id"] == .number(Double(index)))
        }
        #expect(try await client.result("store.count", ["bucket": "users"]) == 20)
    }

    @Test func closingOneClientLeavesOthersWorking() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let first = try await harness.client()
        let second = try await harness.client()
        let third = try await harness.client()
        #expect(harness.server.connectionCount == 3)
        await first.close()
        try await waitUntil { harness.server.connectionCount == 2 }
        #expect(try await second.result("store.buckets") == ["count": 0, "names": []])
        await third.close()
        try await waitUntil { harness.server.connectionCount == 1 }
    }

    @Test func gracefulStopNotifiesThenClosesWith1000() async throws {
        let harness = try await Harness.start()
        let client = try await harness.client()
        let stopping = Task { await harness.server.stop(gracePeriod: .milliseconds(300)) }
        let notice = try await client.next { $0["type"] == "system" }
        #expect(notice["event"] == "shutdown")
        #expect(notice["gracePeriodMs"] == 300)
        #expect(try await client.request("store.buckets")["type"] == "result")
        #expect(try await client.closed() == 1000)
        await stopping.value
        #expect(!harness.server.isRunning)
        await harness.server.stop()
    }

    @Test func gracefulStopEndsEarlyOnceClientsLeaveAndRefusesNewOnes() async throws {
        let harness = try await Harness.start()
        let client = try await harness.client()
        let started = ContinuousClock.now
        let stopping = Task { await harness.server.stop(gracePeriod: .seconds(10)) }
        _ = try await client.next { $0["type"] == "system" }
        let late = try await TestClient.inProcess(harness.server, awaitWelcome: false)
        #expect(try await late.closed() == 1001)
        #expect(await late.closeReason == "server_shutting_down")
        await client.close()
        await stopping.value
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func reconnectingGetsAFreshWelcomeAndId() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let first = try await harness.client()
        let firstId = harness.server.getConnections().first?.connectionId
        await first.close()
        try await waitUntil { harness.server.connectionCount == 0 }
        _ = try await harness.client()
        let secondId = harness.server.getConnections().first?.connectionId
        #expect(firstId != nil && secondId != nil && firstId != secondId)
    }

    @Test func stopWithoutGraceSendsNoSystemMessage() async throws {
        let harness = try await Harness.start()
        let client = try await harness.client()
        await harness.server.stop()
        #expect(try await client.closed() == 1000)
        #expect((try? await client.next(timeout: .milliseconds(50)) { $0["type"] == "system" }) == nil)
        let late = try await TestClient.inProcess(harness.server, awaitWelcome: false)
        #expect(try await late.closed() == 1001)
    }

    @Test func errorsDoNotBreakTheConnection() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        #expect(try await client.request("store.all", ["bucket": "missing"]).code == "BUCKET_NOT_DEFINED")
        #expect(try await client.request("store.all", ["bucket": "missing"]).message == #"Bucket "missing" is not defined"#)
        #expect(try await client.result("store.buckets") == ["count": 0, "names": []])
    }
}

/// Polls `condition` until it holds, failing after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestClient.Timeout(description: "condition never held") }
        try await Task.sleep(for: .milliseconds(5))
    }
}
