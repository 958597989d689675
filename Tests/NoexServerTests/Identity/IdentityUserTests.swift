@_spi(Testing) import NoexServer
import NoexAuth
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// spec-identity §9 identity-user-crud.
@Suite struct IdentityUserTests {
    @Test func createAndGetUser() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let user = try await admin.result(
            "identity.createUser",
            ["username": "alice", "password": "password123", "displayName": "Alice", "email": "alice@example.com"])
        #expect(user["username"] == "alice")
        #expect(user["displayName"] == "Alice")
        #expect(user["email"] == "alice@example.com")
        #expect(user["enabled"] == true)
        #expect(user["passwordHash"] == nil)
        #expect(user["_version"] == nil)
        let userId = try #require(user["id"])
        let fetched = try await admin.result("identity.getUser", ["userId": userId])
        #expect(fetched["username"] == "alice")
        #expect(fetched["passwordHash"] == nil)
        #expect(try await admin.request("identity.getUser", ["userId": "missing"]).message == "User not found")

        let duplicate = try await admin.request("identity.createUser", ["username": "alice", "password": "password123"])
        #expect(duplicate.code == "ALREADY_EXISTS")
        #expect(duplicate.message == "User \"alice\" already exists")
        let short = try await admin.request("identity.createUser", ["username": "bob", "password": "short"])
        #expect(short.message == "Password must be at least 8 characters")
        #expect(try await admin.request("identity.createUser", ["username": "bo", "password": "password123"]).message == "Username must be between 3 and 64 characters")
        let badEmail = try await admin.request("identity.createUser", ["username": "carol", "password": "password123", "email": "nope"])
        #expect(badEmail.code == "VALIDATION_ERROR")
        #expect(badEmail.message?.contains("_users") == false)

        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        let writer = try await harness.login("wendy")
        #expect(try await writer.request("identity.createUser", ["username": "x1x", "password": "password123"]).code == "FORBIDDEN")
        let anonymous = try await harness.client()
        #expect(try await anonymous.request("identity.createUser", ["username": "x1x", "password": "password123"]).code == "UNAUTHORIZED")
    }

    @Test func passwordMinLengthIsConfigurable() async throws {
        let harness = try await Harness.identity(passwordMinLength: 12)
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let response = try await admin.request("identity.createUser", ["username": "alice", "password": "password123"])
        #expect(response.message == "Password must be at least 12 characters")
        #expect(try await admin.request("identity.createUser", ["username": "alice", "password": "password1234"]).isResult)
    }

    @Test func updateUser() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let aliceId = try await harness.createUser("alice", roles: ["reader"], as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        let updated = try await admin.result("identity.updateUser", ["userId": .string(bobId), "displayName": "Bobby"])
        #expect(updated["displayName"] == "Bobby")
        let alice = try await harness.login("alice")
        #expect(try await alice.result("identity.updateUser", ["userId": .string(aliceId), "displayName": "Al"])["displayName"] == "Al")
        let denied = try await alice.request("identity.updateUser", ["userId": .string(bobId), "displayName": "Hacked"])
        #expect(denied.code == "FORBIDDEN")
        #expect(denied.message == "Admin role required")
        let cleared = try await admin.result("identity.updateUser", ["userId": .string(bobId), "displayName": nil, "metadata": nil])
        #expect(cleared["displayName"] == nil || cleared["displayName"] == .null)
        #expect(cleared["metadata"] == [:])
        #expect(try await admin.request("identity.updateUser", ["userId": "missing"]).code == "NOT_FOUND")
        let withEmail = try await admin.result("identity.updateUser", ["userId": .string(bobId), "email": "bob@example.com"])
        #expect(withEmail["email"] == "bob@example.com")
        // A null (or mistyped) email clears it instead of failing as the reference does.
        let noEmail = try await admin.result("identity.updateUser", ["userId": .string(bobId), "email": 42])
        #expect(noEmail["email"] == nil || noEmail["email"] == .null)
        let invalid = try await admin.request("identity.updateUser", ["userId": .string(bobId), "email": "not-an-email"])
        #expect(invalid.code == "VALIDATION_ERROR")
        #expect(try await admin.result("identity.updateUser", ["userId": .string(bobId)])["displayName"] == cleared["displayName"])
        // The password cannot be changed through updateUser.
        _ = try await admin.result("identity.updateUser", ["userId": .string(aliceId), "passwordHash": "x", "password": "newpassword1"])
        #expect(try await harness.login("alice").result("identity.whoami")["userId"] == .string(aliceId))
    }

    @Test func deleteUserCascadesAndEndsConnections() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let aliceId = try await harness.createUser("alice", roles: ["writer"], as: admin)
        let alice = try await harness.client()
        let token = try await alice.result("identity.login", ["username": "alice", "password": "password123"])["token"]
        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        let writer = try await harness.login("wendy")
        #expect(try await writer.request("identity.deleteUser", ["userId": .string(aliceId)]).code == "FORBIDDEN")

        #expect(try await admin.result("identity.deleteUser", ["userId": .string(aliceId)]) == ["deleted": true])
        let notice = try await alice.next { $0["type"] == "system" }
        #expect(notice["event"] == "session_revoked")
        #expect(try await alice.closed() == 4002)
        #expect(try await admin.request("identity.getUser", ["userId": .string(aliceId)]).code == "NOT_FOUND")
        let reconnect = try await harness.client()
        #expect(try await reconnect.request("auth.login", ["token": try #require(token)]).message == "Invalid token")
        #expect(try harness.store.bucket("_user_roles").where(["userId": .string(aliceId)]).isEmpty)
        #expect(try harness.store.bucket("_sessions").where(["userId": .string(aliceId)]).isEmpty)
        #expect(try await admin.request("identity.deleteUser", ["userId": "__superadmin__"]).message == "Cannot delete virtual superadmin")
        #expect(try await admin.request("identity.deleteUser", ["userId": "missing"]).code == "NOT_FOUND")
    }

    @Test func listUsersPages() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.createUser("reader1", roles: ["reader"], as: admin)
        try await harness.createUser("user2", as: admin)
        let all = try await admin.result("identity.listUsers")
        #expect(all["total"] == 2)
        #expect(all["users"]?.arrayValue?.count == 2)
        #expect(all["users"]?.arrayValue?.allSatisfy { $0["passwordHash"] == nil } == true)
        for n in 3...5 { try await harness.createUser("user\(n)", as: admin) }
        let page = try await admin.result("identity.listUsers", ["page": 1, "pageSize": 2])
        #expect(page["users"]?.arrayValue?.count == 2)
        #expect(page["total"] == 5)
        #expect(try await admin.result("identity.listUsers", ["page": 9, "pageSize": 2])["users"] == [])
        // Absurd numbers are clamped, never trapped on.
        let clamped = try await admin.result("identity.listUsers", ["page": -1e308, "pageSize": 1e308])
        #expect(clamped["page"] == 1)
        #expect(clamped["pageSize"] == 200)
        let reader = try await harness.login("reader1")
        #expect(try await reader.request("identity.listUsers").code == "FORBIDDEN")
    }

    @Test func disableAndEnable() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let aliceId = try await harness.createUser("alice", roles: ["reader"], as: admin)
        let live = try await harness.login("alice")
        let disabled = try await admin.result("identity.disableUser", ["userId": .string(aliceId)])
        #expect(disabled["enabled"] == false)
        #expect(try await live.closed() == 4002)
        let client = try await harness.client()
        #expect(try await client.request("identity.login", ["username": "alice", "password": "password123"]).message == "Account disabled")
        #expect(try await admin.result("identity.enableUser", ["userId": .string(aliceId)])["enabled"] == true)
        #expect(try await client.request("identity.login", ["username": "alice", "password": "password123"]).isResult)
        #expect(try await admin.request("identity.disableUser", ["userId": "__superadmin__"]).message == "Cannot disable virtual superadmin")
    }

    @Test func changeAndResetPassword() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let aliceId = try await harness.createUser("alice", roles: ["writer"], as: admin)
        let bobId = try await harness.createUser("bob", as: admin)
        let first = try await harness.client()
        let token1 = try await first.result("identity.login", ["username": "alice", "password": "password123"])["token"]
        let second = try await harness.login("alice")

        let wrong = try await first.request(
            "identity.changePassword",
            ["userId": .string(aliceId), "currentPassword": "nottheone", "newPassword": "newpassword1"])
        #expect(wrong.message == "Current password is incorrect")
        let other = try await first.request(
            "identity.changePassword",
            ["userId": .string(bobId), "currentPassword": "password123", "newPassword": "newpassword1"])
        #expect(other.message == "Can only change your own password (use resetPassword for other users)")
        let changed = try await first.result(
            "identity.changePassword",
            ["userId": .string(aliceId), "currentPassword": "password123", "newPassword": "newpassword1"])
        #expect(changed == ["changed": true])
        // Other live connections of the user end; the caller's stays.
        #expect(try await second.closed() == 4002)
        #expect(try await first.request("identity.whoami").isResult)
        let fresh = try await harness.client()
        #expect(try await fresh.request("auth.login", ["token": try #require(token1)]).code == "UNAUTHORIZED")
        #expect(try await fresh.request("identity.login", ["username": "alice", "password": "password123"]).code == "UNAUTHORIZED")
        #expect(try await fresh.request("identity.login", ["username": "alice", "password": "newpassword1"]).isResult)

        #expect(try await admin.result("identity.resetPassword", ["userId": .string(bobId), "newPassword": "resetpass12"]) == ["reset": true])
        #expect(try await harness.client().request("identity.login", ["username": "bob", "password": "resetpass12"]).isResult)
        let writer = try await harness.login("alice", password: "newpassword1")
        #expect(try await writer.request("identity.resetPassword", ["userId": .string(bobId), "newPassword": "resetpass12"]).code == "FORBIDDEN")
    }
}
