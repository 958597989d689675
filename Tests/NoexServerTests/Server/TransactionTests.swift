import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct TransactionTests {
    @Test func commitsAllOperationsWithReadYourWrites() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        let result = try await client.result(
            "store.transaction",
            [
                "operations": [
                    ["op": "insert", "bucket": "users", "data": ["id": "a", "name": "A"]],
                    ["op": "insert", "bucket": "users", "data": ["id": "b", "name": "B"]],
                    ["op": "count", "bucket": "users"],
                    ["op": "update", "bucket": "users", "key": "a", "data": ["age": 7]],
                    ["op": "get", "bucket": "users", "key": "a"],
                    ["op": "where", "bucket": "users", "filter": ["name": "B"]],
                    ["op": "findOne", "bucket": "users", "filter": ["name": "Z"]],
                    ["op": "delete", "bucket": "users", "key": "b"],
                    ["op": "get", "bucket": "users", "key": "missing"],
                ]
            ])
        let results = try #require(result["results"]?.arrayValue)
        #expect(results.map { $0["index"] } == (0..<9).map { .number(Double($0)) })
        #expect(results[0]["data"]?["_version"] == 1)
        #expect(results[2]["data"] == 2)
        #expect(results[4]["data"]?["age"] == 7)
        #expect(results[5]["data"]?.arrayValue?.count == 1)
        #expect(results[6]["data"] == .null)
        #expect(results[7]["data"] == ["deleted": true])
        #expect(results[8]["data"] == .null)
        #expect(try await client.result("store.count", ["bucket": "users"]) == 1)
    }

    @Test func failureRollsBackEverything() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "users", "data": ["id": "a", "name": "A", "age": 1]])
        let failed = try await client.request(
            "store.transaction",
            [
                "operations": [
                    ["op": "update", "bucket": "users", "key": "a", "data": ["age": 2]],
                    ["op": "insert", "bucket": "users", "data": ["age": 3]],
                ]
            ])
        #expect(failed.code == "VALIDATION_ERROR")
        #expect(try await client.result("store.get", ["bucket": "users", "key": "a"])["age"] == 1)
        let unknownBucket = try await client.request(
            "store.transaction", ["operations": [["op": "insert", "bucket": "ghosts", "data": [:]]]])
        #expect(unknownBucket.code == "BUCKET_NOT_DEFINED")
    }

    @Test func validatesTheOperationsList() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let cases: [(JSONObject, String)] = [
            ([:], #"Missing or invalid "operations": expected array"#),
            (["operations": "x"], #"Missing or invalid "operations": expected array"#),
            (["operations": []], #""operations" must contain at least one operation"#),
            (["operations": [1]], "operations[0]: expected object"),
            (["operations": [["op": "drop", "bucket": "b"]]], #"operations[0]: invalid "op" — expected one of: get, insert, update, delete, where, findOne, count"#),
            (["operations": [["op": "get"]]], #"operations[0]: missing or invalid "bucket""#),
            (["operations": [["op": "get", "bucket": "b"]]], #"operations[0]: "get" requires "key""#),
            (["operations": [["op": "insert", "bucket": "b"]]], #"operations[0]: "insert" requires "data" object"#),
            (["operations": [["op": "where", "bucket": "b"]]], #"operations[0]: "where" requires "filter" object"#),
        ]
        for (payload, message) in cases {
            let response = try await client.request("store.transaction", payload)
            #expect(response.code == "VALIDATION_ERROR")
            #expect(response.message == message)
        }
    }

    @Test func aCommittedTransactionPushesOnce() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        try harness.store.defineQuery("all-users", json: ["bucket": "users"])
        let client = try await harness.client()
        let id = try await client.result("store.subscribe", ["query": "all-users"])["subscriptionId"]?.stringValue
        _ = try await client.result(
            "store.transaction",
            [
                "operations": [
                    ["op": "insert", "bucket": "users", "data": ["name": "A"]],
                    ["op": "insert", "bucket": "users", "data": ["name": "B"]],
                ]
            ])
        #expect(try await client.nextPush(subscriptionId: id)["data"]?.arrayValue?.count == 2)
        #expect(await client.noPush())
    }
}
