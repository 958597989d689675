@_spi(Testing) import NoexServer
import NoexAuth
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// spec-identity §9 identity-acl-ownership.
@Suite struct IdentityAclTests {
    private func grant(_ client: TestClient, _ subjectId: String, _ bucket: String, _ ops: JSONValue, subjectType: String = "user")
        async throws -> JSONObject
    {
        try await client.request(
            "identity.grant",
            [
                "subjectType": .string(subjectType), "subjectId": .string(subjectId), "resourceType": "bucket",
                "resourceName": .string(bucket), "operations": ops,
            ])
    }

    @Test func ownershipFollowsDefineAndDrop() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("docs", as: admin)
        let owner = try await admin.result("identity.getOwner", ["resourceType": "bucket", "resourceName": "docs"])
        #expect(owner["owner"]?["username"] == "__superadmin__")
        let bossId = try await harness.createUser("admin1", roles: ["admin"], as: admin)
        let boss = try await harness.login("admin1")
        try await harness.defineBucket("reports", as: boss)
        let reportsOwner = try await boss.result("identity.getOwner", ["resourceType": "bucket", "resourceName": "reports"])
        #expect(reportsOwner["owner"]?["userId"] == .string(bossId))
        #expect(reportsOwner["owner"]?["username"] == "admin1")

