import NoexAuth
import NoexProtocol
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Synchronization
import Testing

/// F22 (issue 14 item 3): authorization reads exactly the resources the operation touches, all
/// of them, from the fields its handler acts on. Each attack goes over a real socket, is refused
/// with FORBIDDEN, leaves its target untouched, and a healthy client on another connection
/// keeps getting answers.
@Suite struct ResourceAuthorizationTests {
    /// A built-in-identity server with two buckets (`mine`, `secret`), a query over `secret`, a
    /// fact per side, a rule, and three attackers:
    /// - `carol`: custom role limited to bucket `mine` and topics `mine.*`, with every
    ///   `store.*` and `rules.*` operation;
    /// - `aclAdmin`: a reader holding an ACL `admin` grant on bucket `mine` and on topic `t1`;
    /// - `watcher`: may subscribe to every topic and read bucket `mine` only.
    struct Scene {
        let harness: Harness
        let root: TestClient
        let healthy: TestClient

        static func start(forwarding: Bool = false) async throws -> Scene {
            let harness = try await Harness.identity {
                if forwarding { $0.storeEventForwarding = StoreEventForwarding(pattern: "*") }
            }
            let root = try await harness.superadmin()
            try await harness.defineBucket("mine", as: root)
            try await harness.defineBucket("secret", as: root)
            _ = try await root.result("store.insert", ["bucket": "secret", "data": ["id": "s1", "title": "classified"]])
            _ = try await root.result("store.insert", ["bucket": "mine", "data": ["id": "m1", "title": "own"]])
            _ = try await root.result("store.defineQuery", ["name": "secretQuery", "config": ["bucket": "secret"]])
            _ = try await root.result("rules.setFact", ["key": "secret.k", "value": "classified"])
            _ = try await root.result("rules.setFact", ["key": "mine.k", "value": "own"])
            _ = try await root.result("rules.registerRule", ["rule": rule])
            _ = try await root.result(
                "identity.createRole",
                [
                    "name": "mine-only",
                    "permissions": [
                        ["allow": ["store.*"], "buckets": ["mine"]], ["allow": ["rules.*"], "topics": ["mine.*"]],
                    ],
                ])
            _ = try await root.result(
                "identity.createRole",
                [
                    "name": "watcher",
                    "permissions": [["allow": ["rules.subscribe"], "topics": ["*"]], ["allow": ["store.all"], "buckets": ["mine"]]],
                ])
            try await harness.createUser("carol", roles: ["mine-only"], as: root)
            let aclAdminId = try await harness.createUser("acladmin", roles: ["reader"], as: root)
            try await harness.createUser("watcher", roles: ["watcher"], as: root)
            for (type, name) in [("bucket", "mine"), ("topic", "t1")] {
                _ = try await root.result(
                    "identity.grant",
                    [
                        "subjectType": "user", "subjectId": .string(aclAdminId), "resourceType": .string(type),
                        "resourceName": .string(name), "operations": ["admin"],
                    ])
            }
            try await harness.createUser("healthy", roles: ["reader"], as: root)
            let healthy = try await liveLogin(harness, "healthy")
            return Scene(harness: harness, root: root, healthy: healthy)
        }

        static let rule: JSONValue = [
            "id": "r1", "name": "R1", "trigger": ["type": "event", "topic": "orders.created"],
            "actions": [["type": "emit_event", "topic": "orders.seen", "data": [:]]],
        ]

        /// A live WebSocket client logged in as `username`.
        static func liveLogin(_ harness: Harness, _ username: String) async throws -> TestClient {
            let client = try await harness.liveClient()
            _ = try await client.result("identity.login", ["username": .string(username), "password": "password123"])
            return client
        }

        func attacker(_ username: String) async throws -> TestClient { try await Self.liveLogin(harness, username) }

        /// Sends one attack and checks it is refused, then that the healthy connection still answers.
        func refused(_ client: TestClient, _ type: String, _ payload: JSONObject, sourceLocation: SourceLocation = #_sourceLocation)
            async throws
        {
            let response = try await client.request(type, payload)
            #expect(response.code == "FORBIDDEN", "\(type) \(payload) answered \(response)", sourceLocation: sourceLocation)
            #expect(
                try await healthy.request("store.get", ["bucket": "mine", "key": "m1"]).isResult,
                "healthy client disturbed after \(type)", sourceLocation: sourceLocation)
        }

