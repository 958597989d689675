import Glibc
import NoexClient
import NoexRules
import NoexServer
import NoexStore
import NoexWire
import Testing

/// A real server on 127.0.0.1 (port 0 unless given) with a memory store and a rule engine.
struct LiveServer {
    let server: NoexServer
    let store: Store
    let rules: RuleEngine

    var url: String { "ws://127.0.0.1:\(server.port)/" }

    static func start(
        port: Int = 0, store: Store? = nil, rules: RuleEngine? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> LiveServer {
        // The server writes to sockets with write/writev, which raise SIGPIPE when a peer has
        // reset its connection (clients here close abruptly on purpose); in a process that does
        // not ignore SIGPIPE, that kills the whole test run. Ignoring it is what a server process
        // must do anyway (see the report: NoexWebSocket should use MSG_NOSIGNAL or ignore it).
        signal(SIGPIPE, SIG_IGN)
        let store = try store ?? Store()
        let rules = rules ?? RuleEngine()
        var configuration = ServerConfiguration(store: store, rules: rules)
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.name = "client-test-server"
        configuration.logWarning = { _ in }
        configure(&configuration)
        let server = try await NoexServer.start(configuration)
        return LiveServer(server: server, store: store, rules: rules)
    }

    /// A client with short reconnect delays, so tests that restart the server stay quick.
    func client(_ configure: (inout NoexClientConfiguration) -> Void = { _ in }) async throws -> NoexClient {
        var configuration = NoexClientConfiguration()
        configuration.reconnect = ReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))
        configuration.requestTimeout = .seconds(10)
        configure(&configuration)
        return try await NoexClient.connect(to: url, configuration: configuration)
    }

    func stop() async { await server.stop() }
}

/// Runs `body` and returns the ``NoexClientError`` it throws, or `nil` (any other error is
/// recorded as a test issue).
func clientError<T>(_ body: () async throws -> T) async -> NoexClientError? {
    do {
        _ = try await body()
        return nil
    } catch let error as NoexClientError {
        return error
    } catch {
        Issue.record("expected a NoexClientError, got \(error)")
        return nil
    }
}

/// Collects a subscription's pushes from a task of its own, so tests can wait with a bound.
actor PushCollector {
    private(set) var values: [JSONValue] = []
    private(set) var finished = false

    /// Starts collecting.
    static func collecting(_ subscription: NoexSubscription) -> PushCollector {
        let collector = PushCollector()
        Task {
            for await value in subscription { await collector.append(value) }
            await collector.finish()
        }
        return collector
    }

    private func append(_ value: JSONValue) { values.append(value) }
    private func finish() { finished = true }

    /// Waits until `condition` holds (checked every 10 ms), at most `limit`.
    /// - Returns: whether it held.
    func wait(upTo limit: Duration = .seconds(10), until condition: ([JSONValue], Bool) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition(values, finished) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

/// Waits until `condition` holds (checked every 10 ms), at most `limit`.
func eventually(upTo limit: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while !(await condition()) {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// A bucket used throughout: string key, required name, numeric score.
let playersBucket: JSONObject = [
    "key": "id",
    "schema": [
        "id": ["type": "string", "generated": "uuid"],
        "name": ["type": "string", "required": true],
        "score": ["type": "number", "default": 0],
    ],
]
