import Foundation
import NoexRules
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

@Suite struct SchemaApplicationTests {
    static let schemaJSON: JSONValue = [
        "buckets": ["messages": .object(messagesConfig)],
        "queries": ["room": .object(roomQueryConfig)],
        "procedures": [
            "post": [
                "input": ["text": ["type": "string"]],
                "steps": [["action": "store.insert", "bucket": "messages", "data": ["room": "lobby", "text": "{{ input.text }}"]]],
            ]
        ],
        "rules": [["id": "echo", "name": "Echo", "trigger": ["type": "event", "topic": "ping"]]],
    ]

    static func schema(_ edit: (inout JSONObject) -> Void = { _ in }) throws -> ServerSchema {
        var object = try #require(schemaJSON.objectValue)
        edit(&object)
        return try ServerSchema(json: .object(object))
    }

    @Test func createsWhatIsMissingAndLeavesWhatIsInPlace() async throws {
        let location = try #require(RestartFixture.locations().first)
        defer { try? FileManager.default.removeItem(atPath: location.directory) }
        let schema = try Self.schema()
        var fixture = try await RestartFixture.start(location.persistence) { $0.schema = schema }
        #expect(
            fixture.server.startupReport.schemaChanges == [
                "created bucket \"messages\"", "created query \"room\"", "created procedure \"post\"", "created rule \"echo\"",
            ])
        let client = try await fixture.client()
        _ = try await client.result("procedures.call", ["name": "post", "input": ["text": "hi"]])
        let subscribed = try await client.result("store.subscribe", ["query": "room", "params": ["room": "lobby"]])
        #expect(subscribed["data"]?.arrayValue?.count == 1)
        #expect(try await client.result("rules.getRule", ["ruleId": "echo"])["enabled"] == true)
        await client.close()
        await fixture.stop()

        // The same file again: nothing to do, the data kept.
        fixture = try await RestartFixture.start(location.persistence) { $0.schema = schema }
        #expect(fixture.server.startupReport.schemaChanges == [])
        #expect(fixture.server.startupReport.schemaUnchanged == 4)
        #expect(try fixture.store.bucket("messages").count() == 1)
        await fixture.stop()

        // A changed file replaces what changed.
        let changed = try Self.schema { object in
            var bucket = messagesConfig
            bucket["indexes"] = ["room"]
            object["buckets"] = ["messages": .object(bucket)]
            object["procedures"] = ["post": ["steps": [["action": "return", "value": "closed"]]]]
        }
        fixture = try await RestartFixture.start(location.persistence) { $0.schema = changed }
        defer { Task { [fixture] in await fixture.stop() } }
        #expect(fixture.server.startupReport.schemaChanges == ["updated bucket \"messages\"", "updated procedure \"post\""])
        #expect(fixture.server.startupReport.schemaUnchanged == 2)
        #expect(try fixture.store.bucketSchema("messages")["indexes"] == ["room"])
        #expect(try fixture.store.bucket("messages").count() == 1)
        let again = try await fixture.client()
        #expect(try await again.result("procedures.call", ["name": "post"])["result"] == "closed")
    }

    @Test func theFileOwnsTheNamesItDeclares() async throws {
        let location = try #require(RestartFixture.locations().first)
        defer { try? FileManager.default.removeItem(atPath: location.directory) }
        let schema = try Self.schema()
        var fixture = try await RestartFixture.start(location.persistence) { $0.schema = schema }
        let client = try await fixture.client()
        // Changed over the wire: saved, and in effect until the next start.
        _ = try await client.result("store.undefineQuery", ["name": "room"])
        _ = try await client.result("store.defineQuery", ["name": "room", "config": ["bucket": "messages"]])
        _ = try await client.result("rules.disableRule", ["ruleId": "echo"])
        await client.close()
        await fixture.stop()

        fixture = try await RestartFixture.start(location.persistence) { $0.schema = schema }
        defer { Task { [fixture] in await fixture.stop() } }
        #expect(fixture.server.startupReport.schemaChanges == ["updated query \"room\"", "updated rule \"echo\""])
        #expect(fixture.store.listQueries().first?.config == roomQueryConfig)
        #expect(fixture.rules.getRule("echo")?.enabled == true)
        // The saved copies are the file's versions again.
        #expect(try fixture.store.bucket("_queries").get("room")?["config"] == .object(roomQueryConfig))
        #expect(try fixture.store.bucket("_rules").get("echo")?["config"]?["enabled"] == true)
    }

    @Test func aDefinitionThatCannotBeAppliedStopsTheStart() async throws {
        let failures: [(ServerSchema, Bool, String)] = [
            (try ServerSchema(json: ["queries": ["q": ["bucket": "nowhere"]]]), true, "query \"q\": "),
            (try ServerSchema(json: ["buckets": ["b": ["key": "id", "indexes": ["missing"]]]]), true, "bucket \"b\": "),
            (try ServerSchema(json: ["procedures": ["p": ["steps": []]]]), true, "procedure \"p\": "),
            (try ServerSchema(json: ["rules": [["id": "r"]]]), true, "rule \"r\": "),
            (try Self.schema(), false, "schema declares rules but the rules engine is disabled"),
        ]
        for (schema, withRules, prefix) in failures {
            await #expect {
                _ = try await Harness.start(rules: withRules) { $0.schema = schema }
            } throws: { error in
                String(describing: error).hasPrefix(prefix)
            }
        }
    }
}
