import NoexProtocol
@_spi(Testing) import NoexServer
import NoexAuth
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// Hostile input against built-in identity: brute force, privilege escalation through every
/// route, system buckets through every operation, token entropy, revoked users.
@Suite struct IdentityHostileInputTests {
    @Test func bruteForceIsThrottledPerAddressAndPerAccount() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 5, windowMs: 60_000))
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin(remoteAddress: "10.0.0.99")
        try await harness.createUser("victim", password: "correct-horse", as: admin)

        // One address spraying many accounts is stopped by the address key.
        let sprayer = try await harness.client(remoteAddress: "10.0.0.1")
        var codes: [String] = []
        for n in 0..<8 {
            codes.append(try await sprayer.request("identity.login", ["username": .string("user\(n)"), "password": "guess-123"]).code ?? "")
        }
        #expect(codes.prefix(5).allSatisfy { $0 == "UNAUTHORIZED" })
        #expect(codes.suffix(3).allSatisfy { $0 == "RATE_LIMITED" })
        #expect(try await sprayer.request("identity.login", ["username": "victim", "password": "correct-horse"]).code == "RATE_LIMITED")
        #expect(try await sprayer.request("identity.loginWithSecret", ["secret": .string(testAdminSecret)]).code == "RATE_LIMITED")

        // Many addresses guessing one account are stopped by the account key.
        for n in 0..<5 {
            let guesser = try await harness.client(remoteAddress: "10.1.0.\(n)")
            #expect(try await guesser.request("identity.login", ["username": "victim", "password": .string("guess-\(n)-x")]).code == "UNAUTHORIZED")
        }
        let late = try await harness.client(remoteAddress: "10.2.0.1")
        #expect(try await late.request("identity.login", ["username": "victim", "password": "correct-horse"]).code == "RATE_LIMITED")
        // Throttled attempts are not even checked: a right guess while locked out teaches nothing.
        #expect(try await late.request("identity.login", ["username": "victim", "password": "wrong-again"]).code == "RATE_LIMITED")
    }

    /// A plausible payload for any operation, so requests get past validation to authorization.
    private func payload(for operation: String, ownerBucketOwnerId: String) -> JSONObject {
        [
            "bucket": "items", "name": "items", "key": "k", "data": ["title": "t"], "filter": [:], "field": "n", "n": 1,
            "limit": 1, "query": "q", "subscriptionId": "sub-1", "config": ["schema": [:]], "updates": [:],
            "operations": operation == "store.transaction"
                ? [["op": "insert", "bucket": "items", "data": ["title": "t"]]] : ["read", "write", "admin"],
            "topic": "t", "pattern": "*", "value": 1, "ruleId": "r", "rule": ["id": "r"],
            "procedure": ["name": "p", "steps": []], "input": [:], "userId": .string(ownerBucketOwnerId),
            "roleName": "superadmin", "roleId": "r", "username": "evil1", "password": "password123",
            "newPassword": "password123", "currentPassword": "password123", "subjectType": "user",
            "subjectId": .string(ownerBucketOwnerId), "resourceType": "bucket", "resourceName": "items",
            "newOwnerId": .string(ownerBucketOwnerId), "secret": "nope",
        ]
    }

    @Test func aReaderReachesNoWriteOrAdminOperation() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("items", as: admin)
        _ = try await admin.result("store.insert", ["bucket": "items", "data": ["title": "keep"]])
        let readerId = try await harness.createUser("rita", roles: ["reader"], as: admin)
        let reader = try await harness.login("rita")
        // Exempt: logging in and out, and the self-service operations below.
        let selfService: Set<String> = [
            "identity.login", "identity.loginWithSecret", "identity.logout", "identity.changePassword",
        ]
        var reached: [String] = []
        for descriptor in Operations.all where descriptor.tier == .write || descriptor.tier == .admin {
            guard !selfService.contains(descriptor.name) else { continue }
            let response = try await reader.request(descriptor.name, payload(for: descriptor.name, ownerBucketOwnerId: readerId))
            if response.code != "FORBIDDEN" { reached.append("\(descriptor.name): \(response)") }
        }
        #expect(reached.isEmpty, "\(reached)")
        // Nothing changed: the record is there, the reader is still only a reader.
        #expect(try await admin.result("store.count", ["bucket": "items"]) == 1)
        #expect(try await reader.result("identity.whoami")["roles"] == ["reader"])
        let roles = try await admin.result("identity.getUserRoles", ["userId": .string(readerId)])["roles"]?.arrayValue
        #expect(roles?.compactMap { $0["name"]?.stringValue } == ["reader"])
        #expect(try await reader.request("store.all", ["bucket": "items"]).isResult)
        // updateUser on someone else is refused; on oneself it cannot touch roles or the hash.
        let adminSelf = try await reader.request("identity.updateUser", ["userId": "__superadmin__", "displayName": "x"])
        #expect(adminSelf.code == "FORBIDDEN")
        _ = try await reader.result("identity.updateUser", ["userId": .string(readerId), "enabled": false, "roles": ["admin"]])
        #expect(try await harness.login("rita").result("identity.whoami")["roles"] == ["reader"])
    }

    @Test func systemBucketsAreUnreachableThroughEveryOperation() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.createUser("victim", as: admin)
        for bucket in ["_users", "_roles", "_user_roles", "_acl", "_sessions", "_resource_owners", "_anything"] {
            var leaked: [String] = []
            for descriptor in Operations.all where descriptor.namespace == .store {
                var message: JSONObject = [
                    "bucket": .string(bucket), "name": .string(bucket), "key": "k", "data": ["x": 1], "filter": [:],
                    "field": "x", "n": 1, "limit": 1, "config": ["schema": [:]], "updates": [:],
                ]
                if descriptor.name == "store.transaction" {
                    message = ["operations": [["op": "get", "bucket": "items"], ["op": "where", "bucket": .string(bucket), "filter": [:]]]]
                }
                if descriptor.name == "store.defineQuery" {
                    message = ["name": "steal", "config": ["bucket": .string(bucket)]]
                }
                if ["store.subscribe", "store.unsubscribe", "store.buckets", "store.stats", "store.listQueries"].contains(descriptor.name) {
                    continue
                }
                let response = try await admin.request(descriptor.name, message)
                if response.code != "FORBIDDEN" { leaked.append("\(descriptor.name): \(response)") }
            }
            #expect(leaked.isEmpty, "\(bucket): \(leaked)")
        }
        let listed = JSONSerializer.string(.object(try await admin.request("store.buckets")))
            + JSONSerializer.string(.object(try await admin.request("store.stats")))
            + JSONSerializer.string(.object(try await admin.request("store.listQueries")))
        #expect(!listed.contains("\"_"))
        #expect(try harness.store.bucket("_users").count() == 1)
    }

    @Test func tokensAreLongRandomAndNeverStored() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        var tokens = Set<String>()
        let client = try await harness.client()
        for _ in 0..<20 {
            let token = try #require(try await client.result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])["token"]?.stringValue)
            // 43 base64url characters = 256 bits from the system RNG.
            #expect(token.count == 43)
            tokens.insert(token)
        }
        #expect(tokens.count == 20)
        let stored = JSONSerializer.string(.array(try harness.store.bucket("_sessions").all().map(JSONValue.object)))
        #expect(tokens.allSatisfy { !stored.contains($0) })
        // maxSessionsPerUser (10) trimmed the superadmin's older sessions.
        #expect(try harness.store.bucket("_sessions").count() == 10)
    }

    @Test func disabledUsersConnectionsEndAtOnce() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("items", as: admin)
        _ = try await admin.result("store.defineQuery", ["name": "allItems", "config": ["bucket": "items"]])
        let aliceId = try await harness.createUser("alice", roles: ["writer"], as: admin)
        let alice = try await harness.login("alice")
        let second = try await harness.login("alice")
        _ = try await alice.result("store.subscribe", ["query": "allItems"])
        _ = try await admin.result("identity.disableUser", ["userId": .string(aliceId)])
        for client in [alice, second] {
            let notice = try await client.next { $0["type"] == "system" }
            #expect(notice["event"] == "session_revoked")
            #expect(try await client.closed() == 4002)
        }
        #expect(harness.server.getConnections().allSatisfy { $0.userId != aliceId })
        _ = try await admin.result("store.insert", ["bucket": "items", "data": ["title": "after"]])
        #expect(await alice.noPush())
    }

    @Test func noHashOrSecretInAnyResponse() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        var seen = ""
        func record(_ message: JSONObject) { seen += JSONSerializer.string(.object(message)) }
        let userId = try await harness.createUser("alice", password: "topsecret-pw", roles: ["admin"], as: admin)
        record(try await admin.request("identity.getUser", ["userId": .string(userId)]))
        record(try await admin.request("identity.listUsers"))
        record(try await admin.request("identity.enableUser", ["userId": .string(userId)]))
        record(try await admin.request("identity.updateUser", ["userId": .string(userId), "email": "a@example.com"]))
        let alice = try await harness.client()
        record(try await alice.request("identity.login", ["username": "alice", "password": "topsecret-pw"]))
        record(try await alice.request("identity.whoami"))
        record(try await alice.request("identity.myAccess"))
        record(try await alice.request("server.connections"))
        record(try await alice.request("server.stats"))
        record(try await admin.request("identity.createUser", ["username": "bob", "password": "another-secret", "email": "bad"]))
        for forbidden in ["$scrypt$", "passwordHash", "topsecret-pw", "another-secret", testAdminSecret] {
            #expect(!seen.contains(forbidden), "\(forbidden) appeared in a response")
        }
    }
}

