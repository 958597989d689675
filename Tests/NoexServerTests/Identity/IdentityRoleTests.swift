@_spi(Testing) import NoexServer
import NoexAuth
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// spec-identity §9 identity-role-management, with F13 (only superadmin assigns superadmin).
@Suite struct IdentityRoleTests {
    @Test func listRoles() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let roles = try #require(try await admin.result("identity.listRoles")["roles"]?.arrayValue)
        #expect(roles.compactMap { $0["name"]?.stringValue } == ["superadmin", "admin", "writer", "reader"])
        #expect(roles.allSatisfy { $0["system"] == true && $0["id"]?.stringValue != nil && $0["_version"] == nil })
        try await harness.createUser("boss", roles: ["admin"], as: admin)
        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        #expect(try await harness.login("boss").request("identity.listRoles").isResult)
        #expect(try await harness.login("wendy").request("identity.listRoles").code == "FORBIDDEN")
    }

    @Test func createUpdateDeleteRole() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let permissions: JSONValue = [["allow": ["store.insert"], "buckets": ["invoices"]], ["allow": "store.all"]]
        let role = try await admin.result(
            "identity.createRole", ["name": "accountant", "description": "Books", "permissions": permissions])
        #expect(role["name"] == "accountant")
        #expect(role["description"] == "Books")
        #expect(role["system"] == false)
        #expect(role["permissions"] == permissions)
        let roleId = try #require(role["id"])
        #expect(try await admin.result("identity.createRole", ["name": "plain"])["permissions"] == [])
        #expect(try await admin.request("identity.createRole", ["name": "accountant"]).code == "ALREADY_EXISTS")
        #expect(try await admin.request("identity.createRole", ["name": "admin"]).message == "Role \"admin\" already exists")
        #expect(try await admin.request("identity.createRole", ["name": ""]).code == "VALIDATION_ERROR")
        #expect(try await admin.request("identity.createRole", ["name": .string(String(repeating: "r", count: 65))]).message == "Role name must be between 1 and 64 characters")

        let updated = try await admin.result(
            "identity.updateRole", ["roleId": roleId, "description": "New", "permissions": [["allow": ["store.get"]]]])
        #expect(updated["description"] == "New")
        #expect(updated["permissions"] == [["allow": ["store.get"]]])
        #expect(try await admin.request("identity.updateRole", ["roleId": "missing"]).message == "Role not found")

        try await harness.createUser("boss", roles: ["admin"], as: admin)
        let boss = try await harness.login("boss")
        #expect(try await boss.request("identity.createRole", ["name": "x"]).message == "Superadmin role required")
        #expect(try await boss.request("identity.updateRole", ["roleId": roleId]).code == "FORBIDDEN")
        #expect(try await boss.request("identity.deleteRole", ["roleId": roleId]).code == "FORBIDDEN")
        #expect(try await harness.client().request("identity.createRole", ["name": "x"]).code == "UNAUTHORIZED")

        #expect(try await admin.result("identity.deleteRole", ["roleId": roleId]) == ["deleted": true])
        let names = try await admin.result("identity.listRoles")["roles"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names?.contains("accountant") == false)
        #expect(try await admin.request("identity.deleteRole", ["roleId": "missing"]).code == "NOT_FOUND")
        for system in try #require(try await admin.result("identity.listRoles")["roles"]?.arrayValue) where system["system"] == true {
            let refused = try await admin.request("identity.deleteRole", ["roleId": try #require(system["id"])])
            #expect(refused.message == "Cannot delete system role")
        }
    }

    @Test func deletingACustomRoleRemovesItsAssignments() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let roleId = try #require(try await admin.result("identity.createRole", ["name": "temp"])["id"])
        let userId = try await harness.createUser("alice", roles: ["temp"], as: admin)
        #expect(try await admin.result("identity.getUserRoles", ["userId": .string(userId)])["roles"]?.arrayValue?.count == 1)
        _ = try await admin.result("identity.deleteRole", ["roleId": roleId])
        #expect(try await admin.result("identity.getUserRoles", ["userId": .string(userId)])["roles"] == [])
    }

    @Test func assignAndRemoveRoles() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let userId = try await harness.createUser("alice", as: admin)
        #expect(try await admin.result("identity.getUserRoles", ["userId": .string(userId)])["roles"] == [])
        #expect(try await admin.result("identity.assignRole", ["userId": .string(userId), "roleName": "writer"]) == ["assigned": true])
        let roles = try await admin.result("identity.getUserRoles", ["userId": .string(userId)])["roles"]?.arrayValue
        #expect(roles?.count == 1)
        #expect(roles?.first?["name"] == "writer")
        #expect(roles?.first?["system"] == true)
        #expect(roles?.first?["permissions"]?.arrayValue != nil)
        #expect(roles?.first?["_version"] == nil)
        #expect(try await harness.login("alice").result("identity.whoami")["roles"] == ["writer"])
        _ = try await admin.result("identity.assignRole", ["userId": .string(userId), "roleName": "reader"])
        #expect(try await admin.result("identity.getUserRoles", ["userId": .string(userId)])["roles"]?.arrayValue?.count == 2)

        let duplicate = try await admin.request("identity.assignRole", ["userId": .string(userId), "roleName": "writer"])
        #expect(duplicate.message == "User already has role \"writer\"")
        #expect(try await admin.request("identity.assignRole", ["userId": "missing", "roleName": "writer"]).message == "User not found")
        #expect(try await admin.request("identity.assignRole", ["userId": .string(userId), "roleName": "nope"]).message == "Role \"nope\" not found")

        #expect(try await admin.result("identity.removeRole", ["userId": .string(userId), "roleName": "writer"]) == ["removed": true])
        let login = try await harness.client().result("identity.login", ["username": "alice", "password": "password123"])
        #expect(login["user"]?["roles"] == ["reader"])
        #expect(try await admin.request("identity.removeRole", ["userId": .string(userId), "roleName": "writer"]).message == "User does not have role \"writer\"")
        #expect(try await admin.request("identity.removeRole", ["userId": .string(userId), "roleName": "nope"]).code == "NOT_FOUND")

        #expect(try await admin.request("identity.getUserRoles", ["userId": "missing"]).code == "NOT_FOUND")
        let superRoles = try await admin.result("identity.getUserRoles", ["userId": "__superadmin__"])["roles"]?.arrayValue
        #expect(superRoles?.compactMap { $0["name"]?.stringValue } == ["superadmin"])
    }

    @Test func adminsManageRolesButCannotMintSuperadmins() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.createUser("boss", roles: ["admin"], as: admin)
        let bossId = try #require(try await harness.login("boss").result("identity.whoami")["userId"])
        let targetId = try await harness.createUser("target", as: admin)
        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        let boss = try await harness.login("boss")
        #expect(try await boss.request("identity.assignRole", ["userId": .string(targetId), "roleName": "writer"]).isResult)
        for userId in [JSONValue.string(targetId), bossId] {
            let escalation = try await boss.request("identity.assignRole", ["userId": userId, "roleName": "superadmin"])
            #expect(escalation.code == "FORBIDDEN")
        }
        #expect(try await harness.login("target").request("server.stats").code == "FORBIDDEN")
        let writer = try await harness.login("wendy")
        #expect(try await writer.request("identity.assignRole", ["userId": .string(targetId), "roleName": "admin"]).code == "FORBIDDEN")
        #expect(try await writer.request("identity.removeRole", ["userId": .string(targetId), "roleName": "writer"]).code == "FORBIDDEN")
        #expect(try await writer.request("identity.getUserRoles", ["userId": .string(targetId)]).code == "FORBIDDEN")
        // A superadmin can.
        #expect(try await admin.request("identity.assignRole", ["userId": .string(targetId), "roleName": "superadmin"]).isResult)
    }

    @Test func customRoleLifecycle() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        _ = try await admin.result("identity.createRole", ["name": "auditor", "permissions": [["allow": ["audit.*"]]]])
        let userId = try await harness.createUser("alice", roles: ["auditor"], as: admin)
        let roles = try await admin.result("identity.getUserRoles", ["userId": .string(userId)])["roles"]?.arrayValue
        #expect(roles?.first?["name"] == "auditor")
        #expect(roles?.first?["system"] == false)
        let login = try await harness.client().result("identity.login", ["username": "alice", "password": "password123"])
        #expect(login["user"]?["roles"] == ["auditor"])
    }
}

@Suite struct IdentityLiveGateTests {
    @Test func roleGatesFollowLiveRoles() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        let bossId = try await harness.createUser("boss", roles: ["admin"], as: root)
        let promotedId = try await harness.createUser("promoted", as: root)
        let boss = try await harness.login("boss")
        let promoted = try await harness.login("promoted")
        #expect(try await boss.request("identity.listUsers").isResult)
        #expect(try await promoted.request("identity.listUsers").code == "FORBIDDEN")

        _ = try await root.result("identity.removeRole", ["userId": .string(bossId), "roleName": "admin"])
        _ = try await root.result("identity.assignRole", ["userId": .string(promotedId), "roleName": "admin"])
        // A demoted admin loses identity administration without logging out...
        let demoted = try await boss.request("identity.createUser", ["username": "accomplice", "password": "password123"])
        #expect(demoted.message == "Admin role required")
        #expect(try await boss.request("identity.assignRole", ["userId": .string(bossId), "roleName": "admin"]).code == "FORBIDDEN")
        // ...and a promoted user gains it without logging in again.
        #expect(try await promoted.request("identity.listUsers").isResult)
        // whoami still reports the roles the connection logged in with.
        #expect(try await boss.result("identity.whoami")["roles"] == ["admin"])
    }
}