        let bobId = try await harness.createUser("bob", as: admin)
        #expect(try await grant(admin, bobId, "docs", ["read"]).isResult)
        _ = try await admin.result("store.dropBucket", ["name": "docs"])
        #expect(try await admin.result("identity.getOwner", ["resourceType": "bucket", "resourceName": "docs"]) == ["owner": nil])
        let acl = try await admin.result("identity.getAcl", ["resourceType": "bucket", "resourceName": "docs"])
        #expect(acl["entries"] == [])
    }

    @Test func grantsAndRevokes() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("docs", as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        let bob = try await harness.login("bob")
        let docsInsert: JSONObject = ["bucket": "docs", "data": ["title": "t"]]
        #expect(try await bob.request("store.all", ["bucket": "docs"]).code == "FORBIDDEN")
        #expect(try await grant(admin, bobId, "docs", ["read"]).data == ["granted": true])
        #expect(try await bob.request("store.all", ["bucket": "docs"]).isResult)
        #expect(try await bob.request("store.insert", docsInsert).code == "FORBIDDEN")
        _ = try await grant(admin, bobId, "docs", ["write", "read"])
        let entries = try await admin.result("identity.getAcl", ["resourceType": "bucket", "resourceName": "docs"])["entries"]?.arrayValue
        let bobEntry = entries?.first { $0["subjectId"] == .string(bobId) }
        #expect(bobEntry?["operations"] == ["read", "write"])
        #expect(bobEntry?["subjectName"] == "bob")
        #expect(bobEntry?["isOwner"] == false)
        let ownerEntry = entries?.first { $0["isOwner"] == true }
        #expect(ownerEntry?["subjectName"] == "__superadmin__")
        #expect(entries?.first?["isOwner"] == true)
        #expect(try await bob.request("store.insert", docsInsert).isResult)

        let revoke: JSONObject = [
            "subjectType": "user", "subjectId": .string(bobId), "resourceType": "bucket", "resourceName": "docs",
        ]
        var partial = revoke
        partial["operations"] = ["write"]
        #expect(try await admin.result("identity.revoke", partial) == ["revoked": true])
        #expect(try await bob.request("store.all", ["bucket": "docs"]).isResult)
        #expect(try await bob.request("store.insert", docsInsert).code == "FORBIDDEN")
        _ = try await admin.result("identity.revoke", revoke)
        #expect(try await bob.request("store.all", ["bucket": "docs"]).code == "FORBIDDEN")
        #expect(try await admin.request("identity.revoke", revoke).message == "ACL entry not found")
    }

    @Test func grantValidationAndManageRule() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("docs", as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        let writer = try await harness.login("wendy")
        let denied = try await grant(writer, bobId, "docs", ["read"])
        #expect(denied.message == "Must be the resource owner, admin, or have admin ACL to manage permissions")
        #expect(try await grant(admin, bobId, "docs", ["read", "execute"]).message == "Invalid ACL operation \"execute\". Valid operations: read, write, admin")
        #expect(try await grant(admin, bobId, "docs", []).message == "Operations must be a non-empty array")
        #expect(try await grant(admin, bobId, "docs", "read").code == "VALIDATION_ERROR")
        #expect(try await grant(admin, "missing", "docs", ["read"]).message == "Subject user not found")
        #expect(try await grant(admin, "missing", "docs", ["read"], subjectType: "role").message == "Subject role not found")
        #expect(try await grant(admin, bobId, "docs", ["read"], subjectType: "group").message == "Invalid subject type \"group\". Must be \"user\" or \"role\"")
        let badType = try await admin.request(
            "identity.grant",
            ["subjectType": "user", "subjectId": .string(bobId), "resourceType": "table", "resourceName": "docs", "operations": ["read"]])
        #expect(badType.code == "VALIDATION_ERROR")
    }

    @Test func roleGrants() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("docs", as: admin)
        let roleId = try #require(try await admin.result("identity.createRole", ["name": "editors"])["id"]?.stringValue)
        try await harness.createUser("eddie", roles: ["editors"], as: admin)
        let eddie = try await harness.login("eddie")
        #expect(try await grant(admin, roleId, "docs", ["read", "write"], subjectType: "role").isResult)
        #expect(try await eddie.request("store.all", ["bucket": "docs"]).isResult)
        #expect(try await eddie.request("store.insert", ["bucket": "docs", "data": ["title": "e"]]).isResult)
        #expect(try await eddie.request("store.dropBucket", ["name": "docs"]).code == "FORBIDDEN")
    }

    @Test func ownersGrantAndTransfer() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.createUser("alice", roles: ["admin"], as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        let charlieId = try await harness.createUser("charlie", as: admin)
        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        let alice = try await harness.login("alice")
        try await harness.defineBucket("team", as: alice)
        #expect(try await grant(alice, bobId, "team", ["read"]).isResult)
        let bob = try await harness.login("bob")
        #expect(try await bob.request("store.all", ["bucket": "team"]).isResult)

        let transfer: JSONObject = ["resourceType": "bucket", "resourceName": "team", "newOwnerId": .string(bobId)]
        let writer = try await harness.login("wendy")
        #expect(try await writer.request("identity.transferOwner", transfer).message == "Only the owner or superadmin can transfer ownership")
        #expect(try await alice.result("identity.transferOwner", transfer) == ["transferred": true])
        #expect(try await bob.result("identity.getOwner", ["resourceType": "bucket", "resourceName": "team"])["owner"]?["username"] == "bob")
        // The new owner, role-less, manages the bucket.
        #expect(try await grant(bob, charlieId, "team", ["read"]).isResult)
        #expect(try await bob.request("store.insert", ["bucket": "team", "data": ["title": "b"]]).isResult)
        #expect(try await alice.request("identity.transferOwner", ["resourceType": "bucket", "resourceName": "none", "newOwnerId": .string(bobId)]).message == "Resource has no owner")
        #expect(try await bob.request("identity.transferOwner", ["resourceType": "bucket", "resourceName": "team", "newOwnerId": "ghost"]).message == "New owner not found")

        try await harness.defineBucket("mine", as: admin)
        let aliceId = try #require(try await alice.result("identity.whoami")["userId"])
        #expect(try await admin.request("identity.transferOwner", ["resourceType": "bucket", "resourceName": "mine", "newOwnerId": aliceId]).isResult)
    }

    @Test func myAccess() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("docs", as: admin)
        try await harness.defineBucket("reports", as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        _ = try await grant(admin, bobId, "docs", ["read"])
        _ = try await grant(admin, bobId, "reports", ["write", "read"])
        let access = try await harness.login("bob").result("identity.myAccess")
        #expect(access["user"]?["username"] == "bob")
        let resources = try #require(access["resources"]?.arrayValue)
        #expect(resources.count == 2)
        #expect(resources[0] == ["resourceType": "bucket", "resourceName": "docs", "operations": ["read"], "isOwner": false])
        #expect(resources[1]["operations"] == ["read", "write"])

        try await harness.createUser("alice", roles: ["admin"], as: admin)
        let alice = try await harness.login("alice")
        try await harness.defineBucket("own", as: alice)
        let owned = try await alice.result("identity.myAccess")["resources"]?.arrayValue
        #expect(owned == [["resourceType": "bucket", "resourceName": "own", "operations": ["admin", "read", "write"], "isOwner": true]])
        let superAccess = try await admin.result("identity.myAccess")
        #expect(superAccess["user"] == ["id": "__superadmin__", "username": "__superadmin__", "roles": ["superadmin"]])
    }

    @Test func deletingTheOwnerLeavesTheResourceOwnerless() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let aliceId = try await harness.createUser("alice", roles: ["admin"], as: admin)
        try await harness.defineBucket("own", as: try await harness.login("alice"))
        _ = try await admin.result("identity.deleteUser", ["userId": .string(aliceId)])
        #expect(try await admin.result("identity.getOwner", ["resourceType": "bucket", "resourceName": "own"]) == ["owner": nil])
    }

    @Test func adminAclAllowsDropAndGrantButNothingElse() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("docs", as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        let carolId = try await harness.createUser("carol", as: admin)
        _ = try await grant(admin, bobId, "docs", ["admin"])
        let bob = try await harness.login("bob")
        // ACL operations are exact: admin does not imply read.
        #expect(try await bob.request("store.all", ["bucket": "docs"]).code == "FORBIDDEN")
        #expect(try await grant(bob, carolId, "docs", ["read"]).isResult)
        #expect(try await bob.request("store.dropBucket", ["name": "docs"]).isResult)
    }
}
