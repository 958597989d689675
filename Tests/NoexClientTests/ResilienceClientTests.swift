import NoexClient
import NoexProtocol
import NoexServer
import NoexStore
import NoexWire
import Testing

@Suite("NoexClient timeouts, heartbeat and reconnection against a live server")
struct ResilienceClientTests {
    @Test("a request without an answer times out with TIMEOUT; the connection stays usable")
    func requestTimeout() async throws {
        // The token validator never finishes in time, so auth.login gets no answer.
        let live = try await LiveServer.start { configuration in
            configuration.auth = TokenAuthConfiguration(required: false) { _ in
                try await Task.sleep(for: .seconds(1))
                return nil
            }
        }
        let client = try await live.client()
        let error = await clientError { try await client.auth.login(token: "slow", timeout: .milliseconds(100)) }
        #expect(error?.code == .timeout)
        #expect(error?.isServerError == false)
        // The configured default applies when no override is given.
        let short = try await live.client { $0.requestTimeout = .milliseconds(100) }
        #expect(await clientError { try await short.auth.login(token: "slow") }?.code == .timeout)
        // Other requests still work (answers are correlated by id, not by order of sending).
        #expect(try await client.store.buckets().count == 0)
        await short.close()
        await client.close()
        await live.stop()
    }

    @Test("after a server restart on the same port the client reconnects, logs in again and pushes resume")
    func reconnectResubscribes() async throws {
        let store = try Store()
        let auth: (inout ServerConfiguration) -> Void = { configuration in
            configuration.auth = TokenAuthConfiguration(required: true) { token in
                token == "t0k3n" ? AuthSession(userId: "alice", roles: ["admin"]) : nil
            }
        }
        var live = try await LiveServer.start(store: store, configure: auth)
        let port = live.server.port
        let client = try await live.client()
        _ = try await client.auth.login(token: "t0k3n")
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "names", config: ["bucket": "players", "fields": ["name"]])
        let subscription = try await client.store.subscribe(query: "names")
        let firstServerId = await subscription.serverId()
        let events = try await client.rules.subscribe(pattern: "game.*")
        let pushes = PushCollector.collecting(subscription)
        let eventPushes = PushCollector.collecting(events)
        let states = await client.connectionStates()
        let observed = Task {
            var seen: [ConnectionState] = []
            for await state in states {
                seen.append(state)
                if seen.count > 1 && state == .connected { break }
            }
            return seen
        }

        _ = try await client.store.insert(bucket: "players", data: ["name": "before"])
        #expect(await pushes.wait { values, _ in values.last?.arrayValue?.count == 1 })

        // Restart: same port, same store; the client's subscription ids are unknown to it.
        await live.stop()
        live = try await LiveServer.start(port: port, store: store, configure: auth)
        let seen = await observed.value
        #expect(seen.first == .connected)
        #expect(seen.contains(.reconnecting(attempt: 1)))
        #expect(seen.last == .connected)
        #expect(await eventually { await client.connectionState == .connected && live.server.connectionCount == 1 })

        // Logged in again (required auth would refuse the insert otherwise), and re-subscribed.
        #expect(try await client.auth.whoami().userId == "alice")
        _ = try await client.store.insert(bucket: "players", data: ["name": "after"])
        #expect(await pushes.wait { values, _ in values.last?.arrayValue?.count == 2 })
        #expect(await pushes.finished == false)
        let secondServerId = await subscription.serverId()
        #expect(secondServerId != nil)
        #expect(firstServerId != nil)

        _ = try await client.rules.emit(topic: "game.over")
        #expect(await eventPushes.wait { values, _ in values.last?["topic"] == "game.over" })

