import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct StoreOperationsTests {
    @Test func insertGetUpdateDelete() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()

        let inserted = try #require(try await client.result("store.insert", ["bucket": "users", "data": ["name": "Alice"]]).objectValue)
        #expect(inserted["role"] == "user")
        #expect(inserted["_version"] == 1)
        #expect(inserted["_createdAt"]?.numberValue != nil)
        let id = try #require(inserted["id"]?.stringValue)

        #expect(try await client.result("store.get", ["bucket": "users", "key": .string(id)]) == .object(inserted))
        #expect(try await client.result("store.get", ["bucket": "users", "key": "missing"]) == .null)

        let updated = try #require(
            try await client.result("store.update", ["bucket": "users", "key": .string(id), "data": ["age": 31]]).objectValue)
        #expect(updated["_version"] == 2)
        #expect(updated["age"] == 31)
        #expect(updated["name"] == "Alice")
        // The first get cached the record's text; the update must have dropped it.
        #expect(try await client.result("store.get", ["bucket": "users", "key": .string(id)]) == .object(updated))

        #expect(try await client.result("store.delete", ["bucket": "users", "key": .string(id)]) == ["deleted": true])
        #expect(try await client.result("store.delete", ["bucket": "users", "key": .string(id)]) == ["deleted": true])
        #expect(try await client.result("store.get", ["bucket": "users", "key": .string(id)]) == .null)
    }

    @Test func updateOfAMissingKeyIsNotFound() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        let response = try await client.request("store.update", ["bucket": "users", "key": "nope", "data": ["age": 1]])
        #expect(response.code == "NOT_FOUND")
        #expect(response.message == #"Record with key "nope" not found in bucket "users""#)
    }

    @Test func validationErrorsOfPayloadsAndSchemas() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        let noData = try await client.request("store.insert", ["bucket": "users"])
        #expect(noData.code == "VALIDATION_ERROR")
        #expect(noData.message == #"Missing or invalid "data": expected object"#)
        let noBucket = try await client.request("store.insert", ["data": [:]])
        #expect(noBucket.message == #"Missing or invalid "bucket": expected non-empty string"#)
        #expect(try await client.request("store.get", ["bucket": "users"]).message == #"Missing "key": expected non-null value"#)
        #expect(try await client.request("store.get", ["bucket": "users", "key": nil]).code == "VALIDATION_ERROR")
        #expect(try await client.request("store.first", ["bucket": "users", "n": 0]).message == #"Missing or invalid "n": expected positive integer"#)
        #expect(try await client.request("store.where", ["bucket": "users"]).code == "VALIDATION_ERROR")
        #expect(try await client.request("store.paginate", ["bucket": "users"]).code == "VALIDATION_ERROR")
        #expect(try await client.request("store.sum", ["bucket": "users"]).code == "VALIDATION_ERROR")
        #expect(try await client.request("store.count", ["bucket": "users", "filter": 3]).message == #"Invalid "filter": expected object"#)

        let schema = try await client.request("store.insert", ["bucket": "users", "data": ["role": "x"]])
        #expect(schema.code == "VALIDATION_ERROR")
        #expect(schema.message?.hasPrefix(#"Validation failed for bucket "users""#) == true)
        #expect(schema["details"]?.arrayValue?.isEmpty == false)
    }

    @Test func insertWithAnExistingKeyIsAlreadyExists() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "users", "data": ["id": "u1", "name": "A"]])
        let duplicate = try await client.request("store.insert", ["bucket": "users", "data": ["id": "u1", "name": "B"]])
        #expect(duplicate.code == "ALREADY_EXISTS")
        let unique1 = try await client.request("store.insert", ["bucket": "users", "data": ["name": "C", "email": "c@x.io"]])
        #expect(unique1["type"] == "result")
        let unique2 = try await client.request("store.insert", ["bucket": "users", "data": ["name": "D", "email": "c@x.io"]])
        #expect(unique2.code == "ALREADY_EXISTS")
    }

    @Test func readsAndAggregates() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        #expect(try await client.result("store.all", ["bucket": "users"]) == [])
        #expect(try await client.result("store.min", ["bucket": "users", "field": "age"]) == .null)
        #expect(try await client.result("store.sum", ["bucket": "users", "field": "age"]) == 0)
        for (name, age, role) in [("A", 5, "admin"), ("B", 30, "user"), ("C", 25, "user")] {
            _ = try await client.result(
                "store.insert", ["bucket": "users", "data": ["name": .string(name), "age": .number(Double(age)), "role": .string(role)]])
        }
        #expect(try await client.result("store.count", ["bucket": "users"]) == 3)
        #expect(try await client.result("store.count", ["bucket": "users", "filter": ["role": "admin"]]) == 1)
        #expect(try await client.result("store.where", ["bucket": "users", "filter": ["role": "user"]]).arrayValue?.count == 2)
        #expect(try await client.result("store.where", ["bucket": "users", "filter": ["role": "none"]]) == [])
        #expect(try await client.result("store.findOne", ["bucket": "users", "filter": ["role": "none"]]) == .null)
        #expect(try await client.result("store.findOne", ["bucket": "users", "filter": ["role": "admin"]])["name"] == "A")
        #expect(try await client.result("store.sum", ["bucket": "users", "field": "age"]) == 60)
        #expect(try await client.result("store.sum", ["bucket": "users", "field": "age", "filter": ["role": "admin"]]) == 5)
        #expect(try await client.result("store.avg", ["bucket": "users", "field": "age"]) == 20)
        #expect(try await client.result("store.min", ["bucket": "users", "field": "age"]) == 5)
        #expect(try await client.result("store.max", ["bucket": "users", "field": "age"]) == 30)
        #expect(try await client.result("store.first", ["bucket": "users", "n": 2]).arrayValue?.count == 2)
        #expect(try await client.result("store.first", ["bucket": "users", "n": 10]).arrayValue?.count == 3)
        #expect(try await client.result("store.last", ["bucket": "users", "n": 2]).arrayValue?.count == 2)
        #expect(try await client.result("store.buckets") == ["count": 1, "names": ["users"]])
        let stats = try await client.result("store.stats")
        #expect(stats["buckets"]?["count"] == 1)
        #expect(stats["records"]?["total"] == 3)
        #expect(try await client.result("store.clear", ["bucket": "users"]) == ["cleared": true])
        #expect(try await client.result("store.count", ["bucket": "users"]) == 0)
    }

    @Test func paginationWalksEveryRecord() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        for index in 1...5 {
            _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": .string("u\(index)")]])
        }
        var after: JSONValue? = nil
        var sizes: [Int] = []
        var hasMore: [Bool] = []
        repeat {
            var payload: JSONObject = ["bucket": "users", "limit": 2]
            if let after { payload["after"] = after }
            let page = try await client.result("store.paginate", payload)
            sizes.append(page["records"]?.arrayValue?.count ?? -1)
            hasMore.append(page["hasMore"]?.boolValue ?? false)
            after = page["nextCursor"]
        } while hasMore.last == true
        #expect(sizes == [2, 2, 1])
        #expect(hasMore == [true, true, false])
    }

    @Test func largeStringsSurviveTheRoundTrip() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        let big = String(repeating: "λx.", count: 35_000)
        let record = try await client.result("store.insert", ["bucket": "users", "data": ["name": .string(big)]])
        let id = try #require(record["id"])
        #expect(try await client.result("store.get", ["bucket": "users", "key": id])["name"] == .string(big))
    }

    @Test func mutationsAreVisibleAcrossClients() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let first = try await harness.client()
        let second = try await harness.client()
        async let a: Void = { for i in 0..<5 { _ = try await first.result("store.insert", ["bucket": "users", "data": ["name": .string("a\(i)")]]) } }()
        async let b: Void = { for i in 0..<5 { _ = try await second.result("store.insert", ["bucket": "users", "data": ["name": .string("b\(i)")]]) } }()
        _ = try await (a, b)
        #expect(try await first.result("store.count", ["bucket": "users"]) == 10)
    }
}
