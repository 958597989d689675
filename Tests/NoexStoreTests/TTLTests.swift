import Foundation
import NoexStore
import NoexWire
import Synchronization
import Testing

@Suite struct TTLTests {
    @Test func expiredRecordsAreNeverReturned() async throws {
        let store = try makeStore()
        try store.defineBucket("s", json: ["key": "id", "schema": ["id": ["type": "string"], "tag": ["type": "string"]], "indexes": ["tag"], "ttl": 60_000])
        let s = try store.bucket("s")
        let live = try s.insert(["id": "live", "tag": "t", "n": 1])
        #expect(live["_expiresAt"] == .number((live["_createdAt"]?.numberValue ?? 0) + 60_000))
        // A client-chosen expiry in the past: the record is expired at once.
        try s.insert(["id": "old", "tag": "t", "n": 2, "_expiresAt": 1])
        #expect(try s.get("old") == nil)
        #expect(try s.all().map { $0["id"] } == ["live"])
        #expect(try s.where(["tag": "t"]).map { $0["id"] } == ["live"])
        #expect(try s.findOne(["n": 2]) == nil)
        #expect(try s.count() == 1)
        #expect(try s.count(["tag": "t"]) == 1)
        #expect(try s.first(5).count == 1 && s.last(5).count == 1)
        #expect(try s.paginate(limit: 5).records.count == 1)
        #expect(try s.sum("n") == 1)
        #expect(storeError { () throws(StoreError) in try s.update("old", ["n": 3]) } == .notFound(bucket: "s", key: "old"))
        // The key of an expired record can be taken again.
        try s.insert(["id": "old", "tag": "t"])
        #expect(try s.count() == 2)
    }

    @Test func purgeRemovesExpiredRecordsWithEvents() async throws {
        let store = try makeStore()
        try store.defineBucket("s", json: ["key": "id", "schema": ["id": ["type": "string"]], "ttl": "1h"])
        try store.defineBucket("plain", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let s = try store.bucket("s")
        try s.insert(["id": "a", "_expiresAt": 1])
        try s.insert(["id": "b", "_expiresAt": 2])
        try s.insert(["id": "c"])
        try store.bucket("plain").insert(["id": "p", "_expiresAt": 1])
        let deleted = Mutex<[JSONValue]>([])
        _ = store.onEvent("bucket.*.deleted") { e in deleted.withLock { $0.append(e.key) } }
        #expect(store.purgeTtl() == 2)
        await store.settle()
        #expect(deleted.withLock { $0 } == ["a", "b"])
        #expect(try store.bucketStats("s")["recordCount"] == 1)
        #expect(try store.bucket("plain").get("p") != nil, "only TTL buckets expire")
        #expect(store.purgeTtl() == 0)
    }

    @Test func purgeTimerRunsInTheBackground() async throws {
        let store = try Store(configuration: .init(ttlCheckIntervalMs: 20))
        #expect(store.stats()["ttl"] == ["enabled": true, "checkIntervalMs": 20])
        try store.defineBucket("s", json: ["key": "id", "schema": ["id": ["type": "string"]], "ttl": 30])
        try store.bucket("s").insert(["id": "a"])
        var purged = false
        for _ in 0..<200 {
            try await Task.sleep(for: .milliseconds(10))
            if try store.bucketStats("s")["recordCount"] == 0 {
                purged = true
                break
            }
        }
        #expect(purged)
        try store.close()
    }

    @Test func maxSizeEvictsTheOldest() async throws {
        let store = try makeStore()
        try store.defineBucket("m", json: ["key": "id", "schema": ["id": ["type": "number"], "u": ["type": "string", "unique": true]], "maxSize": 3])
        let m = try store.bucket("m")
        let events = Mutex<[String]>([])
        _ = store.onEvent("bucket.m.*") { e in events.withLock { $0.append("\(e.type.rawValue):\(e.key.jsonInt)") } }
        for i in 1...3 { try m.insert(["id": .number(Double(i))]) }
        try m.insert(["id": 4])
        #expect(try m.all().map { $0["id"] } == [2, 3, 4])
        try m.update(2, ["x": 1])
        try m.insert(["id": 5])
        #expect(try m.all().map { $0["id"] } == [3, 4, 5], "eviction is by insertion time, not update time")
        // A failing insert evicts nothing.
        try m.update(3, ["u": "taken"])
        #expect(storeError { () throws(StoreError) in try m.insert(["id": 6, "u": "taken"]) }?.code.rawValue == "ALREADY_EXISTS")
        #expect(try m.count() == 3)
        await store.settle()
        #expect(events.withLock { $0 } == [
            "inserted:1", "inserted:2", "inserted:3", "deleted:1", "inserted:4", "updated:2", "deleted:2", "inserted:5", "updated:3",
        ])
    }

    @Test func maxSizeAppliesInsideTransactions() throws {
        let store = try makeStore()
        try store.defineBucket("m", json: ["key": "id", "schema": ["id": ["type": "number"]], "maxSize": 2])
        let m = try store.bucket("m")
        try m.insert(["id": 1])
        try m.insert(["id": 2])
        try store.transaction { tx throws(StoreError) in
            try tx.insert("m", ["id": 3])
            try tx.insert("m", ["id": 4])
        }
        #expect(try m.all().map { $0["id"] } == [3, 4])
    }
}

extension JSONValue {
    var jsonInt: Int { integerValue ?? -1 }
}