@Suite struct IdentitySessionLimitTests {
    @Test func theOldestLiveSessionEndsWhenTheLimitIsExceeded() async throws {
        let harness = try await Harness.identity(maxSessionsPerUser: 2)
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.createUser("alice", roles: ["reader"], as: root)
        let first = try await harness.login("alice")
        let second = try await harness.login("alice")
        #expect(try await first.request("identity.whoami").isResult)
        let third = try await harness.login("alice")
        let notice = try await first.next { $0["type"] == "system" }
        #expect(notice["event"] == "session_revoked")
        #expect(try await first.closed() == 4002)
        #expect(try await second.request("identity.whoami").isResult)
        #expect(try await third.request("identity.whoami").isResult)
        #expect(try harness.store.bucket("_sessions").where(["userId": .string(try #require(try await third.result("identity.whoami")["userId"]?.stringValue))]).count == 2)
    }

    @Test func hugeUsernamesAreThrottledWithoutBeingStored() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 2, windowMs: 60_000))
        defer { Task { await harness.stop() } }
        let name = String(repeating: "x", count: 100_000)
        for address in ["10.9.0.1", "10.9.0.2"] {
            let client = try await harness.client(remoteAddress: address)
            #expect(try await client.request("identity.login", ["username": .string(name), "password": "whatever1"]).code == "UNAUTHORIZED")
        }
        let third = try await harness.client(remoteAddress: "10.9.0.3")
        #expect(try await third.request("identity.login", ["username": .string(name), "password": "whatever1"]).code == "RATE_LIMITED")
    }
}

