import Foundation
import NoexAuth
import NoexRules
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Synchronization
import Testing

/// A live server over a store on disk, stopped and started again on the same data: what
/// clients defined over the wire must be there after the restart.
struct RestartFixture {
    let server: NoexServer
    let store: Store
    let rules: RuleEngine

    /// Opens the store at `persistence`, restores it, and starts a live server on port 0.
    static func start(
        _ persistence: PersistenceConfiguration, _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> RestartFixture {
        let store = try Store(configuration: StoreConfiguration(persistence: persistence))
        let rules = RuleEngine()
        var configuration = ServerConfiguration(store: store, rules: rules)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logWarning = { _ in }
        configure(&configuration)
        do {
            let server = try await NoexServer.start(configuration)
            return RestartFixture(server: server, store: store, rules: rules)
        } catch {
            rules.stop()
            try? store.close()
            throw error
        }
    }

    /// A live WebSocket client.
    func client() async throws -> TestClient { try await TestClient.live(port: server.port) }

    /// Stops everything, as the CLI does on SIGTERM.
    func stop() async {
        await server.stop()
        rules.stop()
        try? store.close()
    }

    /// A fresh persistence location of each kind, removed by `cleanUp`.
    static func locations() -> [(name: String, persistence: PersistenceConfiguration, directory: String)] {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("noex-restart-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        return [
            ("file", .file(directory: base + "/data"), base),
            ("sqlite", .sqlite(path: base + "/noex.db"), base),
        ]
    }
}

/// The `messages` bucket and `room` query the chat example defines over the wire.
let messagesConfig: JSONObject = [
    "key": "id",
    "schema": [
        "id": ["type": "string", "generated": "uuid"],
        "room": ["type": "string", "required": true],
        "text": ["type": "string", "required": true],
    ],
]
let roomQueryConfig: JSONObject = ["bucket": "messages", "filter": ["room": "{{ params.room }}"], "sort": ["text": "asc"]]

@Suite struct RestartTests {
    @Test(arguments: ["file", "sqlite"])
    func whatClientsDefineOverTheWireSurvivesARestart(kind: String) async throws {
        let location = try #require(RestartFixture.locations().first { $0.name == kind })
        defer { try? FileManager.default.removeItem(atPath: location.directory) }

        var fixture = try await RestartFixture.start(location.persistence)
        let client = try await fixture.client()
        _ = try await client.result("store.defineBucket", ["name": "messages", "config": .object(messagesConfig)])
        _ = try await client.result("store.defineQuery", ["name": "room", "config": .object(roomQueryConfig)])
        _ = try await client.result("store.defineQuery", ["name": "gone", "config": ["bucket": "messages"]])
        _ = try await client.result("store.undefineQuery", ["name": "gone"])
        let first = try await client.result("store.subscribe", ["query": "room", "params": ["room": "lobby"]])
        #expect(first["data"] == [])
        _ = try await client.result("store.insert", ["bucket": "messages", "data": ["room": "lobby", "text": "a"]])
        _ = try await client.result(
            "procedures.register",
            [
                "procedure": [
                    "name": "post",
                    "input": ["text": ["type": "string"]],
                    "steps": [["action": "store.insert", "bucket": "messages", "data": ["room": "lobby", "text": "{{ input.text }}"], "as": "r"]],
                ]
            ])
        _ = try await client.result("procedures.update", ["name": "post", "updates": ["description": "posts to the lobby"]])
        _ = try await client.result(
            "procedures.register", ["procedure": ["name": "temporary", "steps": [["action": "store.count", "bucket": "messages", "as": "n"]]]])
        _ = try await client.result("procedures.unregister", ["name": "temporary"])
        let rule: JSONObject = [
            "id": "echo", "name": "Echo", "trigger": ["type": "event", "topic": "ping"],
            "actions": [["type": "emit_event", "topic": "pong", "data": [:]]],
        ]
        _ = try await client.result("rules.registerRule", ["rule": .object(rule)])
        _ = try await client.result("rules.disableRule", ["ruleId": "echo"])
        var other = rule
        other["id"] = "other"
        _ = try await client.result("rules.registerRule", ["rule": .object(other)])
        _ = try await client.result("rules.updateRule", ["ruleId": "other", "updates": ["priority": 7]])
        var removed = rule
        removed["id"] = "removed"
        _ = try await client.result("rules.registerRule", ["rule": .object(removed)])
        _ = try await client.result("rules.unregisterRule", ["ruleId": "removed"])
        await client.close()
        await fixture.stop()

        fixture = try await RestartFixture.start(location.persistence)
        defer { Task { [fixture] in await fixture.stop() } }
        #expect(fixture.server.startupReport.restoredQueries == 1)
        #expect(fixture.server.startupReport.restoredProcedures == 1)
        #expect(fixture.server.startupReport.restoredRules == 2)
        #expect(fixture.server.startupReport.notes.isEmpty)
        let again = try await fixture.client()
        // The resubscribing client gets its result instead of QUERY_NOT_DEFINED.
        let resubscribed = try await again.result("store.subscribe", ["query": "room", "params": ["room": "lobby"]])
        #expect(resubscribed["data"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == ["a"])
        let subscriptionId = try #require(resubscribed["subscriptionId"]?.stringValue)
        let called = try await again.result("procedures.call", ["name": "post", "input": ["text": "b"]])
        #expect(called["success"] == true)
        let push = try await again.nextPush(subscriptionId: subscriptionId)
        #expect(push["data"]?.arrayValue?.compactMap { $0["text"]?.stringValue } == ["a", "b"])
        #expect(try await again.result("procedures.get", ["name": "post"])["description"] == "posts to the lobby")
        #expect(try await again.request("procedures.get", ["name": "temporary"]).code == "NOT_FOUND")
        #expect(try await again.request("store.subscribe", ["query": "gone"]).code == "QUERY_NOT_DEFINED")
        #expect(try await again.result("rules.getRule", ["ruleId": "echo"])["enabled"] == false)
        #expect(try await again.result("rules.getRule", ["ruleId": "other"])["priority"] == 7)
        #expect(try await again.request("rules.getRule", ["ruleId": "removed"]).code == "NOT_FOUND")
        // The saved copies stay out of sight.
        let names = try await again.result("store.buckets")["names"]?.arrayValue ?? []
        #expect(names == ["messages"])
        let stats = try await again.result("store.stats")
        #expect(stats["buckets"]?["names"] == ["messages"])
        // Removing over the wire removes the saved copy too.
        _ = try await again.result("store.undefineQuery", ["name": "room"])
        _ = try await again.result("procedures.unregister", ["name": "post"])
        _ = try await again.result("rules.unregisterRule", ["ruleId": "echo"])
        _ = try await again.result("rules.enableRule", ["ruleId": "other"])
        await again.close()
        await fixture.stop()

        fixture = try await RestartFixture.start(location.persistence)
        #expect(fixture.server.startupReport.restoredQueries == 0)
        #expect(fixture.server.startupReport.restoredProcedures == 0)
        #expect(fixture.server.startupReport.restoredRules == 1)
        #expect(fixture.rules.getRule("other")?.enabled == true)
        #expect(fixture.rules.getRule("echo") == nil)
        // The records themselves were kept by the store's own persistence.
        #expect(try fixture.store.bucket("messages").count() == 2)
    }

