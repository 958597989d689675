import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Synchronization
import Testing

/// The custom token-auth behaviours of spec-identity §9 (auth, auth-permissions,
/// auth-revocation, auth-tiers) not already covered by `AuthTests`.
@Suite struct TokenAuthSpecTests {
    private func harness(
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

    private func login(_ harness: Harness, _ token: String) async throws -> TestClient {
        let client = try await harness.client()
        _ = try await client.result("auth.login", ["token": .string(token)])
        return client
    }

    private let insert: JSONObject = ["bucket": "users", "data": ["name": "n"]]

    @Test func withoutAuthTheAuthOperationsAreUnknown() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try harness.defineUsers()
        let client = try await harness.client()
        for type in ["auth.login", "auth.whoami", "auth.logout"] {
            let response = try await client.request(type, ["token": "user:u:admin"])
            #expect(response.code == "UNKNOWN_OPERATION")
            #expect(response.message == "Authentication is not configured")
        }
        #expect(try await client.request("store.insert", insert).isResult)
    }

    @Test func connectionsAreAuthenticatedSeparately() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let loggedIn = try await login(harness, "user:user-1:user")
        let anonymous = try await harness.client()
        #expect(try await loggedIn.request("store.all", ["bucket": "users"]).isResult)
        #expect(try await anonymous.request("store.all", ["bucket": "users"]).message == "Authentication required")
        _ = try await loggedIn.result("auth.logout")
        _ = try await loggedIn.result("auth.login", ["token": "user:user-1:user"])
        #expect(try await loggedIn.request("store.all", ["bucket": "users"]).isResult)
    }

    @Test func checkIsCalledOnceWithSessionOperationAndResource() async throws {
        let calls = Mutex<[String]>([])
        let permissions = PermissionConfiguration(check: { session, operation, resource in
            calls.withLock { $0.append("\(session.userId)|\(operation)|\(resource)") }
            if operation == "store.clear" { return session.roles.contains("admin") }
            return resource == "users" ? true : (resource == "secrets" ? false : nil)
        })
        let harness = try await harness(permissions: permissions)
        defer { Task { await harness.stop() } }
        let user = try await login(harness, "user:user-1:user")
        let admin = try await login(harness, "user:admin-1:admin")
        _ = try await user.result("store.all", ["bucket": "users"])
        #expect(calls.withLock { $0 } == ["user-1|store.all|users"])
        let cleared = try await user.request("store.clear", ["bucket": "users"])
        #expect(cleared.message == "No permission for store.clear on users")
        #expect(try await admin.request("store.clear", ["bucket": "users"]).isResult)
        #expect(try await user.request("store.all", ["bucket": "secrets"]).code == "FORBIDDEN")
    }

    @Test func tierCheckRunsBeforeRulesAndDefaults() async throws {
        let permissions = PermissionConfiguration(
            default: .deny,
            rules: [
                PermissionRule(role: "viewer", allow: ["*"]),
                PermissionRule(role: "editor", allow: ["store.get"], buckets: ["users"]),
                PermissionRule(role: "admin", allow: ["*"]),
            ])
        let harness = try await harness(permissions: permissions)
        defer { Task { await harness.stop() } }
        let viewer = try await login(harness, "user:v:reader,viewer")
        let tier = try await viewer.request("store.insert", insert)
        #expect(tier.code == "FORBIDDEN")
        #expect(tier.message?.contains("requires write") == true)
        let editor = try await login(harness, "user:e:writer,editor")
        #expect(try await editor.request("store.get", ["bucket": "users", "key": "x"]).isResult)
        #expect(try await editor.request("store.insert", insert).code == "FORBIDDEN")
        let admin = try await login(harness, "user:a:admin")
        #expect(try await admin.request("store.insert", ["bucket": "secrets", "data": [:]]).code != "FORBIDDEN")
        #expect(try await admin.request("server.stats").isResult)
    }

    @Test func checkOverridesRulesBothWays() async throws {
        let allowAll = PermissionConfiguration(
            default: .allow, rules: [PermissionRule(role: "writer", allow: ["*"])], check: { _, operation, _ in
                operation == "store.all" ? false : nil
            })
        let harness = try await harness(permissions: allowAll)
        defer { Task { await harness.stop() } }
        let writer = try await login(harness, "user:w:writer")
        #expect(try await writer.request("store.all", ["bucket": "users"]).code == "FORBIDDEN")
        #expect(try await writer.request("store.insert", insert).isResult)

        let denyAll = try await self.harness(permissions: PermissionConfiguration(default: .deny, check: { _, _, _ in true }))
        defer { Task { await denyAll.stop() } }
        #expect(try await login(denyAll, "user:w:writer").request("store.insert", insert).isResult)
        let openDefault = try await self.harness(permissions: PermissionConfiguration(default: .allow))
        defer { Task { await openDefault.stop() } }
        #expect(try await login(openDefault, "user:w:writer").request("store.insert", insert).isResult)
    }

    @Test func tiersForCustomAndBuiltInRoles() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let custom = try await login(harness, "user:c:user")
        #expect(try await custom.request("store.insert", insert).isResult)
        #expect(try await custom.request("server.stats").isResult)
        let writer = try await login(harness, "user:w:writer")
        #expect(try await writer.request("store.get", ["bucket": "users", "key": "k"]).isResult)
        #expect(try await writer.request("server.connections").message == "Role level insufficient for server.connections (requires admin)")
        let reader = try await login(harness, "user:r:reader")
        #expect(try await reader.request("server.stats").message?.contains("requires admin") == true)
    }

    @Test func revokeSessionsFilters() async throws {
        let harness = try await harness()
        defer { Task { await harness.stop() } }
        let writer1 = try await login(harness, "user:writer-1:writer")
        let writer2 = try await login(harness, "user:writer-2:writer")
        let reader = try await login(harness, "user:reader-1:reader")
        let anonymous = try await harness.client()
        #expect(harness.server.revokeSessions(userId: "writer-1", role: "writer") == 1)
        #expect(try await writer1.closed() == 4002)
        #expect(try await writer2.request("store.all", ["bucket": "users"]).isResult)
        #expect(harness.server.revokeSessions(role: "writer") == 1)
        #expect(try await writer2.closed() == 4002)
        #expect(try await reader.request("store.all", ["bucket": "users"]).isResult)
        #expect(harness.server.revokeSessions(role: "nonexistent") == 0)
        // Users revoked by role are blacklisted too.
        let again = try await harness.client()
        #expect(try await again.request("auth.login", ["token": "user:writer-2:writer"]).code == "SESSION_REVOKED")
        // Unauthenticated connections are never matched and can still log in.
        #expect(harness.server.revokeSessions() == 1)
        _ = try await anonymous.result("auth.login", ["token": "user:fresh:reader"])
        #expect(try await anonymous.request("store.all", ["bucket": "users"]).isResult)
        #expect(harness.server.revokeSession(userId: "ghost") == 0)
    }
}