@Suite struct IdentityProcedureTests {
    @Test func proceduresNeverReachSystemBucketsAndReadersCannotCallThem() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.defineBucket("items", as: root)
        for bucket in ["_users", "_sessions", "_roles"] {
            let steal: JSONObject = [
                "name": .string("steal\(bucket)"),
                "steps": [["action": "store.where", "bucket": .string(bucket), "filter": [:], "as": "rows"]],
            ]
            let refused = try await root.request("procedures.register", ["procedure": .object(steal)])
            #expect(refused.code == "FORBIDDEN", "\(bucket): \(refused)")
        }
        let count: JSONObject = [
            "name": "count-items", "steps": [["action": "store.count", "bucket": "items", "as": "n"]],
        ]
        _ = try await root.result("procedures.register", ["procedure": .object(count)])
        try await harness.createUser("wendy", roles: ["writer"], as: root)
        try await harness.createUser("rita", roles: ["reader"], as: root)
        #expect(try await harness.login("wendy").request("procedures.call", ["name": "count-items"]).isResult)
        let reader = try await harness.login("rita")
        #expect(try await reader.request("procedures.call", ["name": "count-items"]).message == "No access to procedures.call on count-items")
        #expect(try await reader.request("procedures.get", ["name": "count-items"]).isResult)
        #expect(try await reader.request("procedures.register", ["procedure": .object(count)]).code == "FORBIDDEN")
    }
}

@Suite struct IdentityStoreEventForwardingTests {
    @Test func systemBucketChangesNeverReachTheRulesEngine() async throws {
        let harness = try await Harness.identity { $0.storeEventForwarding = StoreEventForwarding(pattern: "*") }
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.defineBucket("items", as: root)
        let everything = try #require(try await root.result("rules.subscribe", ["pattern": "*"])["subscriptionId"]?.stringValue)
        let system = try #require(try await root.result("rules.subscribe", ["pattern": "bucket._users.*"])["subscriptionId"]?.stringValue)
        try await harness.createUser("alice", password: "forwarded-secret", roles: ["writer"], as: root)
        _ = try await harness.login("alice", password: "forwarded-secret")
        _ = try await root.result("store.insert", ["bucket": "items", "data": ["title": "visible"]])
        // The application bucket's change arrives; nothing from a system bucket precedes or follows it.
        let push = try await root.nextPush(subscriptionId: everything)
        #expect(push["data"]?["topic"] == "bucket.items.inserted")
        #expect(await root.noPush(within: .milliseconds(300)))
        _ = system
    }
}