    @Test func clientsCannotReachTheSavedDefinitions() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        _ = try await client.result("store.defineQuery", ["name": "everyone", "config": ["bucket": "users"]])
        #expect(harness.store.hasBucket("_queries"))
        for bucket in ["_queries", "_procedures", "_rules"] {
            #expect(try await client.request("store.all", ["bucket": .string(bucket)]).code == "FORBIDDEN")
            #expect(
                try await client.request("store.insert", ["bucket": .string(bucket), "data": ["name": "x", "config": [:]]]).code
                    == "FORBIDDEN")
            #expect(try await client.request("store.dropBucket", ["name": .string(bucket)]).code == "FORBIDDEN")
            #expect(
                try await client.request(
                    "store.transaction", ["operations": [["op": "delete", "bucket": .string(bucket), "key": "everyone"]]]
                ).code == "FORBIDDEN")
            #expect(
                try await client.request("store.defineQuery", ["name": "peek", "config": ["bucket": .string(bucket)]]).code
                    == "FORBIDDEN")
        }
        // Other `_` buckets stay ordinary without built-in identity.
        _ = try await client.result("store.defineBucket", ["name": "_mine", "config": ["key": "id", "schema": ["id": ["type": "string"]]]])
        #expect(try await client.result("store.buckets")["names"] == ["users", "_mine"])
    }

    @Test func aSavedQueryWhoseBucketIsGoneIsReportedAndKept() async throws {
        let location = try #require(RestartFixture.locations().first)
        defer { try? FileManager.default.removeItem(atPath: location.directory) }
        var fixture = try await RestartFixture.start(location.persistence)
        let client = try await fixture.client()
        _ = try await client.result("store.defineBucket", ["name": "messages", "config": .object(messagesConfig)])
        _ = try await client.result("store.defineQuery", ["name": "room", "config": .object(roomQueryConfig)])
        _ = try await client.result("store.dropBucket", ["name": "messages"])
        await client.close()
        await fixture.stop()

        fixture = try await RestartFixture.start(location.persistence)
        #expect(fixture.server.startupReport.restoredQueries == 0)
        #expect(fixture.server.startupReport.notes.count == 1)
        #expect(fixture.server.startupReport.notes.first?.hasPrefix("query \"room\" not restored: ") == true)
        // The bucket comes back: so does the query at the next start.
        try fixture.store.defineBucket("messages", json: messagesConfig)
        await fixture.stop()
        fixture = try await RestartFixture.start(location.persistence)
        #expect(fixture.server.startupReport.restoredQueries == 1)
        await fixture.stop()
    }

    @Test func aclsAndBucketsOfBuiltInIdentitySurviveARestart() async throws {
        let location = try #require(RestartFixture.locations().first)
        defer { try? FileManager.default.removeItem(atPath: location.directory) }
        let identity: (inout ServerConfiguration) -> Void = {
            $0.identity = BuiltInIdentityConfiguration(adminSecret: testAdminSecret, passwordHashCost: testHashCost)
        }
        var fixture = try await RestartFixture.start(location.persistence, identity)
        let admin = try await fixture.client()
        _ = try await admin.result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])
        let user = try await admin.result("identity.createUser", ["username": "bob", "password": "password123"])
        let bobId = try #require(user["id"]?.stringValue)
        _ = try await admin.result("store.defineBucket", ["name": "docs", "config": .object(messagesConfig)])
        _ = try await admin.result(
            "identity.grant",
            ["subjectType": "user", "subjectId": .string(bobId), "resourceType": "bucket", "resourceName": "docs", "operations": ["read"]])
        let before = try await fixture.client()
        let login = try await before.result("identity.login", ["username": "bob", "password": "password123"])
        let token = try #require(login["token"]?.stringValue)
        await before.close()
        await admin.close()
        await fixture.stop()

        fixture = try await RestartFixture.start(location.persistence, identity)
        defer { Task { [fixture] in await fixture.stop() } }
        // The session stored before the restart resumes with its token.
        let bob = try await fixture.client()
        _ = try await bob.result("auth.login", ["token": .string(token)])
        #expect(try await bob.result("store.all", ["bucket": "docs"]) == [])
        #expect(try await bob.request("store.insert", ["bucket": "docs", "data": ["room": "r", "text": "t"]]).code == "FORBIDDEN")
    }
}

