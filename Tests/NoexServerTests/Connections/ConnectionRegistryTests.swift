import NoexServer
import Testing

@Suite struct ConnectionRegistryTests {
    func info(_ id: String) -> ConnectionInfo {
        ConnectionInfo(connectionId: id, remoteAddress: "127.0.0.1", connectedAt: 0)
    }

    @Test func listingsStayInConnectOrder() {
        let registry = ConnectionRegistry()
        for id in ["conn-1", "conn-2", "conn-3", "conn-4"] { registry.register(info(id)) }
        registry.unregister("conn-2")
        registry.unregister("conn-9")   // unknown: ignored
        registry.register(info("conn-5"))
        // Registering a known id again replaces its entry in place.
        var renamed = info("conn-1")
        renamed.userId = "alice"
        registry.register(renamed)
        #expect(registry.all().map(\.connectionId) == ["conn-1", "conn-3", "conn-4", "conn-5"])
        #expect(registry.info("conn-1")?.userId == "alice")
        #expect(registry.count == 4)
    }

    @Test func subscriptionTotalFollowsEveryChange() {
        let registry = ConnectionRegistry()
        registry.register(info("a"))
        registry.register(info("b"))
        registry.update("a") { $0.storeSubscriptionCount = 3 }
        registry.update("b") { $0.rulesSubscriptionCount = 2 }
        registry.update("missing") { $0.storeSubscriptionCount = 100 }
        #expect(registry.totalSubscriptions == 5)
        registry.update("a") { $0.storeSubscriptionCount -= 1 }
        #expect(registry.totalSubscriptions == 4)
        registry.register(info("b"))   // re-registered with no subscriptions
        #expect(registry.totalSubscriptions == 2)
        registry.unregister("a")
        #expect(registry.totalSubscriptions == 0)
    }

    @Test func thousandsComeAndGo() {
        let registry = ConnectionRegistry()
        for i in 0..<20_000 { registry.register(info("conn-\(i)")) }
        for i in stride(from: 0, to: 20_000, by: 2) { registry.unregister("conn-\(i)") }
        let listed = registry.all().map(\.connectionId)
        #expect(listed.count == 10_000)
        #expect(listed.first == "conn-1" && listed.last == "conn-19999")
    }
}
