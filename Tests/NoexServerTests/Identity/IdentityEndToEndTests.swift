import NoexAuth
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// spec-identity §9 identity-e2e: bootstrap, multi-user roles, the ownership flow.
@Suite struct IdentityEndToEndTests {
    @Test func bootstrapAndMultiUser() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.createUser("sysadmin", roles: ["admin"], displayName: "System Admin", as: root)
        try await harness.createUser("writer1", roles: ["writer"], as: root)
        try await harness.createUser("reader1", roles: ["reader"], as: root)
        try await harness.createUser("nobody", as: root)
        try await harness.defineBucket("articles", as: root)

        let sysadminClient = try await harness.client()
        let login = try await sysadminClient.result("identity.login", ["username": "sysadmin", "password": "password123"])
        #expect(login["user"]?["roles"] == ["admin"])
        #expect(login["user"]?["displayName"] == "System Admin")
        #expect(try await sysadminClient.request("store.all", ["bucket": "articles"]).isResult)
        let writer = try await harness.login("writer1")
        _ = try await writer.result("store.insert", ["bucket": "articles", "data": ["title": "Hello"]])
        #expect(try await sysadminClient.result("store.all", ["bucket": "articles"]).arrayValue?.count == 1)
        #expect(try await sysadminClient.request("store.insert", ["bucket": "articles", "data": ["title": "By admin"]]).isResult)
        try await harness.defineBucket("admin-made", as: sysadminClient)

        #expect(try await writer.request("store.defineBucket", ["name": "w", "config": ["schema": [:]]]).code == "FORBIDDEN")
        #expect(try await writer.request("identity.createUser", ["username": "sneaky", "password": "password123"]).code == "FORBIDDEN")
        let reader = try await harness.login("reader1")
        #expect(try await reader.request("store.all", ["bucket": "articles"]).isResult)
        #expect(try await reader.request("store.insert", ["bucket": "articles", "data": ["title": "no"]]).code == "FORBIDDEN")
        #expect(try await reader.request("identity.listUsers").code == "FORBIDDEN")
        let nobody = try await harness.login("nobody")
        #expect(try await nobody.request("store.all", ["bucket": "articles"]).code == "FORBIDDEN")
        #expect(try await nobody.request("identity.whoami").isResult)
    }

    @Test func ownershipFlow() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.createUser("alice", roles: ["admin"], as: root)
        let bobId = try await harness.createUser("bob", as: root)
        let charlieId = try await harness.createUser("charlie", as: root)
        let alice = try await harness.login("alice")
        let bob = try await harness.login("bob")
        let charlie = try await harness.login("charlie")
        try await harness.defineBucket("team-data", as: alice)
        #expect(try await bob.request("store.all", ["bucket": "team-data"]).code == "FORBIDDEN")
        #expect(try await charlie.request("store.all", ["bucket": "team-data"]).code == "FORBIDDEN")
        func grant(_ subject: String, _ ops: JSONValue) async throws {
            _ = try await alice.result(
                "identity.grant",
                ["subjectType": "user", "subjectId": .string(subject), "resourceType": "bucket", "resourceName": "team-data", "operations": ops])
        }
        try await grant(bobId, ["read", "write"])
        try await grant(charlieId, ["read"])
        _ = try await bob.result("store.insert", ["bucket": "team-data", "data": ["title": "from bob"]])
        #expect(try await charlie.result("store.all", ["bucket": "team-data"]).arrayValue?.count == 1)
        #expect(try await charlie.request("store.insert", ["bucket": "team-data", "data": ["title": "x"]]).code == "FORBIDDEN")

        _ = try await alice.result(
            "identity.revoke",
            ["subjectType": "user", "subjectId": .string(bobId), "resourceType": "bucket", "resourceName": "team-data", "operations": ["write"]])
        #expect(try await bob.request("store.all", ["bucket": "team-data"]).isResult)
        #expect(try await bob.request("store.insert", ["bucket": "team-data", "data": ["title": "y"]]).code == "FORBIDDEN")
        let bobAccess = try await bob.result("identity.myAccess")["resources"]?.arrayValue
        #expect(bobAccess == [["resourceType": "bucket", "resourceName": "team-data", "operations": ["read"], "isOwner": false]])
        #expect(try await alice.result("identity.myAccess")["resources"]?.arrayValue?.first?["isOwner"] == true)

        // The superadmin's own bucket: a writer cannot hand out access to it.
        try await harness.defineBucket("root-only", as: root)
        try await harness.createUser("wendy", roles: ["writer"], as: root)
        let wendy = try await harness.login("wendy")
        let denied = try await wendy.request(
            "identity.grant",
            ["subjectType": "user", "subjectId": .string(bobId), "resourceType": "bucket", "resourceName": "root-only", "operations": ["read"]])
        #expect(denied.code == "FORBIDDEN")
    }

    @Test func sessionLifecycleOnOneConnection() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.defineBucket("notes", as: root)
        try await harness.createUser("alice", roles: ["writer"], as: root)
        let client = try await harness.client()
        let first = try await client.result("identity.login", ["username": "alice", "password": "password123"])
        _ = try await client.result("store.insert", ["bucket": "notes", "data": ["title": "1"]])
        let second = try await client.result("identity.refreshSession")
        _ = try await client.result("store.insert", ["bucket": "notes", "data": ["title": "2"]])
        let probe = try await harness.client()
        #expect(try await probe.request("auth.login", ["token": try #require(first["token"])]).code == "UNAUTHORIZED")
        #expect(try await probe.request("auth.login", ["token": try #require(second["token"])]).isResult)
        // A reconnected connection holds the stored session: it can refresh and log it out.
        let refreshed = try await probe.result("identity.refreshSession")
        #expect(refreshed["token"] != second["token"])
        _ = try await probe.result("identity.logout")
        #expect(try await harness.client().request("auth.login", ["token": try #require(refreshed["token"])]).code == "UNAUTHORIZED")
        _ = try await client.result("identity.logout")
        #expect(try await client.request("store.insert", ["bucket": "notes", "data": ["title": "3"]]).code == "UNAUTHORIZED")
        _ = try await client.result("identity.login", ["username": "alice", "password": "password123"])
        #expect(try await client.request("store.insert", ["bucket": "notes", "data": ["title": "4"]]).isResult)
    }

    @Test func rolesWrittenStraightIntoTheStoreReachTheCache() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        try await harness.defineBucket("notes", as: root)
        let userId = try await harness.createUser("alice", as: root)
        let alice = try await harness.login("alice")
        #expect(try await alice.request("store.all", ["bucket": "notes"]).code == "FORBIDDEN")
        let readerId = try #require(try harness.store.bucket("_roles").where(["name": "reader"]).first?["id"])
        _ = try harness.store.bucket("_user_roles").insert(["userId": .string(userId), "roleId": readerId])
        await harness.store.settle()
        #expect(try await alice.request("store.all", ["bucket": "notes"]).isResult)
    }
}
