// A bounded in-memory server for the `server` and `procedures` targets.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import NoexRules
@_spi(Testing) import NoexServer
import NoexStore
import NoexWire

/// A server with a memory store (three buckets, two declarative queries) and a rules engine, no
/// auth, no socket traffic: inputs reach it through in-process connections. It is replaced
/// after ``inputsPerServer`` inputs so the state the inputs build up stays bounded.
final class FuzzServer: @unchecked Sendable {
    /// How many inputs one server instance serves before it is replaced.
    static let inputsPerServer = 200
    /// The request id of the message that marks the end of an input.
    static let endId = 990_000_001
    /// The longest wait for an input's messages to be answered.
    static let patience: DispatchTimeInterval = .seconds(20)

    private var server: NoexServer?
    private var store: Store?
    private var rules: RuleEngine?
    private var served = 0

    /// Sends `messages` on a fresh connection, then a marker request, and waits until the
    /// marker is answered or the connection is closed. Returns every text the server sent.
    func exchange(_ messages: [String]) -> [String] {
        let server = current()
        let connection = server.openInProcessConnection()
        let done = DispatchSemaphore(value: 0)
        let received = Received()
        Task {
            var signalled = false
            for await event in connection.events {
                switch event {
                case .text(let text):
                    received.append(text)
                    if !signalled, text.contains("\"id\":\(Self.endId)") {
                        signalled = true
                        done.signal()
                    }
                case .closed:
                    if !signalled {
                        signalled = true
                        done.signal()
                    }
                }
            }
            if !signalled { done.signal() }
        }
        for message in messages { connection.send(message) }
        connection.send(#"{"id":\#(Self.endId),"type":"store.buckets"}"#)
        _ = done.wait(timeout: .now() + Self.patience)
        connection.disconnect()
        let texts = received.texts
        if Self.verbose {
            for message in messages { printError("> \(message)\n") }
            for text in texts { printError("< \(text)\n") }
        }
        return texts
    }

    /// `NOEX_FUZZ_VERBOSE=1` prints every exchange, to see what an input does.
    private static let verbose = getenv("NOEX_FUZZ_VERBOSE").map { String(cString: $0) } == "1"

    /// The running server, started (or replaced) as needed.
    private func current() -> NoexServer {
        served += 1
        if let server, served <= Self.inputsPerServer { return server }
        if let old = server { blocking { await old.stop() } }
        rules?.stop()  // its timers would outlive the server
        try? store?.close()
        served = 1
        let store = try? Store()
        let rules = RuleEngine()
        guard let store, let fresh = blocking({ try? await Self.start(store: store, rules: rules) }) else {
            fatalError("noex-fuzz: the in-process server did not start")
        }
        (server, self.store, self.rules) = (fresh, store, rules)
        return fresh
    }

    /// A new server on 127.0.0.1, port 0, with the fixtures the seeds use.
    private static func start(store: Store, rules: RuleEngine) async throws -> NoexServer {
        // `users` and `all-users` as in the reference transcript (Tests/NoexServerTests/Fixtures),
        // `orders` and `items` as in the procedure tests: the seeds come from both.
        try store.defineBucket(
            "users",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "name": ["type": "string", "required": true],
                    "role": ["type": "string", "default": "user"],
                ],
            ])
        try store.defineBucket(
            "orders",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "status": ["type": "string", "default": "pending"],
                    "total": ["type": "number", "default": 0],
                ],
            ])
        try store.defineBucket(
            "items",
            json: [
                "key": "id",
                "schema": [
                    "id": ["type": "string", "generated": "uuid"],
                    "orderId": ["type": "string", "required": true],
                    "price": ["type": "number"],
                ],
            ])
        try store.defineQuery("all-users", json: ["bucket": "users"])
        try store.defineQuery("order-count", json: ["bucket": "orders", "aggregate": ["function": "count"]])
        var configuration = ServerConfiguration(store: store, rules: rules)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logWarning = { _ in }
        configuration.procedures = ProcedureLimits(maxSteps: 50, maxConditionDepth: 5, defaultTimeoutMs: 2_000)
        return try await NoexServer.start(configuration)
    }
}

/// Texts collected from a connection's event stream.
private final class Received: @unchecked Sendable {
    private let lock = NSLockLike()
    private var storage: [String] = []
    func append(_ text: String) { lock.locked { storage.append(text) } }
    var texts: [String] { lock.locked { storage } }
}

/// A minimal lock over a dispatch semaphore (Foundation is not imported).
private final class NSLockLike: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 1)
    func locked<T>(_ body: () -> T) -> T {
        semaphore.wait()
        defer { semaphore.signal() }
        return body()
    }
}

/// Runs async work to completion from the synchronous fuzz callback (which runs on the main
/// thread, outside the concurrency pool, so blocking it cannot starve the pool).
func blocking<T>(_ work: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Carries a result out of a task.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// The server every input of the process shares.
let fuzzServer = FuzzServer()
