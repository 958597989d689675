public import NoexWire
import NoexWebSocket

/// A typed client for a noex server over WebSocket.
///
/// ```swift
/// let client = try await NoexClient.connect(to: "ws://127.0.0.1:8080")
/// _ = try await client.store.insert(bucket: "messages", data: ["text": "hi"])
/// let feed = try await client.store.subscribe(query: "recent")
/// for await result in feed { print(result) }
/// ```
///
/// The operation methods (`client.store.insert(…)`, `client.rules.emit(…)`, …) are generated
/// from protocol.yaml; this type is the handwritten runtime under them: it connects, waits for
/// the welcome, correlates answers with requests by `id`, times requests out, answers the
/// server's `ping`s, routes pushes to ``NoexSubscription``s, and after a lost connection
/// reconnects with exponential backoff and jitter, logs in again with the last token and
/// subscribes again (mapping the new subscription ids to the same sequences).
public actor NoexClient {
    /// A request waiting for its answer.
    struct Pending {
        let operation: String
        let payload: JSONObject
        let continuation: CheckedContinuation<Result<JSONValue, NoexClientError>, Never>
        /// The connection it was sent on; `nil` while queued.
        var sentOn: Int?
        /// What a successful answer also does.
        let effect: Effect
        var timeoutTask: Task<Void, Never>?
    }

    /// What the writer task sends.
    enum Outgoing: Sendable {
        case text(String)
        case close(UInt16)
    }

    /// Bookkeeping attached to a request's success.
    enum Effect {
        case none
        /// Maps the answer's `subscriptionId` to this client subscription.
        case subscribe(clientId: String, unsubscribeOperation: String)
    }

    /// A client subscription and how to establish it again.
    struct Subscription {
        let operation: String
        let payload: JSONObject
        let unsubscribeOperation: String
        let continuation: AsyncStream<JSONValue>.Continuation
        var serverId: String?
        /// Whether the caller's own subscribe request is still unanswered (a reconnect must not
        /// subscribe it a second time).
        var awaitingFirstAnswer: Bool
    }

    let url: ServerURL
    let configuration: NoexClientConfiguration

    var socket: WebSocketClient?
    /// The current connection's writer: one task sends in the order the actor enqueued.
    var outbox: AsyncStream<Outgoing>.Continuation?
    /// Subscribe requests that timed out or were cancelled after being sent, by request id:
    /// should the answer still come, the subscription is ended on the server.
    var abandonedSubscribes: [Int: (generation: Int, unsubscribeOperation: String)] = [:]
    /// Incremented for every socket, so events of an old socket are recognised and ignored.
    var generation = 0
    var state: ConnectionState = .connecting
    var closedByUser = false
    var nextRequestId = 1
    var nextSubscriptionNumber = 1
    var pending: [Int: Pending] = [:]
    /// Requests made while not connected, in order; sent once the connection is back.
    var queued: [Int] = []
    var subscriptions: [String: Subscription] = [:]
    var clientIdByServerId: [String: String] = [:]
    /// The token to log in with again after a reconnect (from `auth.login`, or the session
    /// token of an identity login).
    var sessionToken: String?
    var welcomeWaiter: (generation: Int, continuation: CheckedContinuation<Result<Welcome, NoexClientError>, Never>)?
    var stateObservers: [Int: AsyncStream<ConnectionState>.Continuation] = [:]
    var nextObserver = 0
    var reconnectTask: Task<Void, Never>?
    /// Connections whose reader task has not seen the end of the socket yet.
    var readerRunning: Set<Int> = []
    /// ``close()`` waiting for a reader to end.
    var readerEnded: [Int: CheckedContinuation<Void, Never>] = [:]

    /// The welcome of the current (or last) connection.
    public internal(set) var welcome: Welcome

    /// Server notices (`{"type":"system","event":…}` messages) in arrival order.
    public nonisolated let systemEvents: AsyncStream<JSONObject>
    let systemContinuation: AsyncStream<JSONObject>.Continuation

    private init(url: ServerURL, configuration: NoexClientConfiguration) {
        self.url = url
        self.configuration = configuration
        self.welcome = Welcome(version: "", serverTime: 0, requiresAuth: false)
        (systemEvents, systemContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
    }

    /// Connects to a server and waits for its welcome.
    /// - Parameters:
    ///   - url: a `ws://host:port/path` URL.
    ///   - configuration: origin, timeouts and reconnection.
    /// - Returns: the connected client.
    /// - Throws: ``NoexClientError`` `INVALID_URL` or `CONNECTION_FAILED`.
    public static func connect(
        to url: String, configuration: NoexClientConfiguration = NoexClientConfiguration()
    ) async throws(NoexClientError) -> NoexClient {
        let client = NoexClient(url: try ServerURL(url), configuration: configuration)
        try await client.openFirstConnection()
        return client
    }

    /// Connects to a server and waits for its welcome.
    /// - Parameters:
    ///   - url: a `ws://host:port/path` URL.
    ///   - origin: the `Origin` header to send.
    /// - Returns: the connected client.
    /// - Throws: ``NoexClientError`` `INVALID_URL` or `CONNECTION_FAILED`.
    public static func connect(to url: String, origin: String?) async throws(NoexClientError) -> NoexClient {
        try await connect(to: url, configuration: NoexClientConfiguration(origin: origin))
    }

    private func openFirstConnection() async throws(NoexClientError) {
        do {
            welcome = try await openConnection()
        } catch {
            setState(.closed)
            systemContinuation.finish()
            throw error
        }
        setState(.connected)
        // The connection may have ended between its welcome and this point (e.g. a heartbeat
        // timeout under load); `connectionEnded` left the recovery to us.
        if socket == nil { recoverFromLoss() }
    }

    /// The current connection state.
    public var connectionState: ConnectionState { state }

    /// The connection state: the current one first, then every change, until the client closes.
    /// - Returns: a new stream (each call makes an independent one).
    public func connectionStates() -> AsyncStream<ConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionState.self, bufferingPolicy: .unbounded)
        continuation.yield(state)
        if state == .closed {
            continuation.finish()
            return stream
        }
        let key = nextObserver
        nextObserver += 1
        stateObservers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeObserver(key) }
        }
        return stream
    }

    private func removeObserver(_ key: Int) { stateObservers[key] = nil }

    func setState(_ newState: ConnectionState) {
        guard newState != state else { return }
        state = newState
        for observer in stateObservers.values { observer.yield(newState) }
        if newState == .closed {
            for observer in stateObservers.values { observer.finish() }
            stateObservers.removeAll()
        }
    }

    /// Closes the connection gracefully and for good: pending and queued requests fail with
    /// `CLIENT_CLOSED`, subscriptions end (the server drops them with the connection), and no
    /// reconnect follows. Waits up to the configured close timeout for the close handshake.
    public func close() async {
        guard !closedByUser else { return }
        closedByUser = true
        reconnectTask?.cancel()
        reconnectTask = nil
        let ending = socket
        let endingGeneration = generation
        socket = nil
        outbox?.yield(.close(1000))
        outbox?.finish()
        outbox = nil
        failAll(.client(.clientClosed, "The client was closed"), includingQueued: true)
        finishAllSubscriptions()
        resolveWelcome(generation: endingGeneration, .failure(.client(.clientClosed, "The client was closed")))
        setState(.closed)
        systemContinuation.finish()
        if ending != nil {
            await waitForReader(generation: endingGeneration, timeout: configuration.closeTimeout)
        }
    }

    /// A masked close frame. The client's `close()` would also read until the end, but the
    /// socket's reader task is its only reader, so the frame is written raw and the reader sees
    /// the end when the server completes the handshake.
    static func closeFrame(code: UInt16) -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        return WebSocketFrameEncoder.encode(
            opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: code, reason: ""),
            maskingKey: UInt32.random(in: 1...UInt32.max, using: &random))
    }

    /// Starts the writer of a socket: messages go out one at a time, in enqueue order.
    static func startWriter(_ socket: WebSocketClient) -> AsyncStream<Outgoing>.Continuation {
        let (stream, continuation) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .unbounded)
        Task {
            for await item in stream {
                switch item {
                case .text(let text):
                    // A failed write means the socket is closing; its reader reports the loss.
                    do { try await socket.send(text: text) } catch { return }
                case .close(let code):
                    try? await socket.sendRaw(closeFrame(code: code))
                    return
                }
            }
        }
        return continuation
    }

    /// Waits until the reader of a connection has seen the end of its socket, or `timeout`.
    func waitForReader(generation: Int, timeout: Duration) async {
        guard readerRunning.contains(generation) else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.resumeReaderWaiter(generation: generation)
        }
        await withCheckedContinuation { continuation in readerEnded[generation] = continuation }
        timer.cancel()
    }

    func resumeReaderWaiter(generation: Int) {
        readerEnded.removeValue(forKey: generation)?.resume()
    }
}
