import CEpoll
import Glibc
import Synchronization

/// An RFC 6455 server on epoll event loops.
///
/// ```swift
/// let server = WebSocketServer(configuration: .init(host: "127.0.0.1", port: 0), delegate: app)
/// let port = try server.start()
/// ...
/// await server.shutdown()
/// ```
public final class WebSocketServer: Sendable {
    private enum State {
        case idle
        case running(ServerContext, port: Int)
        case stopped
    }
    /// The listener, for ``relieveDescriptorShortage(shedding:)``.
    private let listener = Mutex<LoopConfined<Listener>?>(nil)

    /// The configuration the server was created with.
    public let configuration: WebSocketServerConfiguration
    private let delegate: any WebSocketServerDelegate
    private let state = Mutex<State>(.idle)

    /// Creates a server; nothing is bound until ``start()``.
    /// - Parameters:
    ///   - configuration: Address, limits and timeouts.
    ///   - delegate: The application; its callbacks run on loop threads.
    public init(configuration: WebSocketServerConfiguration, delegate: any WebSocketServerDelegate) {
        self.configuration = configuration
        self.delegate = delegate
    }

    /// Binds, listens and starts the loop threads.
    /// - Returns: The bound port (the chosen one when the configuration says 0).
    /// - Throws: ``WebSocketError`` when the address is invalid, the port is taken, or the
    ///   server was already started.
    @discardableResult
    public func start() throws -> Int {
        try state.withLock { state in
            guard case .idle = state else { throw WebSocketError.invalidState("server already started") }
            let configuration = self.configuration
            let limit = configuration.raiseDescriptorLimit ? DescriptorLimit.raiseSoftLimit() : DescriptorLimit.current()
            let admission = ConnectionAdmission(
                maxConnections: DescriptorLimit.connectionCap(
                    limit: limit.soft, reserve: configuration.reservedDescriptors, requested: configuration.maxConnections),
                maxPerAddress: configuration.maxConnectionsPerAddress)
            let fd = try Self.listen(configuration)
            SocketAddress.reserveDescriptorTable(entries: configuration.descriptorTableReserve, using: fd)
            var loops: [EventLoop] = []
            do {
                for index in 0..<max(1, configuration.loopCount) { loops.append(try EventLoop(index: index)) }
            } catch {
                for loop in loops { loop.discardUnstarted() }
                close(fd)
                throw error
            }
            let context = ServerContext(
                configuration: configuration, delegate: delegate, loops: loops, admission: admission,
                descriptors: limit)
            let port = SocketAddress.localPort(of: fd)
            let first = loops[0]
            let listenerFD = LoopConfined(value: Listener(fd: fd, loop: first, context: context))
            listener.withLock { $0 = listenerFD }
            first.execute {
                if !first.register(fd: fd, events: EPOLLIN.rawValue, handler: listenerFD.value) {
                    listenerFD.value.closeForShutdown()
                }
            }
            for loop in loops { loop.start() }
            state = .running(context, port: port)
            return port
        }
    }

    private static func listen(_ configuration: WebSocketServerConfiguration) throws -> Int32 {
        try SocketAddress.withResolved(host: configuration.host, port: configuration.port, passive: true) {
            address, length, family in
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw WebSocketError.system(call: "socket", errno: errno) }
            SocketAddress.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one call here
            // instead of a setsockopt per connection.
            SocketAddress.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            guard bind(fd, address, length) == 0 else {
                let code = errno
                close(fd)
                throw WebSocketError.system(call: "bind", errno: code)
            }
            guard Glibc.listen(fd, configuration.backlog) == 0 else {
                let code = errno
                close(fd)
                throw WebSocketError.system(call: "listen", errno: code)
            }
            return fd
        }
    }

    /// The bound port, or 0 when the server is not running.
    public var port: Int {
        state.withLock { state in
            if case let .running(_, port) = state { return port }
            return 0
        }
    }

    /// The socket counters and the caps in force; `nil` when the server is not running.
    public var statistics: WebSocketServerStatistics? {
        let context: ServerContext? = state.withLock { state in
            if case let .running(context, _) = state { return context }
            return nil
        }
        return context.map { $0.admission.snapshot(descriptorLimit: $0.descriptorLimit) }
    }

    /// Runs the listener's response to a descriptor shortage now, on its loop, closing `count`
    /// connections: what happens when an accepted descriptor comes within 32 of the limit.
    /// Internal: tests use it, since they cannot lower the limit of the process they run in.
    func relieveDescriptorShortage(shedding count: Int) async {
        guard let listener = listener.withLock({ $0 }) else { return }
        let loop = listener.value.loop
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            loop.execute {
                listener.value.relieveDescriptorShortage(shedding: count)
                continuation.resume()
            }
        }
    }

    /// The descriptor limit found and set at start; `nil` when the server is not running.
    public var descriptorLimit: DescriptorLimit.Status? {
        state.withLock { state in
            if case let .running(context, _) = state { return context.descriptors }
            return nil
        }
    }

    /// Stops accepting, closes every connection (each gets a best-effort 1001 close frame and
    /// its `connectionDidClose`), and waits for the loop threads to end.
    public func shutdown() async {
        let context: ServerContext? = state.withLock { state in
            defer { state = .stopped }
            if case let .running(context, _) = state { return context }
            return nil
        }
        listener.withLock { $0 = nil }
        guard let context else { return }
        for loop in context.loops { await loop.shutdown() }
    }

    /// Runs `work` on an event loop after `delay` (e.g. heartbeats). Before ``start()`` or after
    /// ``shutdown()`` the work never runs.
    /// - Parameters:
    ///   - delay: How long to wait.
    ///   - work: The closure.
    /// - Returns: A handle to cancel the timer (inert when the server is not running).
    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> ScheduledTask {
        let context: ServerContext? = state.withLock { state in
            if case let .running(context, _) = state { return context }
            return nil
        }
        guard let context else { return ScheduledTask(loop: nil, id: 0) }
        let loop = context.loops[0]
        return ScheduledTask(loop: loop, id: loop.schedule(after: delay, work))
    }
}