        /// The secret bucket as the superadmin sees it.
        func secretRecords() async throws -> JSONValue { try await root.result("store.all", ["bucket": "secret"]) }

        func stop() async { await harness.stop() }
    }

    @Test func decoyFieldsDoNotReachAnotherBucket() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        let before = try await scene.secretRecords()
        try await scene.refused(carol, "store.dropBucket", ["name": "secret", "bucket": "mine"])
        try await scene.refused(carol, "store.updateBucket", ["name": "secret", "bucket": "mine", "updates": ["addIndexes": ["title"]]])
        try await scene.refused(carol, "store.getBucketSchema", ["name": "secret", "bucket": "mine"])
        try await scene.refused(
            carol, "store.defineBucket",
            ["name": "planted", "bucket": "mine", "config": ["key": "id", "schema": ["id": ["type": "string"]]]])
        #expect(try await scene.secretRecords() == before)
        let buckets = try await scene.root.result("store.buckets")["names"]?.arrayValue ?? []
        #expect(buckets.contains("secret") && !buckets.contains("planted"))
        let schema = try await scene.root.result("store.getBucketSchema", ["name": "secret"])
        #expect(schema["config"]?["indexes"] == nil || schema["config"]?["indexes"] == [])
        // The bucket it is entitled to still works.
        #expect(try await carol.request("store.get", ["bucket": "mine", "key": "m1"]).isResult)
    }

    @Test func queriesAreCheckedWithTheBucketTheyRead() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        // A query named like an allowed bucket, reading the forbidden one.
        try await scene.refused(carol, "store.defineQuery", ["name": "mine", "bucket": "mine", "config": ["bucket": "secret"]])
        try await scene.refused(carol, "store.subscribe", ["query": "secretQuery", "bucket": "mine"])
        try await scene.refused(carol, "store.undefineQuery", ["name": "secretQuery", "bucket": "mine"])
        let queries = try await scene.root.result("store.listQueries")["queries"]?.arrayValue ?? []
        #expect(queries.compactMap { $0["name"]?.stringValue } == ["secretQuery"])
    }

    @Test func transactionsAreCheckedOnEveryBucket() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        let before = try await scene.secretRecords()
        try await scene.refused(
            carol, "store.transaction", ["bucket": "mine", "operations": [["op": "get", "bucket": "secret", "key": "s1"]]])
        try await scene.refused(
            carol, "store.transaction",
            ["bucket": "mine", "operations": [["op": "where", "bucket": "secret", "filter": [:]]]])
        try await scene.refused(
            carol, "store.transaction",
            [
                "bucket": "mine",
                "operations": [
                    ["op": "insert", "bucket": "mine", "data": ["id": "m2", "title": "decoy"]],
                    ["op": "delete", "bucket": "secret", "key": "s1"],
                    ["op": "insert", "bucket": "secret", "data": ["id": "s2", "title": "planted"]],
                ],
            ])
        #expect(try await scene.secretRecords() == before)
        #expect(try await scene.root.result("store.get", ["bucket": "mine", "key": "m2"]) == .null)
        // A transaction within its own bucket still runs.
        let own = try await carol.request(
            "store.transaction", ["operations": [["op": "insert", "bucket": "mine", "data": ["id": "m3", "title": "ok"]]]])
        #expect(own.isResult)
    }

    @Test func factsAreCheckedOnTheKeyOrPatternTheHandlerUses() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        try await scene.refused(carol, "rules.getFact", ["key": "secret.k", "topic": "mine.x"])
        try await scene.refused(carol, "rules.setFact", ["key": "secret.k", "value": "overwritten", "topic": "mine.x"])
        try await scene.refused(carol, "rules.deleteFact", ["key": "secret.k", "topic": "mine.x"])
        try await scene.refused(carol, "rules.queryFacts", ["pattern": "*", "topic": "mine.x"])
        // A pattern is allowed only when every key it can match is.
        try await scene.refused(carol, "rules.queryFacts", ["pattern": "mine*"])
        #expect(try await scene.root.result("rules.getFact", ["key": "secret.k"]) == "classified")
        #expect(try await carol.result("rules.getFact", ["key": "mine.k"]) == "own")
        #expect(try await carol.request("rules.queryFacts", ["pattern": "mine.*"]).isResult)
    }

    @Test func subscriptionPatternsMustStayInsideTheAllowedTopics() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        try await scene.refused(carol, "rules.subscribe", ["pattern": "*", "topic": "mine.x"])
        try await scene.refused(carol, "rules.subscribe", ["pattern": "*.x"])
        try await scene.refused(carol, "rules.subscribe", ["pattern": "mine*"])
        let allowed = try await carol.result("rules.subscribe", ["pattern": "mine.*"])["subscriptionId"]?.stringValue
        #expect(allowed != nil)
        _ = try await scene.root.result("rules.emit", ["topic": "secret.x", "data": ["v": 1]])
        // `mine.*` also matches the bare topic `mine`, which `topics: ["mine.*"]` does not cover.
        _ = try await scene.root.result("rules.emit", ["topic": "mine", "data": ["v": 2]])
        _ = try await scene.root.result("rules.emit", ["topic": "mine.y", "data": ["v": 3]])
        let push = try await carol.nextPush(subscriptionId: allowed)
        #expect(push["data"]?["topic"] == "mine.y")
        #expect(await carol.noPush(within: .milliseconds(300)))
    }

    @Test func ruleManagementNeedsMoreThanOneTopic() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        let aclAdmin = try await scene.attacker("acladmin")
        let planted: JSONValue = [
            "id": "planted", "name": "Planted", "trigger": ["type": "event", "topic": "mine.x"],
            "actions": [["type": "set_fact", "key": "secret.k", "value": "pwned"]],
        ]
        for (client, topic) in [(carol, "mine.x"), (aclAdmin, "t1")] {
            try await scene.refused(client, "rules.registerRule", ["rule": planted, "topic": .string(topic)])
            try await scene.refused(client, "rules.disableRule", ["ruleId": "r1", "topic": .string(topic)])
            try await scene.refused(client, "rules.updateRule", ["ruleId": "r1", "updates": ["priority": 9], "topic": .string(topic)])
            try await scene.refused(client, "rules.unregisterRule", ["ruleId": "r1", "topic": .string(topic)])
            try await scene.refused(client, "rules.getRules", ["topic": .string(topic)])
        }
        let rules = try await scene.root.result("rules.getRules")["rules"]?.arrayValue ?? []
        #expect(rules.count == 1)
        #expect(rules.first?["id"] == "r1")
        #expect(rules.first?["enabled"] == true)
    }

    @Test func anAclAdminOfOneBucketAdministersOnlyThatBucket() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let aclAdmin = try await scene.attacker("acladmin")
        let before = try await scene.secretRecords()
        try await scene.refused(aclAdmin, "store.dropBucket", ["name": "secret", "bucket": "mine"])
        try await scene.refused(
            aclAdmin, "store.defineBucket",
            ["name": "planted", "bucket": "mine", "config": ["key": "id", "schema": ["id": ["type": "string"]]]])
        try await scene.refused(aclAdmin, "store.defineQuery", ["name": "q2", "bucket": "mine", "config": ["bucket": "secret"]])
        #expect(try await scene.secretRecords() == before)
        // Its own grant still works: it may read the schema of `mine`.
        #expect(try await aclAdmin.request("store.getBucketSchema", ["name": "mine"]).isResult)
    }

    /// A payload that points every field authorization used to read at an allowed resource,
    /// except the field the handler acts on, which names a forbidden one.
    private static func decoyPayload(for descriptor: OperationDescriptor) -> JSONObject {
        var payload: JSONObject = [
            "bucket": "mine", "name": "mine", "query": "mine", "topic": "mine.x", "key": "mine.x", "pattern": "mine.x",
            "ruleId": "r1", "data": ["title": "t"], "filter": [:], "field": "title", "n": 1, "limit": 1, "value": 1,
            "updates": ["priority": 1], "config": ["bucket": "secret", "key": "id", "schema": ["id": ["type": "string"]]],
            "rule": Scene.rule, "operations": [["op": "get", "bucket": "secret", "key": "s1"]],
        ]
        switch descriptor.resourceField {
        case "bucket"?, "name"?: payload[descriptor.resourceField!] = "secret"
        case "query"?: payload["query"] = "secretQuery"
        case let field?: payload[field] = "secret.k"
        case nil: break
        }
        return payload
    }

    /// Every store and rules operation, for a role limited to bucket `mine` and topics `mine.*`:
    /// pointed at a forbidden resource through the handler's field, with every other field a
    /// decoy at an allowed one, each is refused (only unsubscribing, which touches the caller's
    /// own subscription, is not about a resource).
    @Test func everyOperationIgnoresDecoyFields() async throws {
        let scene = try await Scene.start()
        defer { Task { await scene.stop() } }
        let carol = try await scene.attacker("carol")
        let aclAdmin = try await scene.attacker("acladmin")
        var checked = 0
        for descriptor in Operations.all where descriptor.namespace == .store || descriptor.namespace == .rules {
            if descriptor.resourceField == "subscriptionId" { continue }
            let payload = Self.decoyPayload(for: descriptor)
            try await scene.refused(carol, descriptor.name, payload)
            // The ACL admin of `mine` is a reader: it reads everything, but may change nothing else.
            if descriptor.tier != .read { try await scene.refused(aclAdmin, descriptor.name, payload) }
            checked += 1
        }
        #expect(checked > 40)
        let secret = try await scene.secretRecords().arrayValue ?? []
        #expect(secret.count == 1)
        #expect(secret.first?["title"] == "classified")
        #expect(try await scene.root.result("rules.getFact", ["key": "secret.k"]) == "classified")
        let rules = try await scene.root.result("rules.getRules")["rules"]?.arrayValue ?? []
        #expect(rules.map { $0["id"] } == ["r1"])
        #expect(rules.first?["enabled"] == true)
    }

    @Test func forwardedStoreEventsOnlyReachReadersOfTheirBucket() async throws {
        let scene = try await Scene.start(forwarding: true)
        defer { Task { await scene.stop() } }
        let watcher = try await scene.attacker("watcher")
        let all = try #require(try await watcher.result("rules.subscribe", ["pattern": "*"])["subscriptionId"]?.stringValue)
        let store = try #require(
            try await watcher.result("rules.subscribe", ["pattern": "bucket.secret.*"])["subscriptionId"]?.stringValue)
        _ = try await scene.root.result("store.insert", ["bucket": "secret", "data": ["id": "s9", "title": "leak?"]])
        _ = try await scene.root.result("store.insert", ["bucket": "mine", "data": ["id": "m9", "title": "fine"]])
        let push = try await watcher.nextPush(subscriptionId: all)
        #expect(push["data"]?["topic"] == "bucket.mine.inserted")
        #expect(await watcher.noPush(within: .milliseconds(300)))
        _ = store
        #expect(try await scene.healthy.request("store.get", ["bucket": "mine", "key": "m1"]).isResult)
    }
}

