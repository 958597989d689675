import NoexRules
@_spi(Testing) import NoexServer
import NoexStore
import NoexTesting
import NoexWire

/// A server on 127.0.0.1 port 0 with a fresh memory store, and in-process clients for it.
struct Harness {
    let server: NoexServer
    let store: Store
    let rules: RuleEngine?

    static func start(
        rules withRules: Bool = true, _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> Harness {
        let store = try Store()
        let rules = withRules ? RuleEngine() : nil
        var configuration = ServerConfiguration(store: store, rules: rules)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.name = "test-server"
        configuration.logWarning = { _ in }
        configure(&configuration)
        let server = try await NoexServer.start(configuration)
        return Harness(server: server, store: store, rules: rules)
    }

    /// An in-process client, welcomed.
    func client(remoteAddress: String = "127.0.0.1") async throws -> TestClient {
        try await TestClient.inProcess(server, remoteAddress: remoteAddress)
    }

    /// A live WebSocket client on loopback, welcomed.
    func liveClient(origin: String? = nil) async throws -> TestClient {
        try await TestClient.live(port: server.port, origin: origin)
    }

    /// Defines the `users` bucket used throughout the tests.
    func defineUsers() throws {
        try store.defineBucket(
            "users",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "name": ["type": "string", "required": true],
                    "role": ["type": "string", "default": "user"],
                    "email": ["type": "string", "format": "email", "unique": true],
                    "age": ["type": "number"],
                ],
            ])
    }

    func stop() async {
        await server.stop()
    }
}

extension JSONObject {
    /// The `code` of an error response.
    var code: String? { self["code"]?.stringValue }
    /// The `message` of an error response.
    var message: String? { self["message"]?.stringValue }
    /// The `data` of a result response.
    var data: JSONValue? { self["data"] }
}
