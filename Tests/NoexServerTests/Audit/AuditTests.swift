import NoexAuth
import NoexProtocol
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Synchronization
import Testing

/// spec-identity §9 audit and audit-learn-examples (custom token auth), plus identity-mode entries.
@Suite struct AuditTests {
    private func auditHarness(
        tiers: Set<OperationTierName> = [.admin], maxEntries: Int = 10_000,
        onEntry: (@Sendable (AuditEntry) -> Void)? = nil
    ) async throws -> Harness {
        let harness = try await Harness.start { configuration in
            configuration.auth = TokenAuthConfiguration(validate: testTokenValidator)
            configuration.audit = AuditConfiguration(
                tiers: Set(tiers.map(\.tier)), maxEntries: maxEntries, onEntry: onEntry)
        }
        try harness.defineUsers()
        return harness
    }

    private func login(_ harness: Harness, _ token: String) async throws -> TestClient {
        let client = try await harness.client()
        _ = try await client.result("auth.login", ["token": .string(token)])
        return client
    }

    private func entries(_ client: TestClient, _ filter: JSONObject = [:]) async throws -> [JSONValue] {
        try #require(try await client.result("audit.query", filter)["entries"]?.arrayValue)
    }

    @Test func adminOperationsAreLogged() async throws {
        let harness = try await auditHarness()
        defer { Task { await harness.stop() } }
        let admin = try await login(harness, "user:admin-1:admin")
        _ = try await admin.result("server.stats")
        _ = try await admin.result("server.connections")
        _ = try await admin.result("store.insert", ["bucket": "users", "data": ["name": "n"]])
        let logged = try await entries(admin)
        #expect(logged.count == 2)
        #expect(logged[0]["operation"] == "server.connections")
        let stats = logged[1]
        #expect(stats["operation"] == "server.stats")
        #expect(stats["result"] == "success")
        #expect(stats["userId"] == "admin-1")
        #expect(stats["resource"] == "*")
        #expect(stats["sessionId"]?.stringValue?.hasPrefix("conn-") == true)
        #expect(stats["remoteAddress"] == "127.0.0.1")
        #expect(stats["error"] == nil)
    }

    @Test func writeTierAndFailuresAndFilters() async throws {
        let harness = try await auditHarness(tiers: [.admin, .write])
        defer { Task { await harness.stop() } }
        let admin = try await login(harness, "user:admin-1:admin")
        let writer = try await login(harness, "user:writer-1:writer")
        let reader = try await login(harness, "user:reader-1:reader")
        _ = try await admin.result("store.insert", ["bucket": "users", "data": ["name": "n"]])
        #expect(try await writer.request("server.stats").code == "FORBIDDEN")
        _ = try await admin.result("server.stats")
        _ = try await admin.result("server.stats")
        _ = try await reader.result("store.all", ["bucket": "users"])

        let newest = try await entries(admin, ["limit": 1])
        #expect(newest.count == 1)
        #expect(newest[0]["operation"] == "server.stats")
        let inserts = try await entries(admin, ["operation": "store.insert"])
        #expect(inserts.count == 1)
        #expect(inserts[0]["resource"] == "users")
        let failed = try await entries(admin, ["result": "error"])
        #expect(failed.count == 1)
        #expect(failed[0]["userId"] == "writer-1")
        #expect(failed[0]["error"]?.stringValue?.contains("requires admin") == true)
        #expect(try await entries(admin, ["userId": "admin-1"]).allSatisfy { $0["userId"] == "admin-1" })
        #expect(try await entries(admin, ["operation": "server.stats", "limit": 2]).count == 2)
        #expect(try await entries(admin, ["operation": "store.all"]).isEmpty)
        // The query itself is logged after its own answer.
        #expect(try await entries(admin, ["operation": "audit.query"]).count >= 1)

        #expect(try await writer.request("audit.query").code == "FORBIDDEN")
        #expect(try await reader.request("audit.query").code == "FORBIDDEN")
        #expect(try await admin.request("audit.query", ["limit": -1]).message == "Invalid \"limit\": expected positive integer")
        #expect(try await admin.request("audit.query", ["from": "yesterday"]).code == "VALIDATION_ERROR")
        #expect(try await admin.request("audit.query", ["result": "maybe"]).code == "VALIDATION_ERROR")
    }

