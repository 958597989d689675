@testable import NoexServer
import NoexRules
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// A closed connection must be freed: nothing in the server holds a connection weakly, so
/// heartbeat timers, subscription callbacks and the socket's attachment must all let go of it
/// on every way a connection ends. (Only these tests hold connections weakly, to watch them go.)
@Suite struct ConnectionLifetimeTests {
    /// A weak handle on one server-side connection.
    final class Watched: @unchecked Sendable {
        weak var connection: ClientConnection?
    }

    /// Watches the server-side connection with the highest `conn-N` number (the newest one).
    /// The strong references taken here end with the call.
    private func watchNewest(_ server: NoexServer) throws -> Watched {
        let number = { (connection: ClientConnection) in Int(connection.id.dropFirst("conn-".count)) ?? 0 }
        let newest = try #require(server.core.liveConnections.max { number($0) < number($1) })
        let watched = Watched()
        watched.connection = newest
        return watched
    }

    /// Whether the watched connection is freed within `timeout` (the loop thread or a settling
    /// store drain may hold it for a moment after the close).
    private func freed(_ watched: Watched, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while watched.connection != nil {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Gives the connection a store subscription, a rules subscription and running heartbeat
    /// timers, everything that could keep it alive.
    private func subscribeToEverything(_ client: TestClient) async throws {
        _ = try await client.result("store.subscribe", ["query": "all-users"])
        _ = try await client.result("rules.subscribe", ["pattern": "*"])
        // A change and an event, so both callbacks have run at least once.
        _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "a"]])
        _ = try await client.nextPush()
        _ = try await client.result("rules.emit", ["topic": "t.x", "data": [:]])
        _ = try await client.nextPush()
    }

    private func startHarness(heartbeat: HeartbeatConfiguration = HeartbeatConfiguration(intervalMs: 20, timeoutMs: 10_000))
        async throws -> Harness
    {
        let harness = try await Harness.start { $0.heartbeat = heartbeat }
        try harness.defineUsers()
        try harness.store.defineQuery("all-users", json: ["bucket": "users"])
        return harness
    }

    @Test func webSocketConnectionIsFreedWhenTheClientCloses() async throws {
        let harness = try await startHarness()
        defer { Task { await harness.stop() } }
        let client = try await harness.liveClient()
        try await subscribeToEverything(client)
        let watched = try watchNewest(harness.server)
        _ = try await client.next { $0["type"] == "ping" }   // heartbeat timers are pending
        await client.close()
        #expect(await freed(watched))
        #expect(harness.server.connectionCount == 0)
    }

    @Test func inProcessConnectionIsFreedAfterDisconnect() async throws {
        let harness = try await startHarness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        try await subscribeToEverything(client)
        let watched = try watchNewest(harness.server)
        _ = try await client.next { $0["type"] == "ping" }
        await client.close()
        // The test still holds the client (and through it the in-process handle).
        #expect(await freed(watched))
        #expect(harness.rules?.subscriptionCount == 0)
    }

    @Test func heartbeatTimeoutFreesTheConnection() async throws {
        // The timeout leaves room to take the watch before the close even when CI's parallel
        // suites make connecting take seconds (500 ms was not enough there, and 4 s failed with seven parallel builds on two cores).
        let harness = try await startHarness(heartbeat: HeartbeatConfiguration(intervalMs: 20, timeoutMs: 8_000))
        defer { Task { await harness.stop() } }
        let client = try await harness.liveClient()
        let watched = try watchNewest(harness.server)
        #expect(try await client.closed(timeout: .seconds(20)) == 4001)
        #expect(await freed(watched))
    }

    @Test func revokedConnectionIsFreed() async throws {
        let harness = try await startHarness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        try await subscribeToEverything(client)
        let watched = try watchNewest(harness.server)
        #expect(harness.server.core.endSessions(reason: "test") { _ in true } == 1)
        #expect(try await client.closed() == 4002)
        #expect(await freed(watched))
    }

    @Test func serverStopFreesItsConnections() async throws {
        let harness = try await startHarness()
        let live = try await harness.liveClient()
        try await subscribeToEverything(live)
        let watchedLive = try watchNewest(harness.server)
        let inProcess = try await harness.client()
        try await subscribeToEverything(inProcess)
        let watchedInProcess = try watchNewest(harness.server)
        await harness.stop()
        #expect(await freed(watchedLive))
        #expect(await freed(watchedInProcess))
        _ = (live, inProcess)
    }
}