/// F22 in the audit log: an entry names the resource the handler touched, not a decoy field.
@Suite struct AuditedResourceTests {
    @Test func theAuditLogNamesTheTouchedResource() async throws {
        let harness = try await Harness.identity { $0.audit = AuditConfiguration() }
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.defineBucket("doomed", as: root)
        let live = try await harness.liveClient()
        _ = try await live.result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])
        _ = try await live.result("store.dropBucket", ["name": "doomed", "bucket": "innocent"])
        _ = try await live.request("rules.disableRule", ["ruleId": "r9", "bucket": "innocent"])
        let entries = try await root.result("audit.query", ["limit": 2])["entries"]?.arrayValue ?? []
        #expect(entries.map { $0["operation"] } == ["rules.disableRule", "store.dropBucket"])
        #expect(entries.map { $0["resource"] } == ["r9", "doomed"])
    }
}

/// F22 in token-auth mode: the same decoys against `permissions` rules and the check closure.
@Suite struct TokenResourceAuthorizationTests {
    static let permissions = PermissionConfiguration(
        default: .deny,
        rules: [
            PermissionRule(role: "editor", allow: ["store.*", "rules.*"], buckets: ["mine"], topics: ["mine.*"]),
            PermissionRule(role: "boss", allow: ["*"]),
        ])

