import NoexAuth
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire
import Testing

/// The admin secret every identity test server uses.
let testAdminSecret = "test-admin-secret"

/// scrypt factors for test users.
let testHashCost = PasswordHasher.Cost(n: 1024, r: 8, p: 1)

extension Harness {
    /// A server with built-in identity (and optionally the audit log).
    static func identity(
        sessionTtlMs: Int = 86_400_000, loginRateLimit: LoginRateLimitConfiguration = .init(),
        passwordMinLength: Int = 8, maxSessionsPerUser: Int = 10,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> Harness {
        try await Harness.start { configuration in
            configuration.identity = BuiltInIdentityConfiguration(
                adminSecret: testAdminSecret, sessionTtlMs: sessionTtlMs, passwordMinLength: passwordMinLength,
                maxSessionsPerUser: maxSessionsPerUser, loginRateLimit: loginRateLimit,
                // Cheap hashes keep these suites from starving the timing-sensitive ones running
                // alongside; the reference cost is exercised in NoexAuthTests.
                passwordHashCost: testHashCost)
            configure(&configuration)
        }
    }

    /// A client logged in as the virtual superadmin.
    func superadmin(remoteAddress: String = "127.0.0.1") async throws -> TestClient {
        let client = try await client(remoteAddress: remoteAddress)
        _ = try await client.result("identity.loginWithSecret", ["secret": .string(testAdminSecret)])
        return client
    }

    /// Creates a user through `identity.createUser` and assigns roles; returns its id.
    @discardableResult
    func createUser(
        _ username: String, password: String = "password123", roles: [String] = [], displayName: String? = nil,
        as admin: TestClient
    ) async throws -> String {
        var payload: JSONObject = ["username": .string(username), "password": .string(password)]
        if let displayName { payload["displayName"] = .string(displayName) }
        let user = try await admin.result("identity.createUser", payload)
        let userId = try #require(user["id"]?.stringValue)
        for role in roles {
            _ = try await admin.result("identity.assignRole", ["userId": .string(userId), "roleName": .string(role)])
        }
        return userId
    }

    /// A client logged in as `username`.
    func login(_ username: String, password: String = "password123", remoteAddress: String = "127.0.0.1") async throws
        -> TestClient
    {
        let client = try await client(remoteAddress: remoteAddress)
        _ = try await client.result("identity.login", ["username": .string(username), "password": .string(password)])
        return client
    }

    /// Defines a small bucket as `client` (which becomes its owner).
    func defineBucket(_ name: String, as client: TestClient) async throws {
        _ = try await client.result(
            "store.defineBucket",
            [
                "name": .string(name),
                "config": ["key": "id", "schema": ["id": ["type": "string", "generated": "uuid"], "title": ["type": "string"]]],
            ])
    }
}

extension JSONObject {
    /// Whether the response is a result.
    var isResult: Bool { self["type"] == "result" }
}
