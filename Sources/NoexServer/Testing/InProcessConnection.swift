import Synchronization

/// A client connection without a socket: text goes straight into the server's pipeline and
/// everything the server sends comes out of `messages`.
///
/// For tests (`@_spi(Testing)`): the whole protocol, auth, limits and pushes run exactly as over
/// WebSocket, minus the framing.
@_spi(Testing)
public final class InProcessConnection: Sendable {
    /// What the server sent, in order: text messages, then one close.
    public enum Event: Sendable, Hashable {
        /// A text message.
        case text(String)
        /// The server closed the connection.
        case closed(code: UInt16, reason: String)
    }

    /// Every event the server produced for this connection.
    public let events: AsyncStream<Event>
    fileprivate let socket: InProcessSocket
    /// The server side, through its link: once the connection is torn down (closed by either
    /// side) the handle no longer reaches it, so a test holding the handle does not keep the
    /// closed connection alive, and later sends go nowhere, as on a closed socket.
    private let link = Mutex<ConnectionLink?>(nil)

    fileprivate init(remoteAddress: String) {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        events = stream
        socket = InProcessSocket(remoteAddress: remoteAddress, continuation: continuation)
    }

    fileprivate func attach(_ connection: ClientConnection?) {
        link.withLock { $0 = connection?.link }
        if connection == nil { socket.finish() }
    }

    /// The live server-side connection, `nil` once it was torn down.
    private var connection: ClientConnection? { link.withLock { $0 }?.connection }

    /// Sends one text message to the server.
    public func send(_ text: String) {
        guard let connection else { return }
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { connection.receive(UnsafeRawBufferPointer($0)) }
    }

    /// Simulates unsent outbound bytes, to exercise backpressure.
    public func setBufferedBytes(_ count: Int) {
        socket.buffered.store(count, ordering: .relaxed)
        if count == 0 { connection?.didDrain() }
    }

    /// Disconnects as a client would.
    public func disconnect() {
        guard let connection else { return }
        connection.tearDown()
        socket.finish()
    }
}

/// The fake socket behind an `InProcessConnection`.
final class InProcessSocket: ClientSocket {
    let remoteAddress: String
    let buffered = Atomic<Int>(0)
    private let continuation: AsyncStream<InProcessConnection.Event>.Continuation
    private let onClose = Mutex<(@Sendable () -> Void)?>(nil)

    init(remoteAddress: String, continuation: AsyncStream<InProcessConnection.Event>.Continuation) {
        self.remoteAddress = remoteAddress
        self.continuation = continuation
    }

    var bufferedBytes: Int { buffered.load(ordering: .relaxed) }

    func sendMessage(_ bytes: [UInt8]) {
        continuation.yield(.text(String(decoding: bytes, as: UTF8.self)))
    }

    func close(code: UInt16, reason: String) {
        continuation.yield(.closed(code: code, reason: reason))
        onClose.withLock { $0 }?()
        finish()
    }

    func whenClosed(_ action: @escaping @Sendable () -> Void) {
        onClose.withLock { $0 = action }
    }

    func finish() {
        continuation.finish()
    }
}

extension NoexServer {
    /// Opens a connection that bypasses the network, for tests.
    /// - Parameter remoteAddress: the address the server attributes it to.
    @_spi(Testing)
    public func openInProcessConnection(remoteAddress: String = "127.0.0.1") -> InProcessConnection {
        let client = InProcessConnection(remoteAddress: remoteAddress)
        let connection = core.open(client.socket, scheduler: TaskScheduler())
        if let connection {
            // The socket holds the link, not the connection: no cycle outlives `tearDown()`.
            let link = connection.link
            client.socket.whenClosed { link.connection?.tearDown() }
        }
        client.attach(connection)
        return client
    }
}

extension NoexServer {
    /// Unsent outbound bytes of one connection, for tests of the backpressure policy.
    /// - Parameter connectionId: a `conn-N` id from `getConnections()`.
    @_spi(Testing)
    public func outboundBytes(of connectionId: String) -> Int? {
        core.liveConnections.first { $0.id == connectionId }?.socket.bufferedBytes
    }
}
