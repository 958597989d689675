import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct RulesOperationsTests {
    private let rule: JSONValue = [
        "id": "welcome", "name": "Welcome", "priority": 5, "tags": ["test"],
        "trigger": ["type": "event", "topic": "user.registered"],
        "actions": [["type": "emit_event", "topic": "output.welcome", "data": ["source": "rule"]]],
    ]

    @Test func withoutAnEngineEveryRulesOperationIsUnavailable() async throws {
        let harness = try await Harness.start(rules: false)
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        for type in ["rules.emit", "rules.setFact", "rules.getFact", "rules.deleteFact", "rules.queryFacts",
                     "rules.getAllFacts", "rules.subscribe", "rules.unsubscribe", "rules.stats", "rules.bogus"] {
            let response = try await client.request(type)
            #expect(response.code == "RULES_NOT_AVAILABLE", "\(type)")
            #expect(response.message == "Rule engine is not configured")
        }
    }

    @Test func factsAndEvents() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let event = try await client.result("rules.emit", ["topic": "order.created", "data": ["n": 1], "correlationId": "c1"])
        #expect(event["topic"] == "order.created")
        #expect(event["id"]?.stringValue != nil)
        #expect(event["correlationId"] == "c1")
        #expect(try await client.request("rules.emit").code == "VALIDATION_ERROR")

        #expect(try await client.result("rules.setFact", ["key": "user:1:name", "value": "Ann"])["key"] == "user:1:name")
        _ = try await client.result("rules.setFact", ["key": "user:2:name", "value": "Bo"])
        #expect(try await client.request("rules.setFact", ["key": "k"]).code == "VALIDATION_ERROR")
        #expect(try await client.result("rules.getFact", ["key": "user:1:name"]) == "Ann")
        #expect(try await client.result("rules.getFact", ["key": "nope"]) == .null)
        #expect(try await client.result("rules.queryFacts", ["pattern": "user:*:name"]).arrayValue?.count == 2)
        #expect(try await client.result("rules.queryFacts", ["pattern": "x:*"]) == [])
        #expect(try await client.result("rules.getAllFacts").arrayValue?.count == 2)
        #expect(try await client.result("rules.deleteFact", ["key": "user:1:name"]) == ["deleted": true])
        #expect(try await client.result("rules.deleteFact", ["key": "user:1:name"]) == ["deleted": false])
        #expect(try await client.result("rules.stats")["factsCount"] == 1)
    }

    @Test func subscriptionsMatchPatternsAndStopOnUnsubscribe() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let subscriber = try await harness.client()
        let emitter = try await harness.client()
        let orders = try await subscriber.result("rules.subscribe", ["pattern": "order.*"])["subscriptionId"]?.stringValue
        let all = try await subscriber.result("rules.subscribe", ["pattern": "*"])["subscriptionId"]?.stringValue
        _ = try await emitter.result("rules.emit", ["topic": "order.created", "data": ["x": 1]])
        let push = try await subscriber.nextPush(subscriptionId: orders)
        #expect(push["channel"] == "event")
        #expect(push["data"]?["topic"] == "order.created")
        #expect(push["data"]?["event"]?["data"] == ["x": 1])
        _ = try await subscriber.nextPush(subscriptionId: all)
        _ = try await emitter.result("rules.emit", ["topic": "payment.received"])
        _ = try await subscriber.nextPush(subscriptionId: all)
        #expect((try? await subscriber.nextPush(subscriptionId: orders, timeout: .milliseconds(100))) == nil)
        #expect(try await subscriber.result("rules.unsubscribe", ["subscriptionId": .string(orders ?? "")]) == ["unsubscribed": true])
        #expect(try await subscriber.request("rules.unsubscribe", ["subscriptionId": .string(orders ?? "")]).code == "NOT_FOUND")
    }

    @Test func ownEmitPushArrivesBeforeTheResult() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        _ = try await client.result("rules.subscribe", ["pattern": "ping.*"])
        try await client.sendRaw(#"{"id":99,"type":"rules.emit","topic":"ping.x"}"#)
        let first = try await client.next { $0["type"] == "push" || $0["id"] == 99 }
        #expect(first["type"] == "push")
    }

    @Test func ruleManagementCycle() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let outputs = try await client.result("rules.subscribe", ["pattern": "output.*"])["subscriptionId"]?.stringValue
        let registered = try await client.result("rules.registerRule", ["rule": rule])
        #expect(registered["id"] == "welcome")
        #expect(registered["version"] == 1)
        #expect(try await client.request("rules.registerRule", ["rule": rule]).code == "ALREADY_EXISTS")
        #expect(try await client.request("rules.registerRule", ["rule": ["id": "x", "name": "x"]]).code == "VALIDATION_ERROR")
        #expect(try await client.request("rules.registerRule").code == "VALIDATION_ERROR")

        _ = try await client.result("rules.emit", ["topic": "user.registered"])
        #expect(try await client.nextPush(subscriptionId: outputs)["data"]?["topic"] == "output.welcome")

        let updated = try await client.result("rules.updateRule", ["ruleId": "welcome", "updates": ["priority": 999]])
        #expect((updated["version"]?.numberValue ?? 0) > 1)
        let missing = try await client.request("rules.updateRule", ["ruleId": "ghost", "updates": [:]])
        #expect(missing.code == "NOT_FOUND")
        #expect(missing.message == #"Rule "ghost" not found"#)
        #expect(try await client.result("rules.disableRule", ["ruleId": "welcome"]) == ["ruleId": "welcome", "enabled": false])
        #expect(try await client.result("rules.getRule", ["ruleId": "welcome"])["enabled"] == false)
        #expect(try await client.result("rules.enableRule", ["ruleId": "welcome"]) == ["ruleId": "welcome", "enabled": true])
        #expect(try await client.request("rules.enableRule", ["ruleId": "ghost"]).code == "NOT_FOUND")
        let summaries = try await client.result("rules.getRules")["rules"]?.arrayValue ?? []
        #expect(summaries.count == 1)
        #expect(summaries.first?["actions"] == nil)
        #expect(try await client.result("rules.validateRule", ["rule": rule])["valid"] == true)
        #expect(try await client.result("rules.validateRule", ["rule": ["id": "v"]])["valid"] == false)
        #expect(try await client.result("rules.unregisterRule", ["ruleId": "welcome"]) == ["ruleId": "welcome", "unregistered": true])
        #expect(try await client.request("rules.unregisterRule", ["ruleId": "welcome"]).code == "NOT_FOUND")
        #expect(try await client.result("rules.getRules") == ["rules": []])
    }

    @Test func storeChangesReachTheEngineOnlyWhenForwardingIsOn() async throws {
        for forwarding in [false, true] {
            let harness = try await Harness.start {
                $0.storeEventForwarding = forwarding ? StoreEventForwarding(pattern: "bucket.users.*") : nil
            }
            try harness.defineUsers()
            let client = try await harness.client()
            let id = try await client.result("rules.subscribe", ["pattern": "bucket.users.*"])["subscriptionId"]?.stringValue
            _ = try await client.result("store.insert", ["bucket": "users", "data": ["name": "Fwd"]])
            if forwarding {
                let push = try await client.nextPush(subscriptionId: id)
                #expect(push["data"]?["topic"] == "bucket.users.inserted")
                #expect(push["data"]?["event"]?["source"] == "store")
                #expect(push["data"]?["event"]?["data"]?["record"]?["name"] == "Fwd")
            } else {
                #expect(await client.noPush())
            }
            await harness.stop()
        }
    }
}
