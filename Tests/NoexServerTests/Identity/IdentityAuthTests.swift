import NoexAuth
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// spec-identity §9 identity-auth: logins, sessions, token reconnect, the login rate limiter.
@Suite struct IdentityAuthTests {
    /// Seeds a user straight into `_users`, as the reference tests do.
    private func seed(_ harness: Harness, _ username: String, password: String = "password123", enabled: Bool = true)
        throws
    {
        _ = try harness.store.bucket("_users").insert([
            "username": .string(username), "passwordHash": .string(try PasswordHasher.hash(password, cost: testHashCost)),
            "displayName": .string(username.prefix(1).uppercased() + username.dropFirst()), "enabled": .bool(enabled),
        ])
    }

    @Test func loginWithSecretAndWhoami() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let client = try await TestClient.inProcess(harness.server, awaitWelcome: false)
        #expect(try await client.welcome()["requiresAuth"] == true)
        let anonymousWhoami = try await client.request("identity.whoami")
        #expect(anonymousWhoami.code == "UNAUTHORIZED")
        #expect(try await client.request("identity.loginWithSecret", ["secret": "wrong"]).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.loginWithSecret").code == "VALIDATION_ERROR")
        let login = try await client.result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])
        let token = try #require(login["token"]?.stringValue)
        #expect(login["expiresAt"]?.numberValue != nil)
        #expect(login["user"] == ["id": "__superadmin__", "username": "__superadmin__", "roles": ["superadmin"]])
        #expect(!token.isEmpty)
        let whoami = try await client.result("identity.whoami")
        #expect(whoami["authenticated"] == true)
        #expect(whoami["userId"] == "__superadmin__")
        #expect(whoami["roles"] == ["superadmin"])
        try await harness.defineBucket("items", as: client)
    }

    @Test func passwordLogin() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        try seed(harness, "alice")
        try seed(harness, "dave", enabled: false)
        let client = try await harness.client()
        let login = try await client.result("identity.login", ["username": "alice", "password": "password123"])
        #expect(login["token"]?.stringValue != nil)
        #expect(login["user"]?["username"] == "alice")
        #expect(login["user"]?["displayName"] == "Alice")
        #expect(login["user"]?["roles"] == [])
        #expect(try await client.result("identity.whoami")["userId"] != "__superadmin__")

        let other = try await harness.client()
        #expect(try await other.request("identity.login", ["username": "nobody", "password": "password123"]).message == "Invalid credentials")
        #expect(try await other.request("identity.login", ["username": "alice", "password": "wrongpass1"]).message == "Invalid credentials")
        #expect(try await other.request("identity.login", ["username": "dave", "password": "password123"]).message == "Account disabled")
        // A wrong password on a disabled account says nothing about the account.
        #expect(try await other.request("identity.login", ["username": "dave", "password": "wrongpass1"]).message == "Invalid credentials")
        #expect(try await other.request("identity.login", ["username": "alice"]).code == "VALIDATION_ERROR")
        #expect(try await other.request("identity.login", ["password": "x"]).code == "VALIDATION_ERROR")
        #expect(try await other.request("store.all", ["bucket": "x"]).message == "Authentication required")
    }

    @Test func loginRolesFollowAssignments() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.createUser("wendy", roles: ["writer"], as: admin)
        let client = try await harness.client()
        let login = try await client.result("identity.login", ["username": "wendy", "password": "password123"])
        #expect(login["user"]?["roles"] == ["writer"])
    }

    @Test func logoutRefreshAndTokenReconnect() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.defineBucket("items", as: admin)
        try await harness.createUser("alice", roles: ["writer"], as: admin)
        let client = try await harness.client()
        let first = try await client.result("identity.login", ["username": "alice", "password": "password123"])
        let oldToken = try #require(first["token"])
        let refreshed = try await client.result("identity.refreshSession")
        let newToken = try #require(refreshed["token"])
        #expect(newToken != oldToken)
        #expect(refreshed["expiresAt"]?.numberValue != nil)
        #expect(try await client.request("store.insert", ["bucket": "items", "data": ["title": "a"]]).isResult)

        let reconnect = try await harness.client()
        #expect(try await reconnect.request("auth.login", ["token": oldToken]).message == "Invalid token")
        let reconnected = try await reconnect.result("auth.login", ["token": newToken])
        #expect(reconnected["userId"] == first["user"]?["id"])
        #expect(try await reconnect.result("identity.whoami")["userId"] == first["user"]?["id"])

        #expect(try await client.result("identity.logout") == ["loggedOut": true])
        #expect(try await client.request("store.all", ["bucket": "items"]).code == "UNAUTHORIZED")
        let third = try await harness.client()
        #expect(try await third.request("auth.login", ["token": newToken]).code == "UNAUTHORIZED")
        _ = try await client.result("identity.login", ["username": "alice", "password": "password123"])
        #expect(try await client.request("store.insert", ["bucket": "items", "data": ["title": "b"]]).isResult)

        let unauthenticated = try await harness.client()
        #expect(try await unauthenticated.request("identity.refreshSession").code == "UNAUTHORIZED")
        #expect(try await unauthenticated.request("identity.logout").code == "UNAUTHORIZED")

        let superToken = try await harness.client().result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])["token"]
        let superReconnect = try await harness.client()
        #expect(try await superReconnect.result("auth.login", ["token": try #require(superToken)])["userId"] == "__superadmin__")
    }

    @Test func sessionTtlExpires() async throws {
        let harness = try await Harness.identity(sessionTtlMs: 6_000)
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let admin = try await harness.superadmin()
        #expect(try await admin.request("store.all", ["bucket": "users"]).isResult)
        try await Task.sleep(for: .milliseconds(6_200))
        #expect(try await admin.request("store.all", ["bucket": "users"]).message == "Session expired")
        #expect(try await admin.request("store.all", ["bucket": "users"]).message == "Authentication required")
        _ = try await admin.result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])
        #expect(try await admin.request("store.all", ["bucket": "users"]).isResult)
    }

    @Test func notConfigured() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let response = try await client.request("identity.login", ["username": "a", "password": "b"])
        #expect(response.code == "UNKNOWN_OPERATION")
        #expect(response.message == "Identity management is not configured")
    }

    @Test func perConnectionState() async throws {
        let harness = try await Harness.identity()
        defer { Task { await harness.stop() } }
        let first = try await harness.superadmin()
        let second = try await harness.client()
        try await harness.defineBucket("items", as: first)
        #expect(try await second.request("store.all", ["bucket": "items"]).code == "UNAUTHORIZED")
    }

    @Test func rateLimitLocksOutAfterFailures() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 3, windowMs: 60_000))
        defer { Task { await harness.stop() } }
        try seed(harness, "alice")
        let client = try await harness.client()
        for _ in 0..<3 {
            #expect(try await client.request("identity.login", ["username": "alice", "password": "badpass11"]).code == "UNAUTHORIZED")
        }
        let limited = try await client.request("identity.login", ["username": "alice", "password": "password123"])
        #expect(limited.code == "RATE_LIMITED")
        #expect(limited.message == "Too many failed login attempts. Try again later.")
        #expect((limited["details"]?["retryAfterMs"]?.numberValue ?? 0) > 0)
    }

    @Test func successResetsBothCounters() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 3, windowMs: 60_000))
        defer { Task { await harness.stop() } }
        try seed(harness, "alice")
        let client = try await harness.client()
        let bad: JSONObject = ["username": "alice", "password": "badpass11"]
        let good: JSONObject = ["username": "alice", "password": "password123"]
        #expect(try await client.request("identity.login", bad).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.login", bad).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.login", good).isResult)
        _ = try await client.result("identity.logout")
        #expect(try await client.request("identity.login", bad).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.login", bad).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.login", good).isResult)
    }

    @Test func secretRateLimitAndLockoutExpiry() async throws {
        let harness = try await Harness.identity(loginRateLimit: .init(maxAttempts: 2, windowMs: 3_000))
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        #expect(try await client.request("identity.loginWithSecret", ["secret": "nope"]).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.loginWithSecret", ["secret": "nope"]).code == "UNAUTHORIZED")
        #expect(try await client.request("identity.loginWithSecret", ["secret": .string(testAdminSecret)]).code == "RATE_LIMITED")
        try await Task.sleep(for: .milliseconds(3_100))
        #expect(try await client.request("identity.loginWithSecret", ["secret": .string(testAdminSecret)]).isResult)
    }

    @Test func revokedUserCannotLogInUntilTtl() async throws {
        let harness = try await Harness.identity { $0.revocation = RevocationConfiguration(blacklistTtlMs: 3_000) }
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        try await harness.createUser("alice", roles: ["reader"], as: admin)
        let alice = try await harness.login("alice")
        let token = try await harness.client().result("identity.login", ["username": "alice", "password": "password123"])["token"]
        let aliceId = try #require(try await alice.result("identity.whoami")["userId"]?.stringValue)
        // Both of alice's connections (the one that fetched `token` too) end.
        #expect(harness.server.revokeSession(userId: aliceId) == 2)
        #expect(try await alice.closed() == 4002)
        let again = try await harness.client()
        let refused = try await again.request("identity.login", ["username": "alice", "password": "password123"])
        #expect(refused.code == "SESSION_REVOKED")
        // Stored tokens died with the revocation, so no reconnect outlives the ban.
        #expect(try await again.request("auth.login", ["token": try #require(token)]).code == "UNAUTHORIZED")
        try await Task.sleep(for: .milliseconds(3_100))
        #expect(try await again.request("identity.login", ["username": "alice", "password": "password123"]).isResult)
        #expect(try await again.request("auth.login", ["token": try #require(token)]).message == "Invalid token")
    }
}
