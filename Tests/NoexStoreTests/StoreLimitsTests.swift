import NoexStore
import NoexWire
import Testing

/// `StoreLimits` (buckets, records per bucket, record size) and the arithmetic that must
/// saturate instead of trapping on client-supplied numbers.
@Suite struct StoreLimitsTests {
    func store(_ limits: StoreLimits) throws -> Store {
        try Store(configuration: .init(ttlCheckIntervalMs: 0, limits: limits))
    }

    let notes: JSONObject = ["key": "id", "schema": ["id": ["type": "string"], "text": ["type": "string"]]]

    // MARK: Paginate (issue 14 item 1)

    @Test func paginateWithTheLargestLimitSaturates() throws {
        let store = try store(StoreLimits())
        try store.defineBucket("b", json: notes)
        let b = try store.bucket("b")
        for i in 0..<3 { try b.insert(["id": .string("k\(i)")]) }
        // `start + limit` trapped here with an unknown cursor (start = count).
        let unknown = try b.paginate(after: "nope", limit: Int.max)
        #expect(unknown.records.isEmpty && !unknown.hasMore && unknown.nextCursor == nil)
        let all = try b.paginate(after: nil, limit: Int.max)
        #expect(all.records.count == 3 && !all.hasMore && all.nextCursor == "k2")
        let rest = try b.paginate(after: "k0", limit: Int.max)
        #expect(rest.records.count == 2 && !rest.hasMore)
        let one = try b.paginate(after: "k0", limit: 1)
        #expect(one.records.count == 1 && one.hasMore && one.nextCursor == "k1")
        #expect(try b.first(Int.max).count == 3)
        #expect(try b.last(Int.max).count == 3)
    }

    @Test func ttlStringsBeyondDoublePrecisionAreRefused() throws {
        let huge = String(repeating: "9", count: 400) + "s"
        #expect(throws: StoreError.self) { try TTL(huge) }
        #expect(try TTL("1.5h").milliseconds == 5_400_000)
    }

    // MARK: maxBuckets

    @Test func bucketCountIsBounded() throws {
        let store = try store(StoreLimits(maxBuckets: 2))
        try store.defineBucket("a", json: notes)
        try store.defineBucket("b", json: notes)  // at the bound
        let error = storeError { () throws(StoreError) in try store.defineBucket("c", json: notes) }
        #expect(error?.code.rawValue == "VALIDATION_ERROR")
        #expect(error?.message.contains("maxBuckets") == true)
        #expect(store.bucketNames() == ["a", "b"])
        try store.dropBucket("a")
        try store.defineBucket("c", json: notes)
    }

    // MARK: maxRecordsPerBucket

