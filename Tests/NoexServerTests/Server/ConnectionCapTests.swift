#if canImport(Glibc)
    import Glibc
#endif
import NoexServer
import NoexTesting
import NoexWire
import Testing

/// `maxConnections`, the per-IP limit over handshaking sockets, `handshakeTimeoutMs`, and the
/// socket counters of `server.stats`.
@Suite(.serialized) struct ConnectionCapTests {
    @Test func statsReportTheCapAndTheSockets() async throws {
        let harness = try await Harness.start { $0.maxConnections = 40 }
        defer { Task { await harness.stop() } }
        #expect(harness.server.maxConnections == 40)
        #expect(harness.server.descriptorLimit > 40)
        let client = try await harness.liveClient()
        let stalled = try StalledSocket(port: harness.server.port)
        defer { stalled.close() }
        try await waitUntil {
            let sockets = harness.server.getStats()["sockets"]?.objectValue
            return sockets?["open"]?.numberValue == 2 && sockets?["handshaking"]?.numberValue == 1
        }
        let stats = try #require(try await client.result("server.stats").objectValue)
        #expect(stats["maxConnections"]?.numberValue == 40)
        let sockets = try #require(stats["sockets"]?.objectValue)
        #expect(sockets["open"]?.numberValue == 2)
        #expect(sockets["handshaking"]?.numberValue == 1)
        #expect(sockets["refusedAtCapacity"]?.numberValue == 0)
        #expect(sockets["refusedPerIp"]?.numberValue == 0)
        #expect(sockets["acceptFailures"]?.numberValue == 0)
        #expect(sockets["descriptorShortages"]?.numberValue == 0)
        #expect(sockets["descriptorLimit"]?.numberValue == Double(harness.server.descriptorLimit))
        #expect(harness.server.getStats()["maxConnections"]?.numberValue == 40)
    }

    @Test func socketsOverTheCapGet503BeforeTheUpgrade() async throws {
        let harness = try await Harness.start { $0.maxConnections = 2 }
        defer { Task { await harness.stop() } }
        let first = try StalledSocket(port: harness.server.port)
        let second = try StalledSocket(port: harness.server.port)
        try await waitUntil { harness.server.getStats()["sockets"]?["open"]?.numberValue == 2 }
        #expect(throws: RawWebSocket.Failure.self) { _ = try RawWebSocket(port: harness.server.port) }
        #expect(harness.server.getStats()["sockets"]?["refusedAtCapacity"]?.numberValue == 1)
        first.close()
        second.close()
        try await waitUntil { harness.server.getStats()["sockets"]?["open"]?.numberValue == 0 }
        _ = try await harness.liveClient()
    }

    @Test func perIpLimitCountsHandshakingSockets() async throws {
        let harness = try await Harness.start { $0.maxConnectionsPerIp = 1 }
        defer { Task { await harness.stop() } }
        // The limit plus one socket may be open from an address (the one so that a client over
        // the limit completes its upgrade and learns 4003); stalled ones count.
        let first = try StalledSocket(port: harness.server.port)
        let second = try StalledSocket(port: harness.server.port)
        try await waitUntil { harness.server.getStats()["sockets"]?["open"]?.numberValue == 2 }
        #expect(throws: RawWebSocket.Failure.self) { _ = try RawWebSocket(port: harness.server.port) }
        #expect(harness.server.getStats()["sockets"]?["refusedPerIp"]?.numberValue == 1)
        first.close()
        second.close()
        try await waitUntil { harness.server.getStats()["sockets"]?["open"]?.numberValue == 0 }
        // Upgraded connections keep the 4003 contract.
        _ = try await harness.liveClient()
        let over = try await TestClient.live(port: harness.server.port, awaitWelcome: false)
        #expect(try await over.closed() == 4003)
    }

    @Test func handshakeTimeoutMsClosesStalledSockets() async throws {
        let harness = try await Harness.start { $0.handshakeTimeoutMs = 200 }
        defer { Task { await harness.stop() } }
        let stalled = try StalledSocket(port: harness.server.port)
        defer { stalled.close() }
        #expect(stalled.readsEndOfStream())
        try await waitUntil { harness.server.getStats()["sockets"]?["open"]?.numberValue == 0 }
    }
}

/// A TCP socket that sends half an upgrade request and nothing more.
private struct StalledSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = try RawWebSocket.connectLoopback(port: port)
        let head = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n".utf8)
        _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server closed the socket without a byte (within the 10 s receive timeout).
    func readsEndOfStream() -> Bool {
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }

    func close() { Glibc.close(fd) }
}
