import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct SubscriptionTests {
    private func harnessWithQueries(_ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> Harness {
        let harness = try await Harness.start(configure)
        try harness.defineUsers()
        try harness.store.defineQuery("all-users", json: ["bucket": "users"])
        try harness.store.defineQuery("user-count", json: ["bucket": "users", "aggregate": ["function": "count"]])
        try harness.store.defineQuery("by-role", json: ["bucket": "users", "filter": ["role": "{{ params.role }}"]])
        return harness
    }

    @Test func subscribeReturnsInitialDataAndPushesChanges() async throws {
        let harness = try await harnessWithQueries()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let subscribed = try await client.result("store.subscribe", ["query": "all-users"])
        let subscriptionId = try #require(subscribed["subscriptionId"]?.stringValue)
        #expect(subscribed["data"] == [])

        let record = try await client.result("store.insert", ["bucket": "users", "data": ["name": "Ann"]])
        let push = try await client.nextPush(subscriptionId: subscriptionId)
        #expect(push["channel"] == "subscription")
        #expect(push["data"]?.arrayValue?.count == 1)

        _ = try await client.result("store.update", ["bucket": "users", "key": record["id"] ?? .null, "data": ["age": 3]])
        #expect(try await client.nextPush(subscriptionId: subscriptionId)["data"]?.arrayValue?.first?["age"] == 3)
        _ = try await client.result("store.delete", ["bucket": "users", "key": record["id"] ?? .null])
        #expect(try await client.nextPush(subscriptionId: subscriptionId)["data"] == [])
    }

    @Test func scalarQueriesAndParamsAndDedupe() async throws {
        let harness = try await harnessWithQueries()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let count = try await client.result("store.subscribe", ["query": "user-count"])
        #expect(count["data"] == 0)
        let admins = try await client.result("store.subscribe", ["query": "by-role", "params": ["role": "admin"]])
        #expect(admins["data"] == [])
        let adminsId = try #require(admins["subscriptionId"]?.stringValue)

        _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "U"]])
        #expect(try await client.nextPush(subscriptionId: count["subscriptionId"]?.stringValue)["data"] == 1)
        #expect(await client.noPush())  // the non-matching insert left by-role unchanged

        _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "Boss", "role": "admin"]])
        #expect(try await client.nextPush(subscriptionId: adminsId)["data"]?.arrayValue?.count == 1)
        #expect(try await client.nextPush(subscriptionId: count["subscriptionId"]?.stringValue)["data"] == 2)
    }

    @Test func unsubscribeStopsPushesAndUnknownIdsAreNotFound() async throws {
        let harness = try await harnessWithQueries()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let id = try #require(try await client.result("store.subscribe", ["query": "all-users"])["subscriptionId"])
        #expect(try await client.result("store.unsubscribe", ["subscriptionId": id]) == ["unsubscribed": true])
        let again = try await client.request("store.unsubscribe", ["subscriptionId": id])
        #expect(again.code == "NOT_FOUND")
        #expect(again.message == "Subscription \"\(id.stringValue ?? "")\" not found")
        _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "X"]])
        #expect(await client.noPush())
        #expect(try await client.request("store.unsubscribe").code == "VALIDATION_ERROR")
        #expect(try await client.request("store.subscribe", ["query": "nope"]).code == "QUERY_NOT_DEFINED")
        #expect(try await client.request("store.subscribe").code == "VALIDATION_ERROR")
    }

    @Test func pushesReachOnlyTheOwningConnection() async throws {
        let harness = try await harnessWithQueries()
        defer { Task { await harness.stop() } }
        let watcher = try await harness.client()
        let writer = try await harness.client()
        let id = try await watcher.result("store.subscribe", ["query": "all-users"])["subscriptionId"]?.stringValue
        _ = try await writer.result("store.insert", ["bucket": "users", "data": ["name": "W"]])
        #expect(try await watcher.nextPush(subscriptionId: id)["data"]?.arrayValue?.count == 1)
        #expect(await writer.noPush())
        await watcher.close()
        try await waitUntil { harness.server.getStats()["connections"]?["totalStoreSubscriptions"] == 0 }
        _ = try await writer.result("store.insert", ["bucket": "users", "data": ["name": "V"]])
    }

    @Test func perConnectionAndGlobalLimits() async throws {
        let harness = try await harnessWithQueries {
            $0.connectionLimits = ConnectionLimits(maxSubscriptionsPerConnection: 3, maxTotalSubscriptions: 4)
        }
        defer { Task { await harness.stop() } }
        let first = try await harness.client()
        var ids: [JSONValue] = []
        for _ in 0..<2 { ids.append(try await first.result("store.subscribe", ["query": "all-users"])["subscriptionId"] ?? .null) }
        _ = try await first.result("rules.subscribe", ["pattern": "a.*"])
        let fourth = try await first.request("store.subscribe", ["query": "all-users"])
        #expect(fourth.code == "RATE_LIMITED")
        #expect(fourth.message == "Subscription limit reached (max 3 per connection)")
        // The limit is checked before payload validation.
        #expect(try await first.request("rules.subscribe").code == "RATE_LIMITED")

        let second = try await harness.client()
        _ = try await second.result("store.subscribe", ["query": "all-users"])
        let global = try await second.request("store.subscribe", ["query": "all-users"])
        #expect(global.message == "Global subscription limit reached (max 4)")
        _ = try await first.result("store.unsubscribe", ["subscriptionId": ids[0]])
        #expect(try await second.request("store.subscribe", ["query": "all-users"])["type"] == "result")
    }

    @Test func clearPushesToSubscribers() async throws {
        let harness = try await harnessWithQueries()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "X"]])
        let id = try await client.result("store.subscribe", ["query": "user-count"])["subscriptionId"]?.stringValue
        _ = try await client.result("store.clear", ["bucket": "users"])
        #expect(try await client.nextPush(subscriptionId: id)["data"] == 0)
    }
}