/// A persistence adapter whose writes fail while `failing` is set (a full disk).
final class FailingAdapter: PersistenceAdapter {
    let inner = MemoryPersistenceAdapter()
    let failing = Atomic<Bool>(false)

    func load() throws(StoreError) -> PersistedState { try inner.load() }
    func write(_ changes: [SequencedChange], durability: Durability) throws(StoreError) {
        if failing.load(ordering: .relaxed) { throw .persistence("No space left on device") }
        try inner.write(changes, durability: durability)
    }
    var wantsSnapshot: Bool { false }
    func writeSnapshot(_ state: PersistedState) throws(StoreError) {
        if failing.load(ordering: .relaxed) { throw .persistence("No space left on device") }
        try inner.writeSnapshot(state)
    }
    func close() throws(StoreError) {}
}

@Suite struct DefinitionSaveFailureTests {
    @Test func aChangeThatCannotBeSavedIsUndoneAndAnsweredAsAnError() async throws {
        let adapter = FailingAdapter()
        var fixture = try await RestartFixture.start(.custom(adapter))
        let client = try await fixture.client()
        _ = try await client.result("store.defineBucket", ["name": "messages", "config": .object(messagesConfig)])
        _ = try await client.result("store.defineQuery", ["name": "kept", "config": ["bucket": "messages"]])
        let rule: JSONObject = ["id": "r", "name": "R", "trigger": ["type": "event", "topic": "t"]]
        _ = try await client.result("rules.registerRule", ["rule": .object(rule)])

        adapter.failing.store(true, ordering: .relaxed)
        let query = try await client.request("store.defineQuery", ["name": "lost", "config": ["bucket": "messages"]])
        #expect(query["type"] == "error")
        #expect(try await client.request("store.subscribe", ["query": "lost"]).code == "QUERY_NOT_DEFINED")
        let procedure = try await client.request(
            "procedures.register", ["procedure": ["name": "p", "steps": [["action": "return", "value": 1]]]])
        #expect(procedure["type"] == "error")
        #expect(try await client.request("procedures.get", ["name": "p"]).code == "NOT_FOUND")
        #expect(try await client.request("rules.disableRule", ["ruleId": "r"])["type"] == "error")
        #expect(try await client.result("rules.getRule", ["ruleId": "r"])["enabled"] == true)
        #expect(try await client.request("store.undefineQuery", ["name": "kept"])["type"] == "error")
        #expect(try await client.result("store.subscribe", ["query": "kept"])["subscriptionId"] != nil)
        adapter.failing.store(false, ordering: .relaxed)
        await client.close()
        await fixture.stop()

        // What the answers reported is what comes back.
        fixture = try await RestartFixture.start(.custom(adapter))
        defer { Task { [fixture] in await fixture.stop() } }
        #expect(fixture.store.listQueries().map(\.name) == ["kept"])
        #expect(fixture.rules.getRule("r")?.enabled == true)
        #expect(fixture.server.startupReport.restoredProcedures == 0)
    }
}