    private func start() async throws -> (Harness, TestClient, TestClient) {
        let harness = try await Harness.start { configuration in
            configuration.auth = TokenAuthConfiguration(permissions: Self.permissions, validate: testTokenValidator)
        }
        for bucket in ["mine", "secret"] {
            try harness.store.defineBucket(bucket, json: ["key": "id", "schema": ["id": ["type": "string"], "title": ["type": "string"]]])
        }
        _ = try harness.store.bucket("secret").insert(["id": "s1", "title": "classified"])
        let attacker = try await harness.liveClient()
        _ = try await attacker.result("auth.login", ["token": "user:eve:editor"])
        let healthy = try await harness.liveClient()
        _ = try await healthy.result("auth.login", ["token": "user:boss:boss"])
        return (harness, attacker, healthy)
    }

    @Test func decoysAreRefused() async throws {
        let (harness, eve, healthy) = try await start()
        defer { Task { await harness.stop() } }
        let attacks: [(String, JSONObject)] = [
            ("store.dropBucket", ["name": "secret", "bucket": "mine"]),
            ("store.getBucketSchema", ["name": "secret", "bucket": "mine"]),
            ("store.transaction", ["bucket": "mine", "operations": [["op": "get", "bucket": "secret", "key": "s1"]]]),
            ("store.transaction", ["bucket": "mine", "operations": [["op": "delete", "bucket": "secret", "key": "s1"]]]),
            ("rules.setFact", ["key": "secret.k", "value": 1, "topic": "mine.x"]),
            ("rules.getFact", ["key": "secret.k", "topic": "mine.x"]),
            ("rules.queryFacts", ["pattern": "*", "topic": "mine.x"]),
            ("rules.subscribe", ["pattern": "*", "topic": "mine.x"]),
            ("rules.registerRule", ["rule": ["id": "x", "name": "x", "trigger": ["type": "event", "topic": "a"]], "topic": "mine.x"]),
        ]
        for (type, payload) in attacks {
            let response = try await eve.request(type, payload)
            #expect(response.code == "FORBIDDEN", "\(type) \(payload) answered \(response)")
            #expect(try await healthy.request("store.get", ["bucket": "secret", "key": "s1"]).isResult)
        }
        #expect(try await healthy.result("store.get", ["bucket": "secret", "key": "s1"])["title"] == "classified")
        #expect(harness.store.hasBucket("secret"))
        #expect(try await healthy.result("rules.getFact", ["key": "secret.k"]) == .null)
        #expect(try await healthy.result("rules.getRules")["rules"] == [])
        #expect(try await eve.request("store.transaction", ["operations": [["op": "insert", "bucket": "mine", "data": ["id": "m1"]]]]).isResult)
    }

