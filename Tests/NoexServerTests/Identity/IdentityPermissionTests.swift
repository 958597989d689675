@_spi(Testing) import NoexServer
import NoexAuth
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// spec-identity §9 identity-permissions: system roles, live role changes, system buckets (F15).
@Suite struct IdentityPermissionTests {
    private let insert: JSONObject = ["bucket": "items", "data": ["title": "x"]]
    private let define: JSONObject = ["name": "other", "config": ["schema": ["id": ["type": "string", "generated": "uuid"]]]]

    @Test func systemRoles() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("items", as: admin)
        #expect(try await admin.request("store.insert", insert).isResult)
        #expect(try await admin.request("server.stats").isResult)
        for (name, role) in [("boss", "admin"), ("wendy", "writer"), ("rita", "reader")] {
            try await harness.createUser(name, roles: [role], as: admin)
        }
        try await harness.createUser("nobody", as: admin)
        let boss = try await harness.login("boss")
        #expect(try await boss.request("store.defineBucket", define).isResult)
        #expect(try await boss.request("server.stats").isResult)
        #expect(try await boss.request("store.insert", insert).isResult)
        #expect(try await boss.request("store.all", ["bucket": "items"]).isResult)

        let writer = try await harness.login("wendy")
        #expect(try await writer.request("store.insert", insert).isResult)
        #expect(try await writer.request("store.all", ["bucket": "items"]).isResult)
        #expect(try await writer.request("store.buckets").isResult)
        let writerDefine = try await writer.request("store.defineBucket", ["name": "x", "config": ["schema": [:]]])
        #expect(writerDefine.message == "No access to store.defineBucket on x")
        #expect(try await writer.request("server.stats").code == "FORBIDDEN")

        let reader = try await harness.login("rita")
        #expect(try await reader.request("store.all", ["bucket": "items"]).isResult)
        #expect(try await reader.request("store.insert", insert).message == "No access to store.insert on items")
        #expect(try await reader.request("store.delete", ["bucket": "items", "key": "k"]).code == "FORBIDDEN")
        #expect(try await reader.request("store.defineBucket", define).code == "FORBIDDEN")

        let nobody = try await harness.login("nobody")
        #expect(try await nobody.request("store.all", ["bucket": "items"]).code == "FORBIDDEN")
        #expect(try await nobody.request("store.insert", insert).code == "FORBIDDEN")
        #expect(try await nobody.request("store.buckets").code == "FORBIDDEN")
        #expect(try await nobody.result("identity.whoami")["authenticated"] == true)
    }

    @Test func systemBucketsAreOffLimitsEvenForSuperadmin() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("items", as: admin)
        let all = try await admin.request("store.all", ["bucket": "_users"])
        #expect(all.code == "FORBIDDEN")
        #expect(all.message == "Cannot access system bucket \"_users\" directly")
        #expect(try await admin.request("store.insert", ["bucket": "_roles", "data": ["name": "x"]]).code == "FORBIDDEN")
        #expect(try await admin.request("store.defineBucket", ["name": "_hacked", "config": ["schema": [:]]]).code == "FORBIDDEN")
        #expect(try await admin.request("store.dropBucket", ["name": "_users"]).code == "FORBIDDEN")
        let transaction = try await admin.request("store.transaction", ["operations": [["op": "get", "bucket": "_users", "key": "x"]]])
        #expect(transaction.message == "Cannot access system bucket \"_users\" in transaction")

        let buckets = try await admin.result("store.buckets")
        let names = (buckets["names"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(names.contains("items"))
        #expect(!names.contains { $0.hasPrefix("_") })
        #expect(buckets["count"] == .number(Double(names.count)))
        let stats = try await admin.result("store.stats")
        #expect(stats["buckets"]?["names"] == ["items"])
        #expect(stats["buckets"]?["count"] == 1)
        #expect(stats["records"]?["perBucket"] == ["items": 0])
        #expect(stats["records"]?["total"] == 0)
    }

    @Test func roleChangesApplyToLiveSessions() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("items", as: admin)
        let userId = try await harness.createUser("alice", as: admin)
        let alice = try await harness.login("alice")
        #expect(try await alice.request("store.all", ["bucket": "items"]).code == "FORBIDDEN")
        _ = try await admin.result("identity.assignRole", ["userId": .string(userId), "roleName": "writer"])
        #expect(try await alice.request("store.all", ["bucket": "items"]).isResult)
        #expect(try await alice.request("store.insert", insert).isResult)
        _ = try await admin.result("identity.removeRole", ["userId": .string(userId), "roleName": "writer"])
        #expect(try await alice.request("store.insert", insert).code == "FORBIDDEN")
    }

    @Test func customRoleWithBucketConstraint() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("invoices", as: admin)
        try await harness.defineBucket("secrets", as: admin)
        _ = try await admin.result(
            "identity.createRole",
            ["name": "accountant", "permissions": [["allow": ["store.insert"], "buckets": ["invoices"]], ["allow": ["store.all"]]]])
        try await harness.createUser("alice", roles: ["accountant"], as: admin)
        let alice = try await harness.login("alice")
        #expect(try await alice.request("store.insert", ["bucket": "invoices", "data": ["title": "i"]]).isResult)
        #expect(try await alice.request("store.insert", ["bucket": "secrets", "data": ["title": "s"]]).code == "FORBIDDEN")
        #expect(try await alice.request("store.all", ["bucket": "invoices"]).isResult)
        #expect(try await alice.request("store.all", ["bucket": "secrets"]).isResult)
        // A bucket-constrained entry never covers the `*` resource of a transaction.
        let transaction = try await alice.request(
            "store.transaction", ["operations": [["op": "insert", "bucket": "secrets", "data": ["title": "t"]]]])
        #expect(transaction.code == "FORBIDDEN")
    }
}