@Suite struct SameStoreRestartTests {
    /// A server stopped and started again on the same `Store` and `RuleEngine` (in-process)
    /// finds the definitions in place and keeps them saved for a real restart.
    @Test func aNewServerOnTheSameStoreKeepsTheSavedCopies() async throws {
        let adapter = MemoryPersistenceAdapter()
        let store = try Store(configuration: StoreConfiguration(persistence: .custom(adapter)))
        let rules = RuleEngine()
        var configuration = ServerConfiguration(store: store, rules: rules)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logWarning = { _ in }
        var server = try await NoexServer.start(configuration)
        var client = try await TestClient.inProcess(server)
        _ = try await client.result("store.defineBucket", ["name": "messages", "config": .object(messagesConfig)])
        _ = try await client.result("store.defineQuery", ["name": "room", "config": .object(roomQueryConfig)])
        _ = try await client.result(
            "rules.registerRule", ["rule": ["id": "r", "name": "R", "trigger": ["type": "event", "topic": "t"]]])
        _ = try await client.result("rules.disableRule", ["ruleId": "r"])
        await server.stop()

        server = try await NoexServer.start(configuration)
        #expect(server.startupReport.restoredQueries == 1)
        #expect(server.startupReport.restoredRules == 1)
        #expect(server.startupReport.notes.isEmpty)
        client = try await TestClient.inProcess(server)
        #expect(try await client.result("store.subscribe", ["query": "room", "params": ["room": "x"]])["data"] == [])
        await server.stop()
        rules.stop()
        try store.close()

        // A real restart (a new store and engine on the same persisted data) still has them.
        let fixture = try await RestartFixture.start(.custom(adapter))
        defer { Task { await fixture.stop() } }
        #expect(fixture.store.listQueries().map(\.name) == ["room"])
        #expect(fixture.rules.getRule("r")?.enabled == false)
    }

    @Test func aNameDefinedInCodeBeforeTheStartKeepsItsDefinition() async throws {
        let adapter = MemoryPersistenceAdapter()
        let fixture = try await RestartFixture.start(.custom(adapter))
        let client = try await fixture.client()
        _ = try await client.result("store.defineBucket", ["name": "messages", "config": .object(messagesConfig)])
        _ = try await client.result("store.defineQuery", ["name": "room", "config": .object(roomQueryConfig)])
        await client.close()
        await fixture.stop()

        let store = try Store(configuration: StoreConfiguration(persistence: .custom(adapter)))
        try store.defineQuery("room", json: ["bucket": "messages"])
        var configuration = ServerConfiguration(store: store)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logWarning = { _ in }
        let server = try await NoexServer.start(configuration)
        #expect(server.startupReport.restoredQueries == 0)
        #expect(server.startupReport.notes == [#"query "room": kept the definition made at start; the saved copy is dropped"#])
        #expect(store.listQueries().first?.config == ["bucket": "messages"])
        #expect(try store.bucket("_queries").count() == 0)
        await server.stop()
        try store.close()
    }
}
