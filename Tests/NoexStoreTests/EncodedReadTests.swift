import Foundation
import NoexStore
import NoexWire
import Testing

/// `getEncoded` serves the record's JSON text from a per-record cache: whatever happened to the
/// record, it must equal serialising what `get` returns at that moment.
@Suite struct EncodedReadTests {
    func bucket(ttl: JSONValue? = nil) throws -> (Store, BucketHandle) {
        let store = try makeStore()
        var definition: JSONObject = [
            "key": "id",
            "schema": ["id": ["type": "string"], "n": ["type": "number"], "code": ["type": "string", "unique": true]],
        ]
        if let ttl { definition["ttl"] = ttl }
        try store.defineBucket("items", json: definition)
        return (store, try store.bucket("items"))
    }

    /// Checks the invariant for every key, twice (the second read comes from the cache).
    func expectConsistent(_ b: BucketHandle, _ keys: [JSONValue], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for _ in 0..<2 {
            for key in keys {
                let expected = try b.get(key).map { JSONSerializer.serialize(.object($0)) }
                #expect(try b.getEncoded(key) == expected, "key \(key)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func matchesTheSerialisedRecordAndFollowsWrites() throws {
        let (_, b) = try bucket()
        try b.insert(["id": "a", "n": 1, "code": "A"])
        try expectConsistent(b, ["a", "missing"])
        #expect(try b.getEncoded("missing") == nil)
        let before = try #require(try b.getEncoded("a"))

        try b.update("a", ["n": 2])
        try expectConsistent(b, ["a"])
        #expect(try b.getEncoded("a") != before, "an update drops the cached text")

        try b.delete("a")
        #expect(try b.getEncoded("a") == nil)
        try b.insert(["id": "a", "n": 3, "code": "A3"])
        try expectConsistent(b, ["a"])

        try b.clear()
        #expect(try b.getEncoded("a") == nil)
    }

    @Test func updateEncodedReturnsAndKeepsTheNewText() throws {
        let (_, b) = try bucket()
        try b.insert(["id": "a", "n": 1, "code": "A"])
        let old = try #require(try b.getEncoded("a"))
        let text = try b.updateEncoded("a", ["n": 2])
        #expect(text == JSONSerializer.serialize(.object(try #require(try b.get("a")))))
        #expect(text != old)
        #expect(try b.getEncoded("a") == text)
        try expectConsistent(b, ["a"])

        // Failures leave the record and its text as they were.
        #expect(storeError { () throws(StoreError) in try b.updateEncoded("a", ["n": "not a number"]) }?.code.rawValue == "VALIDATION_ERROR")
        #expect(storeError { () throws(StoreError) in try b.updateEncoded("missing", ["n": 1]) }?.code.rawValue == "NOT_FOUND")
        #expect(try b.getEncoded("a") == text)
        try expectConsistent(b, ["a", "missing"])
    }

    @Test func survivesCompactionOfTheTable() throws {
        let (_, b) = try bucket()
        let keys = (0..<300).map { JSONValue.string("k\($0)") }
        for (i, key) in keys.enumerated() { try b.insert(["id": key, "n": .number(Double(i))]) }
        try expectConsistent(b, keys)
        // Deleting most records compacts the slot array; survivors move to new slots.
        for key in keys.prefix(250) { try b.delete(key) }
        try expectConsistent(b, keys)
        try b.update("k299", ["n": -1])
        try expectConsistent(b, keys)
    }

    @Test func aRolledBackTransactionLeavesTheOldText() throws {
        let (store, b) = try bucket()
        try b.insert(["id": "a", "n": 1, "code": "A"])
        try b.insert(["id": "b", "n": 2, "code": "B"])
        let cachedA = try #require(try b.getEncoded("a"))
        let cachedB = try #require(try b.getEncoded("b"))
        let error = storeError { () throws(StoreError) in
            try store.transaction { tx throws(StoreError) in
                try tx.update("items", "a", ["n": 10])
                try tx.delete("items", "b")
                try tx.insert("items", ["id": "c", "code": "A"])   // unique clash with "a"
            }
        }
        #expect(error != nil)
        #expect(try b.getEncoded("a") == cachedA)
        #expect(try b.getEncoded("b") == cachedB)
        try expectConsistent(b, ["a", "b", "c"])
    }

    @Test func expiredRecordsAreNotServed() async throws {
        let (_, b) = try bucket(ttl: 20)
        try b.insert(["id": "a", "n": 1])
        #expect(try b.getEncoded("a") != nil)
        try await Task.sleep(for: .milliseconds(60))
        #expect(try b.getEncoded("a") == nil, "expired (F9), even though its text is cached")
    }

    @Test func unknownBucket() throws {
        let store = try makeStore()
        let error = storeError { () throws(StoreError) in try BucketHandleProbe.encoded(store) }
        #expect(error?.code.rawValue == "BUCKET_NOT_DEFINED")
    }
}

/// Reaches `getEncoded` on a bucket dropped after its handle was taken.
private enum BucketHandleProbe {
    static func encoded(_ store: Store) throws(StoreError) -> [UInt8]? {
        try store.defineBucket("gone", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let handle = try store.bucket("gone")
        try store.dropBucket("gone")
        return try handle.getEncoded("x")
    }
}
