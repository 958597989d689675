import NoexClient
import NoexProtocol
import NoexWire
import Testing

@Suite("NoexClient rules operations against a live server")
struct RulesClientTests {
    @Test("facts: set, get, query, delete")
    func facts() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let fact = try await client.rules.setFact(key: "user:1:tier", value: "gold")
        #expect(fact["key"] == "user:1:tier")
        #expect(try await client.rules.getFact(key: "user:1:tier") == "gold")
        #expect(try await client.rules.getFact(key: "nothing") == .null)
        #expect(try await client.rules.queryFacts(pattern: "user:1:*").arrayValue?.count == 1)
        #expect(try await client.rules.getAllFacts().arrayValue?.count == 1)
        let deleted = try await client.rules.deleteFact(key: "user:1:tier")
        #expect(deleted.deleted)
        #expect(try await client.rules.stats()["factsCount"] == 0)
        await client.close()
        await live.stop()
    }

    @Test("events: emit reaches an event subscription; unsubscribe ends it")
    func events() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let subscription = try await client.rules.subscribe(pattern: "order.*")
        #expect(subscription.channel == "event")
        let pushes = PushCollector.collecting(subscription)
        let emitted = try await client.rules.emit(topic: "order.created", data: ["total": 42])
        #expect(emitted["topic"] == "order.created")
        _ = try await client.rules.emit(topic: "invoice.created")
        #expect(await pushes.wait { values, _ in values.count == 1 })
        let push = await pushes.values.first
        #expect(push?["topic"] == "order.created")
        #expect(push?["event"]?["data"]?["total"] == 42)
        let ended = try await client.rules.unsubscribe(subscriptionId: subscription.id)
        #expect(ended.unsubscribed)
        #expect(await pushes.wait { _, finished in finished })
        await client.close()
        await live.stop()
    }

    @Test("rule management: register, get, disable, enable, update, validate, unregister")
    func ruleManagement() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let rule: JSONObject = [
            "id": "vip", "name": "VIP", "priority": 1, "enabled": true, "tags": ["crm"],
            "trigger": ["type": "event", "topic": "order.created"],
            "conditions": [], "actions": [["type": "set_fact", "key": "vip", "value": true]],
        ]
        let validation = try await client.rules.validateRule(rule: rule)
        #expect(validation.valid)
        let registered = try await client.rules.registerRule(rule: rule)
        #expect(registered.id == "vip")
        #expect(registered.version == 1)
        #expect(try await client.rules.getRule(ruleId: "vip")["name"] == "VIP")
        #expect(try await client.rules.getRules().rules.arrayValue?.count == 1)
        #expect(try await client.rules.disableRule(ruleId: "vip").enabled == false)
        #expect(try await client.rules.enableRule(ruleId: "vip").enabled == true)
        #expect(try await client.rules.updateRule(ruleId: "vip", updates: ["name": "Very"]).version == 2)
        #expect(try await client.rules.getRule(ruleId: "vip")["name"] == "Very")
        _ = try await client.rules.emit(topic: "order.created")
        #expect(await eventually { (try? await client.rules.getFact(key: "vip")) == true })
        #expect(try await client.rules.unregisterRule(ruleId: "vip").unregistered)
        let gone = await clientError { try await client.rules.updateRule(ruleId: "vip", updates: ["name": "x"]) }
        #expect(gone?.code == .notFound)
        #expect(gone?.message == #"Rule "vip" not found"#)
        await client.close()
        await live.stop()
    }
}
