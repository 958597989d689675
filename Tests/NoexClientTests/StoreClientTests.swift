import NoexClient
import NoexProtocol
import NoexServer
import NoexWire
import Testing

@Suite("NoexClient store operations against a live server")
struct StoreClientTests {
    @Test("connect waits for the welcome")
    func welcome() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let welcome = await client.welcome
        #expect(welcome.version == "1.0.0")
        #expect(welcome.requiresAuth == false)
        #expect(welcome.serverTime > 0)
        #expect(await client.connectionState == .connected)
        await client.close()
        #expect(await client.connectionState == .closed)
        await live.stop()
    }

    @Test("records: insert, get, update, delete, queries and aggregates with typed results")
    func records() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let defined = try await client.store.defineBucket(name: "players", config: playersBucket)
        #expect(defined.name == "players")
        #expect(defined.created == true)

        let ada = try await client.store.insert(bucket: "players", data: ["name": "Ada", "score": 10])
        let adaKey = try #require(ada["id"])
        #expect(ada["_version"] == 1)
        _ = try await client.store.insert(bucket: "players", data: ["name": "Bob", "score": 4])
        _ = try await client.store.insert(bucket: "players", data: ["name": "Cy", "score": 7])

        #expect(try await client.store.get(bucket: "players", key: adaKey)["name"] == "Ada")
        #expect(try await client.store.get(bucket: "players", key: "missing") == .null)
        let updated = try await client.store.update(bucket: "players", key: adaKey, data: ["score": 12])
        #expect(updated["score"] == 12)
        #expect(updated["_version"] == 2)

        #expect(try await client.store.count(bucket: "players") == 3)
        #expect(try await client.store.count(bucket: "players", filter: ["name": "Bob"]) == 1)
        #expect(try await client.store.sum(bucket: "players", field: "score") == 23)
        #expect(try await client.store.min(bucket: "players", field: "score") == 4)
        #expect(try await client.store.max(bucket: "players", field: "score") == 12)
        #expect(try await client.store.all(bucket: "players").arrayValue?.count == 3)
        #expect(try await client.store.where(bucket: "players", filter: ["name": "Cy"]).arrayValue?.count == 1)
        #expect(try await client.store.findOne(bucket: "players", filter: ["name": "Bob"])["score"] == 4)
        #expect(try await client.store.first(bucket: "players", n: 2).arrayValue?.count == 2)

        let page = try await client.store.paginate(bucket: "players", limit: 2)
        #expect(page.hasMore == true)
        #expect(page.records.arrayValue?.count == 2)

        let buckets = try await client.store.buckets()
        #expect(buckets.names == ["players"])
        #expect(buckets.count == 1)

        let deleted = try await client.store.delete(bucket: "players", key: adaKey)
        #expect(deleted.deleted)
        let cleared = try await client.store.clear(bucket: "players")
        #expect(cleared.cleared)
        #expect(try await client.store.count(bucket: "players") == 0)
        #expect(try await client.store.stats()["buckets"] != nil)
        await client.close()
        await live.stop()
    }

    @Test("schema administration, queries and transactions")
    func administration() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        let schema = try await client.store.getBucketSchema(name: "players")
        #expect(schema.name == "players")
        #expect(schema.config["key"] == "id")

        let query = try await client.store.defineQuery(name: "top", config: ["bucket": "players", "sort": ["score": "desc"], "limit": 1])
        #expect(query.defined)
        let queries = try await client.store.listQueries()
        #expect(queries.queries.arrayValue?.count == 1)
        #expect(try await client.store.undefineQuery(name: "top").undefined)

        let operations = [StoreTransactionOperation(op: .insert, bucket: "players", data: ["name": "Tx"])]
        let result = try await client.store.transaction(operations: operations)
        #expect(result["results"]?.arrayValue?.count == 1)
        #expect(try await client.store.count(bucket: "players") == 1)
        #expect(try await client.store.dropBucket(name: "players").dropped)
        await client.close()
        await live.stop()
    }

    @Test("server errors are thrown with the protocol's code, message and details")
    func errors() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let missing = await clientError { try await client.store.all(bucket: "nope") }
        #expect(missing?.code == .bucketNotDefined)
        #expect(missing?.isServerError == true)
        #expect(missing?.message.contains("nope") == true)

        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        let invalid = await clientError { try await client.store.insert(bucket: "players", data: ["score": 1]) }
        #expect(invalid?.code == .validationError)
        #expect(invalid?.details != nil)

        let notFound = await clientError { try await client.store.update(bucket: "players", key: "ghost", data: ["score": 1]) }
        #expect(notFound?.code == .notFound)
        #expect(notFound?.message == #"Record with key "ghost" not found in bucket "players""#)

        // A payload the server rejects before the handler (n must be a positive integer).
        let rejected = await clientError { try await client.store.first(bucket: "players", n: 0) }
        #expect(rejected?.code == .validationError)
        await client.close()
        await live.stop()
    }

    @Test("a store subscription yields pushes and ends on unsubscribe")
    func subscription() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "all-players", config: ["bucket": "players"])
        let subscription = try await client.store.subscribe(query: "all-players")
        #expect(subscription.channel == "subscription")
        #expect(subscription.initialData == [])
        let pushes = PushCollector.collecting(subscription)

        _ = try await client.store.insert(bucket: "players", data: ["name": "Ada"])
        #expect(await pushes.wait { values, _ in values.last?.arrayValue?.count == 1 })
        _ = try await client.store.insert(bucket: "players", data: ["name": "Bob"])
        #expect(await pushes.wait { values, _ in values.last?.arrayValue?.count == 2 })

        let ended = try await client.store.unsubscribe(subscriptionId: subscription.id)
        #expect(ended.unsubscribed)
        #expect(await pushes.wait { _, finished in finished })
        // The server no longer knows the subscription.
        #expect(await subscription.serverId() == nil)
        await client.close()
        await live.stop()
    }

    @Test("unsubscribe() on the subscription ends the sequence; an unknown id is NOT_FOUND")
    func unsubscribeMethod() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "n", config: ["bucket": "players", "aggregate": ["function": "count"]])
        let subscription = try await client.store.subscribe(query: "n")
        let pushes = PushCollector.collecting(subscription)
        try await subscription.unsubscribe()
        #expect(await pushes.wait { _, finished in finished })
        let unknown = await clientError { try await client.store.unsubscribe(subscriptionId: "sub-999") }
        #expect(unknown?.code == .notFound)
        let undefined = await clientError { try await client.store.subscribe(query: "missing") }
        #expect(undefined?.code == .queryNotDefined)
        await client.close()
        await live.stop()
    }
}

@Suite("NoexClient subscription lifetime")
struct SubscriptionLifetimeTests {
    @Test("cancelling the task that iterates a subscription ends it on the server")
    func cancelledIterationUnsubscribes() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "all", config: ["bucket": "players"])
        let subscription = try await client.store.subscribe(query: "all")
        let storeSubscriptions = { live.server.getStats()["connections"]?["totalStoreSubscriptions"] }
        #expect(storeSubscriptions() == 1)
        let reader = Task { for await _ in subscription {} }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(await eventually { storeSubscriptions() == 0 })
        #expect(await subscription.serverId() == nil)
        await client.close()
        await live.stop()
    }
}