    @Test func ringBufferCapacity() async throws {
        let harness = try await auditHarness(tiers: [.admin, .write], maxEntries: 5)
        defer { Task { await harness.stop() } }
        let admin = try await login(harness, "user:admin-1:admin")
        for n in 0..<8 { _ = try await admin.result("store.insert", ["bucket": "users", "data": ["name": .string("n\(n)")]]) }
        #expect(try await entries(admin).count <= 5)
    }

    @Test func onEntrySeesTheEntryBeforeTheResponseArrives() async throws {
        let seen = Mutex<[AuditEntry]>([])
        let harness = try await auditHarness(tiers: [.admin, .write]) { entry in seen.withLock { $0.append(entry) } }
        defer { Task { await harness.stop() } }
        let admin = try await login(harness, "user:admin-1:admin")
        _ = try await admin.result("store.insert", ["bucket": "users", "data": ["name": "n"]])
        let last = try #require(seen.withLock { $0.last })
        #expect(last.operation == "store.insert")
        #expect(last.resource == "users")
        #expect(last.result == .success)
        #expect(last.userId == "admin-1")
    }

    @Test func notConfigured() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let response = try await harness.client().request("audit.query")
        #expect(response.code == "UNKNOWN_OPERATION")
        #expect(response.message == "Audit log is not configured")
    }

    @Test func identityOperationsAreAuditedWithoutSecrets() async throws {
        let path = "/tmp/noex-audit-\(UInt64.random(in: 0...UInt64.max)).jsonl"
        let seen = Mutex<[AuditEntry]>([])
        let harness = try await Harness.identity(passwordMinLength: 8) { configuration in
            configuration.audit = AuditConfiguration(tiers: [.admin, .write], filePath: path) { entry in
                seen.withLock { $0.append(entry) }
            }
        }
        defer { Task { await harness.stop() } }
        let admin = try await harness.superadmin()
        let userId = try await harness.createUser("writer1", password: "sup3rs3cretpw", roles: ["writer"], as: admin)
        let failed = try await harness.client()
        _ = try await failed.request("identity.login", ["username": "ghost", "password": "guessedpw1"])
        _ = try await failed.request("identity.loginWithSecret", ["secret": "wrong-secret-guess"])
        let writer = try await harness.login("writer1", password: "sup3rs3cretpw")
        _ = try await admin.result("identity.resetPassword", ["userId": .string(userId), "newPassword": "an0thers3cret"])
        _ = writer

        let created = try await entries(admin, ["operation": "identity.createUser"])
        #expect(created.first?["result"] == "success")
        #expect(created.first?["details"] == ["username": "writer1"])
        let assigned = try await entries(admin, ["operation": "identity.assignRole"])
        #expect(assigned.first?["details"]?["roleName"] == "writer")
        let logins = try await entries(admin, ["operation": "identity.login", "result": "error"])
        #expect(logins.first?["error"] == "Invalid credentials")
        #expect(logins.first?["userId"] == .null)

        let everything = JSONSerializer.string(.array(seen.withLock { $0 }.map { .object($0.json) }))
        let file = try #require(FileText.read(path))
        for secret in ["sup3rs3cretpw", "an0thers3cret", "guessedpw1", "wrong-secret-guess", testAdminSecret, "$scrypt$"] {
            #expect(!everything.contains(secret), "\(secret) leaked into the audit log")
            #expect(!file.contains(secret), "\(secret) leaked into the audit file")
        }
        #expect(file.split(separator: "\n").count == seen.withLock { $0.count })
    }
}

/// Tiers by name, so tests read naturally.
enum OperationTierName: Hashable {
    case read, write, admin
    var tier: OperationTier {
        switch self {
        case .read: .read
        case .write: .write
        case .admin: .admin
        }
    }
}
