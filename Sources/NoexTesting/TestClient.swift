@_spi(Testing) public import NoexServer
public import NoexWire
import NoexWebSocket

/// A protocol-level client for tests: sends requests, matches responses by id, and buffers
/// pushes, pings and system messages for the test to take in order.
///
/// Works over an in-process connection (no socket) or a real WebSocket on loopback.
public actor TestClient {
    /// A message that did not arrive in time.
    public struct Timeout: Error, CustomStringConvertible {
        /// What was awaited.
        public var description: String

        /// Creates a timeout error.
        public init(description: String) { self.description = description }
    }

    private let sendText: @Sendable (String) async throws -> Void
    private let closeConnection: @Sendable () async -> Void
    private var buffered: [JSONObject] = []
    private var waiters: [(id: Int, matches: @Sendable (JSONObject) -> Bool, continuation: CheckedContinuation<JSONObject?, Never>)] = []
    private var nextWaiterId = 0
    private var nextRequestId = 0
    /// The close code, once the server has closed the connection.
    public private(set) var closeCode: UInt16?
    /// The close reason, once the server has closed the connection.
    public private(set) var closeReason: String?
    private var finished = false

    private init(send: @escaping @Sendable (String) async throws -> Void, close: @escaping @Sendable () async -> Void) {
        sendText = send
        closeConnection = close
    }

    /// Connects in-process and waits for the welcome.
    /// - Parameters:
    ///   - server: the server to talk to.
    ///   - remoteAddress: the address the server attributes the connection to.
    ///   - awaitWelcome: whether to consume the welcome first (false when the server may refuse).
    public static func inProcess(
        _ server: NoexServer, remoteAddress: String = "127.0.0.1", awaitWelcome: Bool = true
    ) async throws -> TestClient {
        let connection = server.openInProcessConnection(remoteAddress: remoteAddress)
        let client = TestClient(send: { connection.send($0) }, close: { connection.disconnect() })
        Task {
            for await event in connection.events {
                switch event {
                case .text(let text): await client.deliver(text)
                case .closed(let code, let reason): await client.deliverClose(code: code, reason: reason)
                }
            }
            await client.finish()
        }
        if awaitWelcome { _ = try await client.welcome() }
        return client
    }

    /// Connects over WebSocket to 127.0.0.1 and waits for the welcome.
    public static func live(
        port: Int, host: String = "127.0.0.1", path: String = "/", origin: String? = nil, awaitWelcome: Bool = true
    ) async throws -> TestClient {
        let socket = try await WebSocketClient.connect(host: host, port: port, path: path, origin: origin)
        let client = TestClient(
            send: { try await socket.send(text: $0) }, close: { try? await socket.close() })
        Task {
            while let message = try? await socket.receive() {
                if case .text(let text) = message { await client.deliver(text) }
            }
            await client.deliverClose(code: socket.closeCode ?? 1006, reason: "")
            await client.finish()
        }
        if awaitWelcome { _ = try await client.welcome() }
        return client
    }

    // MARK: Receiving

    private func deliver(_ text: String) {
        guard case .object(let object)? = try? JSONParser.parse(text) else { return }
        if let index = waiters.firstIndex(where: { $0.matches(object) }) {
            waiters.remove(at: index).continuation.resume(returning: object)
        } else {
            buffered.append(object)
        }
    }

    private func deliverClose(code: UInt16, reason: String) {
        if closeCode == nil {
            closeCode = code
            closeReason = reason
        }
    }

    private func finish() {
        finished = true
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        waiters.removeAll()
    }

    /// Waits for the first message matching `predicate` (already buffered or arriving later).
    /// - Throws: `Timeout` when none arrives in time or the connection ends.
    public func next(
        timeout: Duration = .seconds(5), _ what: String = "message",
        where predicate: @escaping @Sendable (JSONObject) -> Bool = { _ in true }
    ) async throws -> JSONObject {
        if let index = buffered.firstIndex(where: predicate) { return buffered.remove(at: index) }
        if finished { throw Timeout(description: "\(what): connection closed") }
        nextWaiterId += 1
        let waiterId = nextWaiterId
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.expire(waiterId)
        }
        let message = await withCheckedContinuation { continuation in
            waiters.append((waiterId, predicate, continuation))
        }
        timer.cancel()
        guard let message else { throw Timeout(description: "\(what) did not arrive within \(timeout)") }
        return message
    }

    private func expire(_ waiterId: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == waiterId }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    /// The welcome message.
    public func welcome() async throws -> JSONObject {
        try await next(timeout: .seconds(5), "welcome") { $0["type"] == "welcome" }
    }

    /// The next push, optionally for one subscription.
    public func nextPush(subscriptionId: String? = nil, timeout: Duration = .seconds(5)) async throws -> JSONObject {
        try await next(timeout: timeout, "push") { message in
            message["type"] == "push" && (subscriptionId == nil || message["subscriptionId"]?.stringValue == subscriptionId)
        }
    }

    /// Whether no push arrives within `window`.
    public func noPush(within window: Duration = .milliseconds(150)) async -> Bool {
        (try? await nextPush(timeout: window)) == nil
    }

    /// Waits until the server has closed the connection.
    /// - Returns: the close code.
    public func closed(timeout: Duration = .seconds(5)) async throws -> UInt16 {
        let deadline = ContinuousClock.now + timeout
        while closeCode == nil || !finished {
            if ContinuousClock.now > deadline {
                if let closeCode { return closeCode }
                throw Timeout(description: "close did not arrive within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return closeCode ?? 1006
    }

    // MARK: Sending

    /// Sends raw text.
    public func sendRaw(_ text: String) async throws {
        try await sendText(text)
    }

    /// Sends a request and returns the whole response message (`result` or `error`).
    /// - Parameters:
    ///   - type: the operation.
    ///   - payload: its fields (flat, next to `id` and `type`).
    public func request(_ type: String, _ payload: JSONObject = [:]) async throws -> JSONObject {
        nextRequestId += 1
        let id = nextRequestId
        var message: JSONObject = ["id": .number(Double(id)), "type": .string(type)]
        for (key, value) in payload { message[key] = value }
        try await sendText(JSONSerializer.string(.object(message)))
        return try await response(id: id, type)
    }

    /// Sends a request and returns its result data, failing on an error response.
    public func result(_ type: String, _ payload: JSONObject = [:]) async throws -> JSONValue {
        let response = try await request(type, payload)
        guard response["type"] == "result" else { throw UnexpectedResponse(response: response) }
        return response["data"] ?? .null
    }

    /// Waits for the response to request `id`.
    public func response(id: Int, _ what: String = "response") async throws -> JSONObject {
        try await next(timeout: .seconds(10), "\(what) #\(id)") { message in
            (message["type"] == "result" || message["type"] == "error") && message["id"] == .number(Double(id))
        }
    }

    /// Closes the connection from the client side.
    public func close() async {
        await closeConnection()
    }
}

/// A response that was an error where a result was expected.
public struct UnexpectedResponse: Error, CustomStringConvertible {
    /// The response received.
    public var response: JSONObject
    public var description: String { "unexpected response: \(JSONSerializer.string(.object(response)))" }
}
