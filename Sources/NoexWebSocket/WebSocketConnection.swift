import Synchronization

/// A thread-safe handle on one server connection.
///
/// Methods may be called from any thread: on the connection's loop thread they act at once,
/// elsewhere they hop to the loop (so a send from another thread copies its bytes once).
public final class WebSocketConnection: Sendable, Hashable {
    /// A server-unique connection number.
    public let id: UInt64
    /// The peer's IP address.
    public let remoteAddress: String
    /// The peer's port.
    public let remotePort: Int
    let loop: EventLoop
    let core: LoopConfined<ServerConnection>
    let buffered = Atomic<Int>(0)
    /// Bytes sent from other threads that the loop has not appended yet: counted in
    /// ``bufferedBytes`` at once, so a producer on another thread sees its own backlog.
    private let inTransit = Atomic<Int>(0)
    /// Backs ``attachment``; only the loop thread touches it, hence no lock.
    nonisolated(unsafe) private var attachmentStorage: AnyObject?

    init(id: UInt64, loop: EventLoop, core: ServerConnection) {
        self.id = id
        self.remoteAddress = core.remoteAddress
        self.remotePort = core.remotePort
        self.loop = loop
        self.core = LoopConfined(value: core)
    }

    /// An object the delegate keeps with this connection (typically its own per-connection
    /// state), so its callbacks reach it without a lookup or a lock.
    ///
    /// Loop-confined: read and write it only on the connection's loop thread, i.e. inside
    /// ``WebSocketServerDelegate`` callbacks or ``execute(_:)`` closures (checked in debug builds).
    /// Held strongly; the server clears it right after ``WebSocketServerDelegate/connectionDidClose(_:code:reason:)``
    /// returns, so an attachment that references this connection back forms no lasting cycle.
    public var attachment: AnyObject? {
        get {
            assert(loop.inLoop, "WebSocketConnection.attachment read off its loop thread")
            return attachmentStorage
        }
        set {
            assert(loop.inLoop, "WebSocketConnection.attachment written off its loop thread")
            attachmentStorage = newValue
        }
    }

    /// Unsent outbound bytes, including those still on their way to the loop (readable from any
    /// thread).
    public var bufferedBytes: Int { buffered.load(ordering: .relaxed) + inTransit.load(ordering: .relaxed) }

    /// Runs `append` on the loop, counting `count` bytes as buffered until it has run.
    private func appendOnLoop(count: Int, _ append: @escaping @Sendable () -> Void) {
        inTransit.add(count, ordering: .relaxed)
        loop.execute { [self] in
            append()
            inTransit.subtract(count, ordering: .relaxed)
        }
    }

    /// Whether the caller runs on this connection's loop thread.
    public var isOnLoopThread: Bool { loop.inLoop }

    /// Runs `work` on the loop thread once every message sent so far from other threads is in
    /// the outbound buffer (at once when called on the loop thread). The loop runs handed-over
    /// work in order, so this follows the sends queued before it.
    /// - Parameter work: What to run after those sends.
    public func afterPendingSends(_ work: @escaping @Sendable () -> Void) {
        if loop.inLoop {
            work()
        } else {
            loop.execute(work)
        }
    }

    /// Sends a text message (the bytes must be UTF-8; they are not re-validated).
    /// - Parameter bytes: The message.
    public func sendText(_ bytes: some Collection<UInt8>) {
        if loop.inLoop {
            core.value.sendText(bytes)
        } else {
            let copy = Array(bytes)
            let core = self.core
            appendOnLoop(count: copy.count) { core.value.sendText(copy) }
        }
    }

    /// Sends a text message from raw memory (valid only during the call; copied at once).
    /// - Parameter bytes: The UTF-8 message.
    public func sendText(_ bytes: UnsafeRawBufferPointer) {
        if loop.inLoop {
            core.value.sendText(bytes)
        } else {
            sendText(Array(bytes))
        }
    }

    /// Sends a text message of exactly `count` UTF-8 bytes that `write` puts straight into the
    /// outbound buffer: no intermediate array on the loop thread (elsewhere the bytes are
    /// written into a copy that hops to the loop).
    /// - Parameters:
    ///   - count: The message length in bytes.
    ///   - write: Initialises every byte of the buffer it is given (exactly `count` bytes).
    public func sendText(count: Int, writingWith write: (UnsafeMutableRawBufferPointer) -> Void) {
        if loop.inLoop {
            core.value.sendText(count: count, write)
        } else {
            sendText([UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                write(UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            })
        }
    }

    /// Sends a pre-encoded frame shared with other connections.
    /// - Parameter frame: The frame, encoded once.
    public func sendText(_ frame: PreparedFrame) {
        let storage = frame.storage
        if loop.inLoop {
            core.value.send(storage)
        } else {
            let core = self.core
            appendOnLoop(count: frame.count) { core.value.send(storage) }
        }
    }

    /// Sends a binary message.
    /// - Parameter bytes: The message.
    public func sendBinary(_ bytes: some Collection<UInt8>) {
        if loop.inLoop {
            core.value.sendBinary(bytes)
        } else {
            let copy = Array(bytes)
            let core = self.core
            appendOnLoop(count: copy.count) { core.value.sendBinary(copy) }
        }
    }

    /// Sends a binary message from raw memory (valid only during the call; copied at once).
    /// - Parameter bytes: The message.
    public func sendBinary(_ bytes: UnsafeRawBufferPointer) {
        if loop.inLoop {
            core.value.sendBinary(bytes)
        } else {
            sendBinary(Array(bytes))
        }
    }

    /// Starts the close handshake; the socket closes when the peer answers or after the
    /// configured close timeout. No effect if the connection is already closing.
    /// - Parameters:
    ///   - code: The close code (must be valid on the wire, e.g. 1000, 1008, 4000–4999).
    ///   - reason: A short reason (truncated to 123 UTF-8 bytes).
    public func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "") {
        if loop.inLoop {
            core.value.close(code: code, reason: reason)
        } else {
            let core = self.core
            loop.execute { core.value.close(code: code, reason: reason) }
        }
    }

    /// The connection's event loop as a Swift concurrency executor: back an actor with it, or
    /// prefer it for a task, to run async code on the loop thread without hops.
    public var executor: EventLoopExecutor { loop.executor }

    /// Runs `work` on this connection's loop thread.
    /// - Parameter work: The closure.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        loop.execute(work)
    }

    public static func == (lhs: WebSocketConnection, rhs: WebSocketConnection) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
