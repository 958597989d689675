import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Synchronization
import Testing

/// Tokens of the form `user:<id>:<role,role>[:<expiresAt>]`; anything else is invalid.
@Sendable func testTokenValidator(_ token: String) async throws -> AuthSession? {
    let parts = token.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 3, parts[0] == "user" else { return nil }
    let expiresAt = parts.count > 3 ? Int64(parts[3]) : nil
    return AuthSession(userId: parts[1], roles: parts[2].split(separator: ",").map(String.init), expiresAt: expiresAt)
}

@Suite struct AuthTests {
    private func authHarness(
        required: Bool = true, permissions: PermissionConfiguration? = nil,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> Harness {
        let harness = try await Harness.start { configuration in
            configuration.auth = TokenAuthConfiguration(required: required, permissions: permissions, validate: testTokenValidator)
            configure(&configuration)
        }
        try harness.defineUsers()
        return harness
    }

    @Test func loginLogoutWhoami() async throws {
        let harness = try await authHarness()
        defer { Task { await harness.stop() } }
        let client = try await TestClient.inProcess(harness.server, awaitWelcome: false)
        #expect(try await client.welcome()["requiresAuth"] == true)
        let denied = try await client.request("store.all", ["bucket": "users"])
        #expect(denied.code == "UNAUTHORIZED")
        #expect(denied.message == "Authentication required")
        #expect(try await client.result("auth.whoami") == ["authenticated": false])
        #expect(try await client.request("auth.login", ["token": "bogus"]).message == "Invalid token")
        #expect(try await client.request("auth.login").code == "VALIDATION_ERROR")

        #expect(try await client.result("auth.login", ["token": "user:u1:writer"]) == ["userId": "u1", "roles": ["writer"], "expiresAt": nil])
        #expect(try await client.result("store.all", ["bucket": "users"]) == [])
        #expect(try await client.result("auth.whoami") == ["authenticated": true, "userId": "u1", "roles": ["writer"], "expiresAt": nil])
        _ = try await client.result("auth.login", ["token": "user:u2:reader"])
        #expect(try await client.result("auth.whoami")["userId"] == "u2")
        #expect(try await client.result("auth.logout") == ["loggedOut": true])
        #expect(try await client.request("store.all", ["bucket": "users"]).code == "UNAUTHORIZED")
    }

    @Test func registryFollowsLoginLogoutAndIgnoresFailedLogins() async throws {
        let harness = try await authHarness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        #expect(harness.server.getConnections().first?.authenticated == false)
        _ = try await client.result("auth.login", ["token": "user:user-42:writer"])
        var entry = try #require(harness.server.getConnections().first)
        #expect(entry.authenticated && entry.userId == "user-42" && entry.roles == ["writer"])
        #expect(try await client.request("auth.login", ["token": "bogus"]).code == "UNAUTHORIZED")
        entry = try #require(harness.server.getConnections().first)
        #expect(entry.userId == "user-42")
        #expect(try await client.result("auth.whoami")["userId"] == "user-42")
        _ = try await client.result("auth.logout")
        entry = try #require(harness.server.getConnections().first)
        #expect(!entry.authenticated && entry.userId == nil && entry.roles.isEmpty)
    }

    @Test func expiryAtLoginAndBetweenRequests() async throws {
        let harness = try await authHarness()
        defer { Task { await harness.stop() } }
        let client = try await harness.client()
        let past = ServerClock.system.nowMs() - 1000
        #expect(try await client.request("auth.login", ["token": .string("user:u:writer:\(past)")]).message == "Token has expired")
        #expect(try await client.result("auth.whoami") == ["authenticated": false])
        let soon = ServerClock.system.nowMs() + 1_500
        _ = try await client.result("auth.login", ["token": .string("user:u:writer:\(soon)")])
        #expect(try await client.request("store.all", ["bucket": "users"])["type"] == "result")
        try await Task.sleep(for: .milliseconds(1_600))
        #expect(try await client.request("store.all", ["bucket": "users"]).message == "Session expired")
        #expect(try await client.request("store.all", ["bucket": "users"]).message == "Authentication required")
    }

    @Test func optionalAuthLetsAnonymousClientsIn() async throws {
        let harness = try await authHarness(required: false)
        defer { Task { await harness.stop() } }
        let client = try await TestClient.inProcess(harness.server, awaitWelcome: false)
        #expect(try await client.welcome()["requiresAuth"] == false)
        #expect(try await client.result("store.all", ["bucket": "users"]) == [])
        _ = try await client.result("auth.login", ["token": "user:u:reader"])
    }

    @Test func roleTiers() async throws {
        let harness = try await authHarness()
        defer { Task { await harness.stop() } }
        let admin = try await harness.client()
        _ = try await admin.result("auth.login", ["token": "user:a:admin"])
        let writer = try await harness.client()
        _ = try await writer.result("auth.login", ["token": "user:w:writer"])
        let reader = try await harness.client()
        _ = try await reader.result("auth.login", ["token": "user:r:reader"])
        let custom = try await harness.client()
        _ = try await custom.result("auth.login", ["token": "user:c:user"])

        #expect(try await admin.request("server.stats")["type"] == "result")
        #expect(try await writer.request("server.stats").message == "Role level insufficient for server.stats (requires admin)")
        #expect(try await reader.request("store.insert", ["bucket": "users", "data": ["name": "x"]]).message == "Role level insufficient for store.insert (requires write)")
        #expect(try await writer.request("store.insert", ["bucket": "users", "data": ["name": "x"]])["type"] == "result")
        #expect(try await reader.request("store.all", ["bucket": "users"])["type"] == "result")
        #expect(try await custom.request("server.connections")["type"] == "result")
        #expect(try await reader.request("auth.whoami")["type"] == "result")
        #expect(try await writer.request("store.defineBucket", ["name": "b", "config": ["schema": [:]]]).code == "FORBIDDEN")
    }

    @Test func permissionsRulesAndCheck() async throws {
        let calls = Mutex<[String]>([])
        let permissions = PermissionConfiguration(
            default: .deny,
            rules: [
                PermissionRule(role: "editor", allow: ["store.*"], buckets: ["users"]),
                PermissionRule(role: "viewer", allow: ["store.all", "store.get"], buckets: ["users"]),
            ],
            check: { session, operation, resource in
                calls.withLock { $0.append("\(session.userId) \(operation) \(resource)") }
                return session.userId == "boss" ? true : nil
            })
        let harness = try await authHarness(permissions: permissions)
        defer { Task { await harness.stop() } }
        let editor = try await harness.client()
        _ = try await editor.result("auth.login", ["token": "user:e:writer,editor"])
        #expect(try await editor.request("store.insert", ["bucket": "users", "data": ["name": "x"]])["type"] == "result")
        let forbidden = try await editor.request("store.all", ["bucket": "secrets"])
        #expect(forbidden.message == "No permission for store.all on secrets")
        // A transaction is checked on every bucket it touches (F22).
        #expect(try await editor.request("store.transaction", ["operations": [["op": "count", "bucket": "users"]]])["type"] == "result")
        let mixed: JSONObject = ["operations": [["op": "count", "bucket": "users"], ["op": "count", "bucket": "secrets"]]]
        #expect(try await editor.request("store.transaction", mixed).message == "No permission for store.transaction on secrets")
        let viewer = try await harness.client()
        _ = try await viewer.result("auth.login", ["token": "user:v:reader,viewer"])
        #expect(try await viewer.request("store.all", ["bucket": "users"])["type"] == "result")
        #expect(try await viewer.request("store.count", ["bucket": "users"]).code == "FORBIDDEN")
        let boss = try await harness.client()
        _ = try await boss.result("auth.login", ["token": "user:boss:custom"])
        #expect(try await boss.request("store.clear", ["bucket": "secrets"]).code != "FORBIDDEN")
        #expect(calls.withLock { $0 }.contains("v store.all users"))
        #expect(!calls.withLock { $0 }.contains { $0.contains("auth.login") })
    }

    @Test func revocationClosesConnectionsAndBlocksLogin() async throws {
        let harness = try await authHarness { $0.revocation = RevocationConfiguration(blacklistTtlMs: 1_500) }
        defer { Task { await harness.stop() } }
        let first = try await harness.client()
        _ = try await first.result("auth.login", ["token": "user:w1:writer"])
        let second = try await harness.client()
        _ = try await second.result("auth.login", ["token": "user:w1:writer"])
        let other = try await harness.client()
        _ = try await other.result("auth.login", ["token": "user:r1:reader"])

        #expect(harness.server.revokeSession(userId: "w1") == 2)
        for client in [first, second] {
            let notice = try await client.next { $0["type"] == "system" }
            #expect(notice == ["type": "system", "event": "session_revoked", "reason": "Session revoked by administrator"])
            #expect(try await client.closed() == 4002)
        }
        #expect(try await other.request("store.all", ["bucket": "users"])["type"] == "result")
        #expect(harness.server.revokeSession(userId: "nobody") == 0)

        let again = try await harness.client()
        let revoked = try await again.request("auth.login", ["token": "user:w1:writer"])
        #expect(revoked.code == "SESSION_REVOKED")
        #expect(revoked.message == "Session has been revoked")
        try await Task.sleep(for: .milliseconds(1_600))
        #expect(try await again.request("auth.login", ["token": "user:w1:writer"])["type"] == "result")
        #expect(harness.server.revokeSessions(role: "reader") == 1)
        #expect(harness.server.revokeSessions(role: "nobody") == 0)
    }
}
