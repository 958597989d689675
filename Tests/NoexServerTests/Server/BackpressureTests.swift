import NoexRules
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// F8: pushes coalesce above the high-water mark; requests are refused above the maximum.
@Suite struct BackpressureTests {
    @Test func subscriptionPushesCoalesceAndFlushOnDrain() async throws {
        let harness = try await Harness.start {
            $0.backpressure = BackpressureConfiguration(maxBufferedBytes: 1000, highWaterMark: 0.5)
        }
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        try harness.store.defineQuery("count", json: ["bucket": "users", "aggregate": ["function": "count"]])
        let connection = harness.server.openInProcessConnection()
        var events = connection.events.makeAsyncIterator()
        _ = await events.next()  // welcome
        connection.send(#"{"id":1,"type":"store.subscribe","query":"count"}"#)
        _ = await events.next()
        connection.setBufferedBytes(600)
        let writer = try await harness.client()
        for index in 0..<5 {
            _ = try await writer.result("store.insert", ["bucket": "users", "data": ["name": .string("n\(index)")]])
        }
        await harness.store.settle()
        connection.send(#"{"id":2,"type":"store.buckets"}"#)
        guard case .text(let response)? = await events.next() else { Issue.record("no response"); return }
        #expect(response.contains(#""type":"result""#))  // below the maximum, requests still run

        connection.setBufferedBytes(0)
        guard case .text(let push)? = await events.next() else { Issue.record("no push"); return }
        #expect(push.contains(#""data":5"#))  // only the newest state is sent

        connection.setBufferedBytes(1000)
        connection.send(#"{"id":3,"type":"store.buckets"}"#)
        guard case .text(let refused)? = await events.next() else { Issue.record("no response"); return }
        #expect(refused.contains(#""code":"BACKPRESSURE""#))
        #expect(refused.contains("Write buffer full, slow down"))
    }

    @Test func eventPushesAreDroppedAndCounted() async throws {
        let harness = try await Harness.start {
            $0.backpressure = BackpressureConfiguration(maxBufferedBytes: 1000, highWaterMark: 0.5)
        }
        defer { Task { await harness.stop() } }
        let connection = harness.server.openInProcessConnection()
        var events = connection.events.makeAsyncIterator()
        _ = await events.next()
        connection.send(#"{"id":1,"type":"rules.subscribe","pattern":"t.*"}"#)
        guard case .text(let subscribed)? = await events.next() else { Issue.record("no response"); return }
        let subscriptionId = try #require(JSONParser.parse(subscribed)["data"]?["subscriptionId"]?.stringValue)
        connection.setBufferedBytes(700)
        for _ in 0..<3 { _ = try harness.rules?.emit(topic: "t.x", data: [:]) }
        connection.setBufferedBytes(0)
        guard case .text(let notice)? = await events.next() else { Issue.record("no notice"); return }
        #expect(try JSONParser.parse(notice) == ["type": "system", "event": "events_dropped", "subscriptionId": .string(subscriptionId), "count": 3])
    }
}
