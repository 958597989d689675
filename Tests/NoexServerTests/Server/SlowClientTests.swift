@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// F8 end to end: a client that stops reading while its subscription keeps changing cannot
/// grow the server's memory without bound, and gets the newest state once it reads again.
@Suite struct SlowClientTests {
    @Test func nonReadingSubscriberStaysBoundedAndConvergesToTheNewestState() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.store.defineBucket(
            "blobs", json: ["key": "id", "schema": ["id": ["type": "string"], "payload": ["type": "string"], "seq": ["type": "number"]]])
        try harness.store.defineQuery("blob", json: ["bucket": "blobs"])
        let blobs = try harness.store.bucket("blobs")
        let payload = String(repeating: "x", count: 20_000)
        _ = try blobs.insert(["id": "hot", "payload": .string(payload), "seq": 0])

        let slow = try RawWebSocket(port: harness.server.port, receiveBuffer: 16_384)
        #expect(try slow.receiveJSON()["type"] == "welcome")
        try slow.send(#"{"id":1,"type":"store.subscribe","query":"blob"}"#)
        #expect(try slow.receiveJSON()["type"] == "result")

        // 5,000 updates of a 20 KB record: 100 MB of pushes the client never reads.
        let connectionId = try #require(harness.server.getConnections().first?.connectionId)
        let updates = 5_000
        var largestBacklog = 0
        for seq in 1...updates {
            _ = try blobs.update("hot", ["seq": .number(Double(seq))])
            if seq % 200 == 0 {
                await harness.store.settle()
                largestBacklog = max(largestBacklog, harness.server.outboundBytes(of: connectionId) ?? 0)
            }
        }
        await harness.store.settle()
        // The server's own buffer never holds more than the limit plus one push. (Resident memory
        // is measured on a real server process by .ci/slow-client.py: in this process other
        // suites allocate in parallel.)
        #expect(largestBacklog <= BackpressureConfiguration().maxBufferedBytes + 64 << 10)

        // Reading again, the client converges on the newest state.
        var newest = 0.0
        var received = 0
        while newest < Double(updates) {
            let message = try slow.receiveJSON()
            if message["type"] == "push", let seq = message["data"]?.arrayValue?.first?["seq"]?.numberValue {
                #expect(seq > newest)
                newest = seq
                received += 1
            }
        }
        #expect(newest == Double(updates))
        #expect(received < updates / 2, "pushes were coalesced while the client did not read")
    }
}
