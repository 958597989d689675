import NoexAuth
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// F23 (issue 14 item 4): only a superadmin changes a superadmin's credentials, profile, roles
/// or enabled state, or deletes them. An admin who could reset a superadmin's password would
/// log in as them and make itself superadmin.
@Suite struct SuperadminProtectionTests {
    private func liveLogin(_ harness: Harness, _ username: String, password: String = "password123") async throws
        -> TestClient
    {
        let client = try await harness.liveClient()
        _ = try await client.result("identity.login", ["username": .string(username), "password": .string(password)])
        return client
    }

    @Test func anAdminCannotTakeOverASuperadmin() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let root = try await harness.superadmin()
        let bossId = try await harness.createUser("boss", password: "boss-password", roles: ["superadmin"], displayName: "Boss", as: root)
        try await harness.createUser("mallory", roles: ["admin"], as: root)
        try await harness.createUser("bystander", roles: ["reader"], as: root)
        let mallory = try await liveLogin(harness, "mallory")
        let healthy = try await liveLogin(harness, "bystander")
        let boss: JSONValue = .string(bossId)
        let attacks: [(String, JSONObject)] = [
            ("identity.resetPassword", ["userId": boss, "newPassword": "mallory-owns-you"]),
            ("identity.updateUser", ["userId": boss, "displayName": "Pwned", "email": "mallory@example.com"]),
            ("identity.disableUser", ["userId": boss]),
            ("identity.deleteUser", ["userId": boss]),
            ("identity.removeRole", ["userId": boss, "roleName": "superadmin"]),
            ("identity.assignRole", ["userId": boss, "roleName": "reader"]),
            ("identity.enableUser", ["userId": boss]),
        ]
        for (type, payload) in attacks {
            let response = try await mallory.request(type, payload)
            #expect(response.code == "FORBIDDEN", "\(type) answered \(response)")
            #expect(try await healthy.result("identity.whoami")["userId"] != nil)
        }
        // The superadmin's password, profile, roles and account are untouched.
        let stillBoss = try await liveLogin(harness, "boss", password: "boss-password")
        #expect(try await stillBoss.result("identity.whoami")["roles"] == ["superadmin"])
        let record = try await root.result("identity.getUser", ["userId": boss])
        #expect(record["displayName"] == "Boss")
        #expect(record["email"] == nil)
        #expect(record["enabled"] != false)
        let wrong = try await harness.liveClient()
        #expect(try await wrong.request("identity.login", ["username": "boss", "password": "mallory-owns-you"]).code == "UNAUTHORIZED")
        // The admin still administers ordinary users, and a superadmin still manages a superadmin.
        let plain = try await harness.createUser("plain", as: root)
        #expect(try await mallory.request("identity.resetPassword", ["userId": .string(plain), "newPassword": "fresh-password"]).isResult)
        #expect(try await stillBoss.request("identity.updateUser", ["userId": boss, "displayName": "Boss II"]).isResult)
        #expect(try await root.request("identity.resetPassword", ["userId": boss, "newPassword": "rotated-password"]).isResult)
    }
}
