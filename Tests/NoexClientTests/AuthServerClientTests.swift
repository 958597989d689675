import NoexClient
import NoexProtocol
import NoexServer
import NoexWire
import Testing

@Suite("NoexClient auth, server and unconfigured namespaces against a live server")
struct AuthServerClientTests {
    static func tokenAuth(_ configuration: inout ServerConfiguration) {
        configuration.auth = TokenAuthConfiguration(required: true) { token in
            token == "secret-token" ? AuthSession(userId: "u1", roles: ["admin"]) : nil
        }
    }

    @Test("auth: login, whoami, logout, and errors before login")
    func auth() async throws {
        let live = try await LiveServer.start(configure: Self.tokenAuth)
        let client = try await live.client()
        #expect(await client.welcome.requiresAuth)
        let before = await clientError { try await client.store.buckets() }
        #expect(before?.code == .unauthorized)
        #expect(try await client.auth.whoami().authenticated == false)

        let bad = await clientError { try await client.auth.login(token: "wrong") }
        #expect(bad?.code == .unauthorized)
        let login = try await client.auth.login(token: "secret-token")
        #expect(login.userId == "u1")
        #expect(login.roles == ["admin"])
        #expect(login.expiresAt == nil)
        let whoami = try await client.auth.whoami()
        #expect(whoami.authenticated)
        #expect(whoami.userId == "u1")
        #expect(try await client.store.buckets().count == 0)
        #expect(try await client.auth.logout().loggedOut)
        #expect(try await client.auth.whoami().authenticated == false)
        await client.close()
        await live.stop()
    }

    @Test("auth operations without auth configured answer UNKNOWN_OPERATION")
    func authNotConfigured() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let error = await clientError { try await client.auth.login(token: "x") }
        #expect(error?.code == .unknownOperation)
        #expect(error?.isServerError == true)
        await client.close()
        await live.stop()
    }

    @Test("server: stats and connections")
    func server() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let other = try await live.client()
        let stats = try await client.server.stats()
        #expect(stats.name == "client-test-server")
        #expect(stats.connectionCount == 2)
        #expect(stats.connections["active"] == 2)
        #expect(stats.rulesEnabled)
        let connections = try await client.server.connections()
        #expect(connections.arrayValue?.count == 2)
        await other.close()
        await client.close()
        await live.stop()
    }

    @Test("identity and audit without configuration: the typed methods surface UNKNOWN_OPERATION")
    func unconfigured() async throws {
        let live = try await LiveServer.start()
        let client = try await live.client()
        let identity = await clientError { try await client.identity.login(username: "a", password: "b") }
        #expect(identity?.code == .unknownOperation)
        #expect(identity?.isServerError == true)
        #expect(identity?.message.isEmpty == false)
        let users = await clientError { try await client.identity.listUsers() }
        #expect(users?.code == .unknownOperation)
        let audit = await clientError { try await client.audit.query(limit: 5) }
        #expect(audit?.code == .unknownOperation)
        await client.close()
        await live.stop()
    }

    @Test("the Origin header is sent; a server with allowedOrigins refuses other origins")
    func origin() async throws {
        let live = try await LiveServer.start { $0.allowedOrigins = ["https://app.example"] }
        let refused = await clientError { try await NoexClient.connect(to: live.url, origin: "https://evil.example") }
        #expect(refused?.code == .connectionFailed)
        let client = try await NoexClient.connect(to: live.url, origin: "https://app.example")
        #expect(try await client.store.buckets().count == 0)
        await client.close()
        await live.stop()
    }

    @Test("a bad URL is INVALID_URL; a closed port is CONNECTION_FAILED")
    func badTargets() async throws {
        #expect(await clientError { try await NoexClient.connect(to: "http://x") }?.code == .invalidURL)
        #expect(await clientError { try await NoexClient.connect(to: "wss://x:1") }?.code == .invalidURL)
        #expect(await clientError { try await NoexClient.connect(to: "ws://:80") }?.code == .invalidURL)
        // Bind a server, stop it, and connect to the port it freed.
        let live = try await LiveServer.start()
        let url = live.url
        await live.stop()
        #expect(await clientError { try await NoexClient.connect(to: url) }?.code == .connectionFailed)
    }
}
