@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// Issue 14 items 1 and 6 on the store side, over a real socket: numeric attacks answer (or
/// saturate) instead of trapping, every cost limit answers `VALIDATION_ERROR` naming its
/// setting with nothing stored, and a healthy client on another connection is never disturbed.
@Suite struct ResourceLimitTests {
    /// A live server on its own store with `limits`; `configure` sets the server side.
    func start(
        limits: StoreLimits = StoreLimits(), _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> Harness {
        let store = try Store(configuration: .init(ttlCheckIntervalMs: 0, limits: limits))
        var configuration = ServerConfiguration(store: store)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logWarning = { _ in }
        configure(&configuration)
        let server = try await NoexServer.start(configuration)
        return Harness(server: server, store: store, rules: nil)
    }

    let notes: JSONObject = ["key": "id", "schema": ["id": ["type": "string"], "text": ["type": "string"]]]

    /// The healthy client's view: its record still reads back, and a new connection is welcomed.
    func expectHealthy(_ harness: Harness, _ healthy: TestClient) async throws {
        #expect(try await healthy.result("store.get", ["bucket": "b", "key": "k0"])["id"] == "k0")
        let fresh = try await harness.liveClient()
        #expect(try await fresh.result("store.count", ["bucket": "b"]).numberValue != nil)
        await fresh.close()
    }

    @Test func paginateOverflowAndOtherHugeNumbersDoNotKillTheServer() async throws {
        let harness = try await start()
        defer { Task { await harness.stop() } }
        try harness.store.defineBucket("b", json: notes)
        for i in 0..<3 { try harness.store.bucket("b").insert(["id": .string("k\(i)")]) }
        let attacker = try await harness.liveClient()
        let healthy = try await harness.liveClient()

        // The message of issue 14 item 1, byte for byte: it trapped in `start + limit`.
        try await attacker.sendRaw(#"{"id":1,"type":"store.paginate","bucket":"b","limit":9223372036854775807,"after":"nope"}"#)
        let page = try await attacker.response(id: 1)
        #expect(page["type"] == "result")
        #expect(page.data == ["records": [], "hasMore": false])
        try await expectHealthy(harness, healthy)

        // Any integer beyond Int.max means "no limit" (the reference accepts it).
        try await attacker.sendRaw(#"{"id":2,"type":"store.paginate","bucket":"b","limit":1e308,"after":"k0"}"#)
        #expect(try await attacker.response(id: 2).data?["records"]?.arrayValue?.count == 2)
        try await attacker.sendRaw(#"{"id":3,"type":"store.first","bucket":"b","n":1e300}"#)
        #expect(try await attacker.response(id: 3).data?.arrayValue?.count == 3)
        try await attacker.sendRaw(#"{"id":4,"type":"store.last","bucket":"b","n":9223372036854775807}"#)
        #expect(try await attacker.response(id: 4).data?.arrayValue?.count == 3)
        try await attacker.sendRaw(#"{"id":1e308,"type":"store.count","bucket":"b"}"#)
        #expect(try await attacker.next { $0["type"] == "result" && $0["id"] == .number(1e308) }.data == 3)

        // Numbers that cannot mean anything are refused.
        let badOffset = try await attacker.request(
            "store.defineQuery", ["name": "q", "config": ["bucket": "b", "offset": 1e300, "limit": -1]])
        #expect(badOffset.code == "VALIDATION_ERROR")
        let hugeTtl = try await attacker.request(
            "store.updateBucket", ["name": "b", "updates": ["ttl": .string(String(repeating: "9", count: 400) + "s")]])
        #expect(hugeTtl.code == "VALIDATION_ERROR")
        let negative = try await attacker.request("store.paginate", ["bucket": "b", "limit": -9.3e18])
        #expect(negative.code == "VALIDATION_ERROR")
        try await expectHealthy(harness, healthy)
        await attacker.close()
        await healthy.close()
    }

    @Test func transactionsAreBoundedByMaxTransactionOperations() async throws {
        let harness = try await start { $0.maxTransactionOperations = 5 }
        defer { Task { await harness.stop() } }
        try harness.store.defineBucket("b", json: notes)
        try harness.store.bucket("b").insert(["id": "k0"])
        let client = try await harness.liveClient()
        let healthy = try await harness.liveClient()
        func inserts(_ n: Int, from first: Int) -> JSONValue {
            .array((first..<(first + n)).map { ["op": "insert", "bucket": "b", "data": ["id": .string("t\($0)")]] })
        }
        let atLimit = try await client.result("store.transaction", ["operations": inserts(5, from: 0)])
        #expect(atLimit["results"]?.arrayValue?.count == 5)
        let past = try await client.request("store.transaction", ["operations": inserts(6, from: 100)])
        #expect(past.code == "VALIDATION_ERROR")
        #expect(past.message?.contains("maxTransactionOperations") == true)
        #expect(past.message?.contains("limit is 5") == true)
        #expect(try await client.result("store.count", ["bucket": "b"]) == 6)
        try await expectHealthy(harness, healthy)
    }

    @Test func answersLargerThanMaxResultBytesSuggestPagination() async throws {
        let harness = try await start { $0.maxResultBytes = 4_096 }
        defer { Task { await harness.stop() } }
        try harness.store.defineBucket("b", json: notes)
        let text = String(repeating: "x", count: 100)
        for i in 0..<100 { try harness.store.bucket("b").insert(["id": .string("k\(i)"), "text": .string(text)]) }
        let client = try await harness.liveClient()
        let healthy = try await harness.liveClient()
        for (type, payload) in [
            ("store.all", ["bucket": "b"]), ("store.where", ["bucket": "b", "filter": ["text": .string(text)]]),
            ("store.paginate", ["bucket": "b", "limit": 1_000]), ("store.last", ["bucket": "b", "n": 100]),
        ] as [(String, JSONObject)] {
            let answer = try await client.request(type, payload)
            #expect(answer.code == "VALIDATION_ERROR", "\(type)")
            #expect(answer.message?.contains("maxResultBytes") == true)
            #expect(answer.message?.contains("store.paginate") == true)
        }
        try harness.store.defineQuery("everything", json: ["bucket": "b"])
        let subscribe = try await client.request("store.subscribe", ["query": "everything"])
        #expect(subscribe.code == "VALIDATION_ERROR")
        #expect(subscribe.message?.contains("maxResultBytes") == true)
        // Refused before it was registered: no subscription is left behind to push.
        #expect(harness.store.stats()["queries"]?["activeSubscriptions"] == 0)
        _ = try await client.result("store.insert", ["bucket": "b", "data": ["id": "late"]])
        #expect(await client.noPush())
        let page = try await client.result("store.paginate", ["bucket": "b", "limit": 10])
        #expect(page["records"]?.arrayValue?.count == 10)
        let big = try await client.request(
            "store.transaction",
            ["operations": .array((0..<3).map { _ in ["op": "where", "bucket": "b", "filter": [:]] })])
        #expect(big.code == "VALIDATION_ERROR")
        try await expectHealthy(harness, healthy)
    }

    @Test func storeLimitsAnswerValidationErrorsOverTheWire() async throws {
        let harness = try await start(limits: StoreLimits(maxBuckets: 1, maxRecordsPerBucket: 2, maxRecordBytes: 200))
        defer { Task { await harness.stop() } }
        let client = try await harness.liveClient()
        #expect(try await client.result("store.defineBucket", ["name": "b", "config": .object(notes)])["created"] == true)
        let secondBucket = try await client.request("store.defineBucket", ["name": "c", "config": .object(notes)])
        #expect(secondBucket.code == "VALIDATION_ERROR")
        #expect(secondBucket.message?.contains("maxBuckets") == true)
        let tooBig = try await client.request(
            "store.insert", ["bucket": "b", "data": ["id": "k0", "text": .string(String(repeating: "y", count: 300))]])
        #expect(tooBig.code == "VALIDATION_ERROR")
        #expect(tooBig.message?.contains("maxRecordBytes") == true)
        _ = try await client.result("store.insert", ["bucket": "b", "data": ["id": "k0"]])
        _ = try await client.result("store.insert", ["bucket": "b", "data": ["id": "k1"]])
        let third = try await client.request("store.insert", ["bucket": "b", "data": ["id": "k2"]])
        #expect(third.code == "VALIDATION_ERROR")
        #expect(third.message?.contains("maxRecordsPerBucket") == true)
        let grow = try await client.request(
            "store.update", ["bucket": "b", "key": "k0", "data": ["text": .string(String(repeating: "y", count: 300))]])
        #expect(grow.code == "VALIDATION_ERROR")
        #expect(try await client.result("store.get", ["bucket": "b", "key": "k0"])["text"] == nil)
        #expect(try await client.result("store.count", ["bucket": "b"]) == 2)
    }

    /// Requests on large buckets run off the loop, on the connection's task; answers still leave
    /// in request order, interleaved with requests that run inline.
    @Test func answersStayInRequestOrderAcrossTheLoopAndTheTask() async throws {
        let harness = try await start()
        defer { Task { await harness.stop() } }
        try harness.store.defineBucket("b", json: notes)
        try harness.store.defineBucket("small", json: notes)
        try harness.store.transaction { tx throws(StoreError) in
            // More than the 1 000 records a bucket may hold to be read on the loop.
            for i in 0..<1_200 { try tx.insert("b", ["id": .string("k\(i)")]) }
        }
        try harness.store.bucket("small").insert(["id": "s"])
        let client = try await harness.liveClient()
        let requests: [String] = [
            #"{"id":1,"type":"store.all","bucket":"b"}"#,
            #"{"id":2,"type":"store.get","bucket":"small","key":"s"}"#,
            #"{"id":3,"type":"store.count","bucket":"b","filter":{"id":"k3"}}"#,
            #"{"id":4,"type":"store.insert","bucket":"small","data":{"id":"t"}}"#,
            #"{"id":5,"type":"store.transaction","operations":[{"op":"count","bucket":"small"}]}"#,
            #"{"id":6,"type":"store.count","bucket":"small"}"#,
        ]
        for text in requests { try await client.sendRaw(text) }
        var ids: [JSONValue] = []
        for _ in requests {
            let answer = try await client.next { $0["type"] == "result" || $0["type"] == "error" }
            #expect(answer["type"] == "result")
            ids.append(answer["id"] ?? .null)
        }
        #expect(ids == (1...6).map { .number(Double($0)) })
    }
}
