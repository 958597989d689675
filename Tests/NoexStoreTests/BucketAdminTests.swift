import NoexStore
import NoexWire
import Testing

@Suite struct BucketAdminTests {
    @Test func defineDuplicateAndUnknown() throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        #expect(storeError { () throws(StoreError) in try store.defineBucket("users", json: usersDefinition) }?.message
            == "Bucket \"users\" already exists")
        let missing = storeError { () throws(StoreError) in try store.bucket("nope") }
        #expect(missing?.message == "Bucket \"nope\" is not defined")
        #expect(missing?.code.rawValue == "BUCKET_NOT_DEFINED")
        #expect(store.bucketNames() == ["users"])
        #expect(store.hasBucket("users") && !store.hasBucket("nope"))
    }

    @Test func invalidDefinitionsNameTheField() throws {
        let store = try makeStore()
        func message(_ json: JSONObject) -> String? {
            storeError { () throws(StoreError) in try store.defineBucket("b", json: json) }?.message
        }
        #expect(message(["key": "id", "schema": ["name": ["type": "string"]]])
            == "Key field \"id\" does not exist in schema for bucket \"b\"")
        #expect(message(["key": "id", "schema": ["id": ["type": "string"]], "indexes": ["ghost"]])
            == "Index field \"ghost\" does not exist in schema for bucket \"b\"")
        #expect(message(["key": "id", "schema": ["id": ["type": "text"]]])
            == "Invalid \"type\" for field \"id\" in bucket \"b\": expected one of string, number, boolean, object, array, date")
        #expect(message(["key": "id", "schema": ["id": ["type": "string", "generated": "serial"]]])
            == "Invalid \"generated\" for field \"id\" in bucket \"b\": expected one of uuid, cuid, autoincrement, timestamp")
        #expect(message(["key": "id", "schema": ["id": ["type": "string", "minLength": -1]]])
            == "Invalid \"minLength\" for field \"id\" in bucket \"b\": expected non-negative integer")
        #expect(message(["key": "id", "schema": ["id": ["type": "string", "pattern": "("]]])
            == "Invalid \"pattern\" for field \"id\" in bucket \"b\": expected a valid regular expression")
        #expect(message(["key": "id"]) == "Invalid \"schema\" in definition of bucket \"b\": expected object")
        #expect(message(["key": "id", "schema": ["id": ["type": "string"]], "maxSize": 0])
            == "Invalid \"maxSize\" in definition of bucket \"b\": expected positive integer")
        #expect(storeError { () throws(StoreError) in try store.defineBucket("b", json: ["schema": ["x": ["type": "string"]]]) }?
            .code.rawValue == "VALIDATION_ERROR")
        // Nothing was registered by the failed attempts.
        #expect(store.bucketNames().isEmpty)
    }

    @Test func ttlParsing() throws {
        #expect(try TTL("30s").milliseconds == 30_000)
        #expect(try TTL("5m").milliseconds == 300_000)
        #expect(try TTL("1.5h").milliseconds == 5_400_000)
        #expect(try TTL("30 m").milliseconds == 1_800_000)
        #expect(try TTL("90d").milliseconds == 7_776_000_000)
        #expect(try TTL(json: 250).milliseconds == 250)
        let format = "Invalid TTL format \"5ms\". Expected a number (ms) or string like \"30s\", \"5m\", \"1h\", \"7d\"."
        #expect(storeError { () throws(StoreError) in try TTL("5ms") }?.message == format)
        #expect(storeError { () throws(StoreError) in try TTL("1w") } != nil)
        #expect(storeError { () throws(StoreError) in try TTL("m") } != nil)
        #expect(storeError { () throws(StoreError) in try TTL("0s") }?.message == "TTL value must be positive, got \"0s\"")
        #expect(storeError { () throws(StoreError) in try TTL(milliseconds: -5) }?.message == "TTL must be a positive finite number, got -5")
        // A bad TTL does not leave the bucket half-registered (the reference's stuck name).
        let store = try makeStore()
        #expect(storeError { () throws(StoreError) in
            try store.defineBucket("t", json: ["key": "id", "schema": ["id": ["type": "string"]], "ttl": "soon"])
        } != nil)
        try store.defineBucket("t", json: ["key": "id", "schema": ["id": ["type": "string"]], "ttl": "1h"])
    }

    @Test func schemaReadBackIsTheDefinitionAsGiven() throws {
        let store = try makeStore()
        var config = usersDefinition
        config["custom"] = "kept"
        try store.defineBucket("users", json: config)
        #expect(try store.bucketSchema("users") == config)
        #expect(storeError { () throws(StoreError) in try store.bucketSchema("x") }?.message == "Bucket \"x\" does not exist")
        // Swift-defined buckets read back in wire form.
        try store.defineBucket("s", BucketDefinition(key: "k", fields: [("k", try FieldDefinition(type: .string, required: true))],
            indexes: ["k"], ttl: try TTL("1m"), maxSize: 10))
        #expect(try store.bucketSchema("s") == [
            "key": "k", "schema": ["k": ["type": "string", "required": true]], "indexes": ["k"], "ttl": 60_000, "maxSize": 10,
        ])
    }

    @Test func updateBucketAddsFieldsIndexesAndChangesTtlKeepingData() throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        let users = try store.bucket("users")
        let alice = try users.insert(["name": "Alice", "age": 30])
        let aliceKey = try #require(alice["id"])
        try store.updateBucket("users", json: ["addFields": ["country": ["type": "string", "enum": ["CZ", "DE"]]], "addIndexes": ["age"], "ttl": "1h"])
        #expect(try users.get(aliceKey) == alice, "existing records are kept unchanged")
        let bob = try users.insert(["name": "Bob", "country": "CZ"])
        #expect(bob["_expiresAt"] == .number((bob["_createdAt"]?.numberValue ?? 0) + 3_600_000))
        #expect(storeError { () throws(StoreError) in try users.insert(["name": "C", "country": "US"]) }?.code.rawValue == "VALIDATION_ERROR")
        #expect(try users.where(["age": 30]) == [alice], "the new index answers queries")
        #expect(try store.bucketStats("users")["indexNames"] == ["role", "age", "email"])
        let schema = try store.bucketSchema("users")
        #expect(schema["schema"]?["country"] == ["type": "string", "enum": ["CZ", "DE"]])
        #expect(schema["indexes"] == ["role", "age"])
        #expect(schema["ttl"] == "1h")
        try store.updateBucket("users", json: ["ttl": nil])
        #expect(try store.bucketSchema("users")["ttl"] == nil)
        #expect(try users.insert(["name": "D"])["_expiresAt"] == nil)
        // Errors (F4)
        #expect(storeError { () throws(StoreError) in try store.updateBucket("users", json: ["addFields": ["name": ["type": "string"]]]) }?
            .message == "Field \"name\" already exists in bucket \"users\"")
        #expect(storeError { () throws(StoreError) in try store.updateBucket("users", json: ["addIndexes": ["ghost"]]) }?
            .message == "Index field \"ghost\" does not exist in schema for bucket \"users\"")
        #expect(storeError { () throws(StoreError) in try store.updateBucket("nope", json: [:]) }?.code.rawValue == "BUCKET_NOT_DEFINED")
    }

    @Test func dropBucketRemovesDataAndName() throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        let handle = try store.bucket("users")
        try handle.insert(["name": "a"])
        try store.dropBucket("users")
        #expect(!store.hasBucket("users"))
        #expect(storeError { () throws(StoreError) in try store.dropBucket("users") }?.message == "Bucket \"users\" does not exist")
        #expect(storeError { () throws(StoreError) in try handle.all() }?.code.rawValue == "BUCKET_NOT_DEFINED")
        try store.defineBucket("users", json: usersDefinition)
        #expect(try store.bucket("users").count() == 0)
    }

    @Test func statsShape() throws {
        let store = try Store(configuration: .init(name: "main", ttlCheckIntervalMs: 0))
        try store.defineBucket("users", json: usersDefinition)
        try store.defineBucket("empty", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        try store.bucket("users").insert(["name": "a"])
        try store.bucket("users").insert(["name": "b"])
        try store.defineQuery("all") { ctx, _ in .array(try ctx.bucket("users").all().map { .object($0) }) }
        let sub = try store.subscribe(query: "all") { _ in }.subscription
        #expect(store.stats() == [
            "name": "main",
            "buckets": ["count": 2, "names": ["users", "empty"]],
            "records": ["total": 2, "perBucket": ["users": 2, "empty": 0]],
            "indexes": ["total": 2, "perBucket": ["users": 2, "empty": 0]],
            "queries": ["defined": 1, "activeSubscriptions": 1],
            "persistence": ["enabled": false],
            "ttl": ["enabled": false, "checkIntervalMs": 0],
        ])
        sub.cancel()
        #expect(store.stats()["queries"]?["activeSubscriptions"] == 0)
        #expect(try Store().name.hasPrefix("store-"))
    }

    @Test func errorMappingToProtocolErrors() {
        #expect(StoreError.bucketAlreadyExists("b").protocolError == ProtocolError(ErrorCode("ALREADY_EXISTS"), "Bucket \"b\" already exists"))
        #expect(StoreError.uniqueConstraint(bucket: "b", field: "email", value: "x").protocolError == ProtocolError(
            ErrorCode("ALREADY_EXISTS"), "Unique constraint violation in bucket \"b\": field \"email\" already has value \"x\"",
            details: ["bucket": "b", "field": "email", "value": "x"]))
        #expect(StoreError.notFound(bucket: "b", key: 7).protocolError == ProtocolError(
            ErrorCode("NOT_FOUND"), "Record with key \"7\" not found in bucket \"b\"", details: ["bucket": "b", "key": 7]))
        #expect(StoreError.transactionConflict(bucket: "b", key: "k", detail: "Version mismatch: expected 1, got 2").protocolError
            == ProtocolError(ErrorCode("CONFLICT"), "Transaction conflict in bucket \"b\" for key \"k\": Version mismatch: expected 1, got 2",
                details: ["bucket": "b", "key": "k"]))
        #expect(StoreError.queryAlreadyDefined("q").protocolError == ProtocolError(ErrorCode("ALREADY_EXISTS"), "Query \"q\" is already defined"))
        #expect(StoreError.queryNotDefined("q").protocolError == ProtocolError(ErrorCode("QUERY_NOT_DEFINED"), "Query \"q\" is not defined"))
        #expect(StoreError.invalidDefinition("bad").code.rawValue == "VALIDATION_ERROR")
        #expect(StoreError.alreadyExists(bucket: "b", key: "k").code.rawValue == "ALREADY_EXISTS")
        #expect(StoreError.persistence("disk").code.rawValue == "INTERNAL_ERROR")
    }
}
