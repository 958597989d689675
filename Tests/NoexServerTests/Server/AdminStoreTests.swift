import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct AdminStoreTests {
    @Test func bucketLifecycle() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let config: JSONValue = ["key": "sku", "schema": ["sku": ["type": "string"], "price": ["type": "number"]]]
        #expect(try await client.result("store.defineBucket", ["name": "products", "config": config]) == ["name": "products", "created": true])
        #expect(try await client.request("store.defineBucket", ["name": "products", "config": config]).code == "ALREADY_EXISTS")
        #expect(try await client.request("store.defineBucket", ["config": config]).code == "VALIDATION_ERROR")
        #expect(try await client.request("store.defineBucket", ["name": "x"]).code == "VALIDATION_ERROR")
        _ = try await client.result("store.insert", ["bucket": "products", "data": ["sku": "p1", "price": 3]])

        let updated = try await client.result(
            "store.updateBucket", ["name": "products", "updates": ["addFields": ["email": ["type": "string", "format": "email"]], "addIndexes": ["price"]]])
        #expect(updated == ["name": "products", "updated": true])
        let schema = try await client.result("store.getBucketSchema", ["name": "products"])
        #expect(schema["name"] == "products")
        #expect(schema["config"]?["schema"]?["email"]?["format"] == "email")
        #expect(try await client.result("store.get", ["bucket": "products", "key": "p1"])["price"] == 3)

        #expect(try await client.result("store.dropBucket", ["name": "products"]) == ["name": "products", "dropped": true])
        #expect(try await client.request("store.insert", ["bucket": "products", "data": ["sku": "p2"]]).code == "BUCKET_NOT_DEFINED")
        #expect(try await client.request("store.dropBucket", ["name": "products"]).code == "BUCKET_NOT_DEFINED")
        #expect(try await client.request("store.getBucketSchema", ["name": "products"]).code == "BUCKET_NOT_DEFINED")
        #expect(try await client.request("store.updateBucket", ["name": "products", "updates": [:]]).code == "BUCKET_NOT_DEFINED")
    }

    @Test func invalidDefinitionsAreValidationErrors() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let badKey = try await client.request(
            "store.defineBucket", ["name": "b", "config": ["key": "nope", "schema": ["id": ["type": "string"]]]])
        #expect(badKey.code == "VALIDATION_ERROR")
        #expect(badKey.message?.contains("nope") == true)
    }

    @Test func declarativeQueries() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        #expect(try await client.result("store.listQueries") == ["queries": []])
        for (name, role) in [("Carol", "user"), ("Alice", "admin"), ("Bob", "user")] {
            _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": .string(name), "role": .string(role)]])
        }
        #expect(
            try await client.result("store.defineQuery", ["name": "sorted", "config": ["bucket": "users", "sort": ["name": "asc"], "limit": 2, "fields": ["name"]]])
                == ["name": "sorted", "defined": true])
        #expect(try await client.result("store.subscribe", ["query": "sorted"])["data"] == [["name": "Alice"], ["name": "Bob"]])
        _ = try await client.result("store.defineQuery", ["name": "role", "config": ["bucket": "users", "filter": ["role": "{{ params.role }}"], "aggregate": ["function": "count"]]])
        #expect(try await client.result("store.subscribe", ["query": "role", "params": ["role": "user"]])["data"] == 2)
        #expect(try await client.request("store.defineQuery", ["name": "sorted", "config": ["bucket": "users"]]).code == "ALREADY_EXISTS")
        #expect(try await client.request("store.defineQuery", ["name": "x", "config": ["bucket": "ghosts"]]).code == "BUCKET_NOT_DEFINED")
        #expect(try await client.request("store.defineQuery", ["name": "x"]).code == "VALIDATION_ERROR")

        let listed = try await client.result("store.listQueries")["queries"]?.arrayValue ?? []
        #expect(listed.count == 2)
        #expect(listed.first?["type"] == "declarative")
        #expect(listed.first?["config"]?["bucket"] == "users")
        #expect(try await client.result("store.undefineQuery", ["name": "sorted"]) == ["name": "sorted", "undefined": true])
        #expect(try await client.request("store.undefineQuery", ["name": "sorted"]).code == "QUERY_NOT_DEFINED")
        #expect(try await client.request("store.subscribe", ["query": "sorted"]).code == "QUERY_NOT_DEFINED")
    }
}