        // The client-side id still ends the subscription after the reconnect.
        #expect(try await client.store.unsubscribe(subscriptionId: subscription.id).unsubscribed)
        #expect(await pushes.wait { _, finished in finished })
        await client.close()
        #expect(await eventPushes.wait { _, finished in finished })
        await live.stop()
    }

    @Test("requests made while reconnecting are sent once the connection is back")
    func queuedDuringReconnect() async throws {
        let store = try Store()
        var live = try await LiveServer.start(store: store)
        let port = live.server.port
        let client = try await live.client { $0.reconnect = ReconnectPolicy(initialDelay: .milliseconds(200), maximumDelay: .milliseconds(400)) }
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        await live.stop()
        #expect(await eventually { await client.connectionState != .connected })
        // Issued while disconnected: waits in the queue, then runs on the new server.
        let pending = Task { try await client.store.insert(bucket: "players", data: ["name": "queued"]) }
        live = try await LiveServer.start(port: port, store: store)
        let inserted = try await pending.value
        #expect(inserted["name"] == "queued")
        #expect(try await client.store.count(bucket: "players") == 1)
        await client.close()
        await live.stop()
    }

    @Test("without reconnection a lost connection closes the client and fails requests")
    func noReconnect() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client { $0.reconnect = nil }
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "all", config: ["bucket": "players"])
        let pushes = PushCollector.collecting(try await client.store.subscribe(query: "all"))
        await live.stop()
        #expect(await eventually { await client.connectionState == .closed })
        #expect(await pushes.wait { _, finished in finished })
        #expect(await clientError { try await client.store.buckets() }?.code == .clientClosed)
    }

    @Test("close fails queued requests with CLIENT_CLOSED and ends subscriptions")
    func closeEndsEverything() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "all", config: ["bucket": "players"])
        let pushes = PushCollector.collecting(try await client.store.subscribe(query: "all"))
        await client.close()
        #expect(await pushes.wait { _, finished in finished })
        #expect(await clientError { try await client.store.buckets() }?.code == .clientClosed)
        #expect(await eventually { live.server.connectionCount == 0 })
        await live.stop()
    }
}

@Suite("NoexClient edge cases of reconnection and cancellation")
struct ReconnectEdgeTests {
    @Test("a subscription the new server refuses ends its sequence; others carry on")
    func refusedResubscribe() async throws {
        var live = try await LiveServer.start()
        let port = live.server.port
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "players", config: playersBucket)
        _ = try await client.store.defineQuery(name: "all", config: ["bucket": "players"])
        let store = PushCollector.collecting(try await client.store.subscribe(query: "all"))
        let events = PushCollector.collecting(try await client.rules.subscribe(pattern: "*"))
        await live.stop()
        // A fresh store: the query "all" does not exist there.
        live = try await LiveServer.start(port: port)
        #expect(await store.wait { _, finished in finished })
        #expect(await eventually { await client.connectionState == .connected && live.server.connectionCount == 1 })
        _ = try await client.rules.emit(topic: "still.here")
        #expect(await events.wait { values, _ in values.last?["topic"] == "still.here" })
        #expect(await events.finished == false)
        await client.close()
        await live.stop()
    }

    @Test("reconnecting gives up after maximumAttempts and closes the client")
    func givesUp() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client {
            $0.reconnect = ReconnectPolicy(initialDelay: .milliseconds(5), maximumDelay: .milliseconds(10), maximumAttempts: 2)
        }
        let states = await client.connectionStates()
        await live.stop()
        var seen: [ConnectionState] = []
        for await state in states { seen.append(state) }
        #expect(seen == [.connected, .reconnecting(attempt: 1), .reconnecting(attempt: 2), .closed])
        #expect(await clientError { try await client.server.stats() }?.code == .clientClosed)
    }

    @Test("cancelling the calling task fails the request with CANCELLED")
    func cancellation() async throws {
        let live = try await LiveServer.start { configuration in
            configuration.auth = TokenAuthConfiguration(required: false) { _ in
                try await Task.sleep(for: .seconds(1))
                return nil
            }
        }
        let client = try await live.client()
        let call = Task { await clientError { try await client.auth.login(token: "slow") } }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        let error = await call.value
        #expect(error?.code == .cancelled)
        #expect(try await client.store.buckets().count == 0)
        await client.close()
        await live.stop()
    }

    @Test("system events arrive on systemEvents: a graceful stop announces shutdown")
    func systemEvents() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client { $0.reconnect = nil }
        let stopping = Task { await live.server.stop(gracePeriod: .milliseconds(200)) }
        var iterator = client.systemEvents.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event?["event"] == "shutdown")
        #expect(event?["gracePeriodMs"] == 200)
        await stopping.value
        await client.close()
    }
}