    @Test func recordCountIsBoundedForInsertsAndTransactions() throws {
        let store = try store(StoreLimits(maxRecordsPerBucket: 2))
        try store.defineBucket("b", json: notes)
        let b = try store.bucket("b")
        try b.insert(["id": "1"])
        try b.insert(["id": "2"])  // at the bound
        let error = storeError { () throws(StoreError) in try b.insert(["id": "3"]) }
        #expect(error?.code.rawValue == "VALIDATION_ERROR")
        #expect(error?.message.contains("maxRecordsPerBucket") == true)
        #expect(try b.count() == 2)
        try b.delete("2")
        let txError = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("b", ["id": "x"])
                try tx.insert("b", ["id": "y"])
            }
        }
        #expect(txError?.message.contains("maxRecordsPerBucket") == true)
        #expect(try b.count() == 1)
        try store.transaction { tx throws(StoreError) in try tx.insert("b", ["id": "x"]) }
        #expect(try b.count() == 2)
    }

    @Test func maxSizeBucketsEvictBeforeTheLimit() throws {
        let store = try store(StoreLimits(maxRecordsPerBucket: 2))
        var definition = notes
        definition["maxSize"] = 2
        try store.defineBucket("ring", json: definition)
        let b = try store.bucket("ring")
        for i in 0..<5 { try b.insert(["id": .string("\(i)")]) }
        #expect(try b.all().map { $0["id"] } == ["3", "4"])
    }

    // MARK: maxRecordBytes

    /// The JSON size of a `notes` record stored with `text` (metadata included).
    func storedSize(_ text: String) throws -> Int {
        let store = try store(StoreLimits())
        try store.defineBucket("b", json: notes)
        let record = try store.bucket("b").insert(["id": "r", "text": .string(text)])
        return JSONSerializer.serialize(.object(record)).count
    }

    @Test func recordSizeIsBoundedOnInsertUpdateAndTransactions() throws {
        let limit = try storedSize(String(repeating: "a", count: 100))
        let store = try store(StoreLimits(maxRecordBytes: limit))
        try store.defineBucket("b", json: notes)
        let b = try store.bucket("b")
        // The timestamps have the same width within this test, so sizes are exact.
        try b.insert(["id": "r", "text": .string(String(repeating: "a", count: 100))])  // at the bound
        let insertError = storeError { () throws(StoreError) in try b.insert(["id": "s", "text": .string(String(repeating: "a", count: 101))]) }
        #expect(insertError?.code.rawValue == "VALIDATION_ERROR")
        #expect(insertError?.message.contains("maxRecordBytes") == true)
        #expect(try b.get("s") == nil)
        // `_version` stays one digit: the same size at the bound, one byte past it fails.
        try b.update("r", ["text": .string(String(repeating: "b", count: 100))])
        let updateError = storeError { () throws(StoreError) in try b.update("r", ["text": .string(String(repeating: "b", count: 101))]) }
        #expect(updateError?.message.contains("maxRecordBytes") == true)
        #expect(try b.get("r")?["text"] == .string(String(repeating: "b", count: 100)))
        #expect(try b.getEncoded("r").map { $0.count } == limit)
        let txError = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.update("b", "r", ["text": .string(String(repeating: "c", count: 101))])
            }
        }
        #expect(txError?.message.contains("maxRecordBytes") == true)
        let txInsertError = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.insert("b", ["id": "t", "text": .string(String(repeating: "c", count: 101))])
            }
        }
        #expect(txInsertError?.message.contains("maxRecordBytes") == true)
        #expect(try b.count() == 1)
    }

    @Test func theSizeChecksTextIsTheRecordsEncoding() throws {
        let store = try store(StoreLimits())
        try store.defineBucket("b", json: notes)
        let bytes = try store.insertEncoded(["id": "r", "text": "quote \" and \u{1}"], inBucket: "b")
        let record = try #require(try store.bucket("b").get("r"))
        #expect(bytes == JSONSerializer.serialize(.object(record)))
        #expect(try store.getEncoded("r", inBucket: "b") == bytes)
        let updated = try store.updateEncoded("r", ["text": "new"], inBucket: "b")
        #expect(updated == JSONSerializer.serialize(.object(try #require(try store.bucket("b").get("r")))))
    }

    // MARK: Transactions

    @Test func aLargeTransactionCommitsEveryOperation() throws {
        let store = try store(StoreLimits())
        try store.defineBucket("b", json: notes)
        try store.transaction { tx throws(StoreError) in
            for i in 0..<10_000 { try tx.insert("b", ["id": .string("k\(i)")]) }
            try tx.update("b", "k5", ["text": "five"])
            try tx.delete("b", "k6")
        }
        let b = try store.bucket("b")
        #expect(try b.count() == 9_999)
        #expect(try b.get("k5")?["text"] == "five")
    }

    @Test func anErrorCaughtInsideATransactionKeepsEarlierWrites() throws {
        let store = try store(StoreLimits())
        try store.defineBucket("b", json: notes)
        try store.transaction { tx throws(StoreError) in
            try tx.insert("b", ["id": "a"])
            #expect(throws: StoreError.self) { try tx.update("b", "missing", ["text": "x"]) }
            try tx.insert("b", ["id": "b"])
        }
        #expect(try store.bucket("b").count() == 2)
    }
}
