import NoexStore
import NoexWire
import Synchronization
import Testing

@Suite struct EventTests {
    @Test func topicPatterns() {
        let topic = "bucket.users.deleted"
        for p in ["*", "bucket.*.*", "bucket.users.*", "bucket.*.deleted", "*.users.*", "bucket.*", topic] {
            #expect(TopicPattern.matches(p, topic), "\(p)")
        }
        for p in ["bucket.orders.*", "bucket.*.inserted", "bucket", "bucket.users", "bucket.users.deleted.x", "a.*.*"] {
            #expect(!TopicPattern.matches(p, topic), "\(p)")
        }
        #expect(!TopicPattern.matches("a.*.*", "a.b.c.d"), "wildcards before a trailing star are literal")
        #expect(TopicPattern.matches("a.*", "a.b.c.d"))
    }

    @Test func payloadsAndWildcards() async throws {
        let store = try makeStore()
        try store.defineBucket("users", json: usersDefinition)
        try store.defineBucket("orders", json: ["key": "id", "schema": ["id": ["type": "string"]]])
        let all = Mutex<[StoreEvent]>([])
        let inserted = Mutex<[String]>([])
        _ = store.onEvent("*") { e in all.withLock { $0.append(e) } }
        let sub = store.onEvent("bucket.*.inserted") { e in inserted.withLock { $0.append(e.topic) } }
        let users = try store.bucket("users")
        let a = try users.insert(["id": "u", "name": "A"])
        let b = try users.update("u", ["name": "B"])
        try store.bucket("orders").insert(["id": "o"])
        try users.delete("u")
        try users.delete("u")  // a missing key publishes nothing
        try users.insert(["id": "v", "name": "V"])
        try users.clear()  // clear publishes no events
        await store.settle()
        sub.cancel()
        try store.bucket("orders").insert(["id": "p"])
        await store.settle()
        let events = all.withLock { $0 }
        #expect(events.map(\.topic) == [
            "bucket.users.inserted", "bucket.users.updated", "bucket.orders.inserted", "bucket.users.deleted",
            "bucket.users.inserted", "bucket.orders.inserted",
        ])
        #expect(events[0].json == ["type": "inserted", "bucket": "users", "key": "u", "record": .object(a)])
        #expect(events[1].json == ["type": "updated", "bucket": "users", "key": "u", "oldRecord": .object(a), "newRecord": .object(b)])
        #expect(events[3].json == ["type": "deleted", "bucket": "users", "key": "u", "record": .object(b)])
        #expect(inserted.withLock { $0 } == ["bucket.users.inserted", "bucket.orders.inserted", "bucket.users.inserted"])
    }

    @Test func noEventsForAdministration() async throws {
        let store = try makeStore()
        let count = Atomic<Int>(0)
        _ = store.onEvent("*") { _ in count.add(1, ordering: .relaxed) }
        try store.defineBucket("users", json: usersDefinition)
        try store.updateBucket("users", json: ["addIndexes": ["age"]])
        try store.dropBucket("users")
        await store.settle()
        #expect(count.load(ordering: .relaxed) == 0)
    }
}