    @Test func forwardedStoreEventsFollowTheBucketRules() async throws {
        let permissions = PermissionConfiguration(
            default: .deny,
            rules: [PermissionRule(role: "watcher", allow: ["rules.subscribe", "store.all"], buckets: ["mine"], topics: ["*"])])
        let harness = try await Harness.start { configuration in
            configuration.auth = TokenAuthConfiguration(permissions: permissions, validate: testTokenValidator)
            configuration.storeEventForwarding = StoreEventForwarding(pattern: "*")
        }
        defer { Task { await harness.stop() } }
        for bucket in ["mine", "secret"] {
            try harness.store.defineBucket(bucket, json: ["key": "id", "schema": ["id": ["type": "string"]]])
        }
        let watcher = try await harness.liveClient()
        _ = try await watcher.result("auth.login", ["token": "user:w:watcher"])
        let all = try #require(try await watcher.result("rules.subscribe", ["pattern": "*"])["subscriptionId"]?.stringValue)
        _ = try harness.store.bucket("secret").insert(["id": "s1"])
        _ = try harness.store.bucket("mine").insert(["id": "m1"])
        let push = try await watcher.nextPush(subscriptionId: all)
        #expect(push["data"]?["topic"] == "bucket.mine.inserted")
        #expect(await watcher.noPush(within: .milliseconds(300)))
    }

    @Test func theCheckClosureSeesEveryBucketOfATransaction() async throws {
        let seen = Mutex<[String]>([])
        let permissions = PermissionConfiguration(check: { _, operation, resource in
            seen.withLock { $0.append("\(operation) \(resource)") }
            return resource != "secret"
        })
        let harness = try await Harness.start { configuration in
            configuration.auth = TokenAuthConfiguration(permissions: permissions, validate: testTokenValidator)
        }
        defer { Task { await harness.stop() } }
        for bucket in ["mine", "secret"] {
            try harness.store.defineBucket(bucket, json: ["key": "id", "schema": ["id": ["type": "string"]]])
        }
        let client = try await harness.liveClient()
        _ = try await client.result("auth.login", ["token": "user:u:custom"])
        let response = try await client.request(
            "store.transaction",
            ["operations": [["op": "get", "bucket": "mine", "key": "a"], ["op": "insert", "bucket": "secret", "data": ["id": "b"]]]])
        #expect(response.code == "FORBIDDEN")
        #expect(response.message == "No permission for store.transaction on secret")
        #expect(seen.withLock { $0 } == ["store.transaction mine", "store.transaction secret"])
        #expect(try harness.store.bucket("secret").count() == 0)
    }
}
