import NoexAuth
import NoexClient
import NoexProtocol
import NoexServer
import NoexStore
import NoexWire
import Testing

let adminSecret = "client-test-secret"

/// Built-in identity with cheap password hashes, and the audit log.
func identityServer(port: Int = 0, store: Store? = nil) async throws -> LiveServer {
    try await LiveServer.start(port: port, store: store) { configuration in
        configuration.identity = BuiltInIdentityConfiguration(
            adminSecret: adminSecret, passwordHashCost: PasswordHasher.Cost(n: 1024, r: 8, p: 1))
        configuration.audit = AuditConfiguration()
    }
}

@Suite("NoexClient identity, audit and procedures against a live server")
struct IdentityClientTests {
    @Test("identity: secret login, users, roles, login, whoami, password change, logout")
    func identity() async throws {
        let live = try await identityServer()
        let admin = try await live.client()
        #expect(await admin.welcome.requiresAuth)
        #expect(await clientError { try await admin.store.buckets() }?.code == .unauthorized)

        let superadmin = try await admin.identity.loginWithSecret(secret: adminSecret)
        #expect(superadmin["token"]?.stringValue?.isEmpty == false)
        let wrong = await clientError { try await admin.identity.loginWithSecret(secret: "nope") }
        #expect(wrong?.code == .unauthorized)

        let user = try await admin.identity.createUser(username: "ada", password: "correct-horse", displayName: "Ada")
        let userId = try #require(user["id"]?.stringValue)
        #expect(user["username"] == "ada")
        #expect(try await admin.identity.assignRole(userId: userId, roleName: "writer").assigned)
        let roles = try await admin.identity.getUserRoles(userId: userId)
        #expect(roles.roles.arrayValue?.compactMap { $0["name"]?.stringValue } == ["writer"])
        let listed = try await admin.identity.listUsers()
        #expect(listed.total == 1)
        let short = await clientError { try await admin.identity.createUser(username: "bob", password: "short") }
        #expect(short?.code == .validationError)

        let client = try await live.client()
        let login = try await client.identity.login(username: "ada", password: "correct-horse")
        #expect(login["user"]?["username"] == "ada")
        let whoami = try await client.identity.whoami()
        #expect(whoami.authenticated)
        #expect(whoami.userId == userId)
        #expect(whoami.roles == ["writer"])
        let bad = await clientError { try await client.identity.login(username: "ada", password: "wrong-password") }
        #expect(bad?.code == .unauthorized)
        #expect(try await client.identity.changePassword(userId: userId, currentPassword: "correct-horse", newPassword: "battery-staple").changed)
        // A writer may not administer users.
        #expect(await clientError { try await client.identity.listUsers() }?.code == .forbidden)
        _ = try await client.identity.logout()
        #expect(await clientError { try await client.store.buckets() }?.code == .unauthorized)

        // The audit log saw the administration.
        let audit = try await admin.audit.query(operation: "identity.createUser")
        #expect(audit.entries.arrayValue?.isEmpty == false)
        #expect(try await admin.identity.deleteUser(userId: userId).deleted)
        await client.close()
        await admin.close()
        await live.stop()
    }

    @Test("an identity session is resumed after a reconnect with its token")
    func identityReconnect() async throws {
        let store = try Store()
        var live = try await identityServer(store: store)
        let port = live.server.port
        let client = try await live.client()
        _ = try await client.identity.loginWithSecret(secret: adminSecret)
        _ = try await client.store.defineBucket(name: "notes", config: ["key": "id", "schema": ["id": ["type": "string", "generated": "uuid"], "text": ["type": "string"]]])
        _ = try await client.store.defineQuery(name: "notes", config: ["bucket": "notes"])
        let feed = PushCollector.collecting(try await client.store.subscribe(query: "notes"))

        await live.stop()
        live = try await identityServer(port: port, store: store)
        // Connected to the new server (a state read before the client noticed the old
        // connection's end would still say `.connected`).
        #expect(await eventually { await client.connectionState == .connected && live.server.connectionCount == 1 })
        // Logged in again with the session token (identity mode requires it for every write),
        // and the subscription was re-established under that session.
        _ = try await client.store.insert(bucket: "notes", data: ["text": "after restart"])
        #expect(await feed.wait { values, _ in values.last?.arrayValue?.count == 1 })
        #expect(try await client.identity.whoami().roles == ["superadmin"])
        await client.close()
        await live.stop()
    }

    @Test("procedures: register, get, list, call, update, unregister")
    func procedures() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        _ = try await client.store.defineBucket(name: "orders", config: ["key": "id", "schema": ["id": ["type": "string"], "total": ["type": "number"]]])
        _ = try await client.store.insert(bucket: "orders", data: ["id": "o-1", "total": 42])
        let definition: JSONObject = [
            "name": "get-order", "input": ["orderId": ["type": "string"]],
            "steps": [["action": "store.get", "bucket": "orders", "key": "{{ input.orderId }}", "as": "order"]],
        ]
        let registered = try await client.procedures.register(procedure: definition)
        #expect(registered.name == "get-order")
        #expect(registered.registered)
        #expect(try await client.procedures.get(name: "get-order")["name"] == "get-order")
        #expect(try await client.procedures.list().procedures.arrayValue?.count == 1)
        let result = try await client.procedures.call(name: "get-order", input: ["orderId": "o-1"])
        #expect(result["success"] == true)
        #expect(result["results"]?["order"]?["total"] == 42)
        let updated = try await client.procedures.update(name: "get-order", updates: ["description": "Reads one order"])
        #expect(updated.updated)
        #expect(try await client.procedures.unregister(name: "get-order").unregistered)
        let missing = await clientError { try await client.procedures.call(name: "get-order") }
        #expect(missing?.code == .notFound)
        let duplicate = await clientError {
            _ = try await client.procedures.register(procedure: ["name": "x", "steps": [["action": "return", "value": 1]]])
            return try await client.procedures.register(procedure: ["name": "x", "steps": [["action": "return", "value": 1]]])
        }
        #expect(duplicate?.code == .alreadyExists)
        await client.close()
        await live.stop()
    }
}
